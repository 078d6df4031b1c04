"""Manual enrollment approval (``enroll_approval = "manual"``): 202 Accepted until staff approve (RFC 7030 §4.2.3).

An enrollment with the right user number and PIN that the rules allow is recorded (user, key
hash) and answered "accepted, ask again after ``approval_retry_after`` seconds"; staff approve it
with ``zorgcert-issuer user approve USER_NUMBER``; the client's repeat of the same request (same
key, same user number and PIN) then gets the certificate. Nothing is consumed while it waits:
the PIN, the wrong-PIN count and the install window work exactly as without approval.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography import x509
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.policy import Refusal
from issuer.audit import Audit
from issuer.ca import public_key_fingerprint
from issuer.db import EnrollmentRequest, User
from issuer.problems import Problem
from issuer.shaping import certificate_json


class EnrollmentPending(Exception):
    """The enrollment was accepted and waits for staff approval; ask again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"waiting for approval; ask again after {retry_after} seconds")
        self.retry_after = retry_after


class Approval(Audit):
    """Enrollments waiting for staff: recorded on the first request, approved by staff, issued on the repeat."""

    def _waiting_for_approval(
        self, s: Session, user: User, csr: x509.CertificateSigningRequest, now: datetime
    ) -> EnrollmentPending | None:
        """None when this enrollment may be issued now; else why it waits (recorded in ``s``).

        Called after the right PIN and after the lifecycle rules allowed the enrollment. An
        approval is for one key: a request with another key replaces the waiting one and
        needs a new approval. The row is removed when the certificate is issued.
        """
        row = s.get(EnrollmentRequest, user.user_number)
        if self.enroll_approval != "manual":
            if row is not None:  # left from a time the issuer approved by hand: no approval in reserve
                s.delete(row)
            return None
        key = public_key_fingerprint(csr.public_key())
        if row is not None and row.key_sha256 == key and row.approved_at is not None:
            s.delete(row)
            return None
        if row is None:
            s.add(EnrollmentRequest(user_number=user.user_number, key_sha256=key, requested_at=now))
        elif row.key_sha256 != key:
            row.key_sha256, row.requested_at, row.approved_at = key, now, None
        return EnrollmentPending(self.approval_retry_after)

    def enrollment_waiting(self, user_number: str) -> bool:
        """Whether this user number has an enrollment recorded for approval (approved or not)."""
        with self._sessions() as s:
            return s.get(EnrollmentRequest, user_number) is not None

    def approve_enrollment(self, user_number: str) -> dict[str, Any]:
        """Staff approve the waiting enrollment of ``user_number``; the client's next request gets the certificate."""
        with self._tx() as s:
            user = self._user(s, user_number, lock=True)
            row = s.get(EnrollmentRequest, user.user_number)
            if row is None:
                raise Problem(Refusal.BAD_REQUEST, f"user {user_number} has no enrollment waiting for approval")
            if user.status == "purged":
                s.execute(delete(EnrollmentRequest).where(EnrollmentRequest.user_number == user.user_number))
                raise Problem(
                    Refusal.INSTALL_WINDOW_EXPIRED,
                    "the certificate was not installed in time and has been deleted; nothing to approve",
                )
            row.approved_at = row.approved_at or self.now()
            self._audit(s, "enrollment-approve", by=None, org_id=user.org_id, target=user.user_number,
                        key_sha256=row.key_sha256)
            return _request_json(row)

    def user_overview(self, user_number: str) -> dict[str, Any]:
        """What staff see of one user number (``user show``): state, certificate, waiting enrollment."""
        now = self.now()
        with self._sessions() as s:
            user = self._user(s, user_number)
            cur = user.current_certificate
            row = s.get(EnrollmentRequest, user.user_number)
            return {
                "user_number": user.user_number,
                "kind": user.kind,
                "organisation": user.organisation.name,
                "status": user.status,
                "blocked": user.blocked,
                "failed_pin_attempts": user.failed_pin_attempts,
                "certificate": None if cur is None else certificate_json(cur, self.durations, now),
                "enrollment": None if row is None else _request_json(row),
            }


def _request_json(row: EnrollmentRequest) -> dict[str, Any]:
    return {
        "user_number": row.user_number,
        "state": "approved" if row.approved_at else "waiting-for-approval",
        "key_sha256": row.key_sha256,
        "requested_at": row.requested_at.isoformat(),
        "approved_at": row.approved_at.isoformat() if row.approved_at else None,
    }
