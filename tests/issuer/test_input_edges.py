"""Input at the issuer's edges: names and e-mail checked at creation, PINs as UTF-8 NFC, no internals.

Whatever ends up in a certificate subject is checked when it is created (admin CLI and the
contact person's API): NFC, at most 64 characters (RFC 5280 upper bounds), no control,
direction or other invisible characters. Refusals are clear; nothing ends in a 500 later.
"""

from __future__ import annotations

import base64
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from issuer_harness import Holder, RunningIssuer, csr_der, pin_from_letter, problem, rsa_key

from issuer import pins
from issuer.bootstrap import open_service
from issuer.config import load_config
from issuer.problems import Problem

EST_ENROLL = "/.well-known/est/simpleenroll"

BAD_NAMES = {
    "too-long": "A" * 65,
    "newline": "Anna\nde Vries",
    "tab": "Anna\tde Vries",
    "nul": "Anna\x00de Vries",
    "right-to-left-override": "Anna \u202eseirV ed",
    "left-to-right-mark": "Anna\u200ede Vries",
    "isolate": "Anna \u2067de Vries\u2069",
    "zero-width-space": "Anna\u200bde Vries",
    "line-separator": "Anna\u2028de Vries",
    "lone-surrogate": "Anna \ud800",
}
BAD_EMAILS = ["x@y.nl\r\nBcc: z@evil.nl", "a@b", "a b@example.nl", "jösé@example.nl", "anna@exa_mple.nl",
              "<anna@example.nl>", "anna@example.nl\x00", ""]


@pytest.fixture(scope="module")
def svc(issuer: RunningIssuer) -> Any:
    """The service the admin CLI calls, in-process on the running issuer's data (a CLI run costs ~1 s)."""
    return open_service(issuer.data)


@pytest.fixture(scope="module")
def practice(issuer: RunningIssuer, svc: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    org = svc.add_organisation("Praktijk Randgevallen", "01234567")
    svc.sign_agreement(org)
    new = svc.add_user(org_id=org, kind="personal", name="Carla Contact", email="cp@example.nl", contact_person=True)
    cp = Holder(issuer, Path(tmp_path_factory.mktemp("edges")) / "cp")
    cp.take(issuer.enroll(new.user_number, pin_from_letter(new.letter), cp.key))
    return {"org": org, "cp": cp}


def cli_user_add(issuer: RunningIssuer, org: int, name: str, email: str = "anna@example.nl", *extra: str) -> Any:
    return issuer.admin(
        "user", "add", "--org", str(org), "--kind", "personal", "--name", name, "--email", email, *extra, check=False
    )


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_admin_commands_refuse_names_a_certificate_cannot_carry(svc: Any, practice: dict, case: str) -> None:
    with pytest.raises(Problem) as refused:
        svc.add_user(org_id=practice["org"], kind="personal", name=BAD_NAMES[case], email="anna@example.nl")
    assert refused.value.status == 400 and refused.value.extensions["field"] == "name"
    with pytest.raises(Problem) as refused:
        svc.add_organisation(BAD_NAMES[case], "01234567")
    assert refused.value.status == 400 and refused.value.extensions["field"] == "name"


def test_admin_cli_error_says_what_is_wrong(issuer: RunningIssuer, practice: dict) -> None:
    code, out, _ = cli_user_add(issuer, practice["org"], "A" * 65)
    assert code == 3 and out["code"] == "bad-request" and out["field"] == "name"
    assert "65 characters" in out["detail"] and "at most 64" in out["detail"]
    code, out, err = issuer.admin("org", "add", "--name", "Praktijk \u202eNoord", check=False)
    assert code == 3 and "U+202E" in out["detail"] and "Traceback" not in err


def test_agb_code_is_eight_digits(svc: Any) -> None:
    for agb in ("0123\n4567", "1234", "abcdefgh"):
        with pytest.raises(Problem) as refused:
            svc.add_organisation("Praktijk Noord", agb)
        assert refused.value.extensions["field"] == "agb"


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_contact_person_api_refuses_names_a_certificate_cannot_carry(practice: dict, case: str) -> None:
    r = practice["cp"].post("/api/v1/org/users", json={"kind": "personal", "name": BAD_NAMES[case],
                                                       "email": "anna@example.nl"})
    body = problem(r, 400, "bad-request")
    assert body["field"] == "name"


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_bad_email_is_refused_at_creation(svc: Any, practice: dict, email: str) -> None:
    r = practice["cp"].post("/api/v1/org/users", json={"kind": "personal", "name": "Eva", "email": email})
    if email:  # an empty field is refused by the web layer before the service sees it
        assert problem(r, 400, "bad-request")["field"] == "email"
    else:
        problem(r, 400, "bad-request")
    with pytest.raises(Problem) as refused:
        svc.add_user(org_id=practice["org"], kind="personal", name="Eva", email=email)
    assert refused.value.extensions["field"] == "email"


def test_sixty_four_characters_and_nfc_names_install(
    issuer: RunningIssuer, svc: Any, practice: dict, tmp_path: Path
) -> None:
    """The longest allowed name goes into the certificate; a decomposed name is stored and issued as NFC."""
    for name in ("B" * 64, "Patie\u0308nt Mu\u0308ller"):
        new = svc.add_user(org_id=practice["org"], kind="personal", name=name, email="Info@Exämple.NL")
        r = issuer.enroll(new.user_number, pin_from_letter(new.letter), rsa_key())
        assert r.status_code == 200, r.text
        holder = Holder(issuer, tmp_path / new.user_number)
        cert = holder.take(r)
        cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        assert cn == unicodedata.normalize("NFC", name)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.RFC822Name) == ["Info@xn--exmple-cua.nl"]


def test_a_bad_name_stored_before_the_checks_is_a_clear_refusal_not_a_500(
    issuer: RunningIssuer, svc: Any, practice: dict
) -> None:
    new = svc.add_user(org_id=practice["org"], kind="personal", name="Oude Naam", email="o@example.nl")
    number, pin = new.user_number, pin_from_letter(new.letter)
    with sqlite3.connect(issuer.data / "issuer.db") as conn:
        conn.execute("UPDATE users SET name = ? WHERE user_number = ?", ("X" * 70, number))
    body = problem(issuer.enroll(number, pin, rsa_key()), 400, "bad-request")
    assert "Support" in body["detail"]


def test_duplicate_authorisation_is_idempotent(svc: Any, practice: dict) -> None:
    cp = practice["cp"]
    r = cp.post("/api/v1/org/users", json={"kind": "system", "name": "HIS", "email": "his@example.nl",
                                           "authorisations": ["cov", "cov", "declaratie"]})
    assert r.status_code == 202, r.text
    number = r.json()["user_number"]
    for _ in range(2):
        put = cp.request("PUT", f"/api/v1/org/users/{number}/authorisations/cov", json={})
        assert put.status_code == 200 and put.json()["authorisations"] == ["cov", "declaratie"], put.text
    # the admin command's route (`user add --authorisation portal --authorisation portal`)
    new = svc.add_user(org_id=practice["org"], kind="personal", name="Dubbel", email="d@example.nl",
                       authorisations=("portal", "portal"))
    assert new.user_number


def basic(number: str, pin: str) -> dict[str, str]:
    """HTTP Basic as RFC 7617 with charset UTF-8 (what the fixed client sends)."""
    token = base64.b64encode(f"{number}:{pin}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/pkcs10"}


def test_pins_are_utf8_and_nfc_end_to_end(issuer: RunningIssuer, svc: Any, practice: dict) -> None:
    number = svc.add_user(org_id=practice["org"], kind="personal", name="Unicode Pin", email="u@example.nl").user_number
    # give this user a PIN with a non-ASCII letter, hashed as the issuer does (NFC)
    hasher = pins.PinHasher(pins.pin_pepper(load_config(issuer.data).secret()))
    with sqlite3.connect(issuer.data / "issuer.db") as conn:
        conn.execute("UPDATE users SET pin_hash = ? WHERE user_number = ?", (hasher.hash("café€12"), number))
    csr = base64.b64encode(csr_der(rsa_key()))
    post = lambda pin: requests.post(issuer.url + EST_ENROLL, data=csr, headers=basic(number, pin),  # noqa: E731
                                     verify=issuer.ca, timeout=30)
    # a wrong PIN with € and é: counted like any wrong PIN, not refused as malformed, no crash
    assert problem(post("€é000000"), 401, "pin-invalid")["attempts_left"] == 4
    # the right PIN typed decomposed (e + combining acute): NFC makes it the same PIN
    r = post("cafe\u0301€12")
    assert r.status_code == 200, r.text
    log = "".join(issuer.log_lines)
    for fragment in ("€", "é", "\u0301", "café"):
        assert fragment not in log


def test_csr_refusal_names_no_parser_internals(issuer: RunningIssuer) -> None:
    r = issuer.post(EST_ENROLL, auth=("12345678901234", "00000000"), data=base64.b64encode(b"\x30\x03\x02\x01\x00"),
                    headers={"Content-Type": "application/pkcs10"})
    body = problem(r, 400, "bad-request")
    assert body["reason"] == "malformed"
    assert body["detail"] == "the request is not a valid PKCS#10 certificate request (CSR)"
    for internal in ("asn1", "ParseError", "Location"):
        assert internal not in r.text
