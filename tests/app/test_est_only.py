"""End to end against a plain RFC 7030 server: the real issuer with ``serve --est-only`` (issue 14).

No JSON API (``/api/v1/*`` answers 404): install, status, renew (Subject and SAN copied),
reinstall after expiry, recovery of an interrupted install, doctor, and a deferred install
(202 + Retry-After until ``zorgcert-issuer user approve``) that finishes in a later process.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from app_harness import ArgvWatch, Desk, certutil_list, new_desk
from cryptography import x509
from issuer_harness import RunningIssuer, module_issuer, start_issuer

pytestmark = pytest.mark.slow

VALIDITY, RENEWAL = 16, 10  # seconds


issuer = module_issuer(validity=f"PT{VALIDITY}S", renewal_window=f"PT{RENEWAL}S", install_window="PT10M",
                       est_only=True, extra_toml='[est.labels]\npersonal = "personal"\nsystem = "system"\n')


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    return new_desk(issuer, tmp_path)


def plain(desk: Desk, **extra: str) -> dict[str, str]:
    """The desk's environment with the client's own renewal window (the issuer does not tell it)."""
    return desk.env(ZORGCERT_RENEWAL_WINDOW=f"PT{RENEWAL}S", **extra)


def wait_until(moment: datetime) -> None:
    delay = moment.timestamp() - time.time()
    if delay > 0:
        time.sleep(delay)


def _status(desk: Desk, env: dict[str, str]) -> list[dict]:
    r = desk.run("status", "--json", env=env)
    assert r.code == 0, r.err
    return list(r.json)


def _san(folder: Path) -> list[x509.GeneralName]:
    cert = x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    return list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)


def test_install_renew_expire_reinstall_with_the_standard_alone(desk: Desk, issuer: RunningIssuer) -> None:
    assert issuer.get("/api/v1/policy").status_code == 404  # a plain EST server
    org = issuer.organisation("Praktijk Standaard")
    number, pin = issuer.user(org, name="Sanne Standaard", contact_person=True)
    env = plain(desk)
    folder = desk.home / "certs"

    r = desk.install(number, pin, "--store", f"file:{folder}", env=env)
    assert r.code == 0, r.err
    installed = r.json["installed"]
    assert installed["how"] == "install" and installed["name"] == "Sanne Standaard"
    # durations without /api/v1/policy: validity from the certificate, the renewal window from our configuration
    assert installed["policy"]["renewal_window"] == f"PT{RENEWAL}S"
    first_san = _san(folder)
    assert first_san
    rows = _status(desk, env)
    assert rows[0]["state"] in ("valid", "renewal-open")  # a loaded machine may take the 6 s before the window
    opens = datetime.fromisoformat(rows[0]["renewal_opens"])
    assert (datetime.fromisoformat(rows[0]["valid_until"]) - opens).total_seconds() == RENEWAL

    wait_until(opens)
    time.sleep(0.3)
    renewed = desk.run("renew", number, "--json", env=env)
    assert renewed.code == 0, renewed.err
    assert renewed.json["renewed"]["how"] == "renew"
    assert renewed.json["renewed"]["subject"] == installed["subject"]
    assert renewed.json["renewed"]["fingerprint"] != installed["fingerprint"]
    assert _san(folder) == first_san  # the renewal CSR copied Subject and SAN (RFC 7030 §4.2.2)

    wait_until(datetime.fromisoformat(renewed.json["renewed"]["not_after"]))
    time.sleep(0.3)
    assert _status(desk, env)[0]["state"] == "expired"
    again = desk.install(number, pin, "--store", f"file:{folder}", env=env)
    assert again.code == 0, again.err
    assert again.json["installed"]["how"] == "reinstall"
    assert _status(desk, env)[0]["state"] in ("valid", "renewal-open")


def test_doctor_passes_against_the_standard_alone(desk: Desk) -> None:
    from app.i18n import t

    r = desk.run("doctor", "--json", env=plain(desk))
    checks = {c["check"]: c for c in r.json["checks"]}
    for key in ("doctor.reachable", "doctor.trust", "doctor.chain", "doctor.extensions"):
        assert checks[t(key, "nl")]["result"] == "pass", checks
    assert checks[t("doctor.extensions", "nl")]["detail"].startswith("niet aanwezig")
    assert not [c for c in r.json["checks"] if c["result"] == "fail"], r.json["checks"]


def test_an_install_killed_before_the_answer_finishes_without_by_key(desk: Desk, issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Onderbroken")
    number, pin = issuer.user(org, name="Olaf Onderbroken")
    killed = desk.run("install", "--user-number", number, "--pin-stdin", stdin=pin + "\n",
                      env=plain(desk, ZORGCERT_CRASH_AT="key-made"))
    assert killed.code == -9
    assert list((desk.zorgcert_home / "data" / "journal").glob("*.json"))
    # the next run repeats the very same request (same key, same CSR, the PIN from the vault): installed
    rows = _status(desk, plain(desk))
    assert [r["state"] for r in rows] == ["valid"]
    assert not list((desk.zorgcert_home / "data" / "journal").glob("*.json"))
    assert not list((desk.zorgcert_home / "data" / "vault").glob("*.zcp"))  # the sealed PIN is wiped


def test_an_est_label_goes_into_every_call(desk: Desk, issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Label")
    number, pin = issuer.user(org, kind="system", name="HIS label")
    folder = desk.home / "his"
    wrong = desk.install(number, pin, "--kind", "system", "--store", f"file:{folder}",
                         env=plain(desk, ZORGCERT_ISSUER_LABEL="onbekend"))
    assert wrong.code == 3, wrong.err  # the issuer has no such label: nothing sent with the PIN, nothing installed
    assert not (folder / "cert.pem").exists()
    bad = desk.install(number, pin, "--kind", "system", env=plain(desk, ZORGCERT_ISSUER_LABEL="a/b"))
    assert bad.code == 2  # not one path segment: refused before anything is sent
    r = desk.install(number, pin, "--kind", "system", "--store", f"file:{folder}",
                     env=plain(desk, ZORGCERT_ISSUER_LABEL="system"))
    assert r.code == 0, r.err
    seen = [line for line in issuer.log_lines if "/.well-known/est/" in line]
    assert any("/.well-known/est/system/simpleenroll" in line for line in seen), seen[-5:]
    assert any("/.well-known/est/system/cacerts" in line for line in seen)


def test_a_certificate_made_but_never_received_is_said_with_the_way_back(desk: Desk, issuer: RunningIssuer) -> None:
    """Killed after the issuer answered, before anything was written: without by-key the repeat is refused (R7)."""
    org = issuer.organisation("Praktijk Kwijt")
    number, pin = issuer.user(org, name="Karel Kwijt")
    killed = desk.run("install", "--user-number", number, "--pin-stdin", stdin=pin + "\n",
                      env=plain(desk, ZORGCERT_CRASH_AT="answered"))
    assert killed.code == -9
    r = desk.run("status", env=plain(desk))
    assert r.code == 0, r.err
    assert "waarschijnlijk heeft hij het certificaat al gemaakt" in r.err and "Support" in r.err
    assert not list((desk.zorgcert_home / "data" / "journal").glob("*.json"))  # rolled back: key and PIN gone
    assert not list((desk.zorgcert_home / "data" / "vault").glob("*.zc[pv]"))


# --- deferred issuance (RFC 7030 §4.2.3) ------------------------------------------------------


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("manual")) / "data", validity="PT1H",
                           renewal_window="PT10M", install_window="PT10M", est_only=True,
                           extra_init_args=("--enroll-approval", "manual", "--approval-retry-after", "1"))
    yield running
    running.stop()


def test_a_deferred_install_waits_for_approval_and_finishes_after_a_restart(manual: RunningIssuer,
                                                                          tmp_path: Path,
                                                                          secret_service: dict[str, str]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    desk = Desk(home, manual)
    org = manual.organisation("Praktijk Geduld")
    number, pin = manual.user(org, name="Gert Geduld")

    with ArgvWatch() as argv:
        first = desk.install(number, pin, env=plain(desk))
    assert first.code == 6, first.err  # accepted, not done: its own exit code
    assert "aanvraag ontvangen, wacht op goedkeuring; volgende poging om" in first.err
    rows = _status(desk, plain(desk))
    (row,) = rows
    assert row["state"] == "deferred" and row["user_number"] == number and row["next_attempt"]
    english = desk.run("status", "--lang", "en", env=plain(desk))
    assert "request received, waiting for approval; next attempt at" in english.out
    journal = sorted((desk.zorgcert_home / "data" / "journal").glob("*.json"))
    # before it is due: no PIN asked (none given here), no second request, no new key
    again = desk.run("install", "--user-number", number, "--json", stdin="", env=plain(desk))
    assert again.code == 6 and again.json["error"]["code"] == "error.deferred"
    assert sorted((desk.zorgcert_home / "data" / "journal").glob("*.json")) == journal

    # the PIN is sealed, never in clear: not in argv, the journal, the log or any file ZorgCert wrote
    assert not [line for line in argv.seen if pin in line]
    for path in desk.zorgcert_home.rglob("*"):
        if path.is_file():
            assert pin.encode() not in path.read_bytes(), path
    assert len(list((desk.zorgcert_home / "data" / "vault").glob("*.zcp"))) == 1

    # before Retry-After nothing is sent again; after approval and Retry-After a new process finishes it
    manual.admin("user", "approve", number)
    wait_until(datetime.fromisoformat(row["next_attempt"]))
    time.sleep(0.3)
    rows = _status(desk, plain(desk))
    assert [r["state"] for r in rows] == ["valid"], rows
    assert rows[0]["user_number"] == number
    assert "ZorgCert" in certutil_list(desk.nssdb) or rows[0]["installed_in"]
    assert not list((desk.zorgcert_home / "data" / "vault").glob("*.zcp"))  # wiped once the certificate came
    assert not list((desk.zorgcert_home / "data" / "journal").glob("*.json"))


def test_the_tray_agents_desktop_finishes_a_deferred_install(manual: RunningIssuer, tmp_path: Path,
                                                             secret_service: dict[str, str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from app.desk.desktop import Desktop
    from app.errors import EnrollmentDeferred
    from app.state.paths import paths

    home = tmp_path / "home"
    home.mkdir()
    desk = Desk(home, manual)
    for key, value in plain(desk).items():
        monkeypatch.setenv(key, value)
    org = manual.organisation("Praktijk Agent")
    number, pin = manual.user(org, name="Agnes Agent")
    desktop = Desktop(paths())
    with pytest.raises(EnrollmentDeferred) as deferred:
        desktop.install(number, pin, kind="personal", store="auto", progress=lambda _: None)
    at = deferred.value.params["next_attempt"]
    bundle = desktop.support_file(tmp_path / "support.zip", lang="nl")  # while the PIN is sealed in the vault
    with zipfile.ZipFile(bundle) as zf:
        assert not [name for name in zf.namelist() if pin.encode() in zf.read(name)]
        assert "deferred" in zf.read("journal.txt").decode()
    (line,) = desktop.notices("nl")
    assert line.startswith("Gebruikersnummer") and "wacht op goedkeuring" in line
    assert desktop.next_check([]) <= datetime.fromisoformat(at)  # the agent looks again when it is due
    manual.admin("user", "approve", number)
    wait_until(datetime.fromisoformat(at))
    time.sleep(0.3)
    again = Desktop(paths())  # a new core, as after a restart of the agent
    rows = again.status()
    assert [(r.user_number, r.state) for r in rows] == [(number, "valid")]
    assert again.notices("nl") == []
