"""The issuer's answers as JSON: certificates, users and holders as the API and the admin CLI show them."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from app.policy import CertState, Durations, certificate_state, install_deadline, renewal_opens_at
from issuer.db import Certificate, User


def certificate_json(c: Certificate, durations: Durations, now: datetime) -> dict[str, Any]:
    """One certificate with its state ``now`` (and, once revoked, when and why)."""
    state = certificate_state(not_after=c.not_after, revoked=c.revoked_at is not None, durations=durations, now=now)
    out: dict[str, Any] = {
        "serial": c.serial,
        "user_number": c.user_number,
        "subject": c.subject,
        "how": c.how,
        "not_before": c.not_before.isoformat(),
        "not_after": c.not_after.isoformat(),
        "renewal_opens": renewal_opens_at(c.not_after, durations).isoformat(),
        "state": state.value,
    }
    if state is CertState.REVOKED:
        out["revoked_at"] = c.revoked_at.isoformat() if c.revoked_at else None
        out["revocation_reason"] = c.revocation_reason
    return out


def authorisations_json(user: User) -> list[str]:
    """The services a user's certificates may use (R10), sorted."""
    return sorted(a.service for a in user.authorisations)


USER_STATES = ("requested", "approved", "installed", "renewal-open", "expired", "blocked", "revoked", "purged")
"""What user management shows of a user (``state`` in ``GET /api/v1/org/users``), see docs/issuer.md."""


def user_state(u: User, durations: Durations, now: datetime) -> str:
    """One of :data:`USER_STATES`: the request, the PIN block, else the current certificate decides."""
    if u.status == "pending":
        return "requested"
    if u.status == "purged":
        return "purged"
    cur = u.current_certificate
    if cur is not None and cur.revoked_at is not None and cur.revocation_final:
        return "revoked"
    if u.blocked:
        return "blocked"
    if cur is None or cur.revoked_at is not None:  # never installed, or revoked as lost (R7): install again
        return "approved"
    state = certificate_state(not_after=cur.not_after, revoked=False, durations=durations, now=now)
    return {CertState.VALID: "installed", CertState.RENEWAL_OPEN: "renewal-open"}.get(state, "expired")


def org_user_json(u: User, durations: Durations, now: datetime) -> dict[str, Any]:
    """One user in the contact person's view of the organisation (user management)."""
    cur = u.current_certificate
    state = user_state(u, durations, now)
    deadline = None
    if u.status == "approved" and not u.certificates and u.approved_at is not None:
        deadline = install_deadline(u.approved_at, durations)
    waiting = [r for r in u.requests if r.state == "waiting"]
    return {
        "state": state,
        "install_deadline": deadline.isoformat() if deadline else None,
        "install_days_left": (
            max(0, math.ceil((deadline - now).total_seconds() / 86400)) if deadline else None
        ),
        "request_id": waiting[0].id if waiting else None,
        "requested_at": u.requested_at.isoformat(),
        "approved_at": u.approved_at.isoformat() if u.approved_at else None,
        "failed_pin_attempts": u.failed_pin_attempts,
        "user_number": u.user_number,
        "name": u.name,
        "kind": u.kind,
        "email": u.email,
        "status": u.status,
        "blocked": u.blocked,
        "is_contact_person": u.is_contact_person,
        "authorisations": authorisations_json(u),
        "certificate": certificate_json(cur, durations, now) if cur else None,
    }


def me_json(user: User, cert: Certificate, contact: User | None, durations: Durations,
            now: datetime) -> dict[str, Any]:
    """R11 and the holder's own facts (``/api/v1/me``, the portal)."""
    return {
        "user_number": user.user_number,
        "name": user.name,
        "kind": user.kind,
        "organisation": {
            "id": user.org_id,
            "name": user.organisation.name,
            "agb": user.organisation.agb,
            "kvk": user.organisation.kvk,
            "address": user.organisation.address,
        },
        "certificate": certificate_json(cert, durations, now),
        "authorisations": authorisations_json(user),
        "is_contact_person": user.is_contact_person,
        "contact_person": (
            {"name": contact.name, "email": contact.email, "user_number": contact.user_number} if contact else None
        ),
    }


def caller_json(user: User) -> dict[str, Any]:
    """Who called an authorised web service (``cov/check``)."""
    return {
        "user_number": user.user_number,
        "organisation": user.organisation.name,
        "agb": user.organisation.agb,
    }
