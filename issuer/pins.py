"""PINs (generated, hashed slowly, never stored in clear) and sealed message bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PIN_DIGITS = 8
# scrypt cost: ~50 ms and 16 MiB per check on a 2-core machine; with max_pin_attempts = 5
# online guessing is what limits an attacker, this makes a stolen database slow to use.
_N, _R, _P = 2**14, 8, 1


def new_pin() -> str:
    """A fresh random PIN of eight digits (typed from a letter)."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of ``pin``, self-describing."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def pin_matches(pin: str, stored: str | None) -> bool:
    """True when ``pin`` hashes to ``stored``; constant-time compare."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        got = hashlib.scrypt(pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


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
