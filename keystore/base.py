"""The one small interface every certificate store backend implements.

Backends get an ``Identity`` whose private key travels only inside an encrypted
PKCS#12 (``pfx``) with a random password held in memory; they never see a PIN.
This module imports nothing but the standard library, so a backend that must run
where ``cryptography`` does not load (Windows under Wine) can still use it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

NICKNAME_PREFIX = "ZorgCert"


def nickname_for(user_number: str, cert_der: bytes) -> str:
    """The stable name of a certificate in every store: same certificate, same name."""
    return f"{NICKNAME_PREFIX} {user_number} {hashlib.sha256(cert_der).hexdigest()[:12]}"


def fingerprint(cert_der: bytes) -> str:
    """SHA-256 of the certificate DER, lower-case hex: how ZorgCert names a certificate."""
    return hashlib.sha256(cert_der).hexdigest()


@dataclass(frozen=True, repr=False)
class Identity:
    """A certificate with its private key, ready for a store."""

    user_number: str
    cert_der: bytes
    chain_der: tuple[bytes, ...]  # issuing CA first, root last
    pfx: bytes  # PKCS#12: key + certificate + chain, PBES2/AES-256, MAC SHA-256
    pfx_password: str = field(repr=False)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.cert_der)

    @property
    def sha1_thumbprint(self) -> str:
        """What Windows calls the thumbprint (upper-case hex SHA-1)."""
        return hashlib.sha1(self.cert_der).hexdigest().upper()  # an identifier, not security

    @property
    def nickname(self) -> str:
        return nickname_for(self.user_number, self.cert_der)

    def __repr__(self) -> str:  # never the key, never the password
        return f"Identity({self.nickname!r})"


@dataclass(frozen=True)
class StoreRef:
    """Where one certificate sits: which store, which database or file, under which name."""

    store: str  # "nss", "file", "windows", "macos"
    location: str  # e.g. "sql:/home/anna/.pki/nssdb", "/srv/his/zorgcert", "CurrentUser\\My"
    nickname: str
    fingerprint: str

    def as_json(self) -> dict[str, str]:
        return {"store": self.store, "location": self.location, "nickname": self.nickname,
                "fingerprint": self.fingerprint}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> StoreRef:
        return cls(data["store"], data["location"], data["nickname"], data["fingerprint"])


@dataclass(frozen=True)
class Availability:
    """Whether a store can be used here, and if not what would fix it."""

    ok: bool
    detail: str
    fix: str | None = None
    reason: str | None = None  # as StoreError.reason, when not ok: lets the app say the fix in the user's language


class StoreError(Exception):
    """A store could not do what was asked; ``fix`` says what would help."""

    def __init__(self, store: str, reason: str, detail: str, fix: str | None = None):
        super().__init__(f"{store}: {detail}")
        self.store = store
        self.reason = reason  # tool-missing | tool-failed | wrong-password | corrupt | read-back | unavailable
        self.detail = detail
        self.fix = fix


@runtime_checkable
class CertStore(Protocol):
    """One certificate store (one NSS database, one folder, one Windows or macOS store)."""

    name: str
    location: str

    def available(self) -> Availability:
        """Can this store be used now? Never raises."""
        ...

    def install(self, identity: Identity) -> StoreRef:
        """Put certificate, key and chain in; read it back; idempotent for the same certificate."""
        ...

    def find(self, fingerprint: str) -> StoreRef | None:
        """The entry of this certificate if the store holds it *with* its private key."""
        ...

    def remove(self, ref: StoreRef) -> None:
        """Take certificate and key out; no error if already gone."""
        ...

    def list_ours(self) -> list[StoreRef]:
        """Every ZorgCert entry (nickname starting with ``ZorgCert``) in this store."""
        ...
