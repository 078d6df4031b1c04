"""Deferred issuance (RFC 7030 §4.2.3): ``enroll_approval = "manual"`` answers 202 + Retry-After until staff approve.

The issuer is served ``--est-only`` (what a foreign EST server offers). The PIN, the wrong-PIN
count and the install window work exactly as without approval (DOMAIN.md R3, R4, R12).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from issuer_harness import Holder, RunningIssuer, csr_der, problem, rsa_key, start_issuer

from issuer.approval import EnrollmentPending
from issuer.bootstrap import open_service
from issuer.ca import public_key_fingerprint
from issuer.config import ConfigError, load_config
from issuer.problems import Problem

RETRY = 1


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(
        Path(tmp_path_factory.mktemp("manual")) / "data",
        est_only=True,
        extra_init_args=("--enroll-approval", "manual", "--approval-retry-after", str(RETRY)),
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def org(manual: RunningIssuer) -> int:
    return manual.organisation()


def _waiting(response: requests.Response) -> None:
    assert response.status_code == 202, response.text
    assert response.headers["Retry-After"] == str(RETRY)
    assert not response.headers.get("Content-Type", "").startswith("application/pkcs7-mime")


def test_first_enrollment_waits_for_approval_then_the_repeat_gets_the_certificate(
    manual: RunningIssuer, org: int, tmp_path: Path
) -> None:
    number, pin = manual.user(org)
    holder = Holder(manual, tmp_path / "holder")
    _waiting(manual.enroll(number, pin, holder.key))
    shown = manual.service().user_overview(number)
    assert shown["certificate"] is None
    assert shown["enrollment"]["state"] == "waiting-for-approval"
    assert shown["enrollment"]["key_sha256"] == public_key_fingerprint(holder.key.public_key())
    _waiting(manual.enroll(number, pin, holder.key))  # asking again before the approval: still waiting

    approved = manual.admin("user", "approve", number)  # the admin command, as staff run it
    assert approved["state"] == "approved" and approved["user_number"] == number
    text = manual.admin("user", "show", number)
    assert text["enrollment"]["state"] == "approved"

    cert = holder.take(manual.enroll(number, pin, holder.key))
    assert number in cert.subject.rfc4514_string()
    assert public_key_fingerprint(cert.public_key()) == public_key_fingerprint(holder.key.public_key())
    shown = manual.service().user_overview(number)
    assert shown["enrollment"] is None and shown["certificate"]["state"] == "valid"
    # the approval was used up by the issuance: the same request now meets R7 (still valid)
    problem(manual.enroll(number, pin, holder.key), 409, "still-valid")


def test_wrong_pins_still_count_and_block_while_waiting(manual: RunningIssuer, org: int) -> None:
    number, pin = manual.user(org)
    key = rsa_key()
    _waiting(manual.enroll(number, pin, key))
    wrong = str((int(pin[0]) + 1) % 10) + pin[1:]
    assert problem(manual.enroll(number, wrong, key), 401, "pin-invalid")["attempts_left"] == 4
    _waiting(manual.enroll(number, pin, key))  # the right PIN resets the count, as without approval
    for left in (4, 3, 2, 1):
        assert problem(manual.enroll(number, wrong, key), 401, "pin-invalid")["attempts_left"] == left
    problem(manual.enroll(number, wrong, key), 403, "user-blocked")
    manual.service().approve_enrollment(number)
    problem(manual.enroll(number, pin, key), 403, "user-blocked")  # an approval does not unblock


def test_a_request_for_another_key_replaces_the_waiting_one(manual: RunningIssuer, org: int) -> None:
    number, pin = manual.user(org)
    first, second = rsa_key(), rsa_key()
    _waiting(manual.enroll(number, pin, first))
    manual.service().approve_enrollment(number)
    _waiting(manual.enroll(number, pin, second))  # another key: the approval was for the first one
    shown = manual.service().user_overview(number)["enrollment"]
    assert shown["state"] == "waiting-for-approval"
    assert shown["key_sha256"] == public_key_fingerprint(second.public_key())
    _waiting(manual.enroll(number, pin, first))  # and back: waits again, nothing approved for it now
    manual.service().approve_enrollment(number)
    response = manual.enroll(number, pin, first)
    assert response.status_code == 200, response.text


def test_approving_with_nothing_waiting_is_refused(manual: RunningIssuer, org: int) -> None:
    number, _ = manual.user(org)
    code, out, _err = manual.admin("user", "approve", number, check=False)
    assert code == 3 and out["code"] == "bad-request"


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment


def test_the_install_window_keeps_running_while_waiting(manual: RunningIssuer, org: int) -> None:
    """R3: an enrollment waiting for approval is not an installation; the approval does not extend the window."""
    clock = Clock()
    svc = open_service(manual.data, clock=clock)
    number, pin = manual.user(org)
    der = csr_der(rsa_key())
    with pytest.raises(EnrollmentPending) as waiting:
        svc.enroll_with_pin(number, pin, der)
    assert waiting.value.retry_after == RETRY
    svc.approve_enrollment(number)
    clock.moment += timedelta(days=61)
    with pytest.raises(Problem) as late:
        svc.enroll_with_pin(number, pin, der)
    assert late.value.code.value == "install-window-expired"
    assert number in svc.purge()
    with pytest.raises(Problem) as purged:
        svc.approve_enrollment(number)
    assert purged.value.code.value == "install-window-expired"


def test_automatic_approval_issues_at_once_and_bad_settings_are_refused(tmp_path: Path) -> None:
    from issuer.config import write_config

    cfg = write_config(
        tmp_path / "a", name="T", durations={"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D",
                                             "max_pin_attempts": 5}, hostnames=["localhost"], ips=["127.0.0.1"])
    assert (cfg.enroll_approval, cfg.approval_retry_after) == ("automatic", 60)
    toml = tmp_path / "a" / "issuer.toml"
    text = toml.read_text(encoding="utf-8")
    for bad in ('enroll_approval = "sometimes"', "approval_retry_after = 0", 'approval_retry_after = "1"'):
        key = bad.split(" =")[0]
        lines = [bad if line.startswith(key + " ") else line for line in text.splitlines()]
        toml.write_text("\n".join(lines), encoding="utf-8")
        with pytest.raises(ConfigError, match=key):
            load_config(tmp_path / "a")


def test_a_pending_answer_is_not_base64(manual: RunningIssuer, org: int) -> None:
    """The 202 carries no certificate: a client must not mistake its text for one."""
    number, pin = manual.user(org)
    response = manual.post(
        "/.well-known/est/simpleenroll", auth=(number, pin), data=base64.b64encode(csr_der(rsa_key())),
        headers={"Content-Type": "application/pkcs10"},
    )
    _waiting(response)
    assert response.headers["Content-Type"].startswith("text/plain")


def test_a_reinstall_after_expiry_waits_for_approval_too(manual: RunningIssuer, org: int) -> None:
    """Every issuance on a PIN waits (R4 and R6 alike); each approval is for one issuance."""
    clock = Clock()
    svc = open_service(manual.data, clock=clock)
    number, pin = manual.user(org)
    der = csr_der(rsa_key())
    with pytest.raises(EnrollmentPending):
        svc.enroll_with_pin(number, pin, der)
    svc.approve_enrollment(number)
    first = svc.enroll_with_pin(number, pin, der)
    clock.moment = first.not_valid_after_utc + timedelta(seconds=1)  # R6: expired, not renewed
    again = csr_der(rsa_key())
    with pytest.raises(EnrollmentPending):
        svc.enroll_with_pin(number, pin, again)
    assert svc.user_overview(number)["enrollment"]["state"] == "waiting-for-approval"
    svc.approve_enrollment(number)
    second = svc.enroll_with_pin(number, pin, again)
    assert second.serial_number != first.serial_number
    assert svc.user_overview(number)["certificate"]["how"] == "reinstall"
