"""The CA key sizes ``init`` makes: shipped 4096/3072 (test_ca.py), smaller ones for test issuers, never below 2048."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from issuer.ca import CA_KEY_BITS, CertificateAuthority

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_the_shipped_sizes_are_4096_and_3072() -> None:
    assert CA_KEY_BITS == (4096, 3072)


def test_other_sizes_are_made_as_asked(tmp_path: Path) -> None:
    authority = CertificateAuthority.create(tmp_path / "ca", b"pass", name="T", now=NOW, key_bits=(2048, 2048))
    assert [c.public_key().key_size for c in authority.chain()] == [2048, 2048]
    assert CertificateAuthority.load(tmp_path / "ca", b"pass").issuing_cert == authority.issuing_cert


def test_below_2048_bits_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2048"):
        CertificateAuthority.create(tmp_path / "ca", b"pass", name="T", now=NOW, key_bits=(4096, 1024))
    assert not (tmp_path / "ca").exists()
