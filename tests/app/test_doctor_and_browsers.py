"""After ``zorgcert install``: ``doctor`` sees the certificate in Chromium and Firefox, and both browsers log in.

The browsers use what the install put in ``~/.pki/nssdb`` and the Firefox profile's
``cert9.db`` of a fresh HOME: our certificate, its key and the issuer's CA certificates
*without any trust* (a client-certificate wallet never makes a CA trusted for websites).
That the test browser trusts the issuer's TLS server certificate is test scaffolding, given
by an enterprise policy (Chromium ``CACertificates``, Firefox ``Certificates.Install``) that
is removed afterwards; in production the portal has a publicly trusted server certificate.
No flags that weaken TLS.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import Desk
from issuer_harness import RunningIssuer, start_issuer
from machine import exclusive

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
    return Desk(home, issuer, in_process=True)


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


def _root_der_b64(issuer: RunningIssuer) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    root = x509.load_pem_x509_certificate(Path(issuer.ca).read_bytes())
    return base64.b64encode(root.public_bytes(Encoding.DER)).decode()


def website_trusted(db: Path) -> list[str]:
    """Nicknames that NSS trusts for websites (C or T in the SSL column of ``certutil -L``)."""
    out = subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines()[3:]:
        match = re.match(r"^(.*?)\s+(\S*),(\S*),(\S*)\s*$", line)
        if match and {"C", "T"} & set(match[2]):
            found.append(match[1].strip())
    return found


@pytest.fixture()
def chromium_picks_the_certificate(issuer: RunningIssuer) -> Iterator[None]:
    """Chromium waits for a person to pick a client certificate unless a policy picks it.

    The same policy file lets this test's Chromium trust the issuer's TLS server (CACertificates):
    scaffolding for the test only, outside the NSS database the wallet writes.
    """
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (scripts/setup installs it)")
    with exclusive("chromium-policy"):  # Chromium reads every file there: one test's policy at a time
        POLICY_DIR.mkdir(parents=True, exist_ok=True)
        policy = POLICY_DIR / "zorgcert-test.json"
        rule = json.dumps({"pattern": issuer.url, "filter": {}})
        policy.write_text(json.dumps({"AutoSelectCertificateForUrls": [rule],
                                      "CACertificates": [_root_der_b64(issuer)]}))
        try:
            yield
        finally:
            policy.unlink()


def test_chromium_logs_in_to_the_portal_with_the_installed_certificate(
    desk: Desk, issuer: RunningIssuer, tmp_path: Path, chromium_picks_the_certificate: None
) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Browser"), name="Hanna Browser", contact_person=True)
    assert desk.install(number, pin).code == 0
    assert website_trusted(desk.nssdb) == []  # before: the issuer root at C,, (trusted for websites)
    browser = subprocess.run(
        ["timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", issuer.url + "/portal/"],
        capture_output=True, text=True, env=desk.env(), timeout=150,
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


FIREFOX_POLICY = Path("/usr/lib/firefox-esr/distribution/policies.json")


@pytest.fixture()
def firefox_trusts_the_test_server(issuer: RunningIssuer) -> Iterator[str]:
    """Debian's firefox-esr, with an enterprise policy that trusts the issuer's CA for this test's server.

    Scaffolding only: Firefox keeps policy-installed CAs out of the profile's cert9.db (checked below).
    """
    firefox = shutil.which("firefox-esr")
    if firefox is None:
        pytest.skip("firefox-esr is not installed (scripts/setup installs it)")
    with exclusive("firefox-policy"):  # one file for the whole machine: one test's policy at a time
        if FIREFOX_POLICY.exists():
            pytest.skip(f"{FIREFOX_POLICY} exists already; not overwriting it")
        FIREFOX_POLICY.parent.mkdir(parents=True, exist_ok=True)
        FIREFOX_POLICY.write_text(json.dumps({"policies": {"Certificates": {"Install": [issuer.ca]},
                                                           "DisableAppUpdate": True, "DisableTelemetry": True}}))
        try:
            yield firefox
        finally:
            FIREFOX_POLICY.unlink()


def test_firefox_offers_the_installed_certificate_without_website_trust(
    desk: Desk, issuer: RunningIssuer, tmp_path: Path, firefox_trusts_the_test_server: str
) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Vos"), name="Vera Vos", contact_person=True)
    assert desk.install(number, pin).code == 0
    profile = desk.home / ".mozilla" / "firefox" / "w1.default-release"
    assert website_trusted(profile) == []  # the wallet added the chain without website trust
    # pick the client certificate without asking (a person would click "OK" in the dialog)
    (profile / "user.js").write_text('user_pref("security.default_personal_cert", "Select Automatically");\n'
                                     'user_pref("browser.shell.checkDefaultBrowser", false);\n'
                                     'user_pref("datareporting.policy.dataSubmissionEnabled", false);\n')
    seen = len(issuer.log_lines)
    browser = subprocess.run(
        ["timeout", "90", firefox_trusts_the_test_server, "--headless", "--no-remote", "--profile", str(profile),
         "--screenshot", str(tmp_path / "me.png"), issuer.url + "/api/v1/me"],
        capture_output=True, text=True, env=desk.env(MOZ_HEADLESS="1"), timeout=120,
    )
    assert browser.returncode == 0, browser.stderr[-2000:]
    me = [line for line in issuer.log_lines[seen:] if '"GET /api/v1/me ' in line]
    # 200 only with a client certificate of this issuer (without one the issuer refuses)
    assert me and all('HTTP/1.1" 200 ' in line for line in me), issuer.log_lines[seen:]
    assert (tmp_path / "me.png").stat().st_size > 0
    assert website_trusted(profile) == []  # the policy's CA did not land in the wallet's database


def test_an_older_install_loses_website_trust_on_the_next_run_and_a_foreign_ca_keeps_it(
    desk: Desk, issuer: RunningIssuer, tmp_path: Path
) -> None:
    """What an older ZorgCert left behind (issuer root at ``C,,``) is undone; a CA the user trusted stays."""
    number, pin = issuer.user(issuer.organisation("Praktijk Oud"), name="Otto Oud")
    assert desk.install(number, pin).code == 0
    profile = desk.home / ".mozilla" / "firefox" / "w1.default-release"
    foreign = tmp_path / "foreign.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(tmp_path / "foreign.key"), "-out", str(foreign), "-subj", "/CN=Company Proxy Root",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-days", "30"], check=True, capture_output=True)
    for db in (desk.nssdb, profile):
        root = next(name for name in _nicknames(db) if "Root CA" in name)
        subprocess.run(["certutil", "-M", "-n", root, "-t", "C,,", "-d", f"sql:{db}"], check=True)
        subprocess.run(["certutil", "-A", "-n", "Company Proxy Root", "-t", "C,,", "-i", str(foreign),
                        "-d", f"sql:{db}"], check=True)
        assert sorted(website_trusted(db)) == sorted([root, "Company Proxy Root"])

    # status (CLI, app, tray agent) is the next run; it starts certutil only because there is work
    counted = _counting_certutil(tmp_path)
    env = desk.env(PATH=f"{counted.parent}:{desk.env()['PATH']}")
    assert desk.run("status", "--json", env=env).code == 0
    for db in (desk.nssdb, profile):
        assert website_trusted(db) == ["Company Proxy Root"], db  # ours: ",,"; the user's own CA: untouched
    assert _calls(counted) > 0
    before = _calls(counted)
    assert desk.run("status", "--json", env=env).code == 0  # nothing left to do: no certutil at all
    assert _calls(counted) == before

    # doctor does the same (and says so); here there is nothing left
    for db in (desk.nssdb, profile):
        root = next(name for name in _nicknames(db) if "Root CA" in name)
        subprocess.run(["certutil", "-M", "-n", root, "-t", "C,,", "-d", f"sql:{db}"], check=True)
    r = desk.run("doctor", "--json", "--lang", "en")
    assert r.code == 0, r.out + r.err
    for db in (desk.nssdb, profile):
        assert website_trusted(db) == ["Company Proxy Root"], db
    removed = [c for c in r.json["checks"] if c["check"].startswith("Issuer CA not trusted for websites")]
    assert len(removed) == 2 and all("website trust removed from" in c["detail"] for c in removed), removed


def _counting_certutil(tmp_path: Path) -> Path:
    """A ``certutil`` first on PATH that counts its calls, then runs the real one."""
    folder = tmp_path / "counting-bin"
    folder.mkdir()
    wrapper = folder / "certutil"
    wrapper.write_text(f"#!/bin/sh\necho x >> {folder / 'calls'}\nexec {shutil.which('certutil')} \"$@\"\n")
    wrapper.chmod(0o755)
    return wrapper


def _calls(wrapper: Path) -> int:
    calls = wrapper.parent / "calls"
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def _nicknames(db: Path) -> list[str]:
    out = subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True, text=True).stdout
    return [m[1].strip() for line in out.splitlines()[3:] if (m := re.match(r"^(.*?)\s+\S*,\S*,\S*\s*$", line))]
