"""User management's rules and the message box's PIN handling (app.practice.users, app.practice.messages): pure."""

from __future__ import annotations

import logging
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.policy import REAL_DURATIONS
from app.practice.messages import MASK, MessageBox, parse
from app.practice.users import (
    Action,
    Desk,
    Organisation,
    Service,
    SupportDesk,
    UserState,
    Viewer,
    can_authorise,
    can_request,
    can_revoke,
    can_unblock,
    matches,
    org_user,
    verdicts,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CP = Viewer(user_number="10000000000009", name="Carla Contact", is_contact_person=True)
NOT_CP = Viewer(user_number="10000000000017", name="Gijs Gebruiker", is_contact_person=False)
SUPPORT = SupportDesk(phone="030 123 45 67", email="support@example.nl")
CATALOGUE = (
    Service("portal", "Portaal", "Portal", ("personal",)),
    Service("cov", "COV", "COV", ("system",)),
    Service("zorginkoopportaal", "Zorginkoopportaal", "Zorginkoopportaal", own_form=True),
)


def cert(state: str = "valid", *, days: int = 300, reason: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"state": state, "not_after": (NOW + timedelta(days=days)).isoformat()}
    if reason:
        out["revocation_reason"] = reason
    return out


def raw(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"user_number": "10000000000025", "name": "Anna de Vries", "kind": "personal",
                            "email": "anna@example.nl", "status": "approved", "blocked": False,
                            "authorisations": ["portal"], "certificate": cert()}
    base.update(kw)
    return base


STATES = {
    UserState.REQUESTED: raw(status="pending", certificate=None, request_id=7),
    UserState.APPROVED: raw(certificate=None, approved_at=(NOW - timedelta(days=10)).isoformat()),
    UserState.INSTALLED: raw(),
    UserState.RENEWAL_OPEN: raw(certificate=cert("renewal-open", days=10)),
    UserState.EXPIRED: raw(certificate=cert("expired", days=-3)),
    UserState.BLOCKED: raw(blocked=True),
    UserState.REVOKED: raw(certificate=cert("revoked", reason="affiliation-changed")),
    UserState.REJECTED: raw(status="rejected", certificate=None),
    UserState.LAPSED: raw(status="purged", certificate=None),
}


@pytest.mark.parametrize("state", list(STATES))
def test_each_issuer_answer_becomes_its_state(state: UserState) -> None:
    assert org_user(STATES[state], REAL_DURATIONS, NOW).state is state


def test_approved_counts_the_days_left_of_the_install_window() -> None:
    user = org_user(STATES[UserState.APPROVED], REAL_DURATIONS, NOW)
    assert user.days_left == 50 and user.install_by == NOW + timedelta(days=50)
    # the issuer's own deadline wins over our sum; half a day left is one day, not zero
    user = org_user(raw(certificate=None, install_deadline=(NOW + timedelta(hours=12)).isoformat()), None, NOW)
    assert user.days_left == 1
    late = org_user(raw(certificate=None, approved_at=(NOW - timedelta(days=61)).isoformat()), REAL_DURATIONS, NOW)
    assert late.state is UserState.LAPSED and late.days_left is None  # R3: the policy takes ``now``


def test_a_lost_certificate_revoked_by_support_may_be_installed_again() -> None:
    user = org_user(raw(certificate=cert("revoked", reason="lost")), REAL_DURATIONS, NOW)
    assert user.state is UserState.APPROVED  # R7: not final


def test_hostile_fields_do_not_pass() -> None:
    user = org_user({"user_number": 5, "authorisations": "portal", "blocked": "yes", "certificate": "x",
                     "approved_at": "2026-05-01T00:00:00"}, REAL_DURATIONS, NOW)  # a moment without a zone
    assert user.authorisations == () and user.blocked is False and user.install_by is None


def allowed(state: UserState, viewer: Viewer = CP, kind: str = "personal") -> dict[tuple[str, str | None], bool]:
    user = org_user({**STATES[state], "kind": kind}, REAL_DURATIONS, NOW)
    return {(v.action.value, v.service): v.allowed for v in verdicts(user, viewer, CATALOGUE, SUPPORT)}


@pytest.mark.parametrize(("state", "unblock", "revoke", "authorise"), [
    (UserState.REQUESTED, False, False, True),
    (UserState.APPROVED, False, False, True),
    (UserState.INSTALLED, False, True, True),
    (UserState.RENEWAL_OPEN, False, True, True),
    (UserState.EXPIRED, False, False, True),
    (UserState.BLOCKED, True, True, True),
    (UserState.REVOKED, False, False, False),
    (UserState.REJECTED, False, False, False),
    (UserState.LAPSED, False, False, False),
])
def test_what_the_rules_allow_per_state(state: UserState, unblock: bool, revoke: bool, authorise: bool) -> None:
    got = allowed(state)
    assert got[("unblock", None)] is unblock
    assert got[("revoke", None)] is revoke
    assert got[("authorise", "zorginkoopportaal")] is authorise  # R10: from the catalogue
    assert got[("authorise", "portal")] is False  # held already
    assert got[("deauthorise", "portal")] is authorise
    assert got[("authorise", "cov")] is False  # not for a personal certificate


def test_every_refusal_has_a_reason_in_words_in_both_languages() -> None:
    for state in STATES:
        user = org_user(STATES[state], REAL_DURATIONS, NOW)
        for v in verdicts(user, CP, CATALOGUE, SUPPORT) + verdicts(user, NOT_CP, CATALOGUE, SUPPORT):
            assert v.allowed == (v.reason is None)
            if not v.allowed:
                assert v.words("nl") and v.words("en") and v.words("nl") != v.words("en")


def test_a_system_certificate_is_unblocked_by_support_only_and_the_app_says_how_to_reach_them() -> None:
    user = org_user(raw(kind="system", blocked=True), REAL_DURATIONS, NOW)
    v = can_unblock(user, CP, SUPPORT)
    assert not v.allowed and v.reason == "practice.why.unblock_system"
    assert "030 123 45 67" in v.words("nl") and "support@example.nl" in v.words("en")
    assert "Support" in can_unblock(user, CP, SupportDesk()).words("nl")  # no contact given: still says who
    assert can_unblock(org_user(raw(blocked=True), REAL_DURATIONS, NOW), CP, SUPPORT).allowed


def test_only_the_contact_person_acts_and_never_revokes_their_own_certificate() -> None:
    assert can_request(CP).allowed and not can_request(NOT_CP).allowed
    assert can_request(NOT_CP).reason == "practice.why.not_contact_person"
    assert not any(allowed(UserState.BLOCKED, NOT_CP).values())
    own = org_user(raw(user_number=CP.user_number, is_contact_person=True), REAL_DURATIONS, NOW)
    assert can_revoke(own, CP).reason == "practice.why.revoke_self"


def test_a_blocked_user_is_revoked_only_with_a_working_certificate() -> None:
    expired = org_user(raw(blocked=True, certificate=cert("expired", days=-1)), REAL_DURATIONS, NOW)
    never = org_user(raw(blocked=True, certificate=None), REAL_DURATIONS, NOW)
    assert expired.state is never.state is UserState.BLOCKED
    assert can_revoke(expired, CP).reason == "practice.why.revoke_expired"
    assert can_revoke(never, CP).reason == "practice.why.revoke_not_installed"


def test_revocation_is_final_for_every_action() -> None:
    user = org_user(STATES[UserState.REVOKED], REAL_DURATIONS, NOW)
    reasons = {v.reason for v in verdicts(user, CP, CATALOGUE, SUPPORT)}
    assert reasons == {"practice.why.revoked_final"}


def test_authorisations_come_from_the_catalogue() -> None:
    user = org_user(raw(kind="system", authorisations=["cov", "old-service"]), REAL_DURATIONS, NOW)
    assert can_authorise(user, CP, "unknown", CATALOGUE).reason == "practice.why.not_in_catalogue"
    assert can_authorise(user, CP, "portal", CATALOGUE).reason == "practice.why.service_not_for_system"
    assert can_authorise(user, CP, "old-service", CATALOGUE, grant=False).allowed  # withdrawn, though unlisted
    assert ("deauthorise", "old-service") in {(v.action.value, v.service) for v in
                                              verdicts(user, CP, CATALOGUE, SUPPORT)}


def test_search_and_filter() -> None:
    desk = Desk(viewer=CP, organisation=Organisation("De Linde"), at=NOW, catalogue=CATALOGUE, support=SUPPORT,
                users=tuple(org_user({**r, "user_number": f"1000000000{i:04d}", "name": f"{s.value} user"},
                                     REAL_DURATIONS, NOW) for i, (s, r) in enumerate(STATES.items())))
    assert [u.state for u in desk.find(states=[UserState.BLOCKED])] == [UserState.BLOCKED]
    assert len(desk.find("USER")) == len(STATES) and desk.find("anna@example") == desk.users
    assert [u.user_number for u in desk.find("1000 0000 000 003")] == ["10000000000003"]
    assert desk.find(kind="system") == ()
    assert matches(desk.users[0]) and desk.can_request().allowed
    assert desk.verdicts(desk.users[0])[0].action is Action.UNBLOCK


# --- the message box -------------------------------------------------------------------------------

PIN_BODY = ("De pincode voor het certificaat van Bas Bakker is: 48213907\n"
            "Het gebruikersnummer is per e-mail verstuurd.")


def test_an_opened_pin_message_keeps_the_pin_apart_and_masked(caplog: pytest.LogCaptureFixture) -> None:
    message, pin = parse({"id": 3, "subject": "Pincode", "created_at": NOW.isoformat(), "read": True,
                          "kind": "pin", "about_user": "10000000000025", "body": PIN_BODY, "pin": "48213907"})
    assert pin is not None and pin.reveal() == "48213907"
    assert "48213907" not in message.body and MASK in message.body and message.has_pin
    assert message.about_user_number == "10000000000025"
    for shown in (repr(pin), str(pin), f"{pin}", repr(message), str(message.as_dict())):
        assert "48213907" not in shown
    logging.getLogger("zorgcert").warning("pin %s in %r", pin, pin)
    assert "48213907" not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(pin)


def test_a_listed_pin_message_has_no_pin_and_an_old_issuers_body_is_masked() -> None:
    listed, pin = parse({"id": 4, "subject": "Pincode", "kind": "pin", "read": False,
                         "body": PIN_BODY.replace("48213907", "••••••••")})
    assert pin is None and listed.has_pin and not listed.read
    old, pin = parse({"id": 5, "subject": "Pincode", "body": PIN_BODY})  # no ``kind``: the text is searched
    assert pin is not None and pin.reveal() == "48213907" and "48213907" not in old.body
    notice, pin = parse({"id": 6, "subject": "Welkom", "kind": "notice", "body": "Pincode: zie brief"})
    assert pin is None and not notice.has_pin and notice.body == "Pincode: zie brief"


def test_unread_count_and_hostile_messages() -> None:
    box = MessageBox(tuple(parse({"id": i, "read": i % 2 == 0, "body": "x", "kind": "notice"})[0]
                           for i in range(1, 6)))
    assert box.unread == 3 and box.find(2) is not None and box.find(9) is None
    for bad in ({"id": "1"}, {"id": True}, {}):
        with pytest.raises(ValueError):
            parse(bad)


def test_without_an_issuer_or_a_certificate_there_is_no_desk(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.desk.desktop import Desktop
    from app.state.paths import Paths

    for name in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Desktop(Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")).is_contact_person() is False
