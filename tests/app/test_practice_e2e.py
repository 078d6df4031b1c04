"""End to end, issue 16's "Done when": the contact person's desk against the real issuer over TLS, real stores.

The contact person installs, requests a colleague, Support approves, the PIN arrives in the message box, five
wrong PINs block the colleague, the contact person unblocks, the colleague installs in a second ZorgCert home,
the list says installed; an authorisation granted with ``zorgcert users authorise`` shows in ``/api/v1/me`` and
the demo COV service enforces it; a revocation is final; the paper forms hold the organisation and the user;
the issuer's audit log lists each step. Then the Desktop seam the GUI calls, in process.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from app_harness import Desk
from issuer_harness import API_HEADERS, RunningIssuer, csr_der, rsa_key, start_issuer

pytestmark = pytest.mark.slow

ORG, AGB, KVK, ADDRESS = "Huisartsenpraktijk De Linde", "01234567", "12345678", "Lindelaan 1, 3511 AB Utrecht"
SUPPORT_PHONE = "030 123 45 67"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data",
                           extra_toml=f'[support]\nphone = "{SUPPORT_PHONE}"\nemail = "support@example.nl"\n')
    yield running
    running.stop()


@dataclass
class Office:
    org_id: int
    contact: Desk  # the contact person's machine
    contact_number: str


@pytest.fixture(scope="module")
def office(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory,
           secret_service: dict[str, str]) -> Office:
    svc = issuer.service()
    org_id = int(svc.add_organisation(ORG, AGB, kvk=KVK, address=ADDRESS))
    svc.sign_agreement(org_id)
    number, pin = issuer.user(org_id, name="Carla Contact", contact_person=True)
    contact = Desk(tmp_path_factory.mktemp("contact"), issuer, in_process=True)
    r = contact.install(number, pin)
    assert r.code == 0, r.err
    return Office(org_id, contact, number)


def ok(result: Any) -> Any:
    assert result.code == 0, result.err
    return result.json


def row(listing: dict[str, Any], user_number: str) -> dict[str, Any]:
    return next(u for u in listing["users"] if u["user_number"] == user_number)


def allowed(user: dict[str, Any], action: str, service: str | None = None) -> bool:
    return next(a for a in user["actions"] if a["action"] == action and a["service"] == service)["allowed"]


def pin_for(desk: Desk, user_number: str) -> tuple[int, str, dict[str, Any]]:
    """The PIN message about ``user_number`` in the contact person's box, revealed on purpose: (id, PIN, the box
    as listed before)."""
    box = ok(desk.run("messages", "list", "--json"))
    message = next(m for m in box["messages"] if m["about_user_number"] == user_number)
    assert message["has_pin"] and "•" in message["body"]  # listed: the PIN is not there
    shown = ok(desk.run("messages", "show", str(message["id"]), "--reveal-pin", "--json"))
    return message["id"], shown["pin"], box


KEY = rsa_key()


def enroll(issuer: RunningIssuer, user_number: str, pin: str) -> requests.Response:
    """One enrollment with user number and PIN, straight to the issuer (cheaper than a CLI run per try)."""
    from app.enroll.est import basic_authorization

    return requests.post(issuer.url + "/.well-known/est/simpleenroll", verify=issuer.ca, timeout=30,
                         data=base64.encodebytes(csr_der(KEY)),
                         headers={"Authorization": basic_authorization(user_number, pin),
                                  "Content-Type": "application/pkcs10", "Content-Transfer-Encoding": "base64"})


def wrong_pin(issuer: RunningIssuer, user_number: str, pin: str) -> int:
    return enroll(issuer, user_number, pin + "9").status_code


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_contact_persons_desk(issuer: RunningIssuer, office: Office, tmp_path: Path) -> None:
    cp, svc = office.contact, issuer.service()
    colleague = Desk(tmp_path / "colleague", issuer, in_process=True)  # a second, separate ZorgCert home
    colleague.home.mkdir()

    # R1: the contact person requests a colleague; Support has to approve
    request = ok(cp.run("users", "request", "--name", "Bas Bakker", "--email", "bas@example.nl",
                        "--kind", "personal", "--json"))
    bas = request["user_number"]
    assert request["request_id"] and request["status"] == "pending"
    listing = ok(cp.run("users", "list", "--json"))
    assert listing["organisation"] == ORG and listing["viewer"]["is_contact_person"]
    assert row(listing, bas)["state"] == "requested" and row(listing, bas)["request_id"] == str(request["request_id"])
    assert not allowed(row(listing, bas), "revoke")
    approved = issuer.admin("request", "approve", str(request["request_id"]))  # Support, with the issuer's CLI
    assert approved["user_number"] == bas

    # R2: the PIN is in the contact person's message box, hidden until revealed on purpose
    box = ok(cp.run("messages", "list", "--json"))
    assert box["unread"] == 1
    opened = ok(cp.run("messages", "show", str(box["messages"][0]["id"]), "--json"))
    assert "pin" not in opened and opened["message"]["has_pin"]
    message_id, pin, _ = pin_for(cp, bas)
    listing = ok(cp.run("users", "list", "--json"))
    assert row(listing, bas)["state"] == "approved" and row(listing, bas)["days_left"] == 60

    # R12: five wrong PINs block the colleague; the contact person unblocks
    assert [wrong_pin(issuer, bas, pin) for _ in range(5)][-1] in (401, 403)
    blocked = colleague.install(bas, pin)
    assert blocked.code == 3 and blocked.json["error"]["code"] == "user-blocked"
    listing = ok(cp.run("users", "list", "--json"))
    assert row(listing, bas)["state"] == "blocked" and allowed(row(listing, bas), "unblock")
    assert ok(cp.run("users", "unblock", bas, "--json")) == {"unblocked": bas}

    # R4: the colleague installs in the second home; the contact person's list says installed
    assert ok(colleague.install(bas, pin))["installed"]["user_number"] == bas
    listing = ok(cp.run("users", "list", "--json"))
    assert row(listing, bas)["state"] == "installed" and allowed(row(listing, bas), "revoke")
    theirs = colleague.run("users", "list")  # the colleague is not the contact person: told so, in Dutch
    assert theirs.code == 0 and "Alleen de contactpersoon van de organisatie" in theirs.out, theirs.err

    # R10: an authorisation granted in the app shows in /api/v1/me and the demo COV service enforces it
    system = ok(cp.run("users", "request", "--name", "HIS koppeling", "--email", "his@example.nl",
                       "--kind", "system", "--service", "declaratie", "--json"))
    his = system["user_number"]
    svc.approve_request(int(system["request_id"]))  # Support, in process
    his_message, his_pin, box = pin_for(cp, his)
    assert box["unread"] == 1  # Bas's message was read when opened; listing marks nothing read
    assert [m["read"] for m in box["messages"] if m["id"] in (message_id, his_message)] == [False, True]
    folder = tmp_path / "his"
    ok(colleague.install(his, his_pin, "--kind", "system", "--store", f"file:{folder}"))
    tls = {"verify": issuer.ca, "cert": (str(folder / "cert.pem"), str(folder / "key.pem")), "timeout": 30}

    def cov() -> int:
        return requests.post(issuer.url + "/api/v1/cov/check", json={"bsn": "123456782"}, headers=API_HEADERS,
                             **tls).status_code  # type: ignore[arg-type]

    assert cov() == 403
    granted = ok(cp.run("users", "authorise", his, "cov", "--json"))
    assert "cov" in granted["authorisations"]
    assert "cov" in requests.get(issuer.url + "/api/v1/me", **tls).json()["authorisations"]  # type: ignore[arg-type]
    assert cov() == 200
    ok(cp.run("users", "deauthorise", his, "cov", "--json"))
    assert cov() == 403
    refused = cp.run("users", "unblock", his, "--json")  # not blocked: the reason the GUI shows, issuer not asked
    assert refused.code == 3 and refused.json["error"]["code"] == "error.not_allowed"

    # R9: a revocation is final (and needs a confirmation)
    unconfirmed = cp.run("users", "revoke", bas, "--reason", "affiliation-changed")
    assert unconfirmed.code == 2 and "definitief" in unconfirmed.err
    revoked = ok(cp.run("users", "revoke", bas, "--reason", "affiliation-changed", "--yes", "--json"))
    assert revoked["final"] and revoked["serials"]
    listing = ok(cp.run("users", "list", "--json"))
    assert row(listing, bas)["state"] == "revoked"
    assert {a["reason"] for a in row(listing, bas)["actions"]} == {"practice.why.revoked_final"}
    again = enroll(issuer, bas, pin)  # with the PIN, from anywhere: the issuer says revoked, for good
    assert again.status_code == 403 and again.json()["type"].endswith("revoked"), again.text
    assert cp.run("users", "revoke", bas, "--reason", "cessation", "--yes").code == 3

    # R1 on paper: the forms hold the organisation's details and the user's fields
    form = tmp_path / "aanvraag.pdf"
    ok(cp.run("forms", "request", "--out", str(form), "--name", "Daan de Groot", "--email", "daan@example.nl",
              "--kind", "personal", "--json"))
    text = pdf_text(form)
    for expected in (ORG, AGB, KVK, ADDRESS, "Carla Contact", office.contact_number, "Daan de Groot",
                     "daan@example.nl", "[X] persoonlijk certificaat", "identiteitsbewijs", "Handtekening"):
        assert expected in text, expected
    zip_form = tmp_path / "zip.pdf"
    ok(cp.run("forms", "zorginkoopportaal", "--out", str(zip_form), "--name", "Bas Bakker",
              "--user-number", bas, "--lang", "en", "--json"))
    text = pdf_text(zip_form)
    assert all(x in text for x in ("Zorginkoopportaal authorisation form", ORG, "Bas Bakker", bas))

    # the message box: a deleted message is gone
    ok(cp.run("messages", "delete", str(message_id), "--json"))
    assert message_id not in [m["id"] for m in ok(cp.run("messages", "list", "--json"))["messages"]]

    # no PIN in any log of either machine
    for desk in (cp, colleague):
        for log in desk.zorgcert_home.rglob("*.log*"):
            assert pin not in log.read_text(errors="replace") and his_pin not in log.read_text(errors="replace")

    # the audit log lists each step: who, what, from which certificate
    audit = issuer.admin("audit", "--org", str(office.org_id))
    steps = [(e["action"], e["target"]) for e in audit]
    for step in (("request-user", bas), ("request-approve", bas), ("message-open", str(message_id)),
                 ("unblock", bas), ("authorise", his), ("deauthorise", his), ("revoke", bas),
                 ("message-delete", str(message_id))):
        assert step in steps, step
    by_contact = [e for e in audit if e["action"] in ("request-user", "unblock", "authorise", "revoke")]
    assert all(e["actor"] == office.contact_number and e["certificate"]["serial"] for e in by_contact)
    assert all(pin not in str(e) for e in audit)


def test_the_desktop_seam_the_gui_calls(issuer: RunningIssuer, office: Office, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.desk.desktop import Desktop
    from app.errors import IssuerRefused
    from app.practice.forms import Applicant
    from app.practice.users import Action, UserState
    from app.state.paths import paths

    for key, value in office.contact.env().items():
        if key.startswith(("HOME", "ZORGCERT_")):
            monkeypatch.setenv(key, value)
    desktop = Desktop(paths())
    assert desktop.is_contact_person()
    receipt = desktop.request_user("Eva Evers", "eva@example.nl", "system")
    desk = desktop.org_desk()
    eva = desk.user(str(receipt.user_number))
    assert eva is not None and eva.state is UserState.REQUESTED and desk.organisation.kvk == KVK
    assert desk.can_request().allowed and any(s.name == "zorginkoopportaal" for s in desk.catalogue)
    issuer.service().approve_request(int(receipt.request_id))
    box = desktop.message_box()
    message = next(m for m in box.messages if m.about_user_number == eva.user_number)
    assert desktop.unread_count() == box.unread >= 1 and message.has_pin
    with pytest.raises(IssuerRefused) as missing:
        desktop.open_message(99999)
    assert missing.value.code == "not-found"
    opened = desktop.open_message(message.id)
    pin = desktop.reveal_pin(message.id)
    assert pin.reveal().isdigit() and pin.reveal() not in opened.body + repr(pin) + repr(opened)
    # a system certificate's user: only Support unblocks, and the words say how to reach them
    for _ in range(5):
        wrong_pin(issuer, eva.user_number, pin.reveal())
    eva = desktop.org_desk().user(eva.user_number)
    assert eva is not None and eva.state is UserState.BLOCKED
    unblock = next(v for v in desktop.org_desk().verdicts(eva) if v.action is Action.UNBLOCK)
    assert not unblock.allowed and SUPPORT_PHONE in unblock.words("nl")
    out = desktop.make_form("request", tmp_path / "f.pdf", lang="nl", applicant=Applicant(name="Fien Fokker"))
    assert ORG in pdf_text(out) and "Fien Fokker" in pdf_text(out)
    assert os.stat(out).st_size > 1000
