"""User management's rules (R1, R9, R10, R12): each user's state and which actions the rules allow, with the reason.

Pure: no network, no files, no clock of its own (every function that needs the time takes ``now``).
``app.practice.api`` turns the issuer's ``/api/v1/org/users`` answer into :class:`OrgUser` values with
:func:`org_user`; the GUI and ``zorgcert users`` show :func:`verdicts` and say each refusal's ``reason``
(a message key in the catalogues, ``practice.why.*``) in words.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.policy import Durations, install_deadline
from app.practice import KINDS


class UserState(enum.StrEnum):
    """A user as the contact person sees them (``practice.state.*`` says each in words)."""

    REQUESTED = "requested"  # R1: waiting for Support's approval
    APPROVED = "approved"  # R2/R3: approved, not installed yet; ``days_left`` of the install window
    INSTALLED = "installed"  # R4: a valid certificate
    RENEWAL_OPEN = "renewal-open"  # R5: inside the renewal window
    EXPIRED = "expired"  # R6: may be reinstalled with user number + PIN
    BLOCKED = "blocked"  # R12: five wrong PINs
    REVOKED = "revoked"  # R9: final
    REJECTED = "rejected"  # Support refused the request
    LAPSED = "lapsed"  # R3: not installed within the install window; request again


class Action(enum.StrEnum):
    """What a contact person can do in user management (``practice.action.*``)."""

    REQUEST = "request"  # R1
    UNBLOCK = "unblock"  # R12
    REVOKE = "revoke"  # R9
    AUTHORISE = "authorise"  # R10
    DEAUTHORISE = "deauthorise"  # R10



LIVE = (UserState.INSTALLED, UserState.RENEWAL_OPEN)  # a certificate that works: the one thing R9 can revoke
FINAL = (UserState.REVOKED, UserState.REJECTED, UserState.LAPSED)  # nothing more to do but request anew


@dataclass(frozen=True)
class Service:
    """One service of the issuer's catalogue (R10): its name, its words, and which kinds may hold it."""

    name: str
    title_nl: str
    title_en: str
    kinds: tuple[str, ...] = KINDS
    own_form: bool = False  # Zorginkoopportaal: an authorisation with a paper form of its own

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_nl


@dataclass(frozen=True)
class Viewer:
    """Who looks: the certificate the app logs in with, and whether the issuer says it is the contact person."""

    user_number: str
    name: str
    is_contact_person: bool


@dataclass(frozen=True)
class SupportDesk:
    """How to reach the issuer's Support (R12: only they unblock a system certificate); from ``/api/v1/me``."""

    phone: str = ""
    email: str = ""
    url: str = ""

    def how(self) -> str:
        """The ways to reach Support, or "" when the issuer named none (the words then say 'the issuer's Support')."""
        return ", ".join(x for x in (self.phone, self.email, self.url) if x)


@dataclass(frozen=True)
class OrgUser:
    """One user of the organisation, in the state the contact person sees ``now``."""

    user_number: str
    name: str
    kind: str
    email: str
    state: UserState
    authorisations: tuple[str, ...] = ()
    is_contact_person: bool = False
    days_left: int | None = None  # APPROVED: whole days left to install (R3); else None
    install_by: datetime | None = None  # APPROVED: the moment the install window closes
    valid_until: datetime | None = None  # the current certificate's end, if there is one
    request_id: str | None = None  # REQUESTED: the request Support approves or rejects
    blocked: bool = False  # R12 (the state says BLOCKED unless something final came first)
    certificate_state: str | None = None  # the issuer's word for the certificate (valid, expired ...)

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_number": self.user_number,
            "name": self.name,
            "kind": self.kind,
            "email": self.email,
            "state": self.state.value,
            "authorisations": list(self.authorisations),
            "is_contact_person": self.is_contact_person,
            "days_left": self.days_left,
            "install_by": self.install_by.isoformat() if self.install_by else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "request_id": self.request_id,
            "blocked": self.blocked,
        }


@dataclass(frozen=True)
class Verdict:
    """May the viewer do ``action`` (on ``service``) to a user? If not, ``reason`` is a ``practice.why.*`` key."""

    action: Action
    allowed: bool
    reason: str | None = None  # None when allowed
    service: str | None = None  # AUTHORISE / DEAUTHORISE: which service
    params: tuple[tuple[str, str], ...] = field(default=())  # the reason's placeholders, e.g. (("support", ...),)

    def words(self, lang: str) -> str:
        """The reason in words ("" when allowed)."""
        from app.i18n import t

        return t(self.reason, lang, **dict(self.params)) if self.reason else ""


@dataclass(frozen=True)
class Organisation:
    """The organisation as ``/api/v1/me`` names it: what the paper forms are pre-filled with ("" where unknown)."""

    name: str
    agb: str = ""
    kvk: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_user_number: str = ""


@dataclass(frozen=True)
class Desk:
    """User management as the contact person opens it: who looks, the users, the catalogue, Support; at ``at``."""

    viewer: Viewer
    organisation: Organisation
    users: tuple[OrgUser, ...]
    catalogue: tuple[Service, ...]
    support: SupportDesk
    at: datetime

    def user(self, user_number: str) -> OrgUser | None:
        return next((u for u in self.users if u.user_number == user_number), None)

    def can_request(self) -> Verdict:
        return can_request(self.viewer)

    def verdicts(self, user: OrgUser) -> tuple[Verdict, ...]:
        """Every action on ``user`` with allowed or the reason not (see :func:`verdicts`)."""
        return verdicts(user, self.viewer, self.catalogue, self.support)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.catalogue if s.name == name), None)

    def find(self, text: str = "", *, states: Iterable[UserState] | None = None,
             kind: str | None = None) -> tuple[OrgUser, ...]:
        """The search and filter of the list (see :func:`matches`)."""
        return tuple(u for u in self.users if matches(u, text, states=states, kind=kind))


def _aware(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None  # a moment without a zone is no moment: treated as unknown


def days_left(until: datetime, now: datetime) -> int:
    """Whole days (rounded up) from ``now`` until ``until``; 0 once passed."""
    seconds = (until - now).total_seconds()
    return max(0, math.ceil(seconds / timedelta(days=1).total_seconds()))


def org_user(raw: Mapping[str, Any], durations: Durations | None, now: datetime) -> OrgUser:
    """One user from the issuer's ``/api/v1/org/users`` entry, in its state ``now``.

    ``raw`` is hostile: each field is checked for its type; a missing one takes a safe default.
    ``durations`` (``/api/v1/policy``) gives the install window when the issuer sends no ``install_deadline``.
    """
    status = str(raw.get("status") or "")
    cert = raw.get("certificate") if isinstance(raw.get("certificate"), Mapping) else None
    cert_state = str(cert.get("state") or "") if cert else None
    blocked = raw.get("blocked") is True
    auths = raw.get("authorisations")
    install_by = _aware(raw.get("install_deadline"))
    approved_at = _aware(raw.get("approved_at"))
    if install_by is None and approved_at is not None and durations is not None:
        install_by = install_deadline(approved_at, durations)
    left: int | None = None
    lost = bool(cert) and cert_state == "revoked" and (cert or {}).get("revocation_reason") == "lost"
    if status in ("pending", "requested"):
        state = UserState.REQUESTED
    elif status == "rejected":
        state = UserState.REJECTED
    elif status == "purged":
        state = UserState.LAPSED
    elif cert_state == "revoked" and not lost:
        state = UserState.REVOKED
    elif blocked:
        state = UserState.BLOCKED
    elif cert is None or lost:  # approved, nothing installed yet (or Support revoked a lost one, R7: install anew)
        if install_by is not None and now >= install_by and not lost:
            state = UserState.LAPSED
        else:
            state = UserState.APPROVED
            left = days_left(install_by, now) if install_by is not None and not lost else None
    elif cert_state == "expired":
        state = UserState.EXPIRED
    elif cert_state == "renewal-open":
        state = UserState.RENEWAL_OPEN
    else:
        state = UserState.INSTALLED
    return OrgUser(
        user_number=str(raw.get("user_number") or ""),
        name=str(raw.get("name") or ""),
        kind=str(raw.get("kind") or "personal"),
        email=str(raw.get("email") or ""),
        state=state,
        authorisations=tuple(sorted(a for a in auths if isinstance(a, str))) if isinstance(auths, list) else (),
        is_contact_person=raw.get("is_contact_person") is True,
        days_left=left,
        install_by=install_by if state is UserState.APPROVED else None,
        valid_until=_aware(cert.get("not_after")) if cert else None,
        request_id=str(raw["request_id"]) if raw.get("request_id") not in (None, "") else None,
        blocked=blocked,
        certificate_state=cert_state,
    )


# --- the rules -------------------------------------------------------------------------------------


def can_request(viewer: Viewer) -> Verdict:
    """R1: only the contact person requests certificates in user management (anyone may use the paper form)."""
    if not viewer.is_contact_person:
        return Verdict(Action.REQUEST, False, "practice.why.not_contact_person")
    return Verdict(Action.REQUEST, True)


def _final(user: OrgUser, action: Action, service: str | None = None) -> Verdict | None:
    if user.state is UserState.REVOKED:
        return Verdict(action, False, "practice.why.revoked_final", service)
    if user.state is UserState.REJECTED:
        return Verdict(action, False, "practice.why.rejected", service)
    if user.state is UserState.LAPSED:
        return Verdict(action, False, "practice.why.lapsed", service)
    return None


def can_unblock(user: OrgUser, viewer: Viewer, support: SupportDesk) -> Verdict:
    """R12: the contact person unblocks a personal certificate's user; a system certificate's only Support."""
    if not viewer.is_contact_person:
        return Verdict(Action.UNBLOCK, False, "practice.why.not_contact_person")
    final = _final(user, Action.UNBLOCK)
    if final:
        return final
    if not user.blocked:
        return Verdict(Action.UNBLOCK, False, "practice.why.not_blocked")
    if user.kind != "personal":
        if support.how():
            return Verdict(Action.UNBLOCK, False, "practice.why.unblock_system", params=(("support", support.how()),))
        return Verdict(Action.UNBLOCK, False, "practice.why.unblock_system_unknown")
    return Verdict(Action.UNBLOCK, True)


def can_revoke(user: OrgUser, viewer: Viewer) -> Verdict:
    """R9: a working certificate, not the viewer's own (that would lock the contact person out)."""
    if not viewer.is_contact_person:
        return Verdict(Action.REVOKE, False, "practice.why.not_contact_person")
    final = _final(user, Action.REVOKE)
    if final:
        return final
    if user.user_number == viewer.user_number:
        return Verdict(Action.REVOKE, False, "practice.why.revoke_self")
    if user.state is UserState.REQUESTED:
        return Verdict(Action.REVOKE, False, "practice.why.revoke_requested")
    if user.state is UserState.EXPIRED or user.certificate_state == "expired":
        return Verdict(Action.REVOKE, False, "practice.why.revoke_expired")
    if user.state is UserState.APPROVED or user.certificate_state not in ("valid", "renewal-open"):
        return Verdict(Action.REVOKE, False, "practice.why.revoke_not_installed")
    return Verdict(Action.REVOKE, True)


def can_authorise(user: OrgUser, viewer: Viewer, service: str, catalogue: Iterable[Service], *,
                  grant: bool = True) -> Verdict:
    """R10: grant (``grant``) or withdraw one service of the issuer's catalogue."""
    action = Action.AUTHORISE if grant else Action.DEAUTHORISE
    if not viewer.is_contact_person:
        return Verdict(action, False, "practice.why.not_contact_person", service)
    final = _final(user, action, service)
    if final:
        return final
    known = {s.name: s for s in catalogue}
    held = service in user.authorisations
    if grant:
        if service not in known:
            return Verdict(action, False, "practice.why.not_in_catalogue", service)
        if held:
            return Verdict(action, False, "practice.why.already_authorised", service)
        if user.kind not in known[service].kinds:
            why = ("practice.why.service_not_for_system" if user.kind == "system"
                   else "practice.why.service_not_for_personal")
            return Verdict(action, False, why, service)
        return Verdict(action, True, service=service)
    if not held:
        return Verdict(action, False, "practice.why.not_authorised", service)
    return Verdict(action, True, service=service)


def verdicts(user: OrgUser, viewer: Viewer, catalogue: Iterable[Service], support: SupportDesk,
             ) -> tuple[Verdict, ...]:
    """Every action on ``user``: unblock, revoke, then authorise and withdraw per service of the catalogue
    (and withdraw for a service the user holds that the catalogue no longer names)."""
    services = list(catalogue)
    names = [s.name for s in services] + [a for a in user.authorisations if a not in {s.name for s in services}]
    out = [can_unblock(user, viewer, support), can_revoke(user, viewer)]
    for name in names:
        out.append(can_authorise(user, viewer, name, services, grant=True))
        out.append(can_authorise(user, viewer, name, services, grant=False))
    return tuple(out)


def matches(user: OrgUser, text: str = "", *, states: Iterable[UserState] | None = None,
            kind: str | None = None) -> bool:
    """The search and filter of the user list: ``text`` in the name, e-mail or user number (any case)."""
    wanted = set(states) if states is not None else None
    if wanted is not None and user.state not in wanted:
        return False
    if kind and user.kind != kind:
        return False
    needle = text.strip().casefold()
    if not needle:
        return True
    digits = needle.replace(" ", "").replace("-", "")
    return (needle in user.name.casefold() or needle in user.email.casefold()
            or (digits.isdigit() and digits in user.user_number))
