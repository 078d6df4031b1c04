"""Issue 16, the issuer's side of the contact person's desk: requests wait for Support (R1, R2),
the users' states, the message box (PIN messages deleted after their time, no PIN in any log),
the service catalogue from issuer.toml (R10), and the audit log."""

from __future__ import annotations

import email
import email.policy
import getpass
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from issuer_harness import Holder, RunningIssuer, problem, rsa_key, start_issuer

from issuer.problems import Problem

PIN_LIFETIME = 600  # seconds a PIN message stays in this module's issuer (issuer.toml)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(
        Path(tmp_path_factory.mktemp("desk")) / "data",
        extra_toml=f'[messages]\npin_message_lifetime = "PT{PIN_LIFETIME}S"\n\n'
        '[support]\nemail = "support@example.nl"\n',
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def practice(desk: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = Path(tmp_path_factory.mktemp("practice"))
    svc = desk.service()
    org = svc.add_organisation(
        "Fysiotherapie Het Anker", "12345678", kvk="87654321", address="Kade 1, 1011 AB Amsterdam"
    )
    svc.sign_agreement(org)
    number, pin = desk.user(org, name="Carla Contact", contact_person=True)
    cp = Holder(desk, folder / "cp")
    cp.take(desk.enroll(number, pin, cp.key))
    return {"org": org, "cp": cp, "cp_number": number, "folder": folder}


def _request(cp: Holder, name: str, kind: str = "personal", **extra: Any) -> dict[str, Any]:
    r = cp.post("/api/v1/org/users", json={"kind": kind, "name": name, "email": "collega@example.nl", **extra})
    assert r.status_code == 202, r.text
    return r.json()


def _listed(cp: Holder) -> dict[str, dict[str, Any]]:
    r = cp.get("/api/v1/org/users")
    assert r.status_code == 200, r.text
    return {u["user_number"]: u for u in r.json()}


def test_a_request_waits_for_support_and_approval_delivers_number_and_pin_apart(
    desk: RunningIssuer, practice: dict[str, Any]
) -> None:
    cp = practice["cp"]
    asked = _request(cp, "Ruud Requested")
    assert isinstance(asked["request_id"], int) and asked["status"] == "pending"
    number = asked["user_number"]
    row = _listed(cp)[number]
    assert row["state"] == "requested" and row["request_id"] == asked["request_id"]
    assert row["name"] == "Ruud Requested" and row["kind"] == "personal" and row["authorisations"] == ["portal"]

    waiting = desk.admin("request", "list")  # the CLI Support uses
    assert [r["request_id"] for r in waiting if r["user_number"] == number] == [asked["request_id"]]
    assert waiting[-1]["organisation"] == "Fysiotherapie Het Anker"

    approved = desk.service().approve_request(asked["request_id"])
    assert approved["user_number"] == number and approved["message_box"] == practice["cp_number"]
    mail = email.message_from_bytes(Path(approved["mail"]).read_bytes(), policy=email.policy.default)
    assert mail["To"].addresses[0].addr_spec == "collega@example.nl" and number in mail.get_content()
    assert desk.service().list_requests() == []  # decided: no longer waiting
    with pytest.raises(Problem, match="already approved"):
        desk.service().approve_request(asked["request_id"])

    row = _listed(cp)[number]
    assert row["state"] == "approved" and row["install_days_left"] == 60 and row["request_id"] is None

    box = cp.get("/api/v1/messages").json()
    (pin_msg,) = [m for m in box if m["id"] == approved["message_id"]]
    assert pin_msg["kind"] == "pin" and pin_msg["unread"] is True and pin_msg["about_user"] == number
    lifetime = datetime.fromisoformat(pin_msg["delete_at"]) - datetime.fromisoformat(pin_msg["created_at"])
    assert lifetime == timedelta(seconds=PIN_LIFETIME)  # [messages] pin_message_lifetime
    assert cp.get("/api/v1/messages").json()[0]["unread"] is True  # listing marks nothing read
    opened = cp.get(f"/api/v1/messages/{pin_msg['id']}").json()
    pin = opened["pin"]
    assert pin.isdigit() and len(pin) == 8 and pin in opened["body"]
    assert pin not in json.dumps(box) and pin not in mail.get_content()  # hidden in the list, never by mail
    assert [m["unread"] for m in cp.get("/api/v1/messages").json() if m["id"] == pin_msg["id"]] == [False]

    colleague = Holder(desk, practice["folder"] / "ruud")
    colleague.take(desk.enroll(number, pin, colleague.key))
    assert _listed(cp)[number]["state"] == "installed"
    assert colleague.get("/api/v1/me").json()["is_contact_person"] is False
    assert "Portaal (website)" in colleague.get("/portal/").text  # the catalogue's Dutch name


def test_a_rejected_request_is_told_to_the_contact_person(desk: RunningIssuer, practice: dict[str, Any]) -> None:
    cp = practice["cp"]
    asked = _request(cp, "Rita Rejected", kind="system")
    out = desk.admin("request", "reject", str(asked["request_id"]), "--reason", "geen kopie van het ID")
    assert out["state"] == "rejected"
    message = cp.get(f"/api/v1/messages/{out['message_id']}").json()
    assert message["kind"] == "request-rejected" and "geen kopie van het ID" in message["body"]
    assert asked["user_number"] not in _listed(cp)
    with pytest.raises(Problem, match="already rejected"):
        desk.service().approve_request(asked["request_id"])
    listed_all = desk.admin("request", "list", "--all")
    assert {r["request_id"]: r["state"] for r in listed_all}[asked["request_id"]] == "rejected"


def test_messages_are_the_holders_own_and_can_be_deleted(desk: RunningIssuer, practice: dict[str, Any]) -> None:
    cp = practice["cp"]
    asked = _request(cp, "Dora Delete")
    approved = desk.service().approve_request(asked["request_id"])
    mid = approved["message_id"]
    other = Holder(desk, practice["folder"] / "other")
    org2 = desk.organisation("Andere Praktijk")
    n2, p2 = desk.user(org2, name="Otto Ander", contact_person=True)
    other.take(desk.enroll(n2, p2, other.key))
    problem(other.get(f"/api/v1/messages/{mid}"), 404, "not-found")  # someone else's: as absent
    problem(other.request("DELETE", f"/api/v1/messages/{mid}", json={}), 404, "not-found")
    problem(cp.get("/api/v1/messages/abc"), 404, "not-found")
    gone = cp.request("DELETE", f"/api/v1/messages/{mid}", json={})
    assert gone.status_code == 200 and gone.json() == {"deleted": mid}
    assert mid not in [m["id"] for m in cp.get("/api/v1/messages").json()]
    problem(cp.get(f"/api/v1/messages/{mid}"), 404, "not-found")


def test_the_issuer_deletes_a_pin_message_after_its_time(desk: RunningIssuer, practice: dict[str, Any]) -> None:
    cp = practice["cp"]
    asked = _request(cp, "Tim Timeout")
    svc = desk.service()
    svc.pin_message_lifetime = timedelta(seconds=2)  # as if issuer.toml said PT2S (this process only)
    try:
        mid = svc.approve_request(asked["request_id"])["message_id"]
    finally:
        svc.pin_message_lifetime = timedelta(seconds=PIN_LIFETIME)
    assert mid in [m["id"] for m in cp.get("/api/v1/messages").json()]
    time.sleep(3)
    assert mid not in [m["id"] for m in cp.get("/api/v1/messages").json()]
    from issuer.db import Message

    with svc._sessions() as s:  # deleted, not merely hidden
        assert s.get(Message, mid) is None
    problem(cp.get(f"/api/v1/messages/{mid}"), 404, "not-found")


def test_no_pin_in_any_log_or_in_the_audit_log(
    desk: RunningIssuer, practice: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    cp = practice["cp"]
    caplog.set_level(logging.DEBUG)
    asked = _request(cp, "Pia Pincode")
    approved = desk.service().approve_request(asked["request_id"])
    pin = desk.service().message(_holder(desk, cp), approved["message_id"])["pin"]  # in process: its logs caught
    opened = cp.get(f"/api/v1/messages/{approved['message_id']}").json()
    assert opened["pin"] == pin
    assert desk.enroll(asked["user_number"], pin, rsa_key()).status_code == 200
    assert pin not in caplog.text
    assert pin not in "".join(desk.log_lines)  # the running issuer's own log file
    audit = desk.service().audit_log()
    assert pin not in json.dumps(audit)
    assert any(e["action"] == "message-open" and e["target"] == str(approved["message_id"]) for e in audit)


def _holder(desk: RunningIssuer, who: Holder) -> Any:
    assert who.cert is not None
    return desk.service().authenticate(who.cert.public_bytes(Encoding.DER))


def test_the_catalogue_is_configuration_and_zorginkoopportaal_an_authorisation(
    desk: RunningIssuer, practice: dict[str, Any]
) -> None:
    from issuer.catalogue import DEFAULT_CATALOGUE, load_catalogue

    assert "[services.zorginkoopportaal]" in (desk.data / "issuer.toml").read_text()
    services = {s["id"]: s for s in desk.get("/api/v1/services").json()["services"]}
    assert list(services) == ["portal", "cov", "declaratie", "zorginkoopportaal"]
    assert services["zorginkoopportaal"]["name"]["nl"] == "Zorginkoopportaal"
    assert services["cov"]["name"]["en"].startswith("Insurance") and services["cov"]["default_for"] == ["system"]

    cp = practice["cp"]
    number = next(n for n, u in _listed(cp).items() if u["state"] == "installed" and not u["is_contact_person"])
    r = cp.request("PUT", f"/api/v1/org/users/{number}/authorisations/zorginkoopportaal", json={})
    assert r.status_code == 200 and "zorginkoopportaal" in r.json()["authorisations"]
    assert "zorginkoopportaal" in _listed(cp)[number]["authorisations"]
    body = problem(cp.request("PUT", f"/api/v1/org/users/{number}/authorisations/inkoop", json={}), 400, "bad-request")
    assert body["known_services"] == list(services)

    svc, me = desk.service(), _holder(desk, cp)
    svc.catalogue = load_catalogue({"portal": {"nl": "Portaal", "en": "Portal"}})  # as if issuer.toml changed
    try:  # a service gone from the catalogue can be revoked where held, never granted
        with pytest.raises(Problem, match="unknown service"):
            svc.set_authorisation(me, number, "declaratie", True)
        assert "zorginkoopportaal" not in svc.set_authorisation(me, number, "zorginkoopportaal", False)
    finally:
        svc.catalogue = DEFAULT_CATALOGUE

    own = load_catalogue({"lab": {"nl": "Laboratorium", "en": "Laboratory", "default_for": ["system"]}})
    assert own.ids == ("lab",) and own.defaults("system") == ("lab",) and "cov" not in own
    with pytest.raises(ValueError, match="nl"):
        load_catalogue({"lab": {"en": "Laboratory"}})
    with pytest.raises(ValueError, match="lower-case"):
        load_catalogue({"Lab Oratory": {"nl": "x", "en": "y"}})


def test_me_tells_the_contact_person_and_the_organisations_details(practice: dict[str, Any]) -> None:
    me = practice["cp"].get("/api/v1/me").json()
    assert me["is_contact_person"] is True
    assert me["organisation"] == {
        "id": practice["org"], "name": "Fysiotherapie Het Anker", "agb": "12345678", "kvk": "87654321",
        "address": "Kade 1, 1011 AB Amsterdam",
    }
    assert me["support"] == {"email": "support@example.nl"}  # [support] in issuer.toml
    assert [c["id"] for c in me["catalogue"]][-1] == "zorginkoopportaal"


def test_the_audit_log_says_who_did_what_with_which_certificate(desk: RunningIssuer, practice: dict[str, Any]) -> None:
    cp = practice["cp"]
    log = desk.admin("audit", "--org", str(practice["org"]))
    actions = [e["action"] for e in log]
    for expected in ("org-add", "org-agreement", "user-add", "request-user", "request-approve", "request-reject",
                     "authorise", "message-open", "message-delete"):
        assert expected in actions, expected
    mine = [e for e in log if e["actor"] == practice["cp_number"]]
    assert mine and all(e["actor_role"] == "contact-person" for e in mine)
    assert cp.cert is not None
    sha = hashlib.sha256(cp.cert.public_bytes(Encoding.DER)).hexdigest()
    assert {e["certificate"]["sha256"] for e in mine} == {sha}
    assert {e["certificate"]["serial"] for e in mine} == {format(cp.cert.serial_number, "x")}
    support = [e for e in log if e["actor_role"] == "support"]
    assert support and all(e["actor"] == f"support:{getpass.getuser()}" and e["certificate"] is None for e in support)
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)
    assert desk.service().audit_log(limit=2) == desk.service().audit_log()[-2:]
