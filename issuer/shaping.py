"""The issuer's answers as JSON: certificates, users and holders as the API and the admin CLI show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.policy import CertState, Durations, certificate_state, renewal_opens_at
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


def org_user_json(u: User, durations: Durations, now: datetime) -> dict[str, Any]:
    """One user in the contact person's view of the organisation (user management)."""
    cur = u.current_certificate
    return {
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
