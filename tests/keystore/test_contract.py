"""One contract for every certificate store backend that can run on this machine.

Each backend in ``BACKENDS`` is tested against the same promises; a backend whose
``available()`` is not ok here is skipped with its own reason. To add one (``windows``,
``macos``), add one line to ``BACKENDS``, e.g.
``"macos": Backend(lambda tmp: MacKeychainStore(...), True, _listed)`` (import inside the
lambda, so that other platforms never import it).

Decisions the contract fixes:

* install is read back: ``find`` sees certificate *and* key right after ``install``;
* install of a certificate already present returns the same entry and adds nothing;
* a PKCS#12 that is not PKCS#12 at all (junk, truncated) raises ``StoreError`` with
  reason ``corrupt``; one whose password (or MAC) does not check out raises reason
  ``wrong-password``; both leave the store exactly as it was;
* a renewal is installed while the old certificate is still there and the old one is
  removed afterwards; that leaves the new certificate with its key and nothing of the old.
  A store that holds several certificates (NSS) keeps both usable in between; a store that
  holds one (the file store) is replaced by the install and ignores the late removal;
* no password of the PKCS#12 (or of a database) ever appears in a child's argv or
  environment, nor in a file the backend leaves or passes around.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from keystore.base import Availability, CertStore, StoreError
from keystore.files import FileStore
from keystore.nss import NssStore
from tests.keystore.identities import make_identity, renewed, with_password, with_pfx


def _certutil_state(store: Any) -> tuple[str, str]:
    """What NSS holds: the certificate listing and the key listing."""
    def out(*args: str) -> str:
        result = subprocess.run(["certutil", *args, "-d", store.location, "-f", "/dev/null"],
                                capture_output=True, check=False)
        return result.stdout.decode() + re.sub(r"certutil: Checking token.*\n", "", result.stderr.decode())
    return out("-L"), out("-K")


def _folder_state(store: Any) -> dict[str, bytes]:
    folder = Path(store.location)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def _listed(store: Any) -> object:
    """What any backend can show: its entries (enough for a store with no richer view)."""
    return sorted(store.list_ours(), key=lambda r: r.fingerprint)


@dataclass(frozen=True)
class Backend:
    make: Callable[[Path], CertStore]
    holds_many: bool  # can two certificates of one user sit side by side (renewal overlap)?
    snapshot: Callable[[Any], object]  # everything observable, to prove "left unchanged"


BACKENDS: dict[str, Backend] = {
    "nss": Backend(lambda tmp: NssStore(tmp / "nssdb", label="test", create=True), True, _certutil_state),
    "file": Backend(lambda tmp: FileStore(tmp / "files", p12_password=lambda: "file-store-secret"), False,
                    _folder_state),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[CertStore, Backend]]:
    spec = BACKENDS[request.param]
    store = spec.make(tmp_path)
    availability: Availability = store.available()
    if not availability.ok:
        pytest.skip(f"{request.param} store not available here: {availability.detail} (fix: {availability.fix})")
    yield store, spec


@pytest.fixture(scope="module")
def anna() -> Any:
    return make_identity()


def test_install_then_find(backend, anna) -> None:
    store, _ = backend
    ref = store.install(anna)
    assert (ref.store, ref.location, ref.nickname, ref.fingerprint) == (
        store.name, store.location, anna.nickname, anna.fingerprint)
    assert store.find(anna.fingerprint) == ref
    assert store.find("0" * 64) is None


@pytest.mark.parametrize("key_type", ["rsa"])
def test_install_rsa_identity(backend, key_type) -> None:
    store, _ = backend
    identity = make_identity(key_type=key_type)
    assert store.install(identity).fingerprint == identity.fingerprint
    assert store.find(identity.fingerprint) is not None


def test_install_is_idempotent(backend, anna) -> None:
    store, spec = backend
    first = store.install(anna)
    state = spec.snapshot(store)
    assert store.install(anna) == first
    assert spec.snapshot(store) == state
    assert store.list_ours() == [first]


def test_list_ours_shows_exactly_ours(backend, anna) -> None:
    store, spec = backend
    assert store.list_ours() == []
    other = make_identity("49032852822003", "Bram Jansen")
    refs = {store.install(anna), store.install(other)}
    expected = refs if spec.holds_many else {store.find(other.fingerprint)}
    assert set(store.list_ours()) == expected
    assert all(r.nickname.startswith("ZorgCert") for r in store.list_ours())


@pytest.mark.parametrize("same_key", [False, True], ids=["new-key", "same-key"])
def test_renewal_install_new_then_remove_old(backend, anna, same_key) -> None:
    store, spec = backend
    old_ref = store.install(anna)
    new = renewed(anna, same_key=same_key)
    new_ref = store.install(new)
    if spec.holds_many:  # both usable side by side until the old one goes
        assert store.find(anna.fingerprint) == old_ref
        assert store.find(new.fingerprint) == new_ref
        assert set(store.list_ours()) == {old_ref, new_ref}
    store.remove(old_ref)
    assert store.find(anna.fingerprint) is None
    assert store.find(new.fingerprint) == new_ref
    assert store.list_ours() == [new_ref]


@pytest.mark.parametrize("same_key", [False, True], ids=["new-key", "same-key"])
def test_renewal_removing_the_new_one_keeps_the_old(backend, anna, same_key) -> None:
    store, spec = backend
    if not spec.holds_many:
        pytest.skip("this store holds one certificate; an install replaces the old one")
    old_ref = store.install(anna)
    new = renewed(anna, same_key=same_key)
    store.remove(store.install(new))
    assert store.find(new.fingerprint) is None
    assert store.find(anna.fingerprint) == old_ref
    assert store.list_ours() == [old_ref]


def test_remove_twice_is_fine(backend, anna) -> None:
    store, _ = backend
    ref = store.install(anna)
    store.remove(ref)
    store.remove(ref)
    assert store.find(anna.fingerprint) is None
    assert store.list_ours() == []


def test_remove_of_something_never_installed_is_fine(backend, anna) -> None:
    store, _ = backend
    ref = store.install(anna)
    stranger = make_identity("49032852822004", "Cor de Groot")
    store.remove(type(ref)(ref.store, ref.location, stranger.nickname, stranger.fingerprint))
    assert store.find(anna.fingerprint) == ref


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda ident: with_pfx(ident, os.urandom(2000)), "corrupt"),
        (lambda ident: with_pfx(ident, ident.pfx[: len(ident.pfx) // 2]), "corrupt"),
        (lambda ident: with_password(ident, "not-the-password"), "wrong-password"),
    ],
    ids=["junk", "truncated", "wrong-password"],
)
def test_bad_pfx_is_refused_and_changes_nothing(backend, anna, damage, reason) -> None:
    store, spec = backend
    store.install(anna)
    before = spec.snapshot(store)
    newcomer = renewed(anna)
    with pytest.raises(StoreError) as caught:
        store.install(damage(newcomer))
    assert caught.value.reason == reason
    assert caught.value.store == store.name and caught.value.fix
    assert spec.snapshot(store) == before
    assert store.find(newcomer.fingerprint) is None
    assert store.list_ours() == [store.find(anna.fingerprint)]


def _watch_processes(stop: threading.Event, seen: list[bytes]) -> None:
    """Sample every process's argv and environment until ``stop`` is set."""
    me = os.getpid()
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == me:
                continue
            for what in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{pid}/{what}", "rb") as f:
                        seen.append(f.read())
                except OSError:
                    pass


def test_no_secret_in_argv_environment_or_files(backend, anna, monkeypatch, tmp_path) -> None:
    store, _ = backend
    launched: list[tuple[Any, Any]] = []
    real_popen = subprocess.Popen

    class RecordingPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *a: Any, **kw: Any) -> None:
            launched.append((args, kw.get("env")))
            super().__init__(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", RecordingPopen)
    scratch = tmp_path / "scratch-tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    seen: list[bytes] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_processes, args=(stop, seen))
    watcher.start()
    try:
        ref = store.install(anna)
        store.find(anna.fingerprint)
        store.remove(ref)
        store.install(anna)
    finally:
        stop.set()
        watcher.join()
    secret = anna.pfx_password.encode()
    if store.name != "file":
        assert launched, "the backend ran no tool"
    for args, env in launched:
        assert not any(secret in str(a).encode() for a in args)
        assert env is None  # os.environ as it is: no secret added
    assert secret not in repr(dict(os.environ)).encode()
    assert not any(secret in blob for blob in seen)
    assert list(scratch.iterdir()) == []  # nothing was parked in a temporary file
    raw_key = anna.key.private_numbers().private_value.to_bytes(32, "big")  # the EC private scalar
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret not in data and anna.pfx not in data and raw_key not in data, path
