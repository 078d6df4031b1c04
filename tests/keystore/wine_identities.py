"""Test identities for a Windows Python under Wine, where ``cryptography`` does not load.

The Linux side (``tests/keystore/test_windows_wine.py``) makes the identities with
``tests.keystore.identities`` and writes them as data, a "book", with ``write_book``; the
Windows side reads it (path in ``BOOK_ENV``) and answers the contract's calls
(``make_identity``, ``renewed``, ...) from it, with the standard library only.

Wine's crypt32 imports RSA keys only (an EC PKCS#12 comes back as NULL with no error), so every
identity the contract asks for is RSA here, whatever key type it names; the app's default is
RSA too. One EC identity sits in the book under ``EC_PROBE`` so that the Wine-only checks can
show what happens to it. The book holds throwaway test identities and their PKCS#12
passwords; it lives in the test session's temporary folder, owner-only, and goes with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from keystore.base import Identity

BOOK_ENV = "ZORGCERT_TEST_IDENTITY_BOOK"
USER_NUMBER = "49032852822002"
ANNA = "Anna de Vries"
EC_PROBE = ("ec-probe",)

# What the contract asks for: (user number, subject CN, key type) for make_identity, and the
# renewals of Anna's identity. A request not listed here fails loudly on the Windows side.
MADE = [
    (USER_NUMBER, ANNA, "ec"),
    (USER_NUMBER, ANNA, "rsa"),
    ("49032852822003", "Bram Jansen", "ec"),
    ("49032852822004", "Cor de Groot", "ec"),
]
RENEWED = [False, True]  # same_key


@dataclass(frozen=True, repr=False)
class BookIdentity(Identity):
    """An ``Identity`` from the book, with what the contract checks about its key."""

    __test__ = False  # not a pytest test class

    subject_cn: str = ANNA
    raw_key: bytes = field(default=b"", repr=False)  # the private key's secret number, big-endian
    rsa_n: int = 0
    rsa_e: int = 0


# --- Linux side -------------------------------------------------------------------------------
def write_book(path: Path) -> None:
    """Make every identity the contract asks for (on Linux, with cryptography) and write them to ``path``."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from tests.keystore import identities

    entries = []

    def add(key: list[object], ident: identities.TestIdentity) -> None:
        private = ident.key.private_numbers()
        if isinstance(ident.key, rsa.RSAPrivateKey):
            n, e = private.public_numbers.n, private.public_numbers.e
        else:
            assert isinstance(ident.key, ec.EllipticCurvePrivateKey)
            n, e = 0, 0
        entries.append({
            "key": key, "user_number": ident.user_number, "subject_cn": ident.subject_cn,
            "cert": _b64(ident.cert_der), "chain": [_b64(c) for c in ident.chain_der],
            "pfx": _b64(ident.pfx), "password": ident.pfx_password, "raw_key": _b64(identities.raw_key(ident)),
            "rsa_n": str(n), "rsa_e": e,
        })

    made = {request: identities.make_identity(request[0], request[1], key_type="rsa") for request in MADE}
    for request, ident in made.items():
        add(["make", *request], ident)
    anna = made[MADE[0]]
    for same_key in RENEWED:
        add(["renew", anna.fingerprint, same_key], identities.renewed(anna, same_key=same_key))
    add(list(EC_PROBE), identities.make_identity(key_type="ec"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"entries": entries}, f)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- Windows side -----------------------------------------------------------------------------
_BOOK: dict[tuple[object, ...], BookIdentity] | None = None


def _book() -> dict[tuple[object, ...], BookIdentity]:
    global _BOOK
    if _BOOK is None:
        with open(os.environ[BOOK_ENV], encoding="utf-8") as f:
            entries = json.load(f)["entries"]
        _BOOK = {tuple(e["key"]): BookIdentity(
            user_number=e["user_number"], cert_der=base64.b64decode(e["cert"]),
            chain_der=tuple(base64.b64decode(c) for c in e["chain"]), pfx=base64.b64decode(e["pfx"]),
            pfx_password=e["password"], subject_cn=e["subject_cn"], raw_key=base64.b64decode(e["raw_key"]),
            rsa_n=int(e["rsa_n"]), rsa_e=e["rsa_e"]) for e in entries}
    return _BOOK


def _entry(key: tuple[object, ...]) -> BookIdentity:
    try:
        return _book()[key]
    except KeyError:
        raise LookupError(f"the identity book has no {key}: add it to MADE/RENEWED in {__name__}") from None


def make_identity(user_number: str = USER_NUMBER, subject_cn: str = ANNA, *, key_type: str = "ec") -> BookIdentity:
    """The book's identity for this request (RSA, see the module docstring)."""
    return _entry(("make", user_number, subject_cn, key_type))


def renewed(identity: Identity, *, same_key: bool = False) -> BookIdentity:
    """The book's renewal of ``identity``."""
    return _entry(("renew", identity.fingerprint, same_key))


def ec_probe() -> BookIdentity:
    """An EC identity (P-256), which Wine's crypt32 cannot import."""
    return _entry(EC_PROBE)


def raw_key(identity: BookIdentity) -> bytes:
    """The private key's secret number, big-endian (worked out on Linux)."""
    return identity.raw_key


def thumbprints() -> set[str]:
    """The SHA-1 thumbprints of every identity in the book."""
    return {ident.sha1_thumbprint for ident in _book().values()}


def with_password(identity: Identity, password: str) -> Identity:
    """The same identity, but claiming another PKCS#12 password."""
    return Identity(identity.user_number, identity.cert_der, identity.chain_der, identity.pfx, password)


def with_pfx(identity: Identity, pfx: bytes) -> Identity:
    """The same identity with other PKCS#12 bytes (e.g. damaged ones)."""
    return Identity(identity.user_number, identity.cert_der, identity.chain_der, pfx, identity.pfx_password)


# DER of DigestInfo's AlgorithmIdentifier + OCTET STRING header (RFC 8017, 9.2 note 1)
_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
}


def verify_signature(identity: Identity, data: bytes, signature: bytes, hash_name: str) -> bool:
    """Does ``signature`` over ``data`` verify with the certificate's RSA key (PKCS#1 v1.5)?"""
    if not isinstance(identity, BookIdentity) or not identity.rsa_n:
        raise ValueError("only the book's RSA identities can be verified without cryptography")
    size = (identity.rsa_n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    encoded = pow(int.from_bytes(signature, "big"), identity.rsa_e, identity.rsa_n).to_bytes(size, "big")
    digest = _DIGEST_INFO[hash_name] + hashlib.new(hash_name, data).digest()
    return encoded == b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
