"""Checks that run only in the Windows Python under Wine (``test_windows_wine.py`` runs them).

They pin down where Wine 8's crypt32 differs from Windows and what the backend does about it,
so that the documentation stays honest when Wine changes: a check that starts failing means
Wine behaves differently now, and ``docs/windows.md`` needs a look. (The file name does not
start with ``test_``, so a Linux run never collects it; the Wine run names it explicitly.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.state import files
from issuer import files as issuer_files
from keystore.base import StoreError
from keystore.windows import CtypesCrypt32, WindowsStore
from tests.keystore import wine_crypt32
from tests.keystore.wine_identities import ec_probe, make_identity, verify_signature

CRYPT_E_NO_KEY_PROPERTY = 0x8009200B


@pytest.fixture(params=["CurrentUser", "LocalMachine"])
def store(request: pytest.FixtureRequest) -> Iterator[WindowsStore]:
    store = WindowsStore(request.param)
    assert store.available().ok
    wine_crypt32.reset(store)
    yield store
    wine_crypt32.reset(store)


@pytest.fixture
def user_store() -> Iterator[WindowsStore]:
    store = WindowsStore("CurrentUser")
    wine_crypt32.reset(store)
    yield store
    wine_crypt32.reset(store)


def _key_info(store: WindowsStore, sha1_thumbprint: str):  # a KeyProvInfo or None
    api = CtypesCrypt32()
    my = api.open_system_store(store.scope, "MY")
    try:
        ctx = api.find_by_sha1(my, bytes.fromhex(sha1_thumbprint))
        assert ctx is not None
        try:
            return api.key_prov_info(ctx)
        finally:
            api.free_certificate(ctx)
    finally:
        api.close_store(my)


def test_windows_wine_refuses_ec_pfx_and_nothing_changes(store: WindowsStore) -> None:
    """Wine's PFXImportCertStore imports RSA keys only; an EC PKCS#12 comes back NULL with no error."""
    before = wine_crypt32.my_store_state(store)
    with pytest.raises(StoreError) as caught:
        store.install(ec_probe())
    assert caught.value.reason == "wrong-password"  # what a NULL with GetLastError 0 reads as; see its detail
    assert "0x00000000" in caught.value.detail and "algorithm it cannot read" in caught.value.detail
    assert wine_crypt32.my_store_state(store) == before
    assert store.list_ours() == []


def test_windows_wine_local_machine_key_is_unusable_and_the_install_undone() -> None:
    """Under Wine a LocalMachine import files the key in the machine keyset but records it as a user key.

    ``CryptAcquireCertificatePrivateKey`` then fails with CRYPT_E_NO_KEY_PROPERTY; the backend's
    read-back catches that and takes the certificate out again.
    """
    store = WindowsStore("LocalMachine")
    wine_crypt32.reset(store)
    anna = make_identity(key_type="rsa")
    before = wine_crypt32.my_store_state(store)
    with pytest.raises(StoreError) as caught:
        store.install(anna)
    assert caught.value.reason == "read-back"
    assert f"0x{CRYPT_E_NO_KEY_PROPERTY:08X}" in caught.value.detail
    assert wine_crypt32.my_store_state(store) == before
    assert store.find(anna.fingerprint) is None and store.list_ours() == []


def test_windows_wine_files_every_key_in_one_container_and_remove_keeps_the_shared_one(user_store) -> None:
    """Wine puts every imported key in one container (key spec 3); removing one certificate keeps it for the other."""
    anna = make_identity()
    anna_ref = user_store.install(anna)
    data = os.urandom(32)
    signature, hash_name = wine_crypt32.sign(user_store, anna_ref, data)
    assert verify_signature(anna, data, signature, hash_name)
    bram = make_identity("49032852822003", "Bram Jansen")
    bram_ref = user_store.install(bram)
    anna_key, bram_key = _key_info(user_store, anna.sha1_thumbprint), _key_info(user_store, bram.sha1_thumbprint)
    assert anna_key is not None and bram_key is not None
    assert anna_key.same_key(bram_key)  # on Windows each import gets a fresh GUID container
    assert (anna_key.key_spec, bram_key.key_spec) == (3, 3)  # Windows: 1 (AT_KEYEXCHANGE) or 0xFFFFFFFF (CNG)
    signature, hash_name = wine_crypt32.sign(user_store, anna_ref, data)
    assert not verify_signature(anna, data, signature, hash_name)  # Bram's import overwrote Anna's key
    user_store.remove(anna_ref)
    assert user_store.find(bram.fingerprint) == bram_ref
    signature, hash_name = wine_crypt32.sign(user_store, bram_ref, data)
    assert verify_signature(bram, data, signature, hash_name)


def test_windows_write_atomic_replaces_files_without_fchmod_or_a_folder_fsync(tmp_path: Path) -> None:
    """The app's and the issuer's one atomic write in a real Windows CPython (3.12: no ``os.fchmod``;
    a folder cannot be opened with ``os.open``): it writes, replaces, and leaves no temporary file."""
    assert os.name == "nt"
    target = tmp_path / "state" / "wallet.json"
    files.write_atomic(target, b"one")
    files.write_atomic(target, b"two\nlines\r\n" * 2000, mode=0o644)
    assert target.read_bytes() == b"two\nlines\r\n" * 2000  # binary: no newline translation
    assert files.create_json(target.parent / "op.json", {"a": 1}) is True
    assert files.create_json(target.parent / "op.json", {"a": 2}) is False
    assert files.read_json(target.parent / "op.json", None) == {"a": 1}
    issuer_files.write_private(tmp_path / "ca" / "root-ca.key.pem", b"key")
    issuer_files.write_public(tmp_path / "ca" / "root-ca.pem", b"cert")
    assert (tmp_path / "ca" / "root-ca.pem").read_bytes() == b"cert"
    names = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert names == ["op.json", "root-ca.key.pem", "root-ca.pem", "wallet.json"], names
