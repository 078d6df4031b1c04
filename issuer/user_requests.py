"""R1 (user-management route): the contact person's requests for new users wait for Support.

``zorgcert-issuer request list|approve|reject``: approve sends the user number by e-mail and the
PIN to the contact person's message box (R2, :meth:`issuer.staff.Staff.approve_user`); reject marks
the user rejected and tells the contact person in the message box.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.policy import Refusal
from issuer import letters
from issuer.core import contact_person_of
from issuer.db import UserRequest
from issuer.problems import Problem
from issuer.shaping import authorisations_json
from issuer.staff import Staff

REQUEST_STATES = ("waiting", "approved", "rejected")
MAX_REASON = 500


def request_json(r: UserRequest) -> dict[str, Any]:
    u = r.user
    return {
        "request_id": r.id,
        "state": r.state,
        "user_number": u.user_number,
        "kind": u.kind,
        "name": u.name,
        "email": u.email,
        "authorisations": authorisations_json(u),
        "org_id": u.org_id,
        "organisation": u.organisation.name,
        "requested_by": r.requested_by,
        "requested_at": r.requested_at.isoformat(),
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "decided_by": r.decided_by,
        "reason": r.reason,
    }


class UserRequests(Staff):
    """Support's queue of user requests."""

    def list_requests(self, state: str | None = "waiting") -> list[dict[str, Any]]:
        """The requests in ``state`` (``None``: all), oldest first."""
        if state is not None and state not in REQUEST_STATES:
            raise Problem(Refusal.BAD_REQUEST, f"state must be one of {', '.join(REQUEST_STATES)}")
        with self._sessions() as s:
            q = select(UserRequest).order_by(UserRequest.id)
            if state is not None:
                q = q.where(UserRequest.state == state)
            return [request_json(r) for r in s.scalars(q)]

    def _request(self, request_id: int) -> UserRequest:
        with self._sessions() as s:
            row = s.get(UserRequest, request_id)
            if row is None:
                raise Problem(Refusal.NOT_FOUND, f"no request {request_id}; see 'zorgcert-issuer request list'")
            if row.state != "waiting":
                raise Problem(Refusal.BAD_REQUEST, f"request {request_id} was already {row.state}")
            return row

    def approve_request(self, request_id: int) -> dict[str, Any]:
        """Support approves: user number by e-mail, PIN to the contact person's message box (R2)."""
        return self.approve_user(self._request(request_id).user_number)

    def reject_request(self, request_id: int, reason: str | None = None) -> dict[str, Any]:
        """Support rejects: the user is never issued; the contact person gets a message saying so."""
        if reason is not None:
            reason = " ".join(reason.split())
            if len(reason) > MAX_REASON or not reason.isprintable():
                raise Problem(Refusal.BAD_REQUEST, f"the reason is one line of at most {MAX_REASON} characters")
            reason = reason or None
        user_number = self._request(request_id).user_number
        with self._tx() as s:
            user = self._user(s, user_number, lock=True)
            now = self.now()
            decided = self._decide_request(s, user_number, "rejected", now, reason)
            if decided is None or user.status != "pending":
                raise Problem(Refusal.BAD_REQUEST, f"request {request_id} is no longer waiting")
            user.status = "rejected"
            user.authorisations.clear()
            cp = contact_person_of(user.organisation)
            message_id = None
            if cp is not None:
                subject, body = letters.request_rejected_message(holder=user.name, kind=user.kind, reason=reason)
                message_id = self._post_message(s, cp.user_number, subject, body, now, kind="request-rejected",
                                                about=user.user_number)
            self._audit(s, "request-reject", by=None, org_id=user.org_id, target=user.user_number,
                        request_id=request_id, reason=reason)
            return {"request_id": request_id, "user_number": user_number, "state": "rejected",
                    "message_id": message_id}
