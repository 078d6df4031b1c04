"""Enrollment: the first install (R4) and the reinstall after expiry (R6) with user number and
PIN, counting wrong PINs and blocking (R12) alike for every number, and renewal with the current
certificate (R5); the refusals with the facts a client needs to explain them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Row, String, Table, bindparam, case, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.policy import (
    HolderFacts,
    Refusal,
    install_deadline,
    is_valid_user_number,
    normalise_user_number,
    pin_attempts_left,
    pin_enrollment,
    renewal,
    valid_until,
)
from issuer import pins
from issuer.approval import Approval, EnrollmentPending
from issuer.ca import CsrRejected, client_subject, load_csr, public_key_fingerprint
from issuer.core import serial_hex
from issuer.db import THROTTLE_SLOTS, Certificate, PinThrottle, User
from issuer.problems import Problem


class Enrollment(Approval):
    """EST enrollment and renewal, and the pick-up of a certificate already issued."""

    def enroll_with_pin(
        self, user_number: str, pin: str, csr_der: bytes, *, kind: str | None = None
    ) -> x509.Certificate:
        """R4 first install and R6 reinstall after expiry, authenticated by user number + PIN.

        ``kind`` (an EST label's, RFC 7030 §3.2.2) refuses, after the right PIN, a user number of
        another kind. With ``enroll_approval = "manual"`` an allowed enrollment raises :class:`EnrollmentPending`
        until staff approve it (:mod:`issuer.approval`).
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
        refusal: Problem | EnrollmentPending
        with self._tx() as s:
            q = select(User).where(User.user_number == user_number).with_for_update()
            user = s.scalars(q).first() if well_formed else None
            now = self.now()
            if user is None:
                refusal = self._count_unknown(s, user_number)
            elif user.blocked:
                refusal = blocked()  # no count, no reset, no hint whether this PIN was the right one
            elif not matched or user.pin_hash != stored_hash:
                refusal = self._count_wrong_pin(user)
            else:
                user.failed_pin_attempts = 0
                fits = _kind_fits(user, kind)
                outcome = self._after_right_pin(s, user, csr, now) if fits else wrong_label(user, kind)
                if isinstance(outcome, x509.Certificate):
                    return outcome
                refusal = outcome
        # after the commit, so a wrong PIN is counted, a right one resets the count, and a
        # request waiting for approval is recorded (EnrollmentPending: 202 + Retry-After)
        raise refusal

    def _after_right_pin(
        self, s: Session, user: User, csr: x509.CertificateSigningRequest, now: datetime
    ) -> x509.Certificate | Problem | EnrollmentPending:
        """What the holder of the right PIN gets: a certificate, why not, or to wait for approval."""
        if user.status == "purged":
            return self._refusal(Refusal.INSTALL_WINDOW_EXPIRED, user)
        decision = pin_enrollment(self._facts(s, user), self.durations, now)
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
        waiting = self._waiting_for_approval(s, user, csr, now)
        if waiting is not None:
            return waiting
        return self._issue(s, user, csr, subject, decision.action, now)

    def _count_wrong_pin(self, user: User) -> Problem:
        """R12: count a wrong PIN, block at the limit; the refusal to raise after commit."""
        user.failed_pin_attempts += 1
        left = pin_attempts_left(user.failed_pin_attempts, self.durations)
        if left == 0:
            user.blocked = True
            return blocked()
        return Problem(Refusal.PIN_INVALID, "user number or PIN is wrong", attempts_left=left)

    def _count_unknown(self, s: Session, user_number: str) -> Problem:
        """A wrong PIN for a number without a user: counted in its throttle slot, answered alike."""
        slot, tag = self._pins.throttle_slot(user_number, THROTTLE_SLOTS)
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        first = insert(PinThrottle).values(slot=slot, tag=tag, failures=1)
        count = first.on_conflict_do_update(
            index_elements=[PinThrottle.slot],
            # another number in this slot: it starts again from one
            set_={"failures": case((PinThrottle.tag == tag, PinThrottle.failures + 1), else_=1), "tag": tag},
        ).returning(PinThrottle.failures)
        failures = s.execute(count).scalar_one()
        left = pin_attempts_left(failures, self.durations)
        if left == 0:
            return blocked()
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

    def renew(self, holder_cert_der: bytes, csr_der: bytes, *, kind: str | None = None) -> x509.Certificate:
        """R5: renewal authenticated by the current certificate (TLS client authentication).

        ``kind`` (an EST label's) refuses a certificate of another kind. The lean path (issue 17):
        SQLAlchemy Core on one connection, no ORM objects: on PostgreSQL the holder's row lock,
        then one read of everything the rules need, the certificate's insert, the commit (SQLite:
        ``BEGIN IMMEDIATE`` serialises, so no lock statement). ``tests/issuer/test_lean_renewal.py``
        counts the statements.
        """
        if not holder_cert_der:
            raise Problem(Refusal.NOT_AUTHORISED, "log in with your certificate (TLS client certificate)")
        csr = _load_csr(csr_der)
        presented = x509.load_der_x509_certificate(holder_cert_der)
        serial = serial_hex(presented)
        engine: Engine = self._write_sessions.kw["bind"]
        with engine.begin() as conn:
            if conn.dialect.name != "sqlite":
                # the user's row lock first; the read below is a new statement, so on PostgreSQL it sees
                # whatever was committed (on any instance) while this renewal waited for the lock: a
                # revocation, or a renewal of the same certificate that won the race
                conn.execute(_LOCK_HOLDER, {"serial": serial})
            row = conn.execute(_RENEWAL_FACTS, {"serial": serial}).first()
            now = self.now()
            _check_holder(row, holder_cert_der, now)
            assert row is not None
            if kind is not None and row.kind != kind:
                raise _wrong_label(row.kind, kind)
            decision = renewal(
                not_after=row.not_after,
                revoked=row.revoked_at is not None,
                is_current=not row.superseded,
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
                raise _refusal_words(decision.refusal)
            same_identity(csr, presented)
            cert = self._sign(csr, presented.subject, row.email if row.kind == "personal" else None, now)
            conn.execute(_INSERT_CERTIFICATE, _certificate_row(cert, row.user_number, "renew", now))
        return cert

    def _sign(self, csr: x509.CertificateSigningRequest, subject: x509.Name, email: str | None,
              now: datetime) -> x509.Certificate:
        return self.ca.issue_client_certificate(
            csr,
            subject=subject,
            serial=x509.random_serial_number(),
            not_before=now,
            not_after=valid_until(now, self.durations),
            email=email,
        )

    def _issue(
        self,
        s: Session,
        user: User,
        csr: x509.CertificateSigningRequest,
        subject: x509.Name,
        how: str,
        now: datetime,
    ) -> x509.Certificate:
        cert = self._sign(csr, subject, user.email if user.kind == "personal" else None, now)
        s.execute(_INSERT_CERTIFICATE, _certificate_row(cert, user.user_number, how, now))
        return cert

    def _facts(self, s: Session, user: User) -> HolderFacts:
        # the newest certificate's three columns, not every certificate of the holder as objects
        cur = s.execute(_NEWEST_CERTIFICATE, {"user_number": user.user_number}).first()
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
            return blocked()
        if code is Refusal.NOT_APPROVED:
            return Problem(code, "this user is waiting for the issuer's approval")
        return _refusal_words(code)

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

# --- the renewal's statements (Core, built once: SQLAlchemy keeps their compiled form) ---------

_CERTS = cast(Table, Certificate.__table__)
_USERS = cast(Table, User.__table__)
_NEWER = _CERTS.alias("newer")
_SERIAL = bindparam("serial", type_=String)

_LOCK_HOLDER = (
    select(_USERS.c.user_number)
    .where(_USERS.c.user_number == select(_CERTS.c.user_number).where(_CERTS.c.serial == _SERIAL).scalar_subquery())
    .with_for_update()
)
"""The presented certificate's holder's row lock (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises instead)."""

_RENEWAL_FACTS = (
    select(
        _CERTS.c.der,
        _CERTS.c.user_number,
        _CERTS.c.not_after,
        _CERTS.c.revoked_at,
        _USERS.c.kind,
        _USERS.c.email,
        # current is what no certificate issued strictly later supersedes: two certificates issued in
        # the same second never lock each other out (docs/issuer.md)
        exists()
        .where(_NEWER.c.user_number == _CERTS.c.user_number, _NEWER.c.issued_at > _CERTS.c.issued_at)
        .label("superseded"),
    )
    .join_from(_CERTS, _USERS, _CERTS.c.user_number == _USERS.c.user_number)
    .where(_CERTS.c.serial == _SERIAL)
)
"""Everything a renewal decides on, in one row: the certificate, its holder, whether a newer one exists."""

_INSERT_CERTIFICATE = insert(_CERTS)

_NEWEST_CERTIFICATE = (
    select(_CERTS.c.not_after, _CERTS.c.revoked_at, _CERTS.c.revocation_final)
    .where(_CERTS.c.user_number == bindparam("user_number", type_=String))
    .order_by(_CERTS.c.issued_at.desc())
    .limit(1)
)
"""What ``User.current_certificate`` gives the install rules (R4, R6, R7, R9), in one row."""


def _certificate_row(cert: x509.Certificate, user_number: str, how: str, now: datetime) -> dict[str, Any]:
    return {
        "serial": serial_hex(cert),
        "user_number": user_number,
        "how": how,
        "issued_at": now,
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "subject": cert.subject.rfc4514_string(),
        "key_sha256": public_key_fingerprint(cert.public_key()),
        "der": cert.public_bytes(Encoding.DER),
        "revoked_at": None,
        "revocation_reason": None,
        "revocation_final": True,
    }


def _check_holder(row: Row[Any] | None, der: bytes, now: datetime) -> None:
    """The checks of ``ServiceCore._holder`` on the renewal's one row: issued here, not revoked, valid, current."""
    if row is None or row.der != der:
        raise Problem(Refusal.NOT_AUTHORISED, "this certificate was not issued here")
    if row.revoked_at is not None:
        raise Problem(Refusal.REVOKED, "this certificate was revoked")
    if now >= row.not_after:
        raise Problem(Refusal.CERTIFICATE_EXPIRED, "this certificate has expired")
    if row.superseded:
        raise Problem(
            Refusal.SUPERSEDED,
            "this certificate has been replaced by a newer one; use the newest certificate",
        )


def _refusal_words(code: Refusal) -> Problem:
    """A refusal that needs no facts of the user: revoked, expired, replaced (renewals and installs alike)."""
    if code is Refusal.REVOKED:
        return Problem(code, "this certificate was revoked and cannot be renewed or reinstalled")
    if code is Refusal.CERTIFICATE_EXPIRED:
        return Problem(code, "the certificate has expired; reinstall it with the user number and PIN")
    if code is Refusal.NOT_AUTHORISED:
        return Problem(code, "this certificate has been replaced by a newer one")
    return Problem(code, code.value)


def blocked() -> Problem:
    """R12: the one answer of a blocked number (or a used-up count), the same for every number.

    It names no kind: who unblocks (contact person or Support) depends on the kind, and the
    kind is not told to someone who does not know the PIN; the client knows what it installs.
    """
    return Problem(
        Refusal.USER_BLOCKED,
        "too many wrong PINs: this user number is blocked; the contact person unblocks the user "
        "number of a personal certificate, Support that of a system certificate",
    )


def _kind_fits(user: User, kind: str | None) -> bool:
    return kind is None or user.kind == kind


def wrong_label(user: User, kind: str | None) -> Problem:
    """An EST label for another kind of certificate (told only to whoever proved the PIN or holds the certificate)."""
    return _wrong_label(user.kind, kind)


def _wrong_label(user_kind: str, kind: str | None) -> Problem:
    return Problem(
        Refusal.NOT_AUTHORISED,
        f"this user number is for a {user_kind} certificate, and this EST label serves {kind} certificates "
        "only; use the label for its kind, or the path without a label",
        kind=user_kind,
    )


def _san_texts(extensions: x509.Extensions) -> list[str]:
    """The SubjectAltName entries as ``type:value`` texts (RFC 5280 order); [] without the extension."""
    try:
        names = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    kinds: dict[type, str] = {x509.RFC822Name: "email", x509.DNSName: "DNS", x509.UniformResourceIdentifier: "URI",
                              x509.IPAddress: "IP", x509.DirectoryName: "dirName", x509.RegisteredID: "RID"}
    out = []
    for name in names:
        value = name.value
        text = value.rfc4514_string() if isinstance(value, x509.Name) else getattr(value, "dotted_string", value)
        out.append(f"{kinds.get(type(name), 'otherName')}:{text}")
    return out


def same_identity(csr: x509.CertificateSigningRequest, old: x509.Certificate) -> None:
    """RFC 7030 §4.2.2: a renewal request's Subject and SubjectAltName MUST be those of the certificate.

    A Problem (``bad-request``, ``reason`` ``renewal-identity-differs``) that names what differs,
    with both values, so the client's maker can see what to copy.
    """
    try:
        requested_san = csr.extensions
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        raise Problem(Refusal.BAD_REQUEST, "the request's extensions cannot be read", reason="malformed") from None
    want_san, got_san = _san_texts(old.extensions), _san_texts(requested_san)
    differs = [what for what, same in (("subject", csr.subject == old.subject), ("subjectAltName", want_san == got_san))
               if not same]
    if not differs:
        return
    words = " and ".join("Subject" if d == "subject" else "SubjectAltName" for d in differs)
    raise Problem(
        Refusal.BAD_REQUEST,
        f"a renewal request must carry exactly the Subject and SubjectAltName of the certificate it renews "
        f"(RFC 7030 §4.2.2); this request's {words} {'differ' if len(differs) > 1 else 'differs'}",
        reason="renewal-identity-differs",
        differs=differs,
        expected_subject=old.subject.rfc4514_string(),
        requested_subject=csr.subject.rfc4514_string(),
        expected_subject_alt_name=want_san,
        requested_subject_alt_name=got_san,
    )


def _load_csr(der: bytes) -> x509.CertificateSigningRequest:
    try:
        return load_csr(der)
    except CsrRejected as exc:
        raise Problem(Refusal.BAD_REQUEST, str(exc), reason=exc.reason) from None
