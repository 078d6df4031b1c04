"""The issuing CA: root and issuing certificates, CSR checks, signing. Pure crypto, no clock."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from issuer.files import write_private, write_public

ROOT_CERT, ROOT_KEY = "root-ca.pem", "root-ca.key.pem"
ISSUING_CERT, ISSUING_KEY = "issuing-ca.pem", "issuing-ca.key.pem"
CA_FILES = (ROOT_CERT, ROOT_KEY, ISSUING_CERT, ISSUING_KEY)
CA_KEY_BITS = (4096, 3072)
"""RSA sizes of the root and issuing CA keys that ``init`` makes (tests pass smaller ones to save time)."""

_ACCEPTED_CURVES = ("secp256r1", "secp384r1")
_ACCEPTED = "use RSA (2048 bits or more) or EC P-256/P-384"


class CsrRejected(Exception):
    """A certificate request that the issuer will not sign."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def load_csr(data: bytes) -> x509.CertificateSigningRequest:
    """Parse a PKCS#10 request (DER, or PEM), check its self-signature and key strength."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            csr = x509.load_pem_x509_csr(data)
        else:
            csr = x509.load_der_x509_csr(data)
    except ValueError:
        # the parser's own words stay out: they describe its internals, not what the client should fix
        raise CsrRejected("malformed", "the request is not a valid PKCS#10 certificate request (CSR)") from None
    try:
        key = csr.public_key()
    except (UnsupportedAlgorithm, ValueError):
        raise CsrRejected("unsupported-key", "the request's public key algorithm is not supported") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise CsrRejected("weak-key", f"the RSA key has {key.key_size} bits; at least 2048 are required")
        if key.public_numbers().e != 65537:
            raise CsrRejected("weak-key", "the RSA key's public exponent must be 65537")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in _ACCEPTED_CURVES:
            raise CsrRejected("unsupported-key", f"EC curve {key.curve.name} is not accepted; {_ACCEPTED}")
    else:
        kind = type(key).__name__.removeprefix("_").removesuffix("PublicKey")
        raise CsrRejected("unsupported-key", f"{kind} keys are not accepted; {_ACCEPTED}")
    try:
        valid = csr.is_signature_valid
    except UnsupportedAlgorithm:
        valid = False
    if not valid:
        raise CsrRejected("bad-signature", "the request's signature does not match its public key")
    return csr


UB_NAME = 64
"""RFC 5280 upper bounds: ub-common-name and ub-organization-name, in characters."""

_NOT_IN_NAMES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Unicode categories never allowed in a subject name: controls (newline, tab, NUL), format
characters (bidi controls such as U+202E, zero-width ones), surrogates, private use, unassigned,
line and paragraph separators."""


def subject_text(value: str, what: str = "the name", limit: int = UB_NAME) -> str:
    """``value`` as it may go into a certificate subject: NFC, trimmed, printable, within ``limit``.

    Raises ValueError with a sentence for the person who typed it.
    """
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    bad = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _NOT_IN_NAMES})
    if bad:
        shown = ", ".join(bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise ValueError(
            f"{what} contains control, direction or other invisible characters ({shown}); "
            "type it again without them (no line breaks or tabs)"
        )
    if len(text) > limit:
        raise ValueError(f"{what} has {len(text)} characters; a certificate allows at most {limit}")
    return text


def client_subject(*, name: str, organisation: str, user_number: str, kind: str) -> x509.Name:
    """Client certificate subject: C=NL, O=organisation, OU=Persoonlijk|Systeem, CN=name, serialNumber."""
    units = {"personal": "Persoonlijk", "system": "Systeem"}
    if kind not in units:
        raise ValueError(f"kind must be 'personal' or 'system', not {kind!r}")
    if not user_number:
        raise ValueError("user_number must not be empty")
    return _name(
        (NameOID.COUNTRY_NAME, "NL"),
        (NameOID.ORGANIZATION_NAME, subject_text(organisation, "the organisation name")),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, units[kind]),
        (NameOID.COMMON_NAME, subject_text(name, "the name")),
        (NameOID.SERIAL_NUMBER, user_number),
    )


def public_key_fingerprint(key: PublicKeyTypes) -> str:
    """SHA-256 hex of the key's SubjectPublicKeyInfo DER."""
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


class CertificateAuthority:
    """The root and issuing CA: created once, keys encrypted at rest."""

    def __init__(
        self, root_cert: x509.Certificate, issuing_cert: x509.Certificate, issuing_key: rsa.RSAPrivateKey
    ) -> None:
        self.root_cert = root_cert
        self.issuing_cert = issuing_cert
        self._key = issuing_key
        self._aki = _aki_of(issuing_cert)

    @classmethod
    def create(
        cls, directory: Path, passphrase: bytes, *, name: str, now: datetime, key_bits: tuple[int, int] = CA_KEY_BITS
    ) -> CertificateAuthority:
        """Generate the root and issuing CA in directory, refusing to overwrite an existing CA.

        ``key_bits``: RSA sizes of the root and issuing keys (never below 2048)."""
        directory = Path(directory)
        existing = [f for f in CA_FILES if (directory / f).exists()]
        if existing:
            found = ", ".join(existing)
            raise FileExistsError(f"a CA already exists in {directory} ({found}); refusing to overwrite it")
        if not passphrase:
            raise ValueError("the CA passphrase must not be empty")
        if min(key_bits) < 2048:
            raise ValueError(f"CA keys need at least 2048 bits, not {min(key_bits)}")
        now = _utc(now).replace(microsecond=0)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)

        root_key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits[0])
        issuing_key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits[1])
        root_cert = _ca_certificate(name, "Root CA", root_key, root_key, None, now, years=20, path_length=1)
        issuing_cert = _ca_certificate(
            name, "Issuing CA", issuing_key, root_key, root_cert, now, years=10, path_length=0
        )

        # PKCS#8 in cryptography only offers BestAvailableEncryption: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.
        encryption = serialization.BestAvailableEncryption(passphrase)
        for filename, key in ((ROOT_KEY, root_key), (ISSUING_KEY, issuing_key)):
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
            write_private(directory / filename, pem)
        # Certificates last: a CA directory with certificates always has its keys too.
        for filename, cert in ((ROOT_CERT, root_cert), (ISSUING_CERT, issuing_cert)):
            write_public(directory / filename, cert.public_bytes(serialization.Encoding.PEM))
        return cls(root_cert, issuing_cert, issuing_key)

    @classmethod
    def load(cls, directory: Path, passphrase: bytes) -> CertificateAuthority:
        """Open an existing CA; only the issuing key is decrypted, the root key stays on disk."""
        directory = Path(directory)
        root_cert = x509.load_pem_x509_certificate((directory / ROOT_CERT).read_bytes())
        issuing_cert = x509.load_pem_x509_certificate((directory / ISSUING_CERT).read_bytes())
        try:
            key = serialization.load_pem_private_key((directory / ISSUING_KEY).read_bytes(), passphrase)
        except (ValueError, TypeError):
            raise ValueError("the CA passphrase does not open the CA key") from None
        if not isinstance(key, rsa.RSAPrivateKey) or (
            public_key_fingerprint(key.public_key()) != public_key_fingerprint(issuing_cert.public_key())
        ):
            raise ValueError(f"{ISSUING_KEY} does not belong to {ISSUING_CERT}")
        issuing_cert.verify_directly_issued_by(root_cert)
        return cls(root_cert, issuing_cert, key)

    def chain(self) -> list[x509.Certificate]:
        """The CA chain above a leaf: [issuing_cert, root_cert]."""
        return [self.issuing_cert, self.root_cert]

    def issue_server_certificate(
        self, *, hostnames: list[str], ips: list[str], now: datetime, days: int = 825
    ) -> tuple[bytes, bytes]:
        """TLS server certificate with a new P-256 key: (PEM leaf + issuing CA, unencrypted PKCS#8 PEM)."""
        if not hostnames and not ips:
            raise ValueError("a server certificate needs at least one hostname or IP address")
        addresses = [ipaddress.ip_address(ip) for ip in ips]
        now = _utc(now).replace(microsecond=0)
        key = ec.generate_private_key(ec.SECP256R1())
        san = [x509.DNSName(h) for h in hostnames] + [x509.IPAddress(a) for a in addresses]
        cert = self._sign(
            _name((NameOID.COMMON_NAME, (hostnames or ips)[0])),
            key.public_key(),
            x509.random_serial_number(),
            now - timedelta(minutes=5),
            now + timedelta(days=days),
            [
                (_key_usage(digital_signature=True), True),
                (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
                (x509.SubjectAlternativeName(san), False),
            ],
        )
        pem = serialization.Encoding.PEM
        key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return cert.public_bytes(pem) + self.issuing_cert.public_bytes(pem), key_pem

    def issue_client_certificate(
        self,
        csr: x509.CertificateSigningRequest,
        *,
        subject: x509.Name,
        serial: int,
        not_before: datetime,
        not_after: datetime,
        email: str | None = None,
    ) -> x509.Certificate:
        """Sign a client (clientAuth) certificate for the CSR's key with exactly the given validity."""
        not_before, not_after = _utc(not_before), _utc(not_after)
        if not_before.microsecond or not_after.microsecond:
            raise ValueError("not_before and not_after must be whole seconds")
        key = csr.public_key()
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (_key_usage(digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPublicKey)), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        ]
        if email:
            extensions.append((x509.SubjectAlternativeName([x509.RFC822Name(email)]), False))
        return self._sign(subject, key, serial, not_before, not_after, extensions)

    def _sign(
        self,
        subject: x509.Name,
        key: CertificatePublicKeyTypes,
        serial: int,
        not_before: datetime,
        not_after: datetime,
        extensions: list[tuple[x509.ExtensionType, bool]],
    ) -> x509.Certificate:
        if not_after <= not_before:
            raise ValueError("not_after must be later than not_before")
        if not_after > self.issuing_cert.not_valid_after_utc:
            raise ValueError("the certificate would outlive the issuing CA")
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.issuing_cert.subject)
            .public_key(key)
            .serial_number(serial)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
            .add_extension(self._aki, critical=False)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(self._key, hashes.SHA256())


def pkcs7_certs_only(certs: list[x509.Certificate]) -> bytes:
    """DER of a degenerate certs-only PKCS#7 SignedData (RFC 7030 /cacerts, /simpleenroll responses)."""
    return pkcs7.serialize_certificates(certs, serialization.Encoding.DER)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _key_usage(**usages: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    return x509.KeyUsage(**(flags | usages))


def _aki_of(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _ca_certificate(
    name: str,
    role: str,
    key: rsa.RSAPrivateKey,
    signer: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None,
    now: datetime,
    *,
    years: int,
    path_length: int,
) -> x509.Certificate:
    subject = _name(
        (NameOID.COUNTRY_NAME, "NL"),
        (NameOID.ORGANIZATION_NAME, name),
        (NameOID.COMMON_NAME, f"{name} {role}"),
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(_add_years(now, years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(_aki_of(issuer), critical=False)
    return builder.sign(signer, hashes.SHA256())
