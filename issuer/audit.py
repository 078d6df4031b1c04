"""The audit log: every contact-person and Support action, who, what, when and with which certificate.

Written in the same transaction as the action it records, so an action and its entry stand or
fall together. Details are plain facts (names, services, reasons); a PIN never enters it.
Read with ``zorgcert-issuer audit --data DIR --json``.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.core import Holder, ServiceCore
from issuer.db import AuditEntry, Certificate, User


def os_user() -> str:
    """The operating-system user running a Support command (``unknown`` when the system cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class Audit(ServiceCore):
    """Recording and reading the audit log."""

    operator: str | None = None
    """Who Support is in the audit log; ``None``: the OS user running the command."""

    def _audit(
        self,
        s: Session,
        action: str,
        *,
        by: Holder | None,
        org_id: int | None,
        target: str | None = None,
        **details: Any,
    ) -> None:
        """Add one entry to the log inside the caller's transaction ``s``."""
        if by is None:
            role, actor, serial, sha = "support", f"support:{self.operator or os_user()}", None, None
        else:
            caller = s.get(User, by.user_number)
            role = "contact-person" if caller is not None and caller.is_contact_person else "holder"
            cert = s.get(Certificate, by.serial)
            actor, serial = by.user_number, by.serial
            sha = hashlib.sha256(cert.der).hexdigest() if cert is not None else None
        s.add(
            AuditEntry(
                at=self.now(),
                actor_role=role,
                actor=actor,
                cert_serial=serial,
                cert_sha256=sha,
                org_id=org_id,
                action=action,
                target=target,
                details=json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
            )
        )

    def audit_log(self, *, org_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The log, oldest first (the newest ``limit`` entries when given)."""
        with self._sessions() as s:
            q = select(AuditEntry).order_by(AuditEntry.id.desc())
            if org_id is not None:
                q = q.where(AuditEntry.org_id == org_id)
            if limit is not None:
                q = q.limit(limit)
            rows = list(s.scalars(q))
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor_role": e.actor_role,
                "actor": e.actor,
                "certificate": {"serial": e.cert_serial, "sha256": e.cert_sha256} if e.cert_serial else None,
                "org_id": e.org_id,
                "action": e.action,
                "target": e.target,
                "details": json.loads(e.details) if e.details else {},
            }
            for e in reversed(rows)
        ]
