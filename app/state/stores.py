"""Which certificate stores an install goes to on which OS, how to reopen a store, and whether it is usable.

Store specs (``--store`` and the journal): ``auto``, ``nss`` (Chromium's database and
every Firefox profile), ``nss:<dir>`` (one NSS database), ``file:<folder>``,
``windows`` / ``windows:LocalMachine``, ``macos``.

``PLATFORMS`` is the one table of "which store on which OS": ``auto`` resolves through it,
the install wizard offers its first choice from it, and doctor and the support bundle ask it
which stores to look at beyond the wallet's own.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from app.errors import NssDatabaseCorrupt, StoreFolderNotOurs, StoreProblem, StoreToolsMissing, UsageError
from app.state.paths import Paths
from keystore.base import CertStore, StoreRef

DEFAULT_FOLDER = "auto"  # a system certificate's spec where it goes to files_dir/<user number>


@dataclass(frozen=True)
class PlatformStores:
    """Where certificates go on one OS: a spec per kind, and whether the browsers' NSS databases count."""

    personal: str  # the store the browsers read: TLS client authentication on the issuer's website
    system: str  # where administration software reads it; DEFAULT_FOLDER: files_dir/<user number>
    nss: bool  # every NSS database (Chromium, each Firefox profile) is one of this OS's stores


PLATFORMS = {
    "win32": PlatformStores(personal="windows", system="windows:LocalMachine", nss=False),
    "darwin": PlatformStores(personal="macos", system=DEFAULT_FOLDER, nss=False),
    "linux": PlatformStores(personal="nss", system=DEFAULT_FOLDER, nss=True),
}
OTHER_POSIX = PLATFORMS["linux"]  # BSDs and the like: the browsers there keep NSS databases too


def platform_stores(platform: str = sys.platform) -> PlatformStores:
    """This OS's row of ``PLATFORMS`` (``sys.platform`` reads ``linux`` on every Linux)."""
    return PLATFORMS.get(platform, OTHER_POSIX)


def usual_spec(kind: str, platform: str = sys.platform) -> str:
    """The spec ``auto`` stands for, for a certificate of ``kind`` on ``platform``."""
    row = platform_stores(platform)
    return row.personal if kind == "personal" else row.system


def open_stores(spec: str, *, kind: str, user_number: str, paths: Paths) -> list[CertStore]:
    """The stores ``spec`` names; ``auto`` picks this platform's usual place for ``kind``."""
    if spec == "auto":
        spec = usual_spec(kind)
        if spec == DEFAULT_FOLDER:
            spec = f"file:{paths.files_dir / user_number}"
    return _open(spec)


def machine_stores() -> list[CertStore]:
    """The stores to look at on this machine whether or not the wallet names them: every NSS database
    where this OS's browsers use NSS (doctor and the support bundle add the wallet's own)."""
    return _open("nss") if platform_stores().nss else []


def chromium_db() -> Path:
    """Chromium's NSS database: the one NSS database ZorgCert may create."""
    return Path.home() / ".pki" / "nssdb"


def _open(spec: str) -> list[CertStore]:
    """The stores a spec other than ``auto`` names.

    The one place this module imports the backends, each when a store of its kind is opened:
    ``keystore.files`` brings ``cryptography`` (~100 ms), ``keystore.nss`` ``subprocess``,
    ``keystore.windows`` ``ctypes``; ``status`` and the tray agent's tick open none of them.
    """
    if spec == "nss":
        from keystore.nss import discover

        return list(discover(Path.home()))
    if spec.startswith("nss:"):
        from keystore.nss import NssStore

        db = Path(spec[4:].removeprefix("sql:"))
        chromium = db == chromium_db()
        return [NssStore(db, label="Chromium" if chromium else str(db), create=chromium)]
    if spec.startswith("file:"):
        if not spec[5:]:
            raise UsageError("--store file: needs a folder, e.g. --store file:/srv/his/zorgcert")
        from app.state.vault import keyring_secret  # here too: status and the tray's tick need no vault (or logging)
        from keystore.files import FileStore

        folder = Path(spec[5:]).expanduser().resolve()
        return [FileStore(folder, p12_password=lambda: str(keyring_secret(f"file-store:{folder}", create=True)))]
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
    """Reopen the store a wallet entry points to (its location says all; ``paths`` is not needed today)."""
    if ref.store == "nss":
        return _open(f"nss:{ref.location}")[0]
    if ref.store == "file":
        return _open(f"file:{ref.location}")[0]
    if ref.store == "windows":
        return _open(f"windows:{ref.location.split(chr(92))[0]}")[0]
    return _open(ref.store)[0]


def check_available(stores: list[CertStore]) -> None:
    """Raise the error that says why one of ``stores`` cannot be used now (in the user's words, with the fix)."""
    if not stores:
        raise StoreProblem("no certificate store found", store="auto",
                           fix="name one with --store (nss, file:FOLDER, windows, macos)")
    for store in stores:
        avail = store.available()
        if avail.ok:
            continue
        if avail.reason == "corrupt-database":
            raise NssDatabaseCorrupt(avail.detail, store=store.location, folder=store.location.removeprefix("sql:"))
        if avail.reason == "not-ours":
            raise StoreFolderNotOurs(avail.detail, store=store.location, fix=avail.fix or "")
        problem = StoreToolsMissing if avail.reason == "tool-missing" else StoreProblem
        raise problem(avail.detail, store=f"{store.name} {store.location}", fix=avail.fix or "")


def quick_listing(ref: StoreRef) -> set[str] | None:
    """The fingerprints the store of ``ref`` holds with their keys, read without opening the store (NSS: its
    database files, no certutil process per certificate); None when the store has no such way (open it)."""
    if ref.store == "nss":
        from keystore.nss_read import held_fingerprints

        return held_fingerprints(Path(ref.location.removeprefix("sql:")))
    return None
