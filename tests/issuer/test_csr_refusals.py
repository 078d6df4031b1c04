"""Bad certificate requests through the real server: refused as 400, before the PIN is looked at.

A refused CSR says nothing about the PIN, so it must not count as a wrong PIN (R12):
otherwise a client with a broken CSR encoder would block its user's number without the
user ever typing a wrong PIN. Each case therefore sends the bad request with a WRONG PIN
more often than the limit allows, and afterwards the user still has all attempts and can
install with a good CSR.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from issuer_harness import RunningIssuer, certs_from_pkcs7_b64, csr_der, pin_from_letter, problem, rsa_key

from issuer.bootstrap import open_service

EST_ENROLL = "/.well-known/est/simpleenroll"
HEADERS = {"Content-Type": "application/pkcs10"}
MAX_PIN_ATTEMPTS = 5  # the real policy, as the `issuer` fixture runs it


def _weak_1024() -> bytes:
    return base64.b64encode(csr_der(rsa_key(1024)))


def _exponent_3() -> bytes:
    return base64.b64encode(csr_der(rsa.generate_private_key(public_exponent=3, key_size=2048)))


def _bad_signature() -> bytes:
    der = csr_der(rsa_key(2048))
    # the signature BIT STRING ends the DER: flip its last bit, the structure stays valid
    return base64.b64encode(der[:-1] + bytes([der[-1] ^ 0x01]))


def _garbage_base64() -> bytes:
    return base64.b64encode(os.urandom(300))


def _garbage_der() -> bytes:
    return b"\x30\x82\x01\x00" + os.urandom(40)  # looks like plain DER, is not a CSR


def _not_base64() -> bytes:
    return b"this is not base64 at all!"


def _empty() -> bytes:
    return b""


# (body, reason) — reason None: refused before the CSR is parsed, no `reason` field
CASES: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "rsa-1024": (_weak_1024, "weak-key"),
    "rsa-exponent-3": (_exponent_3, "weak-key"),
    "corrupted-signature": (_bad_signature, "bad-signature"),
    "garbage-base64": (_garbage_base64, "malformed"),
    "garbage-der": (_garbage_der, "malformed"),
    "not-base64": (_not_base64, None),
}


@pytest.fixture(scope="module")
def good_key() -> rsa.RSAPrivateKey:
    return rsa_key(2048)


@pytest.fixture(scope="module")
def users(issuer: RunningIssuer) -> dict[str, tuple[str, str]]:
    """A fresh user (number, PIN from the letter) per case.

    Added in-process through the service the admin CLI calls (``user add``), on the running
    issuer's data folder: one CLI run per user would cost a second of start-up each.
    """
    service = open_service(issuer.data)
    org = service.add_organisation("Fysiotherapie Noord", "01234567")
    service.sign_agreement(org)
    made = {}
    for case in CASES:
        new = service.add_user(org_id=org, kind="personal", name=f"Gebruiker {case}", email="g@example.nl")
        assert new.letter is not None
        made[case] = (new.user_number, pin_from_letter(new.letter))
    return made


def enroll(issuer: RunningIssuer, number: str, pin: str, body: bytes) -> requests.Response:
    return issuer.post(EST_ENROLL, auth=(number, pin), data=body, headers=HEADERS)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_csr_is_refused_and_costs_no_pin_attempt(
    issuer: RunningIssuer, users: dict[str, tuple[str, str]], good_key: rsa.RSAPrivateKey, case: str
) -> None:
    make, reason = CASES[case]
    body = make()
    number, pin = users[case]
    wrong = str((int(pin[0]) + 1) % 10) + pin[1:]

    # with the right PIN: a 400 that names what is wrong with the request
    refused = problem(enroll(issuer, number, pin, body), 400, "bad-request")
    assert refused.get("reason") == reason, refused
    assert pin not in str(refused)

    # with a wrong PIN, more often than the limit: still 400, never pin-invalid or user-blocked
    for _ in range(MAX_PIN_ATTEMPTS + 1):
        again = problem(enroll(issuer, number, wrong, body), 400, "bad-request")
        assert again.get("reason") == reason

    # no attempt was used: the first wrong PIN with a good CSR leaves max - 1
    good = base64.b64encode(csr_der(good_key))
    counted = problem(enroll(issuer, number, wrong, good), 401, "pin-invalid")
    assert counted["attempts_left"] == MAX_PIN_ATTEMPTS - 1

    # and the user installs with a good CSR
    answer = enroll(issuer, number, pin, good)
    assert answer.status_code == 200, answer.text
    (cert,) = certs_from_pkcs7_b64(answer.content)
    assert cert.public_key().public_numbers() == good_key.public_key().public_numbers()


@pytest.mark.parametrize("case", [*CASES, "empty"])
def test_bad_csr_for_an_unknown_user_number_is_a_bad_request(issuer: RunningIssuer, case: str) -> None:
    """The CSR is judged first, so a bad one reveals nothing about the user number either."""
    make, reason = CASES.get(case, (_empty, None))
    refused = problem(enroll(issuer, "12345678901234", "00000000", make()), 400, "bad-request")
    assert refused.get("reason") == reason
