"""Organisations and users: what staff do through the admin CLI (register, approve, reset a PIN,
purge) and what staff and the contact person both do (revoke, unblock, request users, grant
authorisations), R1, R2, R3, R7, R9, R10, R12."""

from __future__ import annotations

import secrets as _random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.policy import Refusal, install_deadline, is_valid_user_number, make_user_number, normalise_user_number
from issuer import letters, pins
from issuer.audit import os_user
from issuer.catalogue import DEFAULT_CATALOGUE, Catalogue
from issuer.core import Holder, contact_person_of
from issuer.db import Certificate, Organisation, User, UserRequest
from issuer.inputs import check_email, check_kind, check_service, grant, subject_field
from issuer.messagebox import MessageBox
from issuer.problems import Problem
from issuer.shaping import authorisations_json, certificate_json, org_user_json

FINAL_REASONS = ("unspecified", "key-compromise", "affiliation-changed", "cessation", "superseded")
LOST_REASON = "lost"
"""R7: Support revokes a lost certificate with this reason; the holder may then install again."""


@dataclass(frozen=True)
class NewUser:
    user_number: str
    letter: Path | None
    mail: Path | None


class Staff(MessageBox):
    """Organisations and users, for staff (``by=None``) and, where it says so, the contact person.

    Every action is written to the audit log (:mod:`issuer.audit`) in its own transaction.
    """

    catalogue: Catalogue = DEFAULT_CATALOGUE
    """R10: the services a certificate may be authorised for (issuer configuration, set by ``open_service``)."""

    # --- organisations and users (staff, through the admin CLI) ---------------------

    def add_organisation(
        self, name: str, agb: str | None = None, *, kvk: str | None = None, address: str | None = None
    ) -> int:
        """R1: register (aanmelden) an organisation; it has no agreement yet."""
        name = subject_field(name, "the organisation name", "name")
        if agb is not None:
            agb = agb.strip()
            if not (len(agb) == 8 and agb.isascii() and agb.isdigit()):
                raise Problem(Refusal.BAD_REQUEST, "an AGB code is 8 digits", field="agb")
        if kvk is not None:
            kvk = kvk.strip()
            if not (len(kvk) == 8 and kvk.isascii() and kvk.isdigit()):
                raise Problem(Refusal.BAD_REQUEST, "a KvK number is 8 digits", field="kvk")
        if address is not None:
            address = " ".join(address.split())
            if not address or len(address) > 300 or not address.isprintable():
                raise Problem(Refusal.BAD_REQUEST, "an address is one line of at most 300 characters",
                              field="address")
        with self._tx() as s:
            org = Organisation(name=name, agb=agb, kvk=kvk, address=address, created_at=self.now())
            s.add(org)
            s.flush()
            self._audit(s, "org-add", by=None, org_id=org.id, target=str(org.id), name=name)
            return org.id

    def sign_agreement(self, org_id: int) -> datetime:
        """R1: record the signed agreement; from now on certificates may be requested."""
        with self._tx() as s:
            org = s.get(Organisation, org_id)
            if org is None:
                raise Problem(Refusal.NOT_FOUND, f"no organisation {org_id}")
            org.agreement_signed_at = org.agreement_signed_at or self.now()
            self._audit(s, "org-agreement", by=None, org_id=org_id, target=str(org_id))
            return org.agreement_signed_at

    def _new_user_number(self, s: Session) -> str:
        while True:
            body = str(_random.randbelow(9 * 10**12) + 10**12)
            number = make_user_number(body)
            if s.get(User, number) is None:
                return number

    def add_user(
        self,
        *,
        org_id: int,
        kind: str,
        name: str,
        email: str,
        contact_person: bool = False,
        authorisations: tuple[str, ...] | None = None,
    ) -> NewUser:
        """R1 (paper route): staff add an approved user; R2: number by e-mail, PIN by letter."""
        check_kind(kind)
        name = subject_field(name, "the name", "name")
        email = check_email(email)
        if contact_person and kind != "personal":
            raise Problem(Refusal.BAD_REQUEST, "a contact person holds a personal certificate")
        pin = pins.new_pin()
        pin_hash = self._pins.hash(pin)  # slow: outside the transaction
        with self._tx() as s:
            org = s.get(Organisation, org_id)
            if org is None:
                raise Problem(Refusal.NOT_FOUND, f"no organisation {org_id}")
            if org.agreement_signed_at is None:
                raise Problem(Refusal.NO_AGREEMENT, f"organisation {org_id} has not signed the agreement")
            if contact_person:
                for other in org.users:
                    other.is_contact_person = False
            now = self.now()
            user = User(
                user_number=self._new_user_number(s),
                org_id=org_id,
                kind=kind,
                name=name,
                email=email,
                is_contact_person=contact_person,
                status="approved",
                requested_at=now,
                approved_at=now,
                pin_hash=pin_hash,
                failed_pin_attempts=0,
                blocked=False,
            )
            s.add(user)
            grant(user, authorisations or self.catalogue.defaults(kind), now, self.catalogue)
            s.flush()
            self._audit(s, "user-add", by=None, org_id=org_id, target=user.user_number, kind=kind, name=name,
                        contact_person=contact_person, authorisations=authorisations_json(user))
            recipient = contact_person_of(org) or user
            mail = self.outbox.mail_user_number(
                to_name=recipient.name,
                to_email=recipient.email,
                holder=user.name,
                user_number=user.user_number,
                kind=kind,
                now=now,
            )
            letter = self.outbox.post_pin_letter(
                to_name=recipient.name, holder=user.name, user_number=user.user_number, pin=pin, now=now
            )
            return NewUser(user.user_number, letter, mail)

    def approve_user(self, user_number: str) -> dict[str, Any]:
        """R1/R2 (user-management route): approve; number by e-mail, PIN to the message box."""
        pin = pins.new_pin()
        pin_hash = self._pins.hash(pin)
        with self._tx() as s:
            user = self._user(s, user_number, lock=True)
            if user.status != "pending":
                raise Problem(Refusal.BAD_REQUEST, f"user {user_number} is not waiting for approval")
            cp = contact_person_of(user.organisation)
            if cp is None:
                raise Problem(Refusal.BAD_REQUEST, "the organisation has no contact person to deliver to")
            now = self.now()
            user.status, user.approved_at, user.pin_hash = "approved", now, pin_hash
            user.failed_pin_attempts, user.blocked = 0, False  # a new PIN: guesses before it count no more
            # R2: the user number to the new user's own address, the PIN to the contact person's box
            mail = self.outbox.mail_user_number(
                to_name=user.name,
                to_email=user.email,
                holder=user.name,
                user_number=user.user_number,
                kind=user.kind,
                now=now,
            )
            subject, body = letters.pin_message(holder=user.name, pin=pin)
            message_id = self._post_message(s, cp.user_number, subject, body, now, kind="pin",
                                            about=user.user_number)
            request = self._decide_request(s, user.user_number, "approved", now)
            self._audit(s, "request-approve", by=None, org_id=user.org_id, target=user.user_number,
                        request_id=request, message_id=message_id)
            return {
                "user_number": user.user_number,
                "request_id": request,
                "mail": str(mail),
                "message_box": cp.user_number,
                "message_id": message_id,
            }

    def _decide_request(self, s: Session, user_number: str, state: str, now: datetime,
                        reason: str | None = None) -> int | None:
        """Close the waiting request for ``user_number`` (if any) as ``state``; its id."""
        row = s.scalars(
            select(UserRequest).where(UserRequest.user_number == user_number, UserRequest.state == "waiting")
        ).first()
        if row is None:
            return None
        row.state, row.decided_at, row.reason = state, now, reason
        row.decided_by = f"support:{self.operator or os_user()}"
        return row.id

    def reset_pin(self, user_number: str) -> Path:
        """R12: Support resets a lost PIN; the new PIN goes to the contact person by letter."""
        pin = pins.new_pin()
        pin_hash = self._pins.hash(pin)
        with self._tx() as s:
            user = self._user(s, user_number, lock=True)
            if user.status != "approved":
                raise Problem(Refusal.BAD_REQUEST, f"user {user_number} has no usable certificate to reset")
            user.pin_hash, user.failed_pin_attempts, user.blocked = pin_hash, 0, False
            self._audit(s, "reset-pin", by=None, org_id=user.org_id, target=user.user_number)
            recipient = contact_person_of(user.organisation) or user
            return self.outbox.post_pin_letter(
                to_name=recipient.name,
                holder=user.name,
                user_number=user.user_number,
                pin=pin,
                now=self.now(),
                reason="reset",
            )

    def unblock(self, user_number: str, *, by: Holder | None = None) -> None:
        """R12: Support unblocks anyone; a contact person only their organisation's personal users."""
        with self._tx() as s:
            user = self._user(s, user_number, lock=True)
            if by is not None:
                self._check_manages(s, by, user)
                if user.kind != "personal":
                    raise Problem(
                        Refusal.NOT_AUTHORISED,
                        "only Support can unblock the user of a system certificate; ask Support",
                        only="support",
                    )
            was_blocked = user.blocked
            user.blocked, user.failed_pin_attempts = False, 0
            self._audit(s, "unblock", by=by, org_id=user.org_id, target=user.user_number, was_blocked=was_blocked)

    def revoke(self, serial_or_user: str, reason: str, *, by: Holder | None = None) -> list[str]:
        """R9 (and R7 with reason ``lost``, Support only): revoke a user's current certificate."""
        if reason != LOST_REASON and reason not in FINAL_REASONS:
            raise Problem(
                Refusal.BAD_REQUEST,
                f"unknown reason {reason!r}; use one of {', '.join((LOST_REASON, *FINAL_REASONS))}",
            )
        if reason == LOST_REASON and by is not None:
            raise Problem(
                Refusal.NOT_AUTHORISED, "only Support revokes a lost certificate for reinstallation"
            )
        with self._tx() as s:
            key = normalise_user_number(serial_or_user)
            user = s.get(User, key) if is_valid_user_number(key) else None
            if user is None:
                cert = s.get(Certificate, serial_or_user.lower().lstrip("0") or "0")
                if cert is None:
                    raise Problem(Refusal.NOT_FOUND, f"no certificate or user {serial_or_user}")
                user = cert.user
            if by is not None:
                self._check_manages(s, by, user)
            now = self.now()
            revoked = []
            for cert in user.certificates:
                if cert.revoked_at is None and now < cert.not_after:
                    cert.revoked_at, cert.revocation_reason = now, reason
                    cert.revocation_final = reason != LOST_REASON
                    revoked.append(cert.serial)
            if not revoked:
                raise Problem(
                    Refusal.BAD_REQUEST, f"user {user.user_number} has no valid certificate to revoke"
                )
            self._audit(s, "revoke", by=by, org_id=user.org_id, target=user.user_number, reason=reason,
                        serials=revoked, final=reason != LOST_REASON)
            return revoked

    def list_certificates(self, org_id: int | None = None) -> list[dict[str, Any]]:
        """Every certificate (of one organisation), newest state computed now."""
        now = self.now()
        with self._sessions() as s:
            q = select(Certificate).join(User).order_by(Certificate.issued_at)
            if org_id is not None:
                q = q.where(User.org_id == org_id)
            return [certificate_json(c, self.durations, now) for c in s.scalars(q)]

    def purge(self) -> list[str]:
        """R3: delete approved certificates not installed within the install window."""
        now = self.now()
        purged = []
        with self._tx() as s:
            for user in s.scalars(select(User).where(User.status == "approved")):
                if user.certificates or user.approved_at is None:
                    continue
                if now >= install_deadline(user.approved_at, self.durations):
                    # the (peppered) hash stays: the PIN installs nothing any more, but its holder
                    # is told why, and only the holder (docs/issuer.md, "Enumeration")
                    user.status = "purged"
                    purged.append(user.user_number)
            self._drop_expired(s, now)  # PIN messages whose time is up ([messages] pin_message_lifetime)
        return purged

    # --- user management (R1, R9, R10, R12 for the contact person) --------------------

    def _check_manages(self, s: Session, by: Holder, user: User | None = None) -> User:
        """The caller must be the contact person of ``user``'s organisation, with a personal certificate."""
        me = self._user(s, by.user_number)
        if not me.is_contact_person or me.kind != "personal":
            raise Problem(Refusal.NOT_AUTHORISED, "only the organisation's contact person can do this")
        if user is not None and user.org_id != me.org_id:
            raise Problem(Refusal.NOT_FOUND, "no such user in your organisation")
        return me

    def org_users(self, by: Holder) -> list[dict[str, Any]]:
        """The contact person's view of the organisation's users."""
        now = self.now()
        with self._sessions() as s:
            me = self._check_manages(s, by)
            return [org_user_json(u, self.durations, now)  # a rejected request is told by message, not listed
                    for u in sorted(me.organisation.users, key=lambda u: u.requested_at) if u.status != "rejected"]

    def request_user(
        self, by: Holder, *, kind: str, name: str, email: str, authorisations: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        """R1 (user-management route): the contact person requests a user, pending approval."""
        check_kind(kind)
        name = subject_field(name, "the name", "name")
        email = check_email(email)
        with self._tx() as s:
            me = self._check_manages(s, by)
            if me.organisation.agreement_signed_at is None:
                raise Problem(Refusal.NO_AGREEMENT, "your organisation has not signed the agreement")
            now = self.now()
            user = User(
                user_number=self._new_user_number(s),
                org_id=me.org_id,
                kind=kind,
                name=name,
                email=email,
                is_contact_person=False,
                status="pending",
                requested_at=now,
                failed_pin_attempts=0,
                blocked=False,
            )
            s.add(user)
            grant(user, authorisations or self.catalogue.defaults(kind), now, self.catalogue)
            request = UserRequest(user_number=user.user_number, requested_by=me.user_number, requested_at=now,
                                  state="waiting")
            s.add(request)
            s.flush()
            self._audit(s, "request-user", by=by, org_id=me.org_id, target=user.user_number,
                        request_id=request.id, kind=kind, name=name, authorisations=authorisations_json(user))
            return {"request_id": request.id, "user_number": user.user_number, "status": "pending"}

    def set_authorisation(self, by: Holder, user_number: str, service: str, granted: bool) -> list[str]:
        """R10: grant or revoke one authorisation on a user's certificates."""
        with self._tx() as s:
            user = self._user(s, normalise_user_number(user_number), lock=True)
            self._check_manages(s, by, user)
            have = {a.service: a for a in user.authorisations}
            if granted or service not in have:  # one held but gone from the catalogue can still be revoked
                check_service(service, self.catalogue)
            changed = granted != (service in have)
            if granted and service not in have:
                grant(user, (service,), self.now(), self.catalogue)
            elif not granted and service in have:
                user.authorisations.remove(have[service])
            s.flush()
            self._audit(s, "authorise" if granted else "deauthorise", by=by, org_id=user.org_id,
                        target=user.user_number, service=service, changed=changed)
            return authorisations_json(user)
