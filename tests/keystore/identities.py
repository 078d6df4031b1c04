"""Throwaway test identities: a root and an issuing CA (made once per session), and leaves under them."""

from __future__ import annotations

import datetime
import functools
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from keystore.base import Identity

USER_NUMBER = "49032852822002"
TRANSFER_KDF_ROUNDS = 10_000  # like the app's transfer PKCS#12


@dataclass(frozen=True, repr=False)
class TestIdentity(Identity):
    """An ``Identity`` that also carries, for tests only, its private key and subject name."""

    __test__ = False  # not a pytest test class

    key: Any = field(default=None, compare=False)
    subject_cn: str = "Anna de Vries"

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.cert_der)


@dataclass(frozen=True)
class CaPair:
    root: x509.Certificate
    issuing: x509.Certificate
    issuing_key: Any

    @property
    def root_der(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.DER)

    @property
    def issuing_der(self) -> bytes:
        return self.issuing.public_bytes(serialization.Encoding.DER)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _ca_cert(subject: x509.Name, key: Any, issuer: x509.Name, signer: Any, path_length: int) -> x509.Certificate:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(signer, hashes.SHA256())
    )


@functools.cache
def authority() -> CaPair:
    """The root and issuing CA every test identity chains to (one pair per test session)."""
    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ZorgCert Test"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    root_key = ec.generate_private_key(ec.SECP384R1())
    issuing_key = ec.generate_private_key(ec.SECP256R1())
    root = _ca_cert(name("ZorgCert Test Root"), root_key, name("ZorgCert Test Root"), root_key, 1)
    issuing = _ca_cert(name("ZorgCert Test Issuing CA"), issuing_key, root.subject, root_key, 0)
    return CaPair(root, issuing, issuing_key)


def new_key(key_type: str = "ec") -> Any:
    """A fresh private key: ``ec`` (P-256, fast) or ``rsa`` (2048 bits)."""
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def pfx_for(nickname: str, key: Any, cert: x509.Certificate, chain: list[x509.Certificate],
            password: str, rounds: int = TRANSFER_KDF_ROUNDS) -> bytes:
    """A PKCS#12 as the app makes it: PBES2 AES-256-CBC, PBKDF2-SHA256, MAC SHA-256."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(rounds)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(nickname.encode(), key, cert, chain, encryption)


def make_identity(
    user_number: str = USER_NUMBER,
    subject_cn: str = "Anna de Vries",
    *,
    key: Any = None,
    key_type: str = "ec",
    days: int = 730,
) -> TestIdentity:
    """A client certificate from the test CA, wrapped as the app wraps it (friendlyName = nickname)."""
    ca = authority()
    key = key if key is not None else new_key(key_type)
    now = _now()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Huisartsenpraktijk De Linde"),
        x509.NameAttribute(NameOID.COMMON_NAME, subject_cn),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, user_number),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.issuing_key.public_key()),
                       critical=False)
        .sign(ca.issuing_key, hashes.SHA256())
    )
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    chain = [ca.issuing, ca.root]
    password = secrets.token_urlsafe(24)
    probe = Identity(user_number, cert_der, (), b"", "")
    return TestIdentity(
        user_number=user_number,
        cert_der=cert_der,
        chain_der=(ca.issuing_der, ca.root_der),
        pfx=pfx_for(probe.nickname, key, cert, chain, password),
        pfx_password=password,
        key=key,
        subject_cn=subject_cn,
    )


def renewed(identity: TestIdentity, *, same_key: bool = False) -> TestIdentity:
    """The renewal of ``identity``: same subject and user number, new serial, new key unless ``same_key``."""
    key_type = "rsa" if isinstance(identity.key, rsa.RSAPrivateKey) else "ec"
    return make_identity(identity.user_number, identity.subject_cn,
                         key=identity.key if same_key else None, key_type=key_type, days=731)


def with_password(identity: Identity, password: str) -> Identity:
    """The same identity, but claiming another PKCS#12 password."""
    return Identity(identity.user_number, identity.cert_der, identity.chain_der, identity.pfx, password)


def with_pfx(identity: Identity, pfx: bytes) -> Identity:
    """The same identity with other PKCS#12 bytes (e.g. damaged ones)."""
    return Identity(identity.user_number, identity.cert_der, identity.chain_der, pfx, identity.pfx_password)


def raw_key(identity: TestIdentity) -> bytes:
    """The private key's secret number, big-endian: what must never be found lying around."""
    numbers = identity.key.private_numbers()
    if isinstance(identity.key, rsa.RSAPrivateKey):
        return numbers.d.to_bytes((numbers.d.bit_length() + 7) // 8, "big")
    return numbers.private_value.to_bytes((identity.key.curve.key_size + 7) // 8, "big")


def verify_signature(identity: Identity, data: bytes, signature: bytes, hash_name: str) -> bool:
    """Does ``signature`` over ``data`` verify with the certificate's key (RSA PKCS#1 v1.5 or ECDSA)?"""
    algorithm = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256()}[hash_name]  # NSS's pk1sign uses SHA-1
    public = x509.load_der_x509_certificate(identity.cert_der).public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), algorithm)
        else:
            public.verify(signature, data, ec.ECDSA(algorithm))  # type: ignore[union-attr, call-arg]
    except InvalidSignature:
        return False
    return True
