"""End to end: ``zorgcert`` against the real issuer, into a real NSS database, with a real keyring."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests
from app_harness import ArgvWatch, Desk, certutil_list, new_desk
from issuer_harness import RunningIssuer, module_issuer

pytestmark = pytest.mark.slow

VALIDITY, RENEWAL = 20, 10  # seconds: 10 for the early renewal after the install, 10 for status and renew in the window


issuer = module_issuer(validity=f"PT{VALIDITY}S", renewal_window=f"PT{RENEWAL}S", install_window="PT10M")


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    return new_desk(issuer, tmp_path)  # real processes where the argv is watched


def wait_until(moment: datetime) -> None:
    delay = moment.timestamp() - time.time()
    if delay > 0:
        time.sleep(delay)


def test_install_renew_expire_reinstall(desk: Desk, issuer: RunningIssuer) -> None:
    org = issuer.organisation()
    number, pin = issuer.user(org, name="Anna de Vries", contact_person=True)

    with ArgvWatch() as argv:
        r = desk.install(number, pin)
    assert r.code == 0, r.err
    installed = r.json["installed"]
    assert installed["name"] == "Anna de Vries" and installed["how"] == "install"
    assert any(s["store"] == "nss" and s["location"] == f"sql:{desk.nssdb}" for s in installed["stores"])
    assert "ZorgCert" in certutil_list(desk.nssdb)
    assert desk.state(number) == "valid"

    # R5: before the window the issuer refuses, and the CLI says from when
    early = desk.run("renew", number)
    assert early.code == 3
    assert "Vernieuwen kan vanaf" in early.err

    opens = datetime.fromisoformat(desk.status()[0]["renewal_opens"])
    wait_until(opens)
    time.sleep(0.5)
    assert desk.state(number) == "renewal-open"
    renewed = desk.run("renew", number, "--json")
    assert renewed.code == 0, renewed.err
    assert renewed.json["renewed"]["how"] == "renew"
    assert renewed.json["renewed"]["fingerprint"] != installed["fingerprint"]
    listing = certutil_list(desk.nssdb)
    assert installed["fingerprint"][:12] not in listing  # the old one is gone from NSS
    assert renewed.json["renewed"]["fingerprint"][:12] in listing

    # R6: after expiry, reinstall with the same user number and PIN
    wait_until(datetime.fromisoformat(renewed.json["renewed"]["not_after"]))
    time.sleep(0.5)
    assert desk.state(number) == "expired"
    again = desk.install(number, pin)
    assert again.code == 0, again.err
    assert again.json["installed"]["how"] == "reinstall"
    assert desk.state(number) == "valid"

    # R13: the PIN is nowhere: not in argv, not in any file ZorgCert wrote, not in its log
    assert not [line for line in argv.seen if pin in line]
    for path in desk.zorgcert_home.rglob("*"):
        if path.is_file():
            assert pin.encode() not in path.read_bytes(), path


def test_lost_certificate_is_refused_with_the_way_back(desk: Desk, issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Verloren")
    number, pin = issuer.user(org, name="Bas Verloren")
    assert desk.install(number, pin).code == 0
    entry = desk.status()[0]
    nickname = next(s["nickname"] for s in entry["installed_in"])
    subprocess.run(["certutil", "-F", "-n", nickname, "-d", f"sql:{desk.nssdb}"], check=True)
    assert desk.state(number) == "lost"
    r = desk.install(number, pin)
    assert r.code == 3
    assert "nog geldig" in r.err and "back-up" in r.err and "Support" in r.err
    english = desk.run("install", "--user-number", number, "--pin-stdin", "--lang", "en", stdin=pin + "\n")
    assert english.code == 3 and "still valid" in english.err and "Restore the backup" in english.err


def test_system_certificate_in_a_file_store_calls_the_web_service(desk: Desk, issuer: RunningIssuer,
                                                                 tmp_path: Path) -> None:
    org = issuer.organisation("Praktijk Software")
    number, pin = issuer.user(org, kind="system", name="HIS koppeling")
    folder = tmp_path / "his"
    r = desk.install(number, pin, "--kind", "system", "--store", f"file:{folder}")
    assert r.code == 0, r.err
    assert (folder / "key.pem").stat().st_mode & 0o077 == 0
    answer = requests.post(issuer.url + "/api/v1/cov/check", json={"bsn": "123456782"}, verify=issuer.ca,
                           headers={"X-ZorgCert-Request": "1"},
                           cert=(str(folder / "cert.pem"), str(folder / "key.pem")), timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["checked_for"]["user_number"] == number


def test_wrong_pin_bad_number_and_no_issuer(desk: Desk, issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Fout")
    number, pin = issuer.user(org, name="Cor Fout")
    wrong = desk.install(number, "1" if pin != "1" else "2")
    assert wrong.code == 3 and "nog 4 keer" in wrong.err
    assert wrong.json["error"]["code"] == "pin-invalid"
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    bad = desk.install(typo, pin)
    assert bad.code == 2 and "controlecijfer" in bad.err and "tikfout" in bad.err  # a typo, not a wrong length
    gone = desk.install(number, pin, env=desk.env(ZORGCERT_ISSUER_URL="https://127.0.0.1:9"))
    assert gone.code == 4 and "niet bereikbaar" in gone.err
    # nothing was half-done by the failures: the right PIN still installs
    assert desk.install(number, pin).code == 0
