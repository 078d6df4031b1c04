"""The issuer's storage: SQLAlchemy models, engine set-up and Alembic migrations.

SQLite (a file in the data folder) by default, PostgreSQL by URL. Write transactions
are serialised: on SQLite with ``BEGIN IMMEDIATE``, on PostgreSQL by locking the user
row (``SELECT ... FOR UPDATE``), so two enrollments for one user number never both win.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None) if _is_sqlite(dialect) else value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _is_sqlite(dialect: object) -> bool:
    return getattr(dialect, "name", "") == "sqlite"


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agb: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    agreement_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kvk: Mapped[str | None] = mapped_column(String(8))  # Chamber of Commerce number, for the paper forms
    address: Mapped[str | None] = mapped_column(String(300))

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    """A holder: a person (personal certificate) or software (system certificate)."""

    __tablename__ = "users"

    user_number: Mapped[str] = mapped_column(String(14), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # personal | system
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    is_contact_person: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10))  # pending | approved | purged | rejected
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    failed_pin_attempts: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="user", order_by="Certificate.issued_at"
    )
    authorisations: Mapped[list[Authorisation]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    requests: Mapped[list[UserRequest]] = relationship(back_populates="user", order_by="UserRequest.id")

    @property
    def current_certificate(self) -> Certificate | None:
        """The newest certificate of this holder, if any."""
        return self.certificates[-1] if self.certificates else None


class Certificate(Base):
    __tablename__ = "certificates"

    serial: Mapped[str] = mapped_column(String(64), primary_key=True)  # lower-case hex
    user_number: Mapped[str] = mapped_column(ForeignKey("users.user_number"), index=True)
    how: Mapped[str] = mapped_column(String(10))  # install | reinstall | renew
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime)
    subject: Mapped[str] = mapped_column(Text)
    key_sha256: Mapped[str] = mapped_column(String(64))
    der: Mapped[bytes] = mapped_column(LargeBinary)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(40))
    revocation_final: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(back_populates="certificates")


class Authorisation(Base):
    """R10: a service a holder's certificate may use (``portal``, ``cov``, ``declaratie``)."""

    __tablename__ = "authorisations"

    user_number: Mapped[str] = mapped_column(ForeignKey("users.user_number"), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="authorisations")


class Message(Base):
    """R2: the message box (Berichtenbox) of a certificate holder; bodies encrypted at rest."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_number: Mapped[str] = mapped_column(ForeignKey("users.user_number"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(20), default="notice")  # notice | pin | request-rejected
    about_user: Mapped[str | None] = mapped_column(String(14))  # the user number the message is about
    delete_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a PIN message: deleted by the issuer then


class UserRequest(Base):
    """R1 (user-management route): a contact person's request for a new user, until Support decides."""

    __tablename__ = "user_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_number: Mapped[str] = mapped_column(ForeignKey("users.user_number"), index=True)
    requested_by: Mapped[str] = mapped_column(String(14))  # the contact person's user number
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(10))  # waiting | approved | rejected
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(back_populates="requests")


class AuditEntry(Base):
    """Who did what, when, with which certificate: every contact-person and Support action. Never a PIN."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_role: Mapped[str] = mapped_column(String(20))  # contact-person | support
    actor: Mapped[str] = mapped_column(String(100))  # a user number, or Support's OS user
    cert_serial: Mapped[str | None] = mapped_column(String(64))
    cert_sha256: Mapped[str | None] = mapped_column(String(64))
    org_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(64))  # a user number, request id, message id
    details: Mapped[str | None] = mapped_column(Text)  # JSON


class PinThrottle(Base):
    """Wrong-PIN counters for user numbers that have no user row (unknown numbers).

    A fixed number of slots (``THROTTLE_SLOTS``), chosen by a keyed hash of the number:
    storage stays bounded whatever an attacker tries, and an unknown number counts its
    wrong PINs and ends "blocked" like a known one (docs/issuer.md, "Enumeration").
    """

    __tablename__ = "pin_throttle"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(String(64))  # which number holds the slot now (keyed hash, hex)
    failures: Mapped[int] = mapped_column(Integer)


class EnrollmentRequest(Base):
    """An enrollment waiting for staff (``enroll_approval = "manual"``, RFC 7030 §4.2.3): one per user.

    Records who asked and for which key (SHA-256 of the CSR's SubjectPublicKeyInfo), never the
    PIN; ``approved_at`` is set by ``user approve`` and the row is deleted once the certificate
    is issued. A request for another key replaces it (and an approval given to the old key).
    """

    __tablename__ = "enrollment_requests"

    user_number: Mapped[str] = mapped_column(ForeignKey("users.user_number"), primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


THROTTLE_SLOTS = 2**16


def sqlite_url(data_dir: Path) -> str:
    """The default database: a SQLite file in the data folder."""
    return f"sqlite:///{(data_dir / 'issuer.db').resolve()}"


def make_engine(url: str, *, writes: bool = True) -> Engine:
    """An engine; with ``writes`` its transactions cannot interleave (see module docstring).

    On SQLite a reading engine (``writes=False``) uses plain deferred transactions, so
    logins and lookups never queue behind a write (WAL lets them read a snapshot).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


# The newest revision in migrations/versions (tests/issuer/test_migrations.py holds it to Alembic's own
# head): a database already there needs no Alembic, whose import and script loading cost every issuer
# process and admin command about a quarter of a second of CPU (docs/performance.md, "Suite time").
HEAD_REVISION = "0004"


def revision(url: str) -> str | None:
    """The schema revision Alembic recorded in the database at ``url``; None when it has none (or several)."""
    engine = make_engine(url, writes=False)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    finally:
        engine.dispose()
    return str(rows[0][0]) if len(rows) == 1 else None


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema with Alembic (imported only when it has work)."""
    if revision(url) == HEAD_REVISION:
        return
    from alembic import command  # here, not at the top: only a database behind the newest schema needs it
    from alembic.config import Config

    here = Path(__file__).parent
    cfg = Config()
    cfg.set_main_option("script_location", str(here / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")
