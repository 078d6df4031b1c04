"""The backup file format (``.zcbackup``), version 1: see docs/backup-format.md.

Layout::

    magic    8 bytes   89 5A 43 42 0D 0A 1A 0A   ("\\x89ZCB\\r\\n\\x1a\\n", PNG-style)
    version  2 bytes   big-endian, 1
    hlen     4 bytes   big-endian length of the header
    header   hlen      UTF-8 JSON: KDF, cipher, key check, ciphertext length, metadata
    digest   32 bytes  SHA-256 of everything before it (tells damage from a wrong passphrase)
    body     rest      AES-256-GCM ciphertext + 16-byte tag; associated data = every byte before it

The metadata (who, which certificate, when) is readable without the passphrase and is
bound to the ciphertext as associated data, so changing any byte of the file is detected.
Every way a file can be wrong raises a ``BackupFormatError`` subclass and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backup import kdf as kdfmod
from backup.kdf import KdfParams

MAGIC = b"\x89ZCB\r\n\x1a\n"
VERSION = 1
_PREFIX = struct.Struct(">8sHI")  # magic, version, header length
DIGEST_LEN = 32
TAG_LEN = 16
NONCE_LEN = 12
CHECK_LEN = 16
KEY_LEN = 32
MAX_HEADER = 16 * 1024
MAX_BODY = 1024 * 1024  # a key with its chain is a few KiB
MAX_FILE = _PREFIX.size + MAX_HEADER + DIGEST_LEN + MAX_BODY
MAX_FIELD = 2048
SUFFIX = ".zcbackup"


# --- errors: every problem with a file is one of these --------------------------------------


class BackupFormatError(Exception):
    """The file cannot be read as a backup; ``code`` says why in one word."""

    code = "damaged"


class NotABackup(BackupFormatError):
    """Not a ZorgCert backup at all; ``looks_like`` guesses what it is instead."""

    code = "not-a-backup"

    def __init__(self, detail: str, looks_like: str = "unknown"):
        super().__init__(detail)
        self.looks_like = looks_like  # empty | pkcs12 | pem | zip | pdf | text | unknown


class Truncated(BackupFormatError):
    """The file ends before the format says it should (an interrupted copy or download)."""

    code = "truncated"


class NewerVersion(BackupFormatError):
    """Written by a newer ZorgCert with a format version this one does not know."""

    code = "newer-version"

    def __init__(self, version: int):
        super().__init__(f"format version {version}; this ZorgCert reads up to {VERSION}")
        self.version = version


class DamagedHeader(BackupFormatError):
    """The readable part of the file is damaged or malformed."""

    code = "damaged"


class UnsupportedParameters(BackupFormatError):
    """KDF or cipher parameters this reader refuses (unknown, or too costly to try)."""

    code = "unsupported-parameters"


class WrongPassphraseOrTampered(BackupFormatError):
    """The passphrase does not open the file (or the key-derivation fields were altered)."""

    code = "wrong-passphrase"


class ContentsDamaged(BackupFormatError):
    """The passphrase is right but the encrypted part was changed or damaged."""

    code = "contents-damaged"


# --- metadata and header ----------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """What the file holds, readable without the passphrase and bound to the ciphertext."""

    user_number: str
    subject: str
    serial: str
    not_after: str  # ISO 8601 UTC
    created_at: str  # ISO 8601 UTC
    name: str = ""
    organisation: str = ""
    kind: str = ""  # personal | system
    fingerprint: str = ""  # SHA-256 of the certificate DER, hex
    not_before: str = ""
    app_version: str = ""

    REQUIRED = ("user_number", "subject", "serial", "not_after", "created_at")

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Metadata:
        """Validate and build; unknown keys (from a later minor writer) are ignored."""
        if not isinstance(data, dict):
            raise DamagedHeader("metadata is not an object")
        values: dict[str, str] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if value is None:
                if f.name in cls.REQUIRED:
                    raise DamagedHeader(f"metadata lacks {f.name}")
                continue
            if not isinstance(value, str) or len(value) > MAX_FIELD:
                raise DamagedHeader(f"metadata field {f.name} is not a short text")
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True)
class Header:
    """Everything readable without the passphrase."""

    version: int
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    check: bytes
    body_length: int
    metadata: Metadata
    aad_length: int  # bytes before the body: the associated data


def _b64(text: Any, name: str, lengths: range | int) -> bytes:
    if not isinstance(text, str):
        raise DamagedHeader(f"{name} is not base64 text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DamagedHeader(f"{name} is not base64") from None
    ok = len(raw) in lengths if isinstance(lengths, range) else len(raw) == lengths
    if not ok:
        raise DamagedHeader(f"{name} has the wrong length")
    return raw


def _obj(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DamagedHeader(f"{name} is not an object")
    return value


def _guess_kind(data: bytes) -> str:
    """What a file that is not a backup looks like, for a helpful message."""
    if not data:
        return "empty"
    if data[:1] == b"\x30":  # a DER SEQUENCE: PKCS#12 files (.pfx, .p12) start like this
        return "pkcs12"
    head = data[:64].lstrip()
    if head.startswith(b"-----BEGIN"):
        return "pem"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"%PDF"):
        return "pdf"
    try:
        data[:512].decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "unknown"


def read_header(data: bytes) -> Header:
    """Check the file up to the encrypted part and return what it says (no passphrase needed)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("read_header takes bytes")
    data = bytes(data)
    if len(data) < len(MAGIC):
        if data and MAGIC.startswith(data):
            raise Truncated("the file stops inside the magic number")
        raise NotABackup("too short to be a backup", _guess_kind(data))
    if not data.startswith(MAGIC):
        raise NotABackup("no ZorgCert backup magic number", _guess_kind(data))
    if len(data) > MAX_FILE:
        raise NotABackup(f"larger than any backup ({len(data)} bytes)", "unknown")
    if len(data) < _PREFIX.size:
        raise Truncated("the file stops inside the version field")
    _magic, version, hlen = _PREFIX.unpack_from(data)
    if version > VERSION:
        raise NewerVersion(version)
    if version < 1:
        raise DamagedHeader(f"unknown format version {version}")
    if hlen < 2 or hlen > MAX_HEADER:
        raise DamagedHeader(f"header length {hlen} is out of range")
    aad_length = _PREFIX.size + hlen + DIGEST_LEN
    if len(data) < aad_length:
        raise Truncated("the file stops inside the header")
    raw = data[_PREFIX.size : _PREFIX.size + hlen]
    digest = data[_PREFIX.size + hlen : aad_length]
    if not hmac.compare_digest(hashlib.sha256(data[: _PREFIX.size + hlen]).digest(), digest):
        raise DamagedHeader("the header's checksum does not match: the file was damaged")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise DamagedHeader("the header is not JSON") from None
    doc = _obj(doc, "header")
    kdf_doc = _obj(doc.get("kdf"), "kdf")
    if kdf_doc.get("name") != kdfmod.NAME:
        raise UnsupportedParameters(f"unknown key derivation {str(kdf_doc.get('name'))[:40]!r}")
    params = KdfParams(kdf_doc.get("memory_kib"), kdf_doc.get("iterations"), kdf_doc.get("lanes"))  # type: ignore[arg-type]
    problem = params.problem()
    if problem:
        raise UnsupportedParameters(f"key derivation parameters refused: {problem}")
    salt = _b64(kdf_doc.get("salt"), "salt", kdfmod.SALT_LENGTHS)
    cipher = _obj(doc.get("cipher"), "cipher")
    if cipher.get("name") != "aes-256-gcm":
        raise UnsupportedParameters(f"unknown cipher {str(cipher.get('name'))[:40]!r}")
    nonce = _b64(cipher.get("nonce"), "nonce", NONCE_LEN)
    check = _b64(doc.get("check"), "check", CHECK_LEN)
    body_length = doc.get("length")
    if type(body_length) is not int or not TAG_LEN <= body_length <= MAX_BODY:
        raise DamagedHeader("the ciphertext length is out of range")
    metadata = Metadata.from_json(doc.get("metadata"))
    have = len(data) - aad_length
    if have < body_length:
        raise Truncated(f"the encrypted part has {have} of {body_length} bytes")
    if have > body_length:
        raise DamagedHeader(f"{have - body_length} unexpected bytes after the encrypted part")
    return Header(version, params, salt, nonce, check, body_length, metadata, aad_length)


def _keys(passphrase: str, salt: bytes, params: KdfParams) -> tuple[bytes, bytes]:
    out = kdfmod.derive(passphrase, salt, params, KEY_LEN + CHECK_LEN)
    return out[:KEY_LEN], out[KEY_LEN:]


def open_(data: bytes, passphrase: str) -> tuple[bytes, Metadata]:
    """Decrypt a backup: (payload, metadata). Raises only ``BackupFormatError`` subclasses."""
    header = read_header(data)
    key, check = _keys(passphrase, header.salt, header.kdf)
    if not hmac.compare_digest(check, header.check):
        raise WrongPassphraseOrTampered("the passphrase does not open this backup")
    data = bytes(data)
    try:
        payload = AESGCM(key).decrypt(header.nonce, data[header.aad_length :], data[: header.aad_length])
    except InvalidTag:
        raise ContentsDamaged("the encrypted part does not match its tag: the file was changed") from None
    return payload, header.metadata


def seal(
    payload: bytes,
    metadata: Metadata | Mapping[str, str],
    passphrase: str,
    kdf: KdfParams | None = None,
    *,
    salt: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """Encrypt ``payload`` under ``passphrase`` with ``metadata`` in the clear but bound; a whole file's bytes."""
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    meta = metadata if isinstance(metadata, Metadata) else Metadata.from_json(dict(metadata))
    params = kdf or kdfmod.calibrate().params
    problem = params.problem()
    if problem:
        raise ValueError(f"a reader would refuse these KDF parameters: {problem}")
    salt = salt if salt is not None else os.urandom(16)
    nonce = nonce if nonce is not None else os.urandom(NONCE_LEN)
    body_length = len(payload) + TAG_LEN
    if body_length > MAX_BODY:
        raise ValueError("payload too large for a backup")
    key, check = _keys(passphrase, salt, params)
    header = {
        "kdf": {
            "name": kdfmod.NAME,
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "lanes": params.lanes,
            "salt": base64.b64encode(salt).decode(),
        },
        "cipher": {"name": "aes-256-gcm", "nonce": base64.b64encode(nonce).decode()},
        "check": base64.b64encode(check).decode(),
        "length": body_length,
        "metadata": meta.as_json(),
    }
    raw = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if len(raw) > MAX_HEADER:
        raise ValueError("metadata too large for a backup header")
    prefix = _PREFIX.pack(MAGIC, VERSION, len(raw)) + raw
    aad = prefix + hashlib.sha256(prefix).digest()
    return aad + AESGCM(key).encrypt(nonce, payload, aad)
