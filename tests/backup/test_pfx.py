"""PFX export profiles, read back by OpenSSL and NSS's pk12util (passwords through stdin, never argv)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from backup import pfx
from tests.keystore.identities import make_identity

PASSWORD = "zeilboot paraplu kroket venster"
EXPECT = {
    "modern": ("PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256", "MAC: sha256"),
    "legacy": ("pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 50000", "MAC: sha1"),
}


def _export(tmp_path: Path, profile: str) -> tuple[Path, object]:
    ident = make_identity()
    chain = [x509.load_der_x509_certificate(c) for c in ident.chain_der]
    data = pfx.to_pfx(ident.key, ident.certificate, chain, PASSWORD, profile=profile,
                      friendly_name=f"ZorgCert {ident.user_number}")
    path = tmp_path / f"{profile}.pfx"
    path.write_bytes(data)
    return path, ident


@pytest.mark.parametrize("profile", pfx.PROFILES)
def test_openssl_reads_both_profiles(tmp_path: Path, profile: str) -> None:
    path, _ = _export(tmp_path, profile)
    r = subprocess.run(["openssl", "pkcs12", "-in", str(path), "-info", "-noout", "-passin", "stdin"],
                       input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    algorithm, mac = EXPECT[profile]
    assert f"Shrouded Keybag: {algorithm}" in r.stderr + r.stdout
    assert f"PKCS7 Encrypted data: {algorithm}" in r.stderr + r.stdout
    assert mac in r.stderr + r.stdout
    wrong = subprocess.run(["openssl", "pkcs12", "-in", str(path), "-info", "-noout", "-passin", "stdin"],
                           input="wrong\n", capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0


@pytest.mark.skipif(shutil.which("pk12util") is None, reason="pk12util (libnss3-tools) is not installed")
@pytest.mark.parametrize("profile", pfx.PROFILES)
def test_pk12util_reads_both_profiles(tmp_path: Path, profile: str) -> None:
    path, ident = _export(tmp_path, profile)
    r = subprocess.run(["pk12util", "-l", str(path), "-w", "/dev/stdin"], input=PASSWORD,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Certificate(has private key)" in r.stdout
    assert f"ZorgCert {ident.user_number}" in r.stdout  # the friendly name NSS will file it under
    wrong = subprocess.run(["pk12util", "-l", str(path), "-w", "/dev/stdin"], input="wrong",
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0


@pytest.mark.parametrize("profile", pfx.PROFILES)
def test_key_certificate_and_chain_come_back(tmp_path: Path, profile: str) -> None:
    path, ident = _export(tmp_path, profile)
    key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), PASSWORD.encode())
    assert key is not None and cert is not None
    assert cert.public_key() == ident.key.public_key() == key.public_key()  # type: ignore[attr-defined]
    assert len(extra) == 2


def test_profiles_and_refusals() -> None:
    ident = make_identity()
    assert pfx.is_weak("legacy") and not pfx.is_weak("modern")
    with pytest.raises(ValueError):
        pfx.to_pfx(ident.key, ident.certificate, [], PASSWORD, profile="rc2")
    with pytest.raises(ValueError):
        pfx.to_pfx(ident.key, ident.certificate, [], "", profile="modern")
