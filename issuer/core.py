"""What every part of the issuer's service shares: its parts, the clock, transactions, who is calling.

The use cases themselves are in :mod:`issuer.enrollment` (PIN, enroll, renew),
:mod:`issuer.staff` (organisations, users, revoke, unblock) and :mod:`issuer.account`
(the holder's own view); :class:`issuer.service.IssuerService` puts them together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.clock import Clock
from app.policy import Durations, Refusal, whole_seconds
from issuer import pins
from issuer.ca import CertificateAuthority
from issuer.db import Certificate, Organisation, User
from issuer.outbox import Outbox
from issuer.problems import Problem


@dataclass(frozen=True)
class Holder:
    """Who is calling, proven by a TLS client certificate."""

    user_number: str
    serial: str


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def contact_person_of(org: Organisation) -> User | None:
    """The organisation's contact person, while approved (R11)."""
    return next((u for u in org.users if u.is_contact_person and u.status == "approved"), None)


def message_context(user_number: str) -> bytes:
    """What a message-box body is sealed to: its recipient."""
    return f"message-box:{user_number}".encode()


class ServiceCore:
    """The issuer's parts and the helpers every use case needs.

    Every method is synchronous and short; the web layer runs them in worker threads.
    Slow PIN hashing happens outside database transactions; every state change happens
    inside one write transaction that re-reads what it decides on.
    """

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
        enroll_approval: str = "automatic",
        approval_retry_after: int = 60,
    ):
        self._sessions = sessions  # reads
        self._write_sessions = write_sessions or sessions
        self.ca = ca
        self.durations = durations
        self.outbox = outbox
        self._seal = seal
        self._clock = clock
        self._pins = pin_hasher
        self.enroll_approval = enroll_approval  # "automatic" | "manual" (issuer.toml, docs/issuer.md)
        self.approval_retry_after = approval_retry_after

    def forget_connections(self) -> None:
        """Drop pooled database connections without closing them (before a fork: each worker opens its own)."""
        for maker in (self._sessions, self._write_sessions):
            maker.kw["bind"].dispose(close=False)

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
