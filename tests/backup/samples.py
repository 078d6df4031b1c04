"""Backups for the format tests: real keys and certificates, KDF cost low enough to try thousands of inputs."""

from __future__ import annotations

import functools
import hashlib
import json
import struct
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from backup import envelope
from backup.kdf import KdfParams
from backup.payload import Contents
from tests.keystore.identities import make_identity

PASSPHRASE = "zeilboot paraplu kroket venster"
CHEAP = KdfParams(memory_kib=8, iterations=1, lanes=1)  # tests only: a real writer never goes below 19 MiB


def metadata(identity: Any) -> envelope.Metadata:
    cert = identity.certificate
    return envelope.Metadata(
        user_number=identity.user_number,
        subject=cert.subject.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_after=cert.not_valid_after_utc.isoformat(),
        created_at="2026-11-29T10:00:00+00:00",
        name=identity.subject_cn,
        organisation="Huisartsenpraktijk De Linde",
        kind="personal",
        fingerprint=identity.fingerprint,
        not_before=cert.not_valid_before_utc.isoformat(),
    )


def contents(identity: Any) -> Contents:
    key_der = identity.key.private_bytes(Encoding.DER, _pkcs8(), _none())
    return Contents(key_der, identity.cert_der, identity.chain_der, {"kind": "personal", "name": identity.subject_cn})


def _pkcs8() -> Any:
    from cryptography.hazmat.primitives.serialization import PrivateFormat

    return PrivateFormat.PKCS8


def _none() -> Any:
    from cryptography.hazmat.primitives.serialization import NoEncryption

    return NoEncryption()


@functools.cache
def sample() -> tuple[bytes, bytes, envelope.Metadata]:
    """(file bytes, payload, metadata) of a valid backup with the cheap KDF."""
    ident = make_identity()
    payload = contents(ident).encode()
    meta = metadata(ident)
    return envelope.seal(payload, meta, PASSPHRASE, CHEAP), payload, meta


def split(data: bytes) -> tuple[int, dict[str, Any], bytes]:
    """(version, header JSON, body) of a backup file."""
    _magic, version, hlen = struct.unpack_from(">8sHI", data)
    raw = data[14 : 14 + hlen]
    return version, json.loads(raw), data[14 + hlen + 32 :]


def forge(header: dict[str, Any], body: bytes, *, version: int = envelope.VERSION) -> bytes:
    """A file with this header and body and a correct checksum: what a deliberate forger could write."""
    raw = json.dumps(header).encode()
    prefix = envelope.MAGIC + struct.pack(">HI", version, len(raw)) + raw
    return prefix + hashlib.sha256(prefix).digest() + body
