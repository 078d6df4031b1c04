"""Removing an older version's website trust: only the issuer's CAs, proven by signature, never a look-alike."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.lifecycle.trustfix import _fix
from keystore import _run
from keystore.nss import NssStore
from keystore.nss_read import website_trusted_issuer_cas
from tests.keystore.identities import _ca_cert, authority, make_identity

pytestmark = pytest.mark.skipif(_run.which("certutil") is None, reason="certutil missing: install libnss3-tools")


def _trust(db: Path) -> dict[str, str]:
    out = subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines()[3:]:
        label, _, trust = line.rstrip().rpartition(" ")
        rows[label.strip()] = trust
    return rows


def test_a_look_alike_root_with_the_issuers_name_keeps_its_trust(tmp_path: Path) -> None:
    db = tmp_path / "nssdb"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    NssStore(db, label="test").install(make_identity())
    ca = authority()
    root_label = next(label for label in _trust(db) if label.startswith("ZorgCert Test Root"))
    subprocess.run(["certutil", "-M", "-n", root_label, "-t", "C,,", "-d", f"sql:{db}"], check=True)
    # the user trusts another CA that carries the very same name (another key): not ours to touch
    impostor_key = ec.generate_private_key(ec.SECP256R1())
    impostor = _ca_cert(ca.root.subject, impostor_key, ca.root.subject, impostor_key, 1)
    (tmp_path / "impostor.pem").write_bytes(impostor.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["certutil", "-A", "-n", "Look-alike", "-t", "C,,", "-i", str(tmp_path / "impostor.pem"),
                    "-d", f"sql:{db}"], check=True)

    found = website_trusted_issuer_cas(db, lambda: set())  # no pin known: names alone pick both
    assert found is not None
    impostor_der = impostor.public_bytes(serialization.Encoding.DER)
    assert set(found.candidates) == {ca.root_der, impostor_der}
    _fix(db, found, pinned=[])  # the signature decides: only the root that signed our chain

    store = NssStore(db, label="test")
    assert store._trust(f"pkcs11:id={_id(ca.root_der)}").get(_fp(ca.root_der)) == ["", "", ""]
    assert "C" in store._trust(f"pkcs11:id={_id(impostor_der)}")[_fp(impostor_der)][0]
    assert website_trusted_issuer_cas(db, lambda: set()) is not None  # the look-alike is still trusted...
    assert _fix(db, website_trusted_issuer_cas(db, lambda: set()), pinned=[]) == []  # ...and stays so


def _id(der: bytes) -> str:
    from urllib.parse import quote

    from keystore.nss import key_id

    kid = key_id(der)
    assert kid is not None
    return quote(kid, safe="")


def _fp(der: bytes) -> str:
    from keystore.base import fingerprint

    return fingerprint(der)
