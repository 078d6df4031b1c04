"""R3-R7, R9, R12 against the real issuer over TLS, driven through expiry with short durations.

Each timed scenario has an issuer of its own, with durations just long enough for its steps
(keys are made before the clock starts): the renewal and expiry walk takes ~20 s, the purge ~5 s.
What does not depend on time runs against an issuer with the real durations.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from issuer_harness import Holder, RunningIssuer, pin_from_letter, problem, rsa_key, start_issuer

from issuer.bootstrap import open_service

# seconds: 7 s before the renewal window opens, 5 s inside it, then 12 s more for the renewed one
VALIDITY, RENEWAL = 12, 5
INSTALL = 4  # seconds; the server purges every INSTALL/4 seconds
PURGE_GRACE = 30  # seconds the server's timer may take beyond that on a loaded machine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def expiring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(
        Path(tmp_path_factory.mktemp("expiring")) / "data",
        validity=f"PT{VALIDITY}S",
        renewal_window=f"PT{RENEWAL}S",
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def purging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("purging")) / "data", install_window=f"PT{INSTALL}S")
    yield running
    running.stop()


def wait_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


def test_install_renew_reinstall_through_expiry(expiring: RunningIssuer, tmp_path: Path) -> None:
    org = expiring.organisation()
    number, pin = expiring.user(org, name="Bram Jansen", contact_person=True)
    # every key the walk needs, made before the clock starts (key generation is slow on a loaded machine)
    first, second, third = (Holder(expiring, tmp_path / name) for name in ("first", "second", "third"))
    refused = rsa_key()

    # R4: install; valid exactly `validity` from the moment of installation
    c1 = first.take(expiring.enroll(number, pin, first.key))
    assert c1.not_valid_after_utc - c1.not_valid_before_utc == timedelta(seconds=VALIDITY)
    assert abs(c1.not_valid_before_utc.timestamp() - time.time()) < 5
    assert c1.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == number
    assert c1.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "Bram Jansen"
    assert first.get("/api/v1/me").json()["certificate"]["state"] == "valid"

    # R7: a valid certificate is not installed again with the PIN
    body = problem(expiring.enroll(number, pin, refused), 409, "still-valid")
    assert body["valid_until"] == c1.not_valid_after_utc.isoformat()

    # R5: renewal refused before the window, with the date it opens
    body = problem(first.renew(refused), 409, "renewal-not-open")
    opens = c1.not_valid_after_utc - timedelta(seconds=RENEWAL)
    assert body["opens_at"] == opens.isoformat()

    wait_until(opens.timestamp() + 0.5)
    assert first.get("/api/v1/me").json()["certificate"]["state"] == "renewal-open"
    second.cert = first.cert
    c2 = second.take(first.renew(second.key))
    assert c2.subject == c1.subject and c2.serial_number != c1.serial_number
    assert c2.not_valid_after_utc - c2.not_valid_before_utc == timedelta(seconds=VALIDITY)
    assert c2.not_valid_before_utc >= opens
    # the replaced certificate renews no more; the new one is the current one
    problem(first.renew(refused), 403, "certificate-superseded")
    me = second.get("/api/v1/me").json()
    assert (
        me["certificate"]["serial"] == format(c2.serial_number, "x") and me["certificate"]["how"] == "renew"
    )

    # R6: after expiry, reinstall with the same user number + PIN, valid again from now
    wait_until(c2.not_valid_after_utc.timestamp() + 0.5)
    c3 = third.take(expiring.enroll(number, pin, third.key))
    assert c3.not_valid_before_utc >= c2.not_valid_after_utc
    assert c3.not_valid_after_utc - c3.not_valid_before_utc == timedelta(seconds=VALIDITY)
    assert third.get("/api/v1/me").json()["certificate"]["how"] == "reinstall"


def test_install_window_purge(purging: RunningIssuer) -> None:
    org = purging.organisation("Fysiotherapie Noord")
    number, pin = purging.user(org)
    deadline = time.time() + INSTALL  # approved before the admin command returned
    # R3: the server's scheduled purge deletes it (every INSTALL/4 seconds): nothing left to purge by hand
    wait_until(deadline + INSTALL / 4)
    while "purged" not in "".join(purging.log_lines) and time.time() < deadline + INSTALL / 4 + PURGE_GRACE:
        time.sleep(0.2)
    assert "purged" in "".join(purging.log_lines)
    assert number not in purging.admin("purge")["purged"]
    body = problem(purging.enroll(number, pin, rsa_key()), 410, "install-window-expired")
    assert "deadline" in body


def test_revocation_is_final(issuer: RunningIssuer, tmp_path: Path) -> None:
    org = issuer.organisation("Tandartspraktijk Zuid")
    number, pin = issuer.user(org)
    h = Holder(issuer, tmp_path)
    cert = h.take(issuer.enroll(number, pin, h.key))
    revoked = issuer.admin("cert", "revoke", format(cert.serial_number, "x"), "--reason", "key-compromise")
    assert revoked["revoked"] == [format(cert.serial_number, "x")]
    # R9: never renewed, never reinstalled, no longer accepted for login
    problem(h.renew(rsa_key()), 403, "revoked")
    problem(issuer.enroll(number, pin, rsa_key()), 403, "revoked")
    problem(h.get("/api/v1/me"), 403, "revoked")
    listed = [c for c in issuer.admin("cert", "list", "--org", str(org)) if c["user_number"] == number]
    assert [c["state"] for c in listed] == ["revoked"]


def test_lost_certificate_support_revokes_then_fresh_install(issuer: RunningIssuer, tmp_path: Path) -> None:
    org = issuer.organisation("Apotheek West")
    number, pin = issuer.user(org)
    h = Holder(issuer, tmp_path)
    h.take(issuer.enroll(number, pin, h.key))
    problem(issuer.enroll(number, pin, rsa_key()), 409, "still-valid")
    # R7: Support revokes the lost certificate; a fresh install with the PIN is then allowed
    issuer.admin("cert", "revoke", number, "--reason", "lost")
    again = Holder(issuer, tmp_path / "again")
    cert = again.take(issuer.enroll(number, pin, again.key))
    assert again.get("/api/v1/me").json()["certificate"]["serial"] == format(cert.serial_number, "x")


def test_blocking_and_who_unblocks(issuer: RunningIssuer, tmp_path: Path) -> None:
    # users made in-process through the service the admin CLI calls (a CLI run is a second of start-up)
    svc = open_service(issuer.data)
    org = svc.add_organisation("Praktijk Oost", "01234567")
    svc.sign_agreement(org)

    def user(name: str, kind: str = "personal", contact_person: bool = False) -> tuple[str, str]:
        new = svc.add_user(org_id=org, kind=kind, name=name, email="oost@example.nl", contact_person=contact_person)
        assert new.letter is not None
        return new.user_number, pin_from_letter(new.letter)

    cp_number, cp_pin = user("Carla Contact", contact_person=True)
    cp = Holder(issuer, tmp_path / "cp")
    cp.take(issuer.enroll(cp_number, cp_pin, cp.key))
    personal, p_pin = user("Dirk Persoon")
    system, s_pin = user("Praktijksoftware", kind="system")

    key = rsa_key()  # one key for the refused requests: key generation is slow on a loaded machine
    for number in (personal, system):
        lefts = [
            problem(issuer.enroll(number, "00000000", key), 401, "pin-invalid")["attempts_left"]
            for _ in range(4)
        ]
        assert lefts == [4, 3, 2, 1]
        body = problem(issuer.enroll(number, "00000000", key), 403, "user-blocked")
        # the kind (and so who unblocks) is not told to someone who typed no right PIN; see test_enumeration
        assert "unblocked_by" not in body
    # R12: blocked means blocked, also with the right PIN
    problem(issuer.enroll(personal, p_pin, rsa_key()), 403, "user-blocked")

    # the contact person unblocks a personal user, not a system user
    assert cp.post(f"/api/v1/org/users/{personal}/unblock", json={}).status_code == 200
    problem(cp.post(f"/api/v1/org/users/{system}/unblock", json={}), 403, "not-authorised")
    issuer.admin("user", "unblock", system)  # Support
    ok = Holder(issuer, tmp_path / "p")
    ok.take(issuer.enroll(personal, p_pin, ok.key))
    ok2 = Holder(issuer, tmp_path / "s")
    ok2.take(issuer.enroll(system, s_pin, ok2.key))


def test_reset_pin_sends_new_letter(issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Reset")
    number, old_pin = issuer.user(org)
    out = issuer.admin("user", "reset-pin", number)

    new_pin = pin_from_letter(Path(out["letter"]))
    if new_pin != old_pin:
        problem(issuer.enroll(number, old_pin, rsa_key()), 401, "pin-invalid")
    assert issuer.enroll(number, new_pin, rsa_key()).status_code == 200
