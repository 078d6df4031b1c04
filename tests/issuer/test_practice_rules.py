"""Issue 16: the contact person's actions hold R9 (revocation final), R10 (authorisations, the
demo COV service enforces its own) and R12 (unblock: personal by the contact person, system by
Support only), each written to the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from issuer_harness import Holder, RunningIssuer, problem, rsa_key

BSN = {"bsn": "123456782"}


@pytest.fixture(scope="module")
def office(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A practice with an installed contact person, personal colleague and system certificate,
    and a second practice's contact person."""
    folder = Path(tmp_path_factory.mktemp("office"))
    org = issuer.organisation("Tandartspraktijk De Molen")
    out: dict[str, Any] = {"org": org}
    for who, kind, cp in (("cp", "personal", True), ("colleague", "personal", False), ("system", "system", False)):
        number, pin = issuer.user(org, kind=kind, name=f"De Molen {who}", contact_person=cp)
        holder = Holder(issuer, folder / who)
        holder.take(issuer.enroll(number, pin, holder.key))
        out[who], out[f"{who}_number"] = holder, number
    other_org = issuer.organisation("Praktijk Elders")
    number, pin = issuer.user(other_org, name="Elders Contact", contact_person=True)
    out["stranger"] = Holder(issuer, folder / "stranger")
    out["stranger"].take(issuer.enroll(number, pin, out["stranger"].key))
    return out


def _state(office: dict[str, Any], number: str) -> str:
    users = office["cp"].get("/api/v1/org/users").json()
    return next(u["state"] for u in users if u["user_number"] == number)


def _block(issuer: RunningIssuer, number: str) -> None:
    key = rsa_key()
    for _ in range(5):
        issuer.enroll(number, "00000001", key)


def test_the_contact_person_unblocks_a_personal_user_only_in_their_organisation(
    issuer: RunningIssuer, office: dict[str, Any]
) -> None:
    number = office["colleague_number"]
    _block(issuer, number)
    assert _state(office, number) == "blocked"
    problem(office["stranger"].post(f"/api/v1/org/users/{number}/unblock", json={}), 404, "not-found")
    problem(office["colleague"].post(f"/api/v1/org/users/{number}/unblock", json={}), 403, "not-authorised")
    r = office["cp"].post(f"/api/v1/org/users/{number}/unblock", json={})
    assert r.status_code == 200 and r.json() == {"unblocked": number}
    assert _state(office, number) == "installed"


def test_only_support_unblocks_a_system_certificate(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    number = office["system_number"]
    _block(issuer, number)
    body = problem(office["cp"].post(f"/api/v1/org/users/{number}/unblock", json={}), 403, "not-authorised")
    assert body["only"] == "support" and "Support" in body["detail"]
    assert _state(office, number) == "blocked"
    issuer.service().unblock(number)  # Support, in process (as `user unblock`)
    assert _state(office, number) == "installed"
    entries = [e for e in issuer.service().audit_log(org_id=office["org"]) if e["action"] == "unblock"]
    assert [e["actor_role"] for e in entries][-2:] == ["contact-person", "support"]


def test_authorisations_show_in_me_and_the_cov_service_enforces_its_own(
    issuer: RunningIssuer, office: dict[str, Any]
) -> None:
    cp, system, colleague = office["cp"], office["system"], office["colleague"]
    n_sys, n_col = office["system_number"], office["colleague_number"]
    assert system.post("/api/v1/cov/check", json=BSN).status_code == 200  # cov by default for system
    gone = cp.request("DELETE", f"/api/v1/org/users/{n_sys}/authorisations/cov", json={})
    assert gone.status_code == 200 and "cov" not in gone.json()["authorisations"]
    problem(system.post("/api/v1/cov/check", json=BSN), 403, "not-authorised")
    cp.request("PUT", f"/api/v1/org/users/{n_sys}/authorisations/cov", json={})
    assert system.post("/api/v1/cov/check", json=BSN).json()["checked_for"]["user_number"] == n_sys

    given = cp.request("PUT", f"/api/v1/org/users/{n_col}/authorisations/zorginkoopportaal", json={})
    assert given.json()["authorisations"] == ["portal", "zorginkoopportaal"]
    assert colleague.get("/api/v1/me").json()["authorisations"] == ["portal", "zorginkoopportaal"]
    cp.request("PUT", f"/api/v1/org/users/{n_col}/authorisations/cov", json={})
    problem(colleague.post("/api/v1/cov/check", json=BSN), 403, "not-authorised")  # cov is for system certificates
    cp.request("DELETE", f"/api/v1/org/users/{n_col}/authorisations/cov", json={})

    problem(office["stranger"].request("PUT", f"/api/v1/org/users/{n_col}/authorisations/cov", json={}),
            404, "not-found")
    problem(colleague.request("PUT", f"/api/v1/org/users/{n_col}/authorisations/cov", json={}),
            403, "not-authorised")
    actions = [(e["action"], e["details"]["service"]) for e in issuer.service().audit_log(org_id=office["org"])
               if e["action"] in ("authorise", "deauthorise")]
    assert ("authorise", "zorginkoopportaal") in actions and ("deauthorise", "cov") in actions


def test_a_revocation_needs_a_reason_and_is_final(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    cp, colleague, number = office["cp"], office["colleague"], office["colleague_number"]
    body = problem(cp.post(f"/api/v1/org/users/{number}/revoke", json={}), 400, "bad-request")
    assert "cessation" in body["allowed_reasons"]
    problem(cp.post(f"/api/v1/org/users/{number}/revoke", json={"reason": "lost"}), 403, "not-authorised")
    problem(office["stranger"].post(f"/api/v1/org/users/{number}/revoke", json={"reason": "cessation"}),
            404, "not-found")
    assert colleague.get("/api/v1/me").status_code == 200
    r = cp.post(f"/api/v1/org/users/{number}/revoke", json={"reason": "cessation"})
    assert r.status_code == 200 and len(r.json()["revoked"]) == 1
    assert _state(office, number) == "revoked"
    problem(colleague.get("/api/v1/me"), 403, "revoked")
    problem(cp.post(f"/api/v1/org/users/{number}/revoke", json={"reason": "cessation"}), 400, "bad-request")
    (entry,) = [e for e in issuer.service().audit_log(org_id=office["org"]) if e["action"] == "revoke"]
    assert entry["details"]["final"] is True and entry["details"]["reason"] == "cessation"
    assert entry["actor"] == office["cp_number"]
