"""Which certificate stores an install goes to, and how to reopen a store from a wallet entry.

Store specs (``--store`` and the journal): ``auto``, ``nss`` (Chromium's database and
every Firefox profile), ``nss:<dir>`` (one NSS database), ``file:<folder>``,
``windows`` / ``windows:LocalMachine``, ``macos``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import UsageError
from app.paths import Paths
from keystore.base import CertStore, StoreRef


def _file_store(folder: Path) -> CertStore:
    from app.vault import keyring_secret  # here: status asks ``quick_listing`` without the vault (or logging)
    from keystore.files import FileStore

    folder = folder.expanduser().resolve()
    return FileStore(folder, p12_password=lambda: str(keyring_secret(f"file-store:{folder}", create=True)))


def open_stores(spec: str, *, kind: str, user_number: str, paths: Paths) -> list[CertStore]:
    """The stores ``spec`` names; ``auto`` picks this platform's usual place for ``kind``."""
    if spec == "auto":
        if sys.platform == "win32":
            spec = "windows" if kind == "personal" else "windows:LocalMachine"
        elif sys.platform == "darwin":
            spec = "macos" if kind == "personal" else f"file:{paths.files_dir / user_number}"
        else:
            spec = "nss" if kind == "personal" else f"file:{paths.files_dir / user_number}"
    if spec == "nss":
        from keystore.nss import discover

        return list(discover(Path.home()))
    if spec.startswith("nss:"):
        from keystore.nss import NssStore

        db = Path(spec[4:].removeprefix("sql:"))
        chromium = db == Path.home() / ".pki" / "nssdb"  # the one database we may create
        return [NssStore(db, label="Chromium" if chromium else str(db), create=chromium)]
    if spec.startswith("file:"):
        if not spec[5:]:
            raise UsageError("--store file: needs a folder, e.g. --store file:/srv/his/zorgcert")
        return [_file_store(Path(spec[5:]))]
    if spec in ("windows", "windows:CurrentUser", "windows:LocalMachine"):
        from keystore.windows import WindowsStore

        return [WindowsStore(spec.partition(":")[2] or "CurrentUser")]
    if spec == "macos":
        from keystore.macos import MacKeychainStore

        return [MacKeychainStore()]
    raise UsageError(f"unknown store {spec!r}; use auto, nss, file:FOLDER, windows or macos")


def spec_of(store: CertStore) -> str:
    """The spec that reopens exactly this store."""
    if store.name == "nss":
        return f"nss:{store.location}"
    if store.name == "file":
        return f"file:{store.location}"
    if store.name == "windows":
        return f"windows:{store.location.split(chr(92))[0]}"
    return store.name


def store_for(ref: StoreRef, paths: Paths) -> CertStore:
    """Reopen the store a wallet entry points to."""
    if ref.store == "nss":
        return open_stores(f"nss:{ref.location}", kind="personal", user_number="", paths=paths)[0]
    if ref.store == "file":
        return _file_store(Path(ref.location))
    if ref.store == "windows":
        return open_stores(f"windows:{ref.location.split(chr(92))[0]}", kind="personal", user_number="", paths=paths)[0]
    return open_stores(ref.store, kind="personal", user_number="", paths=paths)[0]


def quick_listing(ref: StoreRef) -> set[str] | None:
    """The fingerprints the store of ``ref`` holds with their keys, read without opening the store (NSS: its
    database files, no certutil process per certificate); None when the store has no such way (open it)."""
    if ref.store == "nss":
        from keystore.nss_read import held_fingerprints

        return held_fingerprints(Path(ref.location.removeprefix("sql:")))
    return None
