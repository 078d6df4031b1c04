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

from app.enroll.est import TOTAL_WAIT, IssuerClient, default_timeout
from app.errors import IssuerTimeout, IssuerUnreachable

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
    desk = Desk(home, issuer, in_process=True)
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


class SilentAfterEnroll:
    """The issuer's address, passing everything to the real issuer, but silent after it issued a certificate.

    An enrollment whose answer never comes: the PIN went out and the certificate exists.
    """

    def __init__(self, issuer: RunningIssuer) -> None:
        import http.server
        import threading

        import requests

        release = self.release = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = requests.request(self.command, issuer.url + self.path, data=body, headers=headers,
                                          verify=issuer.ca, timeout=30)
                if self.path.endswith("/simpleenroll"):
                    release.wait(20)  # issued; the answer never comes in time
                    return
                self.send_response(answer.status_code)
                for key in ("Content-Type", "Date"):
                    if key in answer.headers:
                        self.send_header(key, answer.headers[key])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(issuer.data / "tls" / "server.pem", issuer.data / "tls" / "server.key")
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def test_an_enrollment_that_times_out_after_the_pin_went_out_loses_nothing(
        issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> None:
    proxy = SilentAfterEnroll(issuer)
    try:
        desk = Desk(tmp_path / "home", issuer, in_process=True)
        env = desk.env(ZORGCERT_ISSUER_URL=proxy.url, ZORGCERT_ISSUER_TIMEOUT="2")
        number, pin = issuer.user(issuer.organisation("Praktijk Traag"), name="Tim Traag")
        r = desk.install(number, pin, env=env)
        assert r.code == 4 and r.out and "geen antwoord binnen 2 seconden" in r.err, r.err
        assert "er gaat geen certificaat verloren" in r.err
        journal = desk.zorgcert_home / "data" / "journal"
        assert len(list(journal.glob("*.json"))) == 1  # kept: the issuer may have issued (it did)
        r = desk.run("status", "--json", env=env)  # the next run asks the issuer by key and installs it
        assert r.code == 0, r.err
        (row,) = r.json
        assert row["user_number"] == number and row["state"] == "valid"
        assert not list(journal.glob("*.json"))
    finally:
        proxy.close()
