"""Keys, requests and identities on this machine (R4: the key is made here and stays here)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from app.enroll.csrattrs import OID_EC_PUBLIC_KEY, parse_csrattrs
from keystore.base import Identity

DEFAULT_RSA_BITS = 3072
TRANSFER_KDF_ROUNDS = 10_000  # the transfer PKCS#12 only travels through pipes and memory


@dataclass(frozen=True)
class KeySpec:
    """What key the issuer asked for in its CSR attributes."""

    algorithm: str = "rsa"  # rsa | ec
    rsa_bits: int = DEFAULT_RSA_BITS

    @classmethod
    def from_csrattrs(cls, der: bytes | None) -> KeySpec:
        """Read the key type from RFC 7030 CSR attributes; RSA-3072 when they say nothing we use or are
        "not available" (``None``: the issuer answered 204 or 404, §4.5.2)."""
        if not der:
            return cls("rsa", DEFAULT_RSA_BITS)
        alg, bits = parse_csrattrs(der)
        if alg == OID_EC_PUBLIC_KEY:
            return cls("ec")
        return cls("rsa", max(bits or DEFAULT_RSA_BITS, 2048))


def generate_key(spec: KeySpec) -> Any:
    """A new private key as the issuer wants it."""
    if spec.algorithm == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=spec.rsa_bits)


def csr_der(key: Any, subject: x509.Name | None = None) -> bytes:
    """A PKCS#10 request; the issuer sets the subject of a first certificate itself."""
    subject = subject or x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ZorgCert")])
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.DER)


def renewal_csr_der(key: Any, cert: x509.Certificate) -> bytes:
    """The renewal request for ``cert``: its Subject and SubjectAltName copied exactly (RFC 7030 §4.2.2).

    A server MUST refuse a renewal whose Subject or SubjectAltName differ from the certificate
    being renewed; both are taken as they are (same attributes, same encoding, same criticality).
    """
    builder = x509.CertificateSigningRequestBuilder().subject_name(cert.subject)
    san: x509.Extension[x509.SubjectAlternativeName] | None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        builder = builder.add_extension(san.value, critical=san.critical)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def key_sha256(key: Any) -> str:
    """SHA-256 of the public key's SubjectPublicKeyInfo: how the issuer finds a certificate by key."""
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def key_der(key: Any) -> bytes:
    """The private key as PKCS#8 DER (only ever kept encrypted or in memory)."""
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_key(der: bytes) -> Any:
    return serialization.load_der_private_key(der, password=None)


def make_identity(user_number: str, key: Any, cert: x509.Certificate, chain: list[x509.Certificate]) -> Identity:
    """Wrap key, certificate and chain in a PKCS#12 with a fresh random password, for the stores."""
    if cert.public_key() != key.public_key():
        raise ValueError("the certificate does not belong to this key")
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    chain_der = tuple(c.public_bytes(serialization.Encoding.DER) for c in chain)
    password = secrets.token_urlsafe(24)
    probe = Identity(user_number, cert_der, chain_der, b"", "")
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(TRANSFER_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    pfx = pkcs12.serialize_key_and_certificates(probe.nickname.encode(), key, cert, list(chain), encryption)
    return Identity(user_number, cert_der, chain_der, pfx, password)


def open_identity(identity: Identity) -> tuple[Any, x509.Certificate, list[x509.Certificate]]:
    """Key, certificate and chain back out of an identity's PKCS#12."""
    key, cert, extra = pkcs12.load_key_and_certificates(identity.pfx, identity.pfx_password.encode())
    assert key is not None and cert is not None
    return key, cert, list(extra)
