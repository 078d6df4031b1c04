"""The quick NSS read for status gives the same answer as certutil (``NssStore.list_ours``) on real databases."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from keystore import _run
from keystore.nss import NssStore
from keystore.nss_read import held_fingerprints
from tests.keystore.identities import make_identity, renewed

pytestmark = pytest.mark.skipif(_run.which("certutil") is None, reason="certutil missing: install libnss3-tools")


def certutil(db: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["certutil", *args, "-d", f"sql:{db}"], input=stdin, check=True, capture_output=True)


def by_certutil(store: NssStore) -> set[str]:
    return {ref.fingerprint for ref in store.list_ours()}


def test_same_answer_as_certutil_through_install_renewal_and_removal(tmp_path: Path) -> None:
    db = tmp_path / "nssdb"
    store = NssStore(db, label="test", create=True)
    assert held_fingerprints(db) == set() == by_certutil(store)  # no database yet

    rsa, ec = make_identity(key_type="rsa"), make_identity("49032852822003", "Bas", key_type="ec")
    store.install(rsa)
    store.install(ec)
    assert held_fingerprints(db) == {rsa.fingerprint, ec.fingerprint} == by_certutil(store)

    same_key = renewed(rsa, same_key=True)  # two certificates, one key: both count
    store.install(same_key)
    assert held_fingerprints(db) == {rsa.fingerprint, ec.fingerprint, same_key.fingerprint} == by_certutil(store)

    # a ZorgCert-named certificate without its key, and a foreign one: neither counts
    stray = make_identity("49032852822004", "Cor")
    certutil(db, "-A", "-n", stray.nickname, "-t", ",,", stdin=stray.cert_der)
    other = make_identity("49032852822005", "Dirk")
    certutil(db, "-A", "-n", "Iets anders", "-t", ",,", stdin=other.cert_der)
    assert stray.fingerprint not in held_fingerprints(db) | by_certutil(store)

    store.remove(store.find(ec.fingerprint))  # type: ignore[arg-type]
    assert held_fingerprints(db) == {rsa.fingerprint, same_key.fingerprint} == by_certutil(store)

    certutil(db, "-F", "-n", store.find(rsa.fingerprint).nickname)  # type: ignore[union-attr]
    assert held_fingerprints(db) == by_certutil(store)


def test_reads_a_password_protected_database_without_the_password(tmp_path: Path) -> None:
    db = tmp_path / "nssdb"
    db.mkdir()
    (tmp_path / "pw").write_text("geheim-wachtwoord")  # the test database's password, not a secret
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "-f", str(tmp_path / "pw")], check=True)
    ident = make_identity()
    store = NssStore(db, label="test", db_password=lambda: "geheim-wachtwoord")
    store.install(ident)
    assert held_fingerprints(db) == {ident.fingerprint}
    assert NssStore(db, label="locked").available().ok is False  # certutil could not have told


def test_unreadable_database_means_ask_certutil(tmp_path: Path) -> None:
    db = tmp_path / "nssdb"
    db.mkdir()
    (db / "cert9.db").write_bytes(b"this is not SQLite" * 100)
    assert held_fingerprints(db) is None
    assert held_fingerprints(tmp_path / "nowhere") == set()
