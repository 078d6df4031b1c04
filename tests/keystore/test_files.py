"""FileStore: the files administration software reads, their permissions, and crash safety."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from keystore import _run
from keystore.base import StoreError
from keystore.files import KDF_ROUNDS, FileStore
from tests.keystore.identities import authority, make_identity, renewed

P12_PASSWORD = "keyring-secret-for-this-folder"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "his" / "zorgcert"


@pytest.fixture
def store(folder: Path) -> FileStore:
    return FileStore(folder, p12_password=lambda: P12_PASSWORD)


def _spki(key_or_cert: object) -> bytes:
    public = key_or_cert.public_key()  # type: ignore[attr-defined]
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_files_and_permissions(store: FileStore, folder: Path) -> None:
    anna = make_identity()
    ref = store.install(anna)
    assert ref.location == str(folder) and ref.nickname == anna.nickname
    assert sorted(p.name for p in folder.iterdir()) == ["ca.pem", "cert.pem", "key.pem", "zorgcert.json",
                                                        "zorgcert.p12"]
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "key.pem").stat().st_mode & 0o777 == 0o600
    assert (folder / "zorgcert.p12").stat().st_mode & 0o777 == 0o600
    assert json.loads((folder / "zorgcert.json").read_text()) == {
        "nickname": anna.nickname, "fingerprint": anna.fingerprint, "user_number": anna.user_number}


def test_pem_files_hold_leaf_chain_and_matching_key(store: FileStore, folder: Path) -> None:
    anna = make_identity(key_type="rsa")
    store.install(anna)
    certs = x509.load_pem_x509_certificates((folder / "cert.pem").read_bytes())
    ca = authority()
    assert [c.public_bytes(serialization.Encoding.DER) for c in certs] == [anna.cert_der, ca.issuing_der,
                                                                           ca.root_der]
    assert x509.load_pem_x509_certificates((folder / "ca.pem").read_bytes()) == [ca.issuing, ca.root]
    key_pem = (folder / "key.pem").read_bytes()
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert _spki(key) == _spki(certs[0])


@pytest.mark.skipif(_run.which("openssl") is None, reason="openssl not installed")
def test_openssl_reads_the_p12_with_the_password_from_a_pipe(store: FileStore, folder: Path) -> None:
    anna = make_identity()
    store.install(anna)
    r, w = os.pipe()
    def feed() -> None:
        os.write(w, P12_PASSWORD.encode() + b"\n")
        os.close(w)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        result = subprocess.run(
            ["openssl", "pkcs12", "-in", str(folder / "zorgcert.p12"), "-passin", f"fd:{r}", "-info", "-nodes"],
            pass_fds=(r,), capture_output=True, check=False,
        )
    finally:
        os.close(r)
        writer.join()
    assert result.returncode == 0, result.stderr.decode()
    info = result.stderr.decode()
    assert "MAC: sha256" in info
    assert f"PBES2, PBKDF2, AES-256-CBC, Iteration {KDF_ROUNDS}, PRF hmacWithSHA256" in info
    leaf = x509.load_pem_x509_certificates(result.stdout)[0]
    assert leaf.public_bytes(serialization.Encoding.DER) == anna.cert_der
    assert f"friendlyName: {anna.nickname}" in result.stdout.decode()


def test_install_is_fast_enough(store: FileStore) -> None:
    anna = make_identity()
    start = time.perf_counter()
    store.install(anna)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"install took {elapsed:.2f} s (aim: < 0.3 s on an idle machine)"


def test_renewal_replaces_the_set_and_a_late_remove_of_the_old_one_is_ignored(store: FileStore,
                                                                              folder: Path) -> None:
    old = make_identity()
    old_ref = store.install(old)
    new = renewed(old)
    new_ref = store.install(new)
    assert store.find(old.fingerprint) is None
    store.remove(old_ref)
    assert store.find(new.fingerprint) == new_ref
    assert (folder / "key.pem").exists()


# --- crash safety ------------------------------------------------------------------------------


def test_leftover_temporary_files_and_no_marker_mean_not_found(store: FileStore, folder: Path) -> None:
    anna = make_identity()
    store.install(anna)
    (folder / "zorgcert.json").unlink()  # the crash came before the marker
    (folder / ".zorgcert-tmp-0123456789ab-key.pem").write_bytes(b"half a key")
    assert store.find(anna.fingerprint) is None
    assert store.list_ours() == []
    ref = store.install(anna)  # the journal installs again
    assert store.find(anna.fingerprint) == ref
    assert not list(folder.glob(".zorgcert-tmp-*"))


def test_half_renamed_renewal_is_not_found_and_repaired(store: FileStore, folder: Path) -> None:
    old = make_identity()
    store.install(old)
    new = renewed(old)
    # a crash in the middle of a renewal: marker still names the old one, cert.pem is already new
    other = FileStore(folder.parent / "other", p12_password=lambda: P12_PASSWORD)
    other.install(new)
    os.replace(folder.parent / "other" / "cert.pem", folder / "cert.pem")
    assert store.find(old.fingerprint) is None
    assert store.find(new.fingerprint) is None
    assert store.list_ours() == []
    ref = store.install(new)
    assert store.list_ours() == [ref]


def test_key_that_does_not_match_is_not_found(store: FileStore, folder: Path) -> None:
    anna = make_identity()
    store.install(anna)
    stranger = make_identity()
    (folder / "key.pem").write_bytes(stranger.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    assert store.find(anna.fingerprint) is None
    store.install(anna)
    assert store.find(anna.fingerprint) is not None


def test_remove_deletes_every_file_marker_first(store: FileStore, folder: Path, monkeypatch) -> None:
    ref = store.install(make_identity())
    order: list[str] = []
    real_unlink = Path.unlink

    def recording_unlink(self: Path, missing_ok: bool = False) -> None:
        order.append(self.name)
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", recording_unlink)
    store.remove(ref)
    assert order[0] == "zorgcert.json"
    assert list(folder.iterdir()) == []


def test_availability(tmp_path: Path) -> None:
    assert FileStore(tmp_path / "new" / "folder", p12_password=lambda: "x").available().ok
    (tmp_path / "a-file").write_text("")
    availability = FileStore(tmp_path / "a-file", p12_password=lambda: "x").available()
    assert not availability.ok and availability.fix


def test_unwritable_folder_gives_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError) as caught:
        FileStore(tmp_path / "a-file" / "sub", p12_password=lambda: "x").install(make_identity())
    assert caught.value.reason == "tool-failed" and caught.value.fix


def _tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mode) for p in folder.iterdir()}


def test_a_shared_folder_with_another_programs_files_is_never_taken_over(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    (shared / "key.pem").write_text("the HIS's own key\n")
    (shared / "notes.txt").write_text("not ours\n")
    store = FileStore(shared, p12_password=lambda: P12_PASSWORD)
    availability = store.available()
    assert not availability.ok and availability.reason == "not-ours" and "empty or new folder" in (
        availability.fix or "")
    before = _tree(shared)
    with pytest.raises(StoreError) as caught:
        store.install(make_identity())
    assert caught.value.reason == "not-ours"
    assert _tree(shared) == before and shared.stat().st_mode & 0o777 == 0o755


def test_our_file_names_written_by_another_program_are_not_ours(tmp_path: Path) -> None:
    """key.pem and cert.pem are common names: without our marker they count only if they are this holder's."""
    other = tmp_path / "other-program"
    other.mkdir()
    someone = make_identity("49032852822010", "Iemand Anders")
    (other / "cert.pem").write_bytes(x509.load_der_x509_certificate(someone.cert_der).public_bytes(
        serialization.Encoding.PEM))
    (other / "key.pem").write_bytes(someone.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    before = _tree(other)
    lone = tmp_path / "lone-key"
    lone.mkdir()
    (lone / "key.pem").write_text("another program's key\n")
    # said before anything is asked of the issuer: an install checks availability first
    assert FileStore(lone, p12_password=lambda: P12_PASSWORD).available().reason == "not-ours"
    with pytest.raises(StoreError) as caught:
        FileStore(other, p12_password=lambda: P12_PASSWORD).install(make_identity())
    assert caught.value.reason == "not-ours" and _tree(other) == before


def test_an_existing_empty_folder_is_used_but_not_chmodded(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    os.chmod(empty, 0o750)
    store = FileStore(empty, p12_password=lambda: P12_PASSWORD)
    assert store.available().ok
    anna = make_identity()
    assert store.find(store.install(anna).fingerprint) is not None
    assert empty.stat().st_mode & 0o777 == 0o750  # a folder we did not create keeps its permissions
    assert (empty / "key.pem").stat().st_mode & 0o777 == 0o600
    assert store.available().ok  # from now on it holds only our files: ours for the renewal
    assert store.install(renewed(anna)) is not None
