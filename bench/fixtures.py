"""Machines for the benchmarks: a ZORGCERT_HOME whose wallet holds N certificates, each in a real NSS database.

The certificates are made by a throwaway CA here (no issuer round trips: building 50 takes
seconds, not minutes), and go in through the real ``NssStore.install`` and ``Wallet.put``,
so ``zorgcert status`` reads exactly what a real install leaves behind.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.clock import SystemClock
from app.enroll.identity import make_identity
from app.state.paths import Paths
from app.state.wallet import Entry, Wallet
from keystore.base import fingerprint
from keystore.nss import NssStore

POLICY = {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"}


def _name(cn: str, org: str = "Benchmarkpraktijk") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])


def make_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A throwaway root CA (EC keys: quick to make; status does not care about the key type)."""
    now = SystemClock().now()
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name("Bench Root CA")).issuer_name(_name("Bench Root CA"))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def leaf(ca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate], cn: str, days: int
         ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A client certificate for ``cn`` valid ``days`` from now."""
    now = SystemClock().now()
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca[1].subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
        .sign(ca[0], hashes.SHA256())
    )
    return key, cert


def user_number(i: int) -> str:
    """A 14-digit user number (format only; status does not ask the issuer)."""
    return f"{90000000000000 + i:014d}"


def make_home(root: Path, count: int) -> dict[str, str]:
    """HOME and ZORGCERT_HOME under ``root`` with ``count`` certificates in Chromium's NSS database; the env."""
    from cryptography.hazmat.primitives.serialization import Encoding

    home, zhome = root / "home", root / "zorgcert"
    home.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "ZORGCERT_HOME": str(zhome)}
    paths = Paths(zhome / "config", zhome / "data", zhome / "logs")
    store = NssStore(home / ".pki" / "nssdb", label="Chromium", create=True)
    wallet = Wallet(paths.wallet_file)
    ca = make_ca()
    now = SystemClock().now()
    for i in range(count):
        number = user_number(i)
        key, cert = leaf(ca, f"Gebruiker {i:02d}", days=30 + 20 * i)
        ref = store.install(make_identity(number, key, cert, [ca[1]]))
        wallet.put(Entry(
            user_number=number, kind="personal", name=f"Gebruiker {i:02d}", organisation="Benchmarkpraktijk",
            subject=cert.subject.rfc4514_string(), serial=format(cert.serial_number, "x"),
            fingerprint=fingerprint(cert.public_bytes(Encoding.DER)),
            not_before=cert.not_valid_before_utc.isoformat(), not_after=cert.not_valid_after_utc.isoformat(),
            installed_at=now.isoformat(), how="install", issuer_url="https://127.0.0.1:1", policy=POLICY,
            stores=[ref],
        ))
    os.chmod(home, 0o700)
    return env
