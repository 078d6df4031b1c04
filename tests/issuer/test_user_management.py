"""R1, R2, R10, R11 and the portal: the contact person's user management over real TLS."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from issuer_harness import Holder, RunningIssuer, pin_from_letter, problem, rsa_key


@pytest.fixture(scope="module")
def practice(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """An organisation with an installed contact person and an installed personal user."""
    folder = Path(tmp_path_factory.mktemp("practice"))
    org = issuer.organisation("Huisartsenpraktijk De Linde")
    cp_number, cp_pin = issuer.user(org, name="Carla Contact", contact_person=True)
    cp = Holder(issuer, folder / "cp")
    cp.take(issuer.enroll(cp_number, cp_pin, cp.key))
    u_number, u_pin = issuer.user(org, name="Dirk Doktersassistent")
    user = Holder(issuer, folder / "user")
    user.take(issuer.enroll(u_number, u_pin, user.key))
    return {
        "org": org,
        "cp": cp,
        "cp_number": cp_number,
        "user": user,
        "user_number": u_number,
        "folder": folder,
    }


def test_agreement_required_before_any_certificate(issuer: RunningIssuer) -> None:
    org = issuer.organisation("Nieuwe Praktijk", agreement=False)
    code, out, _ = issuer.admin(
        "user",
        "add",
        "--org",
        str(org),
        "--kind",
        "personal",
        "--name",
        "X",
        "--email",
        "x@example.nl",
        check=False,
    )
    assert code == 3 and out["code"] == "no-agreement"
    issuer.admin("org", "agreement", str(org))
    number, _ = issuer.user(org)
    assert len(number) == 14


def test_delivery_channels_are_separate(issuer: RunningIssuer) -> None:
    """R2: the e-mail holds the user number and no PIN; the letter holds the PIN and no user number."""
    org = issuer.organisation("Praktijk Post")
    out = issuer.admin(
        "user",
        "add",
        "--org",
        str(org),
        "--kind",
        "personal",
        "--name",
        "Eva Brief",
        "--email",
        "eva@example.nl",
    )
    pin = pin_from_letter(Path(out["letter"]))
    mail = email.message_from_bytes(Path(out["mail"]).read_bytes(), policy=email.policy.default)
    body = mail.get_content()
    assert out["user_number"] in body and pin not in body
    assert mail["To"].addresses[0].addr_spec == "eva@example.nl"
    letter = Path(out["letter"]).read_text()
    assert out["user_number"] not in letter
    assert Path(out["letter"]).stat().st_mode & 0o077 == 0


def test_who_is_my_contact_person(practice: dict) -> None:
    """R11: anyone logged in sees the organisation's contact person."""
    me = practice["user"].get("/api/v1/me").json()
    assert me["contact_person"]["name"] == "Carla Contact"
    assert me["contact_person"]["user_number"] == practice["cp_number"]
    assert me["is_contact_person"] is False and me["authorisations"] == ["portal"]


def test_portal_welcomes_the_holder(practice: dict, issuer: RunningIssuer) -> None:
    page = practice["user"].get("/portal/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert f"Welkom Dirk Doktersassistent (gebruikersnummer {practice['user_number']})" in page.text
    assert "Carla Contact" in page.text
    problem(issuer.get("/portal/"), 403, "not-authorised")  # no certificate, no portal


def test_request_approve_and_install_through_the_message_box(practice: dict, issuer: RunningIssuer) -> None:
    """R1/R2 user-management route: request, issuer approves, number by mail, PIN in the message box."""
    cp = practice["cp"]
    r = cp.post(
        "/api/v1/org/users",
        json={"kind": "system", "name": "HIS koppeling", "email": "it@example.nl", "authorisations": ["cov"]},
    )
    assert r.status_code == 202 and r.json()["status"] == "pending"
    number = r.json()["user_number"]
    # pending: no PIN yet, so any PIN is a wrong one, answered as for any number (see test_enumeration)
    assert problem(issuer.enroll(number, "12345678", rsa_key()), 401, "pin-invalid")["attempts_left"] == 4

    approved = issuer.admin("user", "approve", number)
    assert approved["message_box"] == practice["cp_number"]
    mail = Path(approved["mail"]).read_text()
    assert number in mail

    box = cp.get("/api/v1/messages").json()
    ids = [m["id"] for m in box if "HIS koppeling" in m["subject"]]
    assert len(ids) == 1  # the list hides the PIN; opening the message shows it
    pin = cp.get(f"/api/v1/messages/{ids[0]}").json()["pin"]
    assert pin not in mail
    # an ordinary user has no such message, and cannot manage users
    assert practice["user"].get("/api/v1/messages").json() == []
    problem(practice["user"].get("/api/v1/org/users"), 403, "not-authorised")

    system = Holder(issuer, practice["folder"] / "system")
    system.take(issuer.enroll(number, pin, system.key))
    listed = {u["user_number"]: u for u in cp.get("/api/v1/org/users").json()}
    assert listed[number]["certificate"]["state"] == "valid" and listed[number]["kind"] == "system"

    # R10 + the demo web service: only a system certificate holding "cov" may check insurance
    check = system.post("/api/v1/cov/check", json={"bsn": "123456782"})
    assert check.status_code == 200 and check.json()["bsn"] == "123456782"
    problem(practice["user"].post("/api/v1/cov/check", json={"bsn": "123456782"}), 403, "not-authorised")
    gone = cp.request("DELETE", f"/api/v1/org/users/{number}/authorisations/cov", json={})
    assert gone.status_code == 200 and gone.json()["authorisations"] == []
    problem(system.post("/api/v1/cov/check", json={"bsn": "123456782"}), 403, "not-authorised")
    back = cp.request("PUT", f"/api/v1/org/users/{number}/authorisations/cov", json={})
    assert back.json()["authorisations"] == ["cov"]
    assert system.post("/api/v1/cov/check", json={"bsn": "123456782"}).status_code == 200


def test_contact_person_revokes_a_certificate(practice: dict, issuer: RunningIssuer) -> None:
    """R9 from user management; another organisation's users are out of reach."""
    other_org = issuer.organisation("Andere Praktijk")
    other_number, other_pin = issuer.user(other_org, name="Fred Ander")
    issuer.enroll(other_number, other_pin, rsa_key())
    cp = practice["cp"]
    problem(
        cp.post(f"/api/v1/org/users/{other_number}/revoke", json={"reason": "cessation"}), 404, "not-found"
    )
    problem(
        cp.post(f"/api/v1/org/users/{practice['user_number']}/revoke", json={"reason": "lost"}),
        403,
        "not-authorised",
    )  # the R7 "lost" route belongs to Support
    r = cp.post(f"/api/v1/org/users/{practice['user_number']}/revoke", json={"reason": "cessation"})
    assert r.status_code == 200 and len(r.json()["revoked"]) == 1
    problem(practice["user"].get("/api/v1/me"), 403, "revoked")


def test_policy_is_public(issuer: RunningIssuer) -> None:
    assert issuer.get("/api/v1/policy").json() == {
        "validity": "P2Y",
        "renewal_window": "P1M",
        "install_window": "P60D",
        "max_pin_attempts": 5,
    }


def test_bad_json_and_unknown_routes_are_problems(practice: dict, issuer: RunningIssuer) -> None:
    problem(practice["cp"].post(
        "/api/v1/org/users", data=b"{not json", headers={"Content-Type": "application/json"}), 400, "bad-request")
    problem(
        practice["cp"].post("/api/v1/org/users", json={"kind": "robot", "name": "R", "email": "r@x.nl"}),
        400,
        "bad-request",
    )
    problem(issuer.get("/nowhere"), 404, "not-found")
