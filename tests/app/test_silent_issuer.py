"""A silent issuer (issue 12, point 5): it accepts the connection and never answers.

``install`` and ``doctor`` must give up within the bound (no urllib3 retries multiplying the
wait) and say that the issuer did not answer in time, not "no connection". Two servers: one
that accepts TCP and stays silent (no TLS handshake), one that completes TLS with the issuer's
own certificate (so it passes the pin) and then never answers.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import Desk
from issuer_harness import RunningIssuer, start_issuer
from silent_server import SilentServer

from app.errors import IssuerTimeout, IssuerUnreachable
from app.est import TOTAL_WAIT, IssuerClient, default_timeout

WAIT = 1.0  # ZORGCERT_ISSUER_TIMEOUT in these tests: the CLI's bound scales with it


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("silent-issuer")) / "data")
    yield running
    running.stop()


@pytest.fixture(params=["tcp", "tls"])
def silent(request: pytest.FixtureRequest, issuer: RunningIssuer) -> Iterator[SilentServer]:
    tls = None
    if request.param == "tls":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(issuer.data / "tls" / "server.pem", issuer.data / "tls" / "server.key")
    server = SilentServer(tls)
    yield server
    server.close()


def test_the_default_bound_is_sensible_and_the_variable_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZORGCERT_ISSUER_TIMEOUT", raising=False)
    assert TOTAL_WAIT <= 30 and default_timeout() == (5.0, 15.0)
    monkeypatch.setenv("ZORGCERT_ISSUER_TIMEOUT", "0.01")
    assert default_timeout() == (0.5, 0.5)
    monkeypatch.setenv("ZORGCERT_ISSUER_TIMEOUT", "9999")
    assert default_timeout() == (5.0, 120.0)
    monkeypatch.setenv("ZORGCERT_ISSUER_TIMEOUT", "soon")
    assert default_timeout() == (5.0, 15.0)


def test_a_silent_issuer_is_a_timeout_once_not_retried(silent: SilentServer, issuer: RunningIssuer) -> None:
    client = IssuerClient(silent.url, Path(issuer.ca), timeout=(WAIT, WAIT))
    started = time.monotonic()
    with pytest.raises(IssuerTimeout) as caught:
        client.policy()  # a GET: urllib3 used to retry its read timeout three times
    took = time.monotonic() - started
    assert took < 2.5 * WAIT, took
    assert silent.connections == 1  # no retry of a request that may have arrived
    assert caught.value.params["seconds"] == 1 and caught.value.exit_code == 4
    assert isinstance(caught.value, IssuerUnreachable)  # callers that keep the journal still do


def test_install_and_doctor_say_the_issuer_did_not_answer_in_time(silent: SilentServer, issuer: RunningIssuer,
                                                                   tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    desk = Desk(home, issuer)
    env = desk.env(ZORGCERT_ISSUER_URL=silent.url, ZORGCERT_ISSUER_TIMEOUT=str(WAIT))
    started = time.monotonic()
    r = desk.run("install", "--user-number", "12345678901237", "--pin-stdin", stdin="12345678\n", env=env,
                 timeout=30)
    took = time.monotonic() - started
    assert r.code == 4, r.err
    assert "De uitgever gaf geen antwoord binnen 1 seconden" in r.err
    assert "niet bereikbaar" not in r.err and "Traceback" not in r.err
    assert "Probeer het over een paar minuten opnieuw" in r.err  # the next step
    assert took < 10, took  # python start-up + one bounded wait, not 4 x 30 s
    assert b"12345678" not in silent.received  # the PIN never went out: the first GET timed out

    started = time.monotonic()
    r = desk.run("doctor", "--json", env=env, timeout=30)
    took = time.monotonic() - started
    assert r.code != 0
    reach = next(c for c in r.json["checks"] if c["check"] == "Uitgever bereikbaar")
    assert reach["result"] == "fail" and "geen antwoord binnen 1 seconden" in reach["detail"]
    assert took < 10, took
