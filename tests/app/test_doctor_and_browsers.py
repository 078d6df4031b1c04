"""After ``zorgcert install``: ``doctor`` sees the certificate in Chromium and Firefox, and real Chromium logs in.

The Chromium check uses nothing but what the install put in ``~/.pki/nssdb`` of a fresh
HOME (our certificate, its key and the issuer's root with trust): no flags that weaken TLS.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import Desk
from issuer_harness import RunningIssuer, start_issuer

pytestmark = pytest.mark.slow

POLICY_DIR = Path("/etc/chromium/policies/managed")


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data")
    yield running
    running.stop()


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    home = tmp_path / "home"
    profile = home / ".mozilla" / "firefox" / "w1.default-release"
    profile.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{profile}", "--empty-password"], check=True)
    (profile.parent / "profiles.ini").write_text("[Profile0]\nName=default-release\nIsRelative=1\n"
                                                 "Path=w1.default-release\nDefault=1\n")
    return Desk(home, issuer)


def _checks(result_json: dict) -> dict[str, str]:
    return {c["check"]: c["result"] for c in result_json["checks"]}


def test_doctor_passes_after_install_and_names_both_browsers(desk: Desk, issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Dokter"), name="Gijs Dokter")
    assert desk.install(number, pin).code == 0

    r = desk.run("doctor", "--json", "--lang", "en")
    assert r.code == 0, r.out + r.err
    checks = _checks(r.json)
    assert r.json["ok"] is True, checks
    visible = {name: result for name, result in checks.items() if name.startswith(f"Certificate {number}")}
    assert any("Chromium" in name for name in visible) and any("Firefox" in name for name in visible), visible
    assert set(visible.values()) == {"pass"}
    assert any(name.startswith("Clock") and result == "pass" for name, result in checks.items()), checks
    assert any("key" in name.lower() and result == "pass" for name, result in checks.items()), checks


def test_doctor_says_what_to_install_when_certutil_is_missing(desk: Desk, issuer: RunningIssuer,
                                                             tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    r = desk.run("doctor", "--json", env=desk.env(PATH=str(empty)))
    assert r.code == 1
    failed = [c for c in r.json["checks"] if c["result"] == "fail"]
    assert failed and all("certutil" in c["detail"] for c in failed if "nss" in c["check"].lower())
    assert any("libnss3-tools" in c["next"] for c in failed), failed
    text = desk.run("doctor", env=desk.env(PATH=str(empty)))
    assert "MISLUKT" in text.out and "libnss3-tools" in text.out


def test_doctor_names_an_unreachable_issuer(desk: Desk) -> None:
    r = desk.run("doctor", "--json", env=desk.env(ZORGCERT_ISSUER_URL="https://127.0.0.1:9"))
    assert r.code == 1
    failed = [c for c in r.json["checks"] if c["result"] == "fail"]
    assert failed[0]["next"], failed


@pytest.fixture()
def chromium_picks_the_certificate(issuer: RunningIssuer) -> Iterator[None]:
    """Chromium waits for a person to pick a client certificate unless a policy picks it."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (scripts/setup installs it)")
    POLICY_DIR.mkdir(parents=True, exist_ok=True)
    policy = POLICY_DIR / "zorgcert-test.json"
    rule = json.dumps({"pattern": issuer.url, "filter": {}})
    policy.write_text(json.dumps({"AutoSelectCertificateForUrls": [rule]}))
    try:
        yield
    finally:
        policy.unlink()


def test_chromium_logs_in_to_the_portal_with_the_installed_certificate(
    desk: Desk, issuer: RunningIssuer, tmp_path: Path, chromium_picks_the_certificate: None
) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Browser"), name="Hanna Browser", contact_person=True)
    assert desk.install(number, pin).code == 0
    browser = subprocess.run(
        ["timeout", "60", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", issuer.url + "/portal/"],
        capture_output=True, text=True, env=desk.env(), timeout=90,
    )
    assert "Welkom Hanna Browser" in browser.stdout, browser.stderr[-2000:]
    assert number in browser.stdout


def test_install_without_certutil_stops_before_enrolling(desk: Desk, issuer: RunningIssuer, tmp_path: Path) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Zonder NSS"), name="Ivo Zonder")
    empty = tmp_path / "bin"
    empty.mkdir()
    r = desk.install(number, pin, env=desk.env(PATH=str(empty)))
    assert r.code == 5
    assert "libnss3-tools" in r.err and "Installeer" in r.err
    # nothing was enrolled: with the tools back, the PIN still works
    assert desk.install(number, pin).code == 0


def test_install_without_a_keyring_says_so_and_keeps_the_pin_usable(desk: Desk, issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Zonder Sleutelbos"), name="Jan Zonder")
    no_bus = desk.env(DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    r = desk.install(number, pin, env=no_bus)
    assert r.code == 5, r.err
    assert "sleutelbos" in r.err
    assert desk.install(number, pin).code == 0
