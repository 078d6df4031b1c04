"""One contract for every certificate store backend that can run on this machine.

Each backend in ``BACKENDS`` is tested against the same promises; a backend whose
``available()`` is not ok here is skipped with its own reason. To add one (``macos``), add one
line to ``BACKENDS``, e.g. ``"macos": Backend(lambda tmp: MacKeychainStore(...), True, _listed)``
(import inside the lambda, so that other platforms never import it).

The ``windows`` backends run in a real Windows CPython under Wine: ``test_windows_wine.py``
runs this module there with ``-k windows``. That Python has no ``cryptography``, so this module
imports nothing that needs it unless a backend asks, and takes its identities from a book made
on Linux (``wine_identities``, chosen by its environment variable).

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

import base64
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from keystore.base import Availability, CertStore, StoreError, StoreRef
from tests.keystore.wine_identities import BOOK_ENV

if os.environ.get(BOOK_ENV):  # a Windows Python under Wine: identities were made on Linux
    from tests.keystore.wine_identities import (
        make_identity,
        raw_key,
        renewed,
        verify_signature,
        with_password,
        with_pfx,
    )
else:
    from tests.keystore.identities import make_identity, raw_key, renewed, verify_signature, with_password, with_pfx


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


def _pk1sign(store: Any, ref: StoreRef, data: bytes) -> tuple[bytes, str]:
    """Sign with the key NSS holds (pk1sign: SHA-1, the algorithm it always uses)."""
    result = subprocess.run(["pk1sign", "-k", ref.nickname, "-d", store.location], input=data,
                            capture_output=True, check=True)
    der = base64.b64decode(result.stdout.decode().split("signature:", 1)[1].split("pubkey:", 1)[0])
    return _der_bit_string(der), "sha1"


def _der_bit_string(der: bytes) -> bytes:
    """The contents of the BIT STRING that ends a DER SEQUENCE { AlgorithmIdentifier, BIT STRING }."""
    def header(pos: int) -> tuple[int, int]:  # (start of contents, length)
        first = der[pos + 1]
        if first < 0x80:
            return pos + 2, first
        count = first & 0x7F
        return pos + 2 + count, int.from_bytes(der[pos + 2:pos + 2 + count], "big")
    inner, _ = header(0)
    algorithm_start, algorithm_length = header(inner)
    bits_start, bits_length = header(algorithm_start + algorithm_length)
    assert der[algorithm_start + algorithm_length] == 0x03 and der[bits_start] == 0  # BIT STRING, no unused bits
    return der[bits_start + 1:bits_start + bits_length]


def _file_sign(store: Any, ref: StoreRef, data: bytes) -> tuple[bytes, str]:
    """Sign with key.pem, as administration software would."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = serialization.load_pem_private_key((Path(store.location) / "key.pem").read_bytes(), None)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256()), "sha256"
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.sign(data, ec.ECDSA(hashes.SHA256())), "sha256"


def _windows(scope: str) -> Backend:
    """The Windows store of ``scope``; set up, snapshot and signing through crypt32 itself."""
    def make(_tmp: Path) -> CertStore:
        from keystore.windows import WindowsStore
        return WindowsStore(scope)

    def call(name: str) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            from tests.keystore import wine_crypt32
            return getattr(wine_crypt32, name)(*args)
        return run

    return Backend(make, True, call("my_store_state"), runs_tools=False, sign=call("sign"), reset=call("reset"),
                   elsewhere="it runs under Wine in tests/keystore/test_windows_wine.py")


def _listed(store: Any) -> object:
    """What any backend can show: its entries (enough for a store with no richer view)."""
    return sorted(store.list_ours(), key=lambda r: r.fingerprint)


@dataclass(frozen=True)
class Backend:
    make: Callable[[Path], CertStore]
    holds_many: bool  # can two certificates of one user sit side by side (renewal overlap)?
    snapshot: Callable[[Any], object]  # everything observable, to prove "left unchanged"
    runs_tools: bool = True  # does it work through child processes (whose argv/environment are watched)?
    sign: Callable[[Any, StoreRef, bytes], tuple[bytes, str]] | None = None  # (signature, hash) with its key
    reset: Callable[[Any], None] | None = None  # for a store shared between tests: take test entries out
    elsewhere: str = ""  # where it runs when it cannot run here


def _nss(tmp: Path) -> CertStore:
    from keystore.nss import NssStore
    return NssStore(tmp / "nssdb", label="test", create=True)


def _files(tmp: Path) -> CertStore:
    from keystore.files import FileStore
    return FileStore(tmp / "files", p12_password=lambda: "file-store-secret")


BACKENDS: dict[str, Backend] = {
    "nss": Backend(_nss, True, _certutil_state, sign=_pk1sign),
    "file": Backend(_files, False, _folder_state, runs_tools=False, sign=_file_sign),
    "windows": _windows("CurrentUser"),
    "windows-machine": _windows("LocalMachine"),
}


def skip_reason(name: str, availability: Availability, elsewhere: str = "") -> str:
    """Why a backend's contract is skipped here: the store's own words, its fix only when it has one."""
    fix = f" (fix: {availability.fix})" if availability.fix else ""
    return f"{name} store not available here: {availability.detail}{fix}" + (f"; {elsewhere}" if elsewhere else "")


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[CertStore, Backend]]:
    spec = BACKENDS[request.param]
    store = spec.make(tmp_path)
    availability: Availability = store.available()
    if not availability.ok:
        pytest.skip(skip_reason(request.param, availability, spec.elsewhere))
    if spec.reset is not None:
        spec.reset(store)
    yield store, spec
    if spec.reset is not None:
        spec.reset(store)


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


def test_installed_key_signs_for_its_certificate(backend, anna) -> None:
    store, spec = backend
    ref = store.install(anna)
    assert spec.sign is not None, "every backend says how its key signs"
    data = b"ZorgCert contract " + os.urandom(16)
    signature, hash_name = spec.sign(store, ref, data)
    assert verify_signature(anna, data, signature, hash_name)
    assert not verify_signature(anna, data + b".", signature, hash_name)


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
    store, spec = backend
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
    if spec.runs_tools:
        assert launched, "the backend ran no tool"
    else:
        assert not launched, "this backend works without child processes"
    for args, env in launched:
        assert not any(secret in str(a).encode() for a in args)
        assert env is None  # os.environ as it is: no secret added
    assert secret not in repr(dict(os.environ)).encode()
    assert not any(secret in blob for blob in seen)
    assert list(scratch.iterdir()) == []  # nothing was parked in a temporary file
    secret_number = raw_key(anna)  # the private key's secret number
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret not in data and anna.pfx not in data and secret_number not in data, path
