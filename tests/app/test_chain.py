"""The one pin-chain check (``app.enroll.chain``): real CAs made by the issuer's own code, real signatures, no mocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.enroll.chain import ChainUntrusted, path_to_pin, within_life
from app.enroll.est import chain_to_pin
from issuer.ca import CertificateAuthority, client_subject

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _ca(folder: Path, name: str) -> CertificateAuthority:
    return CertificateAuthority.create(folder, b"test-ca-passphrase", name=name, now=NOW - timedelta(days=1))


def _client(ca: CertificateAuthority, *, email: str | None = "anna@example.nl", days: int = 730) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Anna de Vries")]))
           .sign(key, hashes.SHA256()))
    subject = client_subject(name="Anna de Vries", organisation="Praktijk", user_number="12345678901231",
                             kind="personal")
    start = NOW.replace(microsecond=0)
    return ca.issue_client_certificate(csr, subject=subject, serial=x509.random_serial_number(), not_before=start,
                                       not_after=start + timedelta(days=days), email=email)


def test_a_client_certificate_chains_to_the_pin_through_the_issuing_ca(tmp_path: Path) -> None:
    ca = _ca(tmp_path / "ca", "Uitgever")
    leaf = _client(ca)
    assert path_to_pin(leaf, [ca.issuing_cert], [ca.root_cert], now=NOW) == [ca.issuing_cert, ca.root_cert]
    # a system certificate has no subjectAltName: still a client certificate
    assert path_to_pin(_client(ca, email=None), [ca.issuing_cert], [ca.root_cert], now=NOW)[-1] == ca.root_cert
    # the issuing CA as the pin works too; a foreign root among the candidates is left out
    other = _ca(tmp_path / "other", "Ander")
    assert path_to_pin(leaf, [other.root_cert, ca.issuing_cert], [ca.issuing_cert], now=NOW) == [ca.issuing_cert]


def test_what_does_not_chain_at_that_moment_is_refused(tmp_path: Path) -> None:
    ca, other = _ca(tmp_path / "ca", "Uitgever"), _ca(tmp_path / "other", "Ander")
    leaf = _client(ca, days=10)
    with pytest.raises(ChainUntrusted):
        path_to_pin(leaf, [ca.issuing_cert], [other.root_cert], now=NOW)  # another issuer's pin
    with pytest.raises(ChainUntrusted):
        path_to_pin(leaf, [], [ca.root_cert], now=NOW)  # the issuing CA is missing
    with pytest.raises(ChainUntrusted):
        path_to_pin(leaf, [ca.issuing_cert], [ca.root_cert], now=NOW + timedelta(days=11))  # expired by then
    with pytest.raises(ChainUntrusted):
        path_to_pin(leaf, [ca.issuing_cert], [], now=NOW)
    # the moment inside the certificate's life, for checks where expiry is another's call
    assert within_life(leaf, NOW + timedelta(days=11)) == leaf.not_valid_after_utc
    assert path_to_pin(leaf, [ca.issuing_cert], [ca.root_cert], now=within_life(leaf, NOW + timedelta(days=11)))


def test_ca_certificates_are_checked_under_the_ca_profile_and_a_pin_is_its_own_path(tmp_path: Path) -> None:
    ca, other = _ca(tmp_path / "ca", "Uitgever"), _ca(tmp_path / "other", "Ander")
    assert path_to_pin(ca.issuing_cert, [ca.issuing_cert, ca.root_cert], [ca.root_cert], now=NOW) == [ca.root_cert]
    assert path_to_pin(ca.root_cert, [], [ca.root_cert], now=NOW) == []
    assert chain_to_pin(ca.issuing_cert, [ca.root_cert], [ca.root_cert])
    assert not chain_to_pin(other.issuing_cert, [other.root_cert], [ca.root_cert])
    assert not chain_to_pin(_client(other), [other.issuing_cert], [ca.root_cert])
