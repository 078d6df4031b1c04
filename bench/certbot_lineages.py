"""Certbot's side of the status benchmark: a config folder with N certificate lineages as certbot keeps them.

Each lineage is ``archive/<name>/{cert,chain,fullchain,privkey}1.pem``, symlinked from
``live/<name>/`` and described by ``renewal/<name>.conf``: what ``certbot certonly`` leaves
behind, with self-signed certificates instead of ACME ones (``certbot certificates`` only
reads them).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.clock import SystemClock


def _self_signed(domain: str, days: int) -> tuple[bytes, bytes]:
    now = SystemClock().now()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def make_lineages(config_dir: Path, count: int, certbot_version: str) -> None:
    """``count`` lineages (praktijk-NN.example.nl) under ``config_dir``."""
    for sub in ("archive", "live", "renewal", "accounts"):
        (config_dir / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    for i in range(count):
        name = f"praktijk-{i:02d}.example.nl"
        cert, key = _self_signed(name, days=30 + i)
        archive, live = config_dir / "archive" / name, config_dir / "live" / name
        archive.mkdir(exist_ok=True)
        live.mkdir(exist_ok=True)
        files = {"cert": cert, "chain": cert, "fullchain": cert + cert, "privkey": key}
        for kind, data in files.items():
            (archive / f"{kind}1.pem").write_bytes(data)
            link = live / f"{kind}.pem"
            if not link.is_symlink():
                os.symlink(os.path.relpath(archive / f"{kind}1.pem", live), link)
        conf = [f"version = {certbot_version}", f"archive_dir = {archive}"]
        conf += [f"{kind} = {live / (kind + '.pem')}" for kind in files]
        conf += ["", "[renewalparams]", "authenticator = standalone", "server = https://acme.invalid/directory",
                 "key_type = ecdsa", ""]
        (config_dir / "renewal" / f"{name}.conf").write_text("\n".join(conf))
