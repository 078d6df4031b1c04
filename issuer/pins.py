"""PINs (generated, hashed slowly with a server-side pepper, never stored in clear) and sealed message bodies.

A PIN hash is ``scrypt(HMAC-SHA256(pepper, NFC(pin)), salt)``. The pepper is derived from
the issuer secret (``secret_file`` in ``issuer.toml``), which never enters the database:
a copy of the database alone does not let anyone test a single PIN guess offline.
Cost choice and the handling of older hashes: docs/issuer.md, "PINs at rest".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PIN_DIGITS = 8
# scrypt cost: ~50 ms and 16 MiB per check on a 2-core machine. Online guessing is bounded
# by the lockout (max_pin_attempts, 5); offline guessing of a stolen database is stopped by
# the pepper. The cost only matters if database AND pepper are taken: then each of the
# 10^8 PINs of one user costs this much, per user (salted).
_N, _R, _P = 2**14, 8, 1
_MAX_N = 2**20  # a stored hash never makes a check cost more than this

SCHEME = "zc-scrypt-hmac"
"""scrypt over HMAC-SHA256(pepper, NFC(PIN)): every hash made now."""
LEGACY = "scrypt"
"""scrypt over the bare PIN: hashes made before the pepper; wrapped on start, see ``wrap_legacy``."""
WRAPPED = "zc-scrypt-wrapped"
"""HMAC-SHA256(pepper, a LEGACY digest): an older hash made useless offline without its PIN."""


def new_pin() -> str:
    """A fresh random PIN of eight digits (typed from a letter)."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def normalise_pin(pin: str) -> bytes:
    """The bytes of a PIN as hashed: Unicode NFC in UTF-8 (what the client sends, RFC 7617 charset)."""
    return unicodedata.normalize("NFC", pin).encode("utf-8", "surrogatepass")


def pin_pepper(issuer_secret: bytes) -> bytes:
    """The PIN pepper: a key derived from the issuer secret, kept out of the database."""
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"zorgcert issuer pin pepper v1").derive(issuer_secret)


class PinHasher:
    """Hashes and checks PINs with the pepper; every check does the same work, found or not."""

    def __init__(self, pepper: bytes):
        if len(pepper) < 32:
            raise ValueError("the PIN pepper must be at least 32 bytes")
        self._pepper = pepper

    def _keyed(self, pin: str) -> bytes:
        return hmac.new(self._pepper, normalise_pin(pin), hashlib.sha256).digest()

    def _wrap(self, legacy_digest: bytes) -> bytes:
        return hmac.new(self._pepper, b"wrap:" + legacy_digest, hashlib.sha256).digest()

    def hash(self, pin: str) -> str:
        """A salted, peppered scrypt hash of ``pin``, self-describing."""
        salt = os.urandom(16)
        digest = hashlib.scrypt(self._keyed(pin), salt=salt, n=_N, r=_R, p=_P, dklen=32)
        return _format(SCHEME, _N, _R, _P, salt, digest)

    def verify(self, pin: str, stored: str | None) -> bool:
        """True when ``pin`` matches ``stored``; constant-time compare.

        Without a usable ``stored`` hash (unknown user number, no PIN yet) the same scrypt is
        run on a random salt, so the answer takes as long whatever the user number.
        """
        parsed = _parse(stored)
        if parsed is None:
            hashlib.scrypt(self._keyed(pin), salt=os.urandom(16), n=_N, r=_R, p=_P, dklen=32)
            return False
        scheme, n, r, p, salt, expected = parsed
        if scheme == SCHEME:
            got = hashlib.scrypt(self._keyed(pin), salt=salt, n=n, r=r, p=p, dklen=len(expected))
        else:  # WRAPPED
            got = self._wrap(hashlib.scrypt(normalise_pin(pin), salt=salt, n=n, r=r, p=p, dklen=len(expected)))
        return hmac.compare_digest(got, expected)

    def throttle_slot(self, user_number: str, slots: int) -> tuple[int, str]:
        """Where an unknown number's wrong PINs are counted: (slot, tag), keyed so no one can aim at a slot."""
        digest = hmac.new(
            self._pepper, b"throttle:" + user_number.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).digest()
        return int.from_bytes(digest[:8], "big") % slots, digest[8:24].hex()

    def wrap_legacy(self, stored: str) -> str | None:
        """A LEGACY hash re-keyed with the pepper (no PIN needed), or None if ``stored`` is not LEGACY."""
        parts = stored.split("$")
        if len(parts) != 6 or parts[0] != LEGACY:
            return None
        _, n, r, p, salt_b64, digest_b64 = parts
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        return _format(WRAPPED, int(n), int(r), int(p), salt, self._wrap(digest))


def _format(scheme: str, n: int, r: int, p: int, salt: bytes, digest: bytes) -> str:
    return f"{scheme}${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _parse(stored: str | None) -> tuple[str, int, int, int, bytes, bytes] | None:
    """The parts of a SCHEME or WRAPPED hash; None for anything else (absent, LEGACY, damaged)."""
    if not stored:
        return None
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        parsed = (scheme, int(n), int(r), int(p), base64.b64decode(salt_b64), base64.b64decode(digest_b64))
    except ValueError:
        return None
    if parsed[0] not in (SCHEME, WRAPPED) or not (1 < parsed[1] <= _MAX_N) or parsed[2] * parsed[3] > 64:
        return None
    return parsed


class MessageSeal:
    """AES-256-GCM for message-box bodies, keyed from the issuer secret."""

    def __init__(self, issuer_secret: bytes):
        key = HKDF(hashes.SHA256(), 32, salt=None, info=b"zorgcert issuer message box v1").derive(
            issuer_secret
        )
        self._aead = AESGCM(key)

    def seal(self, text: str, *, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, text.encode(), context)

    def open(self, blob: bytes, *, context: bytes) -> str:
        return self._aead.decrypt(blob[:12], blob[12:], context).decode()


def ca_passphrase(issuer_secret: bytes) -> bytes:
    """The passphrase of the CA keys, derived from the issuer secret."""
    return (
        HKDF(hashes.SHA256(), 32, salt=None, info=b"zorgcert issuer ca keys v1")
        .derive(issuer_secret)
        .hex()
        .encode()
    )
