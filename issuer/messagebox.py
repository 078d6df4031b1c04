"""R2: the message box (Berichtenbox): list, open (marks read), delete; PIN messages deleted by the
issuer after ``[messages] pin_message_lifetime``. Bodies are sealed at rest; a PIN shows only when a
message is opened, never in a list or a log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.policy import Refusal, Span
from issuer import letters
from issuer.audit import Audit
from issuer.core import Holder, message_context
from issuer.db import Message, User
from issuer.problems import Problem


class MessageBox(Audit):
    """The holder's message box; messages are posted by the issuer's other use cases."""

    pin_message_lifetime: Span = timedelta(days=14)
    """How long a PIN message stays (issuer configuration, set by ``open_service``)."""

    def _post_message(
        self, s: Session, to: str, subject: str, body: str, now: datetime, *, kind: str = "notice",
        about: str | None = None,
    ) -> int:
        m = Message(
            user_number=to,
            subject=subject,
            created_at=now,
            body_sealed=self._seal.seal(body, context=message_context(to)),
            kind=kind,
            about_user=about,
            delete_at=now + self.pin_message_lifetime if kind == "pin" else None,
        )
        s.add(m)
        s.flush()
        return m.id

    def _drop_expired(self, s: Session, now: datetime, user_number: str | None = None) -> int:
        q = delete(Message).where(Message.delete_at.is_not(None), Message.delete_at <= now)
        if user_number is not None:
            q = q.where(Message.user_number == user_number)
        return int(s.execute(q).rowcount or 0)  # type: ignore[attr-defined]

    def expire_messages(self) -> int:
        """Delete every PIN message whose time is up (also done on every visit to a message box)."""
        with self._tx() as s:
            return self._drop_expired(s, self.now())

    def _json(self, m: Message, *, opened: bool) -> dict[str, Any]:
        body = self._seal.open(m.body_sealed, context=message_context(m.user_number))
        out: dict[str, Any] = {
            "id": m.id,
            "subject": m.subject,
            "created_at": m.created_at.isoformat(),
            "read": m.read_at is not None,
            "unread": m.read_at is None,
            "kind": m.kind,
            "about_user": m.about_user,
            "delete_at": m.delete_at.isoformat() if m.delete_at else None,
            "body": body if opened or m.kind != "pin" else letters.without_pin(body),
        }
        if opened and m.kind == "pin":
            out["pin"] = letters.pin_in_message(body)
        return out

    def messages(self, by: Holder) -> list[dict[str, Any]]:
        """R2: the caller's message box, newest first; a PIN hidden until the message is opened.

        Listing marks nothing read (the unread count stays true); expired PIN messages go first.
        """
        now = self.now()
        with self._sessions() as s:  # a read: polling for the unread count never queues behind writes
            rows = s.scalars(
                select(Message).where(Message.user_number == by.user_number).order_by(Message.id.desc())
            ).all()
            expired = any(m.delete_at is not None and m.delete_at <= now for m in rows)
            listed = [self._json(m, opened=False) for m in rows if m.delete_at is None or m.delete_at > now]
        if expired:
            with self._tx() as s:
                self._drop_expired(s, now, by.user_number)
        return listed

    def _own(self, s: Session, by: Holder, message_id: int) -> Message:
        m = s.get(Message, message_id)
        if m is None or m.user_number != by.user_number:  # someone else's: as absent, never "forbidden"
            raise Problem(Refusal.NOT_FOUND, f"no message {message_id} in your message box")
        return m

    def message(self, by: Holder, message_id: int) -> dict[str, Any]:
        """One message, opened: the whole body (and ``pin`` for a PIN message); marks it read."""
        now = self.now()
        with self._tx() as s:
            self._drop_expired(s, now, by.user_number)
            m = self._own(s, by, message_id)
            if m.read_at is None:
                m.read_at = now
            if m.kind == "pin":
                user = s.get(User, by.user_number)
                self._audit(s, "message-open", by=by, org_id=user.org_id if user else None,
                            target=str(m.id), kind=m.kind, about_user=m.about_user)
            return self._json(m, opened=True)

    def delete_message(self, by: Holder, message_id: int) -> None:
        """Delete one of the caller's messages for good."""
        now = self.now()
        with self._tx() as s:
            self._drop_expired(s, now, by.user_number)
            m = self._own(s, by, message_id)
            user = s.get(User, by.user_number)
            self._audit(s, "message-delete", by=by, org_id=user.org_id if user else None,
                        target=str(m.id), kind=m.kind, about_user=m.about_user)
            s.delete(m)
