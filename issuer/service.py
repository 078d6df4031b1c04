"""The issuer's use cases: R1-R13 enforced over the database, the CA and the outbox.

Every method is synchronous and short; the web layer runs them in worker threads.
Slow PIN hashing happens outside database transactions; every state change happens
inside one write transaction that re-reads what it decides on.
"""

from __future__ import annotations

import re
import secrets as _random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import idna
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from app.clock import Clock
from app.policy import (
    CertState,
    Durations,
    HolderFacts,
    Refusal,
    certificate_state,
    install_deadline,
    is_valid_user_number,
    make_user_number,
    normalise_user_number,
    pin_attempts_left,
    pin_enrollment,
    renewal,
    renewal_opens_at,
    valid_until,
    whole_seconds,
)
from issuer import pins
from issuer.ca import (
    CertificateAuthority,
    CsrRejected,
    client_subject,
    load_csr,
    public_key_fingerprint,
    subject_text,
)
from issuer.db import THROTTLE_SLOTS, Authorisation, Certificate, Message, Organisation, PinThrottle, User
from issuer.outbox import Outbox
from issuer.problems import Problem

SERVICES = ("portal", "cov", "declaratie")
"""R10: what a certificate may be authorised for: the website, insurance checks, claims."""

DEFAULT_AUTHORISATIONS = {"personal": ("portal",), "system": ("cov",)}

FINAL_REASONS = ("unspecified", "key-compromise", "affiliation-changed", "cessation", "superseded")
LOST_REASON = "lost"
"""R7: Support revokes a lost certificate with this reason; the holder may then install again."""


@dataclass(frozen=True)
class Holder:
    """Who is calling, proven by a TLS client certificate."""

    user_number: str
    serial: str


@dataclass(frozen=True)
class NewUser:
    user_number: str
    letter: Path | None
    mail: Path | None


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


class IssuerService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        ca: CertificateAuthority,
        durations: Durations,
        outbox: Outbox,
        seal: pins.MessageSeal,
        clock: Clock,
        write_sessions: sessionmaker[Session] | None = None,
        *,
        pin_hasher: pins.PinHasher,
    ):
        self._sessions = sessions  # reads
        self._write_sessions = write_sessions or sessions
        self.ca = ca
        self.durations = durations
        self.outbox = outbox
        self._seal = seal
        self._clock = clock
        self._pins = pin_hasher

    def now(self) -> datetime:
        return whole_seconds(self._clock.now())

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """One write transaction (serialised, see ``issuer.db``)."""
        with self._write_sessions() as s, s.begin():
            yield s

    def _user(self, s: Session, user_number: str, *, lock: bool = False) -> User:
        q = select(User).where(User.user_number == user_number)
        if lock:
            q = q.with_for_update()
        user = s.scalars(q).first()
        if user is None:
            raise Problem(Refusal.NOT_FOUND, f"no user with user number {user_number}")
        return user

    # --- organisations and users (staff, through the admin CLI) ---------------------

    def add_organisation(self, name: str, agb: str | None = None) -> int:
        """R1: register (aanmelden) an organisation; it has no agreement yet."""
        name = _subject_field(name, "the organisation name", "name")
        if agb is not None:
            agb = agb.strip()
            if not (len(agb) == 8 and agb.isascii() and agb.isdigit()):
                raise Problem(Refusal.BAD_REQUEST, "an AGB code is 8 digits", field="agb")
        with self._tx() as s:
            org = Organisation(name=name, agb=agb, created_at=self.now())
            s.add(org)
            s.flush()
            return org.id

    def sign_agreement(self, org_id: int) -> datetime:
        """R1: record the signed agreement; from now on certificates may be requested."""
        with self._tx() as s:
            org = s.get(Organisation, org_id)
            if org is None:
                raise Problem(Refusal.NOT_FOUND, f"no organisation {org_id}")
            org.agreement_signed_at = org.agreement_signed_at or self.now()
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
        _check_kind(kind)
        name = _subject_field(name, "the name", "name")
        email = _check_email(email)
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
            _grant(user, authorisations or DEFAULT_AUTHORISATIONS[kind], now)
            s.flush()
            recipient = _contact_person(org) or user
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
            cp = _contact_person(user.organisation)
            if cp is None:
                raise Problem(Refusal.BAD_REQUEST, "the organisation has no contact person to deliver to")
            now = self.now()
            user.status, user.approved_at, user.pin_hash = "approved", now, pin_hash
            user.failed_pin_attempts, user.blocked = 0, False  # a new PIN: guesses before it count no more
            mail = self.outbox.mail_user_number(
                to_name=cp.name,
                to_email=cp.email,
                holder=user.name,
                user_number=user.user_number,
                kind=user.kind,
                now=now,
            )
            message_id = self._post_message(
                s,
                cp.user_number,
                f"Pincode voor het certificaat van {user.name}",
                f"De pincode voor het certificaat van {user.name} is: {pin}\n"
                "Het gebruikersnummer is per e-mail verstuurd. Geef de pincode alleen aan de gebruiker zelf.",
                now,
            )
            return {
                "user_number": user.user_number,
                "mail": str(mail),
                "message_box": cp.user_number,
                "message_id": message_id,
            }

    def reset_pin(self, user_number: str) -> Path:
        """R12: Support resets a lost PIN; the new PIN goes to the contact person by letter."""
        pin = pins.new_pin()
        pin_hash = self._pins.hash(pin)
        with self._tx() as s:
            user = self._user(s, user_number, lock=True)
            if user.status != "approved":
                raise Problem(Refusal.BAD_REQUEST, f"user {user_number} has no usable certificate to reset")
            user.pin_hash, user.failed_pin_attempts, user.blocked = pin_hash, 0, False
            recipient = _contact_person(user.organisation) or user
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
                        Refusal.NOT_AUTHORISED, "only Support can unblock the user of a system certificate"
                    )
            user.blocked, user.failed_pin_attempts = False, 0

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
            return revoked

    def list_certificates(self, org_id: int | None = None) -> list[dict[str, Any]]:
        """Every certificate (of one organisation), newest state computed now."""
        now = self.now()
        with self._sessions() as s:
            q = select(Certificate).join(User).order_by(Certificate.issued_at)
            if org_id is not None:
                q = q.where(User.org_id == org_id)
            return [self._cert_json(c, now) for c in s.scalars(q)]

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
        return purged

    # --- EST ------------------------------------------------------------------------

    def enroll_with_pin(self, user_number: str, pin: str, csr_der: bytes) -> x509.Certificate:
        """R4 first install and R6 reinstall after expiry, authenticated by user number + PIN.

        Until the PIN is verified every user number answers alike (docs/issuer.md,
        "Enumeration"): the same hash work, and a wrong-PIN count for unknown numbers too;
        pending, purged and blocked are told only after the right PIN, and a blocked
        number answers as any number whose count is used up, whatever PIN it is sent.
        """
        user_number = normalise_user_number(user_number)
        csr = _load_csr(csr_der)
        # anything but 14 digits with a check digit is no one's number: not looked up (no odd
        # bytes reach the database), but counted and answered like any other unknown number
        well_formed = is_valid_user_number(user_number)
        with self._sessions() as s:
            user = s.get(User, user_number) if well_formed else None
            stored_hash = user.pin_hash if user else None
        matched = self._pins.verify(pin, stored_hash)  # slow, the same for every number: outside any transaction
        with self._tx() as s:
            q = select(User).where(User.user_number == user_number).with_for_update()
            user = s.scalars(q).first() if well_formed else None
            now = self.now()
            if user is None:
                refusal = self._count_unknown(s, user_number)
            elif user.blocked:
                refusal = _blocked()  # no count, no reset, no hint whether this PIN was the right one
            elif not matched or user.pin_hash != stored_hash:
                refusal = self._count_wrong_pin(user)
            else:
                user.failed_pin_attempts = 0
                outcome = self._after_right_pin(s, user, csr, now)
                if isinstance(outcome, x509.Certificate):
                    return outcome
                refusal = outcome
        raise refusal  # after the commit, so a wrong PIN is counted and a right one resets the count

    def _after_right_pin(
        self, s: Session, user: User, csr: x509.CertificateSigningRequest, now: datetime
    ) -> x509.Certificate | Problem:
        """What the holder of the right PIN gets: a certificate, or why not."""
        if user.status == "purged":
            return self._refusal(Refusal.INSTALL_WINDOW_EXPIRED, user)
        decision = pin_enrollment(self._facts(user), self.durations, now)
        if not decision.allowed:
            assert decision.refusal is not None
            return self._refusal(decision.refusal, user)
        assert decision.action is not None
        try:
            subject = client_subject(
                name=user.name,
                organisation=user.organisation.name,
                user_number=user.user_number,
                kind=user.kind,
            )
        except ValueError as exc:  # a name stored before names were checked at creation
            return Problem(
                Refusal.BAD_REQUEST,
                f"the name registered for this user number cannot go in a certificate ({exc}); "
                "ask Support to correct it",
            )
        return self._issue(s, user, csr, subject, decision.action, now)

    def _count_wrong_pin(self, user: User) -> Problem:
        """R12: count a wrong PIN, block at the limit; the refusal to raise after commit."""
        user.failed_pin_attempts += 1
        left = pin_attempts_left(user.failed_pin_attempts, self.durations)
        if left == 0:
            user.blocked = True
            return _blocked()
        return Problem(Refusal.PIN_INVALID, "user number or PIN is wrong", attempts_left=left)

    def _count_unknown(self, s: Session, user_number: str) -> Problem:
        """A wrong PIN for a number without a user: counted in its throttle slot, answered alike."""
        slot, tag = self._pins.throttle_slot(user_number, THROTTLE_SLOTS)
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(PinThrottle).values(slot=slot, tag=tag, failures=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[PinThrottle.slot],
            # another number in this slot: it starts again from one
            set_={"failures": case((PinThrottle.tag == tag, PinThrottle.failures + 1), else_=1), "tag": tag},
        ).returning(PinThrottle.failures)
        failures = s.execute(stmt).scalar_one()
        left = pin_attempts_left(failures, self.durations)
        if left == 0:
            return _blocked()
        return Problem(Refusal.PIN_INVALID, "user number or PIN is wrong", attempts_left=left)

    def upgrade_pin_hashes(self) -> int:
        """Re-key PIN hashes made before the pepper (``pins.LEGACY``) with it; how many.

        Needs no PIN, so every stored hash is useless without the pepper from the first start on.
        """
        count = 0
        with self._tx() as s:
            for user in s.scalars(select(User).where(User.pin_hash.like(f"{pins.LEGACY}$%"))):
                wrapped = self._pins.wrap_legacy(user.pin_hash or "")
                if wrapped:
                    user.pin_hash = wrapped
                    count += 1
        return count

    def renew(self, holder_cert_der: bytes, csr_der: bytes) -> x509.Certificate:
        """R5: renewal authenticated by the current certificate (TLS client authentication)."""
        csr = _load_csr(csr_der)
        with self._tx() as s:
            holder = self._holder(s, holder_cert_der)
            user = self._user(s, holder.user_number, lock=True)
            cert = s.get(Certificate, holder.serial)
            assert cert is not None
            now = self.now()
            decision = renewal(
                not_after=cert.not_after,
                revoked=cert.revoked_at is not None,
                is_current=user.current_certificate is cert,
                durations=self.durations,
                now=now,
            )
            if not decision.allowed:
                assert decision.refusal is not None
                if decision.refusal is Refusal.RENEWAL_NOT_OPEN:
                    assert decision.opens_at is not None
                    raise Problem(
                        Refusal.RENEWAL_NOT_OPEN,
                        f"renewal opens at {decision.opens_at.isoformat()}",
                        opens_at=decision.opens_at.isoformat(),
                    )
                raise self._refusal(decision.refusal, user)
            old_subject = x509.load_der_x509_certificate(cert.der).subject
            if csr.subject != old_subject:
                raise Problem(
                    Refusal.BAD_REQUEST, "a renewal request must keep the subject of the current certificate"
                )
            return self._issue(s, user, csr, old_subject, "renew", now)

    def _issue(
        self,
        s: Session,
        user: User,
        csr: x509.CertificateSigningRequest,
        subject: x509.Name,
        how: str,
        now: datetime,
    ) -> x509.Certificate:
        cert = self.ca.issue_client_certificate(
            csr,
            subject=subject,
            serial=x509.random_serial_number(),
            not_before=now,
            not_after=valid_until(now, self.durations),
            email=user.email if user.kind == "personal" else None,
        )
        s.add(
            Certificate(
                serial=serial_hex(cert),
                user_number=user.user_number,
                how=how,
                issued_at=now,
                not_before=cert.not_valid_before_utc,
                not_after=cert.not_valid_after_utc,
                subject=cert.subject.rfc4514_string(),
                key_sha256=public_key_fingerprint(cert.public_key()),
                der=cert.public_bytes(Encoding.DER),
                revocation_final=True,
            )
        )
        return cert

    def _facts(self, user: User) -> HolderFacts:
        cur = user.current_certificate
        return HolderFacts(
            approved_at=user.approved_at if user.status == "approved" else None,
            blocked=user.blocked,
            ever_installed=cur is not None,
            current_not_after=cur.not_after if cur else None,
            current_revoked=bool(cur and cur.revoked_at),
            revocation_final=bool(cur and cur.revocation_final),
        )

    def _refusal(self, code: Refusal, user: User) -> Problem:
        """A refusal with its explanation and the facts the client needs to explain it."""
        if code is Refusal.STILL_VALID:
            cur = user.current_certificate
            assert cur is not None
            return Problem(
                code,
                "the certificate of this user number is still valid; restore your backup "
                "or ask Support to revoke the lost certificate",
                valid_until=cur.not_after.isoformat(),
            )
        if code is Refusal.INSTALL_WINDOW_EXPIRED:
            assert user.approved_at is not None
            return Problem(
                code,
                "the certificate was not installed in time and has been deleted; the contact "
                "person must request a new one",
                deadline=install_deadline(user.approved_at, self.durations).isoformat(),
            )
        if code is Refusal.USER_BLOCKED:
            return _blocked()
        if code is Refusal.REVOKED:
            return Problem(code, "this certificate was revoked and cannot be renewed or reinstalled")
        if code is Refusal.NOT_APPROVED:
            return Problem(code, "this user is waiting for the issuer's approval")
        if code is Refusal.CERTIFICATE_EXPIRED:
            return Problem(code, "the certificate has expired; reinstall it with the user number and PIN")
        if code is Refusal.NOT_AUTHORISED:
            return Problem(code, "this certificate has been replaced by a newer one")
        return Problem(code, code.value)

    def certificate_for_key(self, key_sha256: str) -> bytes:
        """The newest certificate issued for a public key (certificates are public).

        Lets a client that crashed between the issuer's answer and saving it pick up
        the certificate it was issued, instead of being locked out by R7.
        """
        key_sha256 = key_sha256.lower()
        if len(key_sha256) != 64 or any(c not in "0123456789abcdef" for c in key_sha256):
            raise Problem(Refusal.BAD_REQUEST, "give the SHA-256 of the SubjectPublicKeyInfo in hex")
        with self._sessions() as s:
            row = s.scalars(
                select(Certificate)
                .where(Certificate.key_sha256 == key_sha256)
                .order_by(Certificate.issued_at.desc())
            ).first()
            if row is None:
                raise Problem(Refusal.NOT_FOUND, "no certificate for this key")
            return row.der

    # --- identity: who holds this client certificate ------------------------------------

    def _holder(self, s: Session, cert_der: bytes | None) -> Holder:
        if not cert_der:
            raise Problem(Refusal.NOT_AUTHORISED, "log in with your certificate (TLS client certificate)")
        cert = x509.load_der_x509_certificate(cert_der)
        row = s.get(Certificate, serial_hex(cert))
        if row is None or row.der != cert_der:
            raise Problem(Refusal.NOT_AUTHORISED, "this certificate was not issued here")
        if row.revoked_at is not None:
            raise Problem(Refusal.REVOKED, "this certificate was revoked")
        if self.now() >= row.not_after:
            raise Problem(Refusal.CERTIFICATE_EXPIRED, "this certificate has expired")
        # only the holder's current certificate authenticates: one issued later (a renewal, or an
        # install after Support revoked this one as lost) supersedes it. Strictly later, so two
        # certificates issued in the same second never lock each other out (see docs/issuer.md).
        newer = s.scalars(
            select(Certificate.serial)
            .where(Certificate.user_number == row.user_number, Certificate.issued_at > row.issued_at)
            .limit(1)
        ).first()
        if newer is not None:
            raise Problem(
                Refusal.SUPERSEDED,
                "this certificate has been replaced by a newer one; use the newest certificate",
            )
        return Holder(row.user_number, row.serial)

    def authenticate(self, cert_der: bytes | None) -> Holder:
        """The holder of a TLS client certificate, or a refusal."""
        with self._sessions() as s:
            return self._holder(s, cert_der)

    def me(self, holder: Holder) -> dict[str, Any]:
        """R11 and the holder's own facts (``/api/v1/me``, the portal)."""
        now = self.now()
        with self._sessions() as s:
            user = self._user(s, holder.user_number)
            cert = s.get(Certificate, holder.serial)
            assert cert is not None
            cp = _contact_person(user.organisation)
            return {
                "user_number": user.user_number,
                "name": user.name,
                "kind": user.kind,
                "organisation": {
                    "id": user.org_id,
                    "name": user.organisation.name,
                    "agb": user.organisation.agb,
                },
                "certificate": self._cert_json(cert, now),
                "authorisations": sorted(a.service for a in user.authorisations),
                "is_contact_person": user.is_contact_person,
                "contact_person": (
                    {"name": cp.name, "email": cp.email, "user_number": cp.user_number} if cp else None
                ),
            }

    def _cert_json(self, c: Certificate, now: datetime) -> dict[str, Any]:
        state = certificate_state(
            not_after=c.not_after, revoked=c.revoked_at is not None, durations=self.durations, now=now
        )
        out: dict[str, Any] = {
            "serial": c.serial,
            "user_number": c.user_number,
            "subject": c.subject,
            "how": c.how,
            "not_before": c.not_before.isoformat(),
            "not_after": c.not_after.isoformat(),
            "renewal_opens": renewal_opens_at(c.not_after, self.durations).isoformat(),
            "state": state.value,
        }
        if state is CertState.REVOKED:
            out["revoked_at"] = c.revoked_at.isoformat() if c.revoked_at else None
            out["revocation_reason"] = c.revocation_reason
        return out

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
            out = []
            for u in sorted(me.organisation.users, key=lambda u: u.requested_at):
                cur = u.current_certificate
                out.append(
                    {
                        "user_number": u.user_number,
                        "name": u.name,
                        "kind": u.kind,
                        "email": u.email,
                        "status": u.status,
                        "blocked": u.blocked,
                        "is_contact_person": u.is_contact_person,
                        "authorisations": sorted(a.service for a in u.authorisations),
                        "certificate": self._cert_json(cur, now) if cur else None,
                    }
                )
            return out

    def request_user(
        self, by: Holder, *, kind: str, name: str, email: str, authorisations: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        """R1 (user-management route): the contact person requests a user, pending approval."""
        _check_kind(kind)
        name = _subject_field(name, "the name", "name")
        email = _check_email(email)
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
            _grant(user, authorisations or DEFAULT_AUTHORISATIONS[kind], now)
            return {"user_number": user.user_number, "status": "pending"}

    def set_authorisation(self, by: Holder, user_number: str, service: str, granted: bool) -> list[str]:
        """R10: grant or revoke one authorisation on a user's certificates."""
        if service not in SERVICES:
            raise Problem(Refusal.BAD_REQUEST, f"unknown service {service!r}; known: {', '.join(SERVICES)}")
        with self._tx() as s:
            user = self._user(s, normalise_user_number(user_number), lock=True)
            self._check_manages(s, by, user)
            have = {a.service: a for a in user.authorisations}
            if granted and service not in have:
                _grant(user, (service,), self.now())
            elif not granted and service in have:
                user.authorisations.remove(have[service])
            s.flush()
            return sorted(a.service for a in user.authorisations)

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
                        "body": self._seal.open(m.body_sealed, context=_msg_context(m.user_number)),
                    }
                )
                m.read_at = m.read_at or now
            return out

    def _post_message(self, s: Session, to: str, subject: str, body: str, now: datetime) -> int:
        m = Message(
            user_number=to,
            subject=subject,
            created_at=now,
            body_sealed=self._seal.seal(body, context=_msg_context(to)),
        )
        s.add(m)
        s.flush()
        return m.id

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
            return {
                "user_number": user.user_number,
                "organisation": user.organisation.name,
                "agb": user.organisation.agb,
            }


def _msg_context(user_number: str) -> bytes:
    return f"message-box:{user_number}".encode()


def _contact_person(org: Organisation) -> User | None:
    return next((u for u in org.users if u.is_contact_person and u.status == "approved"), None)


def _grant(user: User, services: tuple[str, ...] | list[str], now: datetime) -> None:
    """Add authorisations; one already held (or named twice) is no error and no second row."""
    for service in services:
        if service not in SERVICES:
            raise Problem(Refusal.BAD_REQUEST, f"unknown service {service!r}; known: {', '.join(SERVICES)}")
        if service not in {a.service for a in user.authorisations}:
            user.authorisations.append(Authorisation(service=service, granted_at=now))


def _blocked() -> Problem:
    """R12: the one answer of a blocked number (or a used-up count), the same for every number.

    It names no kind: who unblocks (contact person or Support) depends on the kind, and the
    kind is not told to someone who does not know the PIN; the client knows what it installs.
    """
    return Problem(
        Refusal.USER_BLOCKED,
        "too many wrong PINs: this user number is blocked; the contact person unblocks the user "
        "number of a personal certificate, Support that of a system certificate",
    )


def _subject_field(value: str, what: str, field: str) -> str:
    """A name that goes into a certificate subject, NFC; else a bad-request problem naming ``field``."""
    try:
        return subject_text(value, what)
    except ValueError as exc:
        raise Problem(Refusal.BAD_REQUEST, str(exc), field=field) from None


def _check_kind(kind: str) -> None:
    if kind not in ("personal", "system"):
        raise Problem(Refusal.BAD_REQUEST, "kind must be 'personal' or 'system'")


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _check_email(email: str) -> str:
    """The address as stored and put in certificates: ASCII (RFC 5280 rfc822Name), domain in IDNA form.

    The local part is a plain dot-atom (RFC 5322, no quoting, no comments); the domain has at
    least two labels. Control characters, spaces and header tricks cannot pass.
    """

    def refuse(why: str) -> Problem:
        return Problem(Refusal.BAD_REQUEST, f"not a usable e-mail address: {why}", field="email")

    text = unicodedata.normalize("NFC", email).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise refuse("it needs one @ with a name before it and a domain after it")
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        raise refuse("before the @ only letters a-z, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ - are allowed")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise refuse("the part after the @ is not a domain name") from None
    labels = ascii_domain.split(".")
    if (
        len(labels) < 2
        or not all(_DNS_LABEL.fullmatch(label) for label in labels)
        or not (labels[-1].isalpha() or labels[-1].startswith("xn--"))
        or len(ascii_domain) > 253
    ):
        raise refuse("the part after the @ is not a domain name")
    address = f"{local}@{ascii_domain}"
    if len(address) > 254:
        raise refuse("it is longer than 254 characters")
    return address


def _load_csr(der: bytes) -> x509.CertificateSigningRequest:
    try:
        return load_csr(der)
    except CsrRejected as exc:
        raise Problem(Refusal.BAD_REQUEST, str(exc), reason=exc.reason) from None
