"""The renewal request carries exactly the Subject and SubjectAltName of the certificate it renews.

RFC 7030 §4.2.2 says they MUST be identical; a conforming server refuses anything else (issue 14,
point 2). Compared as DER, so not only the values but their encoding is the certificate's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.enroll import identity


def _cert(subject: x509.Name, san: x509.SubjectAlternativeName | None) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=1))
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(key, hashes.SHA256())


SUBJECT = x509.Name([
    x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Huisartsenpraktijk De Linde"),
    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Persoonlijk"),
    x509.NameAttribute(NameOID.COMMON_NAME, "Anna de Vries"),
    x509.NameAttribute(NameOID.SERIAL_NUMBER, "12345678901234"),
])


@pytest.mark.parametrize(
    "san",
    [
        x509.SubjectAlternativeName([x509.RFC822Name("anna@example.nl")]),
        x509.SubjectAlternativeName([x509.RFC822Name("anna@example.nl"), x509.DNSName("epd.example.nl")]),
        None,
    ],
    ids=["personal-email", "two-names", "system-none"],
)
def test_the_renewal_csr_copies_subject_and_subject_alt_name(san: x509.SubjectAlternativeName | None) -> None:
    cert = _cert(SUBJECT, san)
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.load_der_x509_csr(identity.renewal_csr_der(key, cert))
    assert csr.is_signature_valid and csr.public_key() == key.public_key()
    assert csr.subject.public_bytes() == cert.subject.public_bytes()
    if san is None:
        with pytest.raises(x509.ExtensionNotFound):
            csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    else:
        got = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        want = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        assert got.value.public_bytes() == want.value.public_bytes() and got.critical == want.critical
