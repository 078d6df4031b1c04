import stat
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from issuer import ca
from issuer.ca import CertificateAuthority, CsrRejected

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PASSPHRASE = b"correct horse battery staple"
# openssl verify checks against this moment rather than the machine's clock.
ATTIME = str(int((NOW + timedelta(days=1)).timestamp()))


def _csr(key: CertificateIssuerPrivateKeyTypes, cn: str = "ignored") -> x509.CertificateSigningRequest:
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .sign(key, algorithm)
    )


def _der(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.DER)


def _csr_der(key: CertificateIssuerPrivateKeyTypes) -> bytes:
    return _der(_csr(key))


def _openssl(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=input, capture_output=True, check=False)


def _verify(ca_dir: Path, leaf: Path, *extra: str) -> None:
    result = _openssl(
        "verify",
        "-attime",
        ATTIME,
        *extra,
        "-CAfile",
        str(ca_dir / "root-ca.pem"),
        "-untrusted",
        str(ca_dir / "issuing-ca.pem"),
        str(leaf),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(b": OK")


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ca") / "state"
    CertificateAuthority.create(directory, PASSPHRASE, name="ZorgCert Test", now=NOW)
    return directory


@pytest.fixture(scope="module")
def authority(ca_dir: Path) -> CertificateAuthority:
    return CertificateAuthority.load(ca_dir, PASSPHRASE)


@pytest.fixture(scope="module")
def rsa_csr() -> x509.CertificateSigningRequest:
    return _csr(rsa.generate_private_key(public_exponent=65537, key_size=3072))


def test_create_then_load_round_trips(ca_dir: Path, authority: CertificateAuthority) -> None:
    root = x509.load_pem_x509_certificate((ca_dir / "root-ca.pem").read_bytes())
    assert authority.root_cert == root
    assert authority.chain() == [authority.issuing_cert, authority.root_cert]
    authority.issuing_cert.verify_directly_issued_by(authority.root_cert)
    root_name, issuing_name = authority.root_cert.subject, authority.issuing_cert.subject
    assert root_name.rfc4514_string() == "CN=ZorgCert Test Root CA,O=ZorgCert Test,C=NL"
    assert issuing_name.rfc4514_string() == "CN=ZorgCert Test Issuing CA,O=ZorgCert Test,C=NL"


def test_ca_certificate_profiles(authority: CertificateAuthority) -> None:
    profiles = ((authority.root_cert, 1, 20, 4096), (authority.issuing_cert, 0, 10, 3072))
    for cert, path_length, years, bits in profiles:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert basic.critical and basic.value.ca and basic.value.path_length == path_length
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
        assert not usage.value.digital_signature
        assert cert.not_valid_before_utc == NOW
        assert cert.not_valid_after_utc == NOW.replace(year=NOW.year + years)
        assert cert.public_key().key_size == bits
        cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    aki = authority.issuing_cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    root_ski = authority.root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == root_ski.digest


def test_create_refuses_an_existing_ca(ca_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in ca_dir.iterdir()}
    with pytest.raises(FileExistsError, match="already exists"):
        CertificateAuthority.create(ca_dir, PASSPHRASE, name="Other", now=NOW)
    assert {p.name: p.read_bytes() for p in ca_dir.iterdir()} == before


def test_wrong_passphrase_is_refused_without_echoing_it(ca_dir: Path) -> None:
    wrong = b"hunter2-not-the-passphrase"
    with pytest.raises(ValueError) as info:
        CertificateAuthority.load(ca_dir, wrong)
    assert str(info.value) == "the CA passphrase does not open the CA key"
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no chained error leaks details


def test_files_are_encrypted_and_private(ca_dir: Path) -> None:
    assert stat.S_IMODE(ca_dir.stat().st_mode) == 0o700
    assert sorted(p.name for p in ca_dir.iterdir()) == sorted(ca.CA_FILES)  # no temp files left behind
    for name in ("root-ca.key.pem", "issuing-ca.key.pem"):
        path = ca_dir / name
        assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        # Plain OpenSSL can open it with the passphrase, and it is PBES2 with AES-256.
        opened = _openssl("pkey", "-in", str(path), "-passin", "pass:" + PASSPHRASE.decode(), "-noout")
        assert opened.returncode == 0, opened.stderr
        parsed = _openssl("asn1parse", "-in", str(path)).stdout
        assert b"PBES2" in parsed and b"aes-256-cbc" in parsed
    for name in ("root-ca.pem", "issuing-ca.pem"):
        assert stat.S_IMODE((ca_dir / name).stat().st_mode) == 0o644


def test_client_certificate_verifies_with_openssl(
    ca_dir: Path, authority: CertificateAuthority, rsa_csr: x509.CertificateSigningRequest, tmp_path: Path
) -> None:
    csr = ca.load_csr(_der(rsa_csr))
    subject = ca.client_subject(
        name="Dr. A. de Vries",
        organisation="Huisartsenpraktijk Zuid",
        user_number="U-000123",
        kind="personal",
    )
    not_before = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
    not_after = not_before + timedelta(days=730)
    cert = authority.issue_client_certificate(
        csr,
        subject=subject,
        serial=0x1234ABCD,
        not_before=not_before,
        not_after=not_after,
        email="a.devries@example.nl",
    )
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _verify(ca_dir, leaf)
    _verify(ca_dir, leaf, "-purpose", "sslclient")
    with pytest.raises(AssertionError):
        _verify(ca_dir, leaf, "-purpose", "sslserver")

    assert cert.not_valid_before_utc == not_before
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=730)
    assert cert.serial_number == 0x1234ABCD
    assert cert.subject == subject
    assert cert.subject.rfc4514_string() == (
        "2.5.4.5=U-000123,CN=Dr. A. de Vries,OU=Persoonlijk,O=Huisartsenpraktijk Zuid,C=NL"
    )
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH
    ]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.key_encipherment
    assert not usage.value.key_cert_sign
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and not basic.value.ca
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["a.devries@example.nl"]
    assert ca.public_key_fingerprint(cert.public_key()) == ca.public_key_fingerprint(csr.public_key())
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == "sha256"


def test_ec_client_certificate_has_no_key_encipherment(authority: CertificateAuthority) -> None:
    csr = ca.load_csr(_der(_csr(ec.generate_private_key(ec.SECP256R1()))))
    subject = ca.client_subject(name="Balie", organisation="Praktijk", user_number="S-1", kind="system")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    cert = authority.issue_client_certificate(
        csr, subject=subject, serial=7, not_before=start, not_after=start + timedelta(days=365)
    )
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_encipherment
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "Systeem"
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)


def test_bad_issuing_arguments_are_refused(
    authority: CertificateAuthority, rsa_csr: x509.CertificateSigningRequest
) -> None:
    subject = ca.client_subject(name="X", organisation="Y", user_number="Z", kind="personal")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="whole seconds"):
        authority.issue_client_certificate(
            rsa_csr,
            subject=subject,
            serial=1,
            not_before=start,
            not_after=start.replace(microsecond=5) + timedelta(days=1),
        )
    with pytest.raises(ValueError, match="outlive"):
        authority.issue_client_certificate(
            rsa_csr, subject=subject, serial=1, not_before=start, not_after=start + timedelta(days=365 * 11)
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        authority.issue_server_certificate(hostnames=["x"], ips=[], now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="kind"):
        ca.client_subject(name="X", organisation="Y", user_number="Z", kind="admin")


def test_server_certificate(ca_dir: Path, authority: CertificateAuthority, tmp_path: Path) -> None:
    chain_pem, key_pem = authority.issue_server_certificate(
        hostnames=["localhost", "issuer.test"], ips=["127.0.0.1"], now=NOW
    )
    leaf, issuing = x509.load_pem_x509_certificates(chain_pem)
    assert issuing == authority.issuing_cert
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert ca.public_key_fingerprint(key.public_key()) == ca.public_key_fingerprint(leaf.public_key())
    path = tmp_path / "server.pem"
    path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    _verify(ca_dir, path, "-purpose", "sslserver")
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "issuer.test"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert leaf.not_valid_before_utc == NOW - timedelta(minutes=5)
    assert leaf.not_valid_after_utc == NOW + timedelta(days=825)
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]


def _flip_last_signature_byte(der: bytes) -> bytes:
    return der[:-1] + bytes([der[-1] ^ 0x01])


BAD_PEM = b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda: _csr_der(rsa.generate_private_key(65537, 1024)), "weak-key", id="rsa-1024"),
        pytest.param(lambda: _csr_der(rsa.generate_private_key(3, 2048)), "weak-key", id="rsa-e3"),
        pytest.param(lambda: _csr_der(ed25519.Ed25519PrivateKey.generate()), "unsupported-key", id="ed25519"),
        pytest.param(lambda: _csr_der(ec.generate_private_key(ec.SECP521R1())), "unsupported-key", id="p521"),
        pytest.param(lambda: b"this is not a certificate request", "malformed", id="garbage"),
        pytest.param(lambda: BAD_PEM, "malformed", id="bad-pem"),
        pytest.param(lambda: b"", "malformed", id="empty"),
    ],
)
def test_load_csr_rejects(make: Callable[[], bytes], reason: str) -> None:
    with pytest.raises(CsrRejected) as info:
        ca.load_csr(make())
    assert info.value.reason == reason
    assert str(info.value) == info.value.message and info.value.message


def test_load_csr_rejects_tampered_signature(rsa_csr: x509.CertificateSigningRequest) -> None:
    tampered = _flip_last_signature_byte(_der(rsa_csr))
    assert not x509.load_der_x509_csr(tampered).is_signature_valid  # still parses, only the signature is bad
    with pytest.raises(CsrRejected) as info:
        ca.load_csr(tampered)
    assert info.value.reason == "bad-signature"


def test_load_csr_accepts_good_requests(rsa_csr: x509.CertificateSigningRequest) -> None:
    for curve in (ec.SECP256R1(), ec.SECP384R1()):
        csr = _csr(ec.generate_private_key(curve))
        assert ca.load_csr(_der(csr)) == csr
    pem = rsa_csr.public_bytes(serialization.Encoding.PEM)
    assert ca.load_csr(pem) == rsa_csr
    assert ca.load_csr(b"\n" + pem) == rsa_csr


def test_pkcs7_certs_only(authority: CertificateAuthority, tmp_path: Path) -> None:
    der = ca.pkcs7_certs_only(authority.chain())
    assert pkcs7.load_der_pkcs7_certificates(der) == authority.chain()
    (tmp_path / "certs.p7").write_bytes(der)
    printed = _openssl("pkcs7", "-inform", "DER", "-in", str(tmp_path / "certs.p7"), "-print_certs")
    assert printed.returncode == 0, printed.stderr
    assert x509.load_pem_x509_certificates(printed.stdout) == authority.chain()
