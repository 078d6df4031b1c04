"""Races at the real issuer: many simultaneous enrollments for one user number (R7, R12).

Every request waits at a ``threading.Barrier`` so they reach the server together; the
server runs the service in worker threads over one database, so this is where a
check-then-act gap would show.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from issuer_harness import (
    RunningIssuer,
    certs_from_pkcs7_b64,
    csr_der,
    pin_from_letter,
    problem,
    rsa_key,
    simultaneously,
    until_not_busy,
)

from issuer.bootstrap import open_service

EST_ENROLL = "/.well-known/est/simpleenroll"
HEADERS = {"Content-Type": "application/pkcs10"}


def wrong(pin: str) -> str:
    return str((int(pin[0]) + 1) % 10) + pin[1:]


def cli(issuer: RunningIssuer, *args: str) -> Any:
    """The installed ``zorgcert-issuer`` console script, as the operator runs it."""
    script = Path(sys.executable).with_name("zorgcert-issuer")
    proc = subprocess.run(
        [str(script), *args, "--data", str(issuer.data), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def keys() -> list[rsa.RSAPrivateKey]:
    """A few RSA-2048 keys, made once (key generation is the slow part)."""
    return [rsa_key(2048) for _ in range(5)]


@pytest.fixture(scope="module")
def new_user(issuer: RunningIssuer) -> Callable[[str], tuple[str, str]]:
    """Make a user: (number, PIN from the letter), in-process through the service ``user add`` calls."""
    service = open_service(issuer.data)
    org = service.add_organisation("Apotheek Het Kruis", "01234567")
    service.sign_agreement(org)

    def make(name: str) -> tuple[str, str]:
        new = service.add_user(org_id=org, kind="personal", name=name, email="apotheek@example.nl")
        assert new.letter is not None
        return new.user_number, pin_from_letter(new.letter)

    return make


def test_fifty_simultaneous_installs_give_one_certificate(
    issuer: RunningIssuer, new_user: Callable[[str], tuple[str, str]], keys: list[rsa.RSAPrivateKey]
) -> None:
    number, pin = new_user("Daan Visser")
    csrs = []
    for i in range(50):  # fifty different requests: each its own subject, spread over the keys
        name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"request {i}")])
        csrs.append(base64.b64encode(csr_der(keys[i % len(keys)], name)))

    # more PIN requests than the issuer's PIN pool queues: some are told "busy, try again" (503), and
    # retry as a client does; what counts is how every request ends
    answers = simultaneously(50, lambda i: until_not_busy(
        lambda: issuer.post(EST_ENROLL, auth=(number, pin), data=csrs[i], headers=HEADERS)))

    statuses = Counter(r.status_code for r in answers)
    assert statuses == {200: 1, 409: 49}, [(r.status_code, r.text[:200]) for r in answers if r.status_code != 409]
    (winner,) = [i for i, r in enumerate(answers) if r.status_code == 200]
    (cert,) = certs_from_pkcs7_b64(answers[winner].content)
    assert cert.public_key().public_numbers() == keys[winner % len(keys)].public_key().public_numbers()
    for r in answers:
        if r.status_code == 409:
            body = problem(r, 409, "still-valid")
            assert body["valid_until"] == cert.not_valid_after_utc.isoformat()

    listed = [c for c in cli(issuer, "cert", "list") if c["user_number"] == number]
    assert len(listed) == 1, listed
    assert listed[0]["serial"] == format(cert.serial_number, "x") and listed[0]["how"] == "install"


def test_twenty_simultaneous_wrong_pins_block_after_five(
    issuer: RunningIssuer, new_user: Callable[[str], tuple[str, str]], keys: list[rsa.RSAPrivateKey]
) -> None:
    number, pin = new_user("Sanne Mulder")
    csr = base64.b64encode(csr_der(keys[0]))

    answers = simultaneously(
        20, lambda _i: issuer.post(EST_ENROLL, auth=(number, wrong(pin)), data=csr, headers=HEADERS)
    )

    codes = Counter(r.json().get("code") for r in answers)
    assert codes == {"pin-invalid": 4, "user-blocked": 16}, codes
    left = sorted(problem(r, 401, "pin-invalid")["attempts_left"] for r in answers if r.status_code == 401)
    assert left == [1, 2, 3, 4]  # each wrong PIN counted once, none lost to the race
    for r in answers:
        if r.status_code != 401:
            problem(r, 403, "user-blocked")

    # blocked: even the right PIN is refused now
    problem(issuer.post(EST_ENROLL, auth=(number, pin), data=csr, headers=HEADERS), 403, "user-blocked")

    assert cli(issuer, "user", "unblock", number) == {"unblocked": number}
    answer = issuer.post(EST_ENROLL, auth=(number, pin), data=csr, headers=HEADERS)
    assert answer.status_code == 200, answer.text
    (cert,) = certs_from_pkcs7_b64(answer.content)
    assert cert.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == number


def test_twenty_simultaneous_wrong_pins_for_an_unknown_number_block_after_five(
    issuer: RunningIssuer, keys: list[rsa.RSAPrivateKey]
) -> None:
    """An unknown number counts its wrong PINs like a known one (docs/issuer.md, "Enumeration")."""
    import secrets

    from app.policy import make_user_number

    number = make_user_number(str(secrets.randbelow(9 * 10**12) + 10**12))
    csr = base64.b64encode(csr_der(keys[0]))

    answers = simultaneously(
        20, lambda _i: issuer.post(EST_ENROLL, auth=(number, "00000000"), data=csr, headers=HEADERS)
    )

    codes = Counter(r.json().get("code") for r in answers)
    assert codes == {"pin-invalid": 4, "user-blocked": 16}, codes
    left = sorted(problem(r, 401, "pin-invalid")["attempts_left"] for r in answers if r.status_code == 401)
    assert left == [1, 2, 3, 4]
