"""Test identities for the boundary tests of the macOS and Windows backends (a CA and leaves from it).

Small on purpose: an EC CA of its own per test module, leaves named "Anna de Vries", and a
PKCS#12 under a password with a non-ASCII letter, so that password handling is tested too.
"""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from keystore.base import Identity

CaPair = tuple[Any, x509.Certificate]
_NOW = datetime.datetime.now(datetime.UTC)


def _cert(subject: str, key: Any, issuer: str, issuer_key: Any, *, ca: bool) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOW - datetime.timedelta(minutes=5))
        .not_valid_after(_NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def make_ca() -> CaPair:
    """A self-signed EC CA: its key and certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key, _cert("Test Zorg CA", key, "Test Zorg CA", key, ca=True)


def make_identity(ca: CaPair, user_number: str = "100001", password: str = "pfx-Pässword-1",
                  key: Any = None) -> Identity:
    """A leaf from ``ca`` (a new EC key unless ``key`` is given) with the CA as its chain, as a PKCS#12."""
    ca_key, ca_cert = ca
    key = key or ec.generate_private_key(ec.SECP256R1())
    leaf = _cert("Anna de Vries", key, "Test Zorg CA", ca_key, ca=False)
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(1000)
                  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256())
                  .build(password.encode()))
    pfx = pkcs12.serialize_key_and_certificates(b"ZorgCert", key, leaf, [ca_cert], encryption)
    return Identity(user_number, leaf.public_bytes(serialization.Encoding.DER),
                    (ca_cert.public_bytes(serialization.Encoding.DER),), pfx, password)


def renew_through(store: Any, ca: CaPair) -> tuple[Identity, Identity]:
    """Everything a renewal asks of a store: install old, install new, remove old, find new, list ours."""
    old, new = make_identity(ca), make_identity(ca)
    old_ref = store.install(old)
    store.install(new)
    store.remove(old_ref)
    store.find(new.fingerprint)
    store.list_ours()
    return old, new
