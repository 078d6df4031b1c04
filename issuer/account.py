"""The holder's own account: who they are and who their contact person is (R11), their message
box (R2), and whether their certificate may use a web service (R10)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.policy import Refusal
from issuer.core import Holder, ServiceCore, contact_person_of, message_context
from issuer.db import Certificate, Message
from issuer.problems import Problem
from issuer.shaping import caller_json, me_json


class Account(ServiceCore):
    """What a holder, logged in with their certificate, may see of their own."""

    def me(self, holder: Holder) -> dict[str, Any]:
        """R11 and the holder's own facts (``/api/v1/me``, the portal)."""
        now = self.now()
        with self._sessions() as s:
            user = self._user(s, holder.user_number)
            cert = s.get(Certificate, holder.serial)
            assert cert is not None
            return me_json(user, cert, contact_person_of(user.organisation), self.durations, now)

    def messages(self, by: Holder) -> list[dict[str, Any]]:
        """R2: the caller's message box, newest first; reading marks them read."""
        now = self.now()
        with self._tx() as s:
            rows = s.scalars(
                select(Message).where(Message.user_number == by.user_number).order_by(Message.id.desc())
            ).all()
            out = []
            for m in rows:
                out.append(
                    {
                        "id": m.id,
                        "subject": m.subject,
                        "created_at": m.created_at.isoformat(),
                        "read": m.read_at is not None,
                        "body": self._seal.open(m.body_sealed, context=message_context(m.user_number)),
                    }
                )
                m.read_at = m.read_at or now
            return out

    def authorised(self, holder: Holder, service: str, *, kind: str | None = None) -> dict[str, Any]:
        """The caller's user, if it holds ``service`` (and is of ``kind``); else not-authorised."""
        with self._sessions() as s:
            user = self._user(s, holder.user_number)
            if kind and user.kind != kind:
                raise Problem(Refusal.NOT_AUTHORISED, f"this service needs a {kind} certificate")
            if service not in {a.service for a in user.authorisations}:
                raise Problem(
                    Refusal.NOT_AUTHORISED, f"this certificate has no authorisation for {service!r}"
                )
            return caller_json(user)
