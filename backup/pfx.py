"""PKCS#12 (.pfx) export for administration software and browsers, in two profiles.

``modern``: PBES2 with AES-256-CBC, PBKDF2-HMAC-SHA256 at ``MODERN_ROUNDS``, MAC HMAC-SHA256.
Read by Windows 10 1709 / Server 2019 and later, current macOS, Firefox, Chrome, OpenSSL 1.1+, Java 8u301+.

``legacy``: pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates, MAC HMAC-SHA1: for Windows
before 10 1709 and old Java. 3DES and SHA-1 are weak; say so to the user, and prefer ``modern``.

A PFX is not a backup: its MAC iteration count stays 2048 whatever the KDF rounds, so a
stolen PFX is cheap to attack. Backups use the Argon2id envelope instead.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

PROFILES = ("modern", "legacy")
MODERN_ROUNDS = 600_000  # OWASP's figure for PBKDF2-HMAC-SHA256
LEGACY_ROUNDS = 50_000  # old readers cope with this; the cipher is the weak part anyway


def is_weak(profile: str) -> bool:
    """Whether a profile deserves a warning."""
    return profile == "legacy"


def to_pfx(
    key: Any,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    password: str,
    *,
    profile: str = "modern",
    friendly_name: str | None = None,
) -> bytes:
    """Key, certificate and chain as a password-protected PKCS#12 in the given profile."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}")
    if not password:
        raise ValueError("a PFX without a password is not protected")
    builder = PrivateFormat.PKCS12.encryption_builder()
    if profile == "modern":
        builder = (
            builder.kdf_rounds(MODERN_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
        )
    else:
        builder = (
            builder.kdf_rounds(LEGACY_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
        )
    name = friendly_name.encode("utf-8") if friendly_name else None
    return pkcs12.serialize_key_and_certificates(name, key, cert, chain, builder.build(password.encode("utf-8")))
