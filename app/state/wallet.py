"""What this machine holds: one entry per user number, in ``wallet.json``.

Plain JSON and nothing heavy to import, so ``zorgcert status`` starts fast: what only the
rebuild needs (cryptography, the vault, the stores) is imported in the one section at the
end, "Imported on first use".

A damaged ``wallet.json`` is moved aside (``app.state.files.quarantine``) and ``load`` rebuilds the
wallet from what this machine still holds: every certificate the vault keeps with its key
that one of the usual stores (Chromium's and Firefox's NSS databases, the platform store,
the file store under the data folder) also holds comes back.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import policy
from app.errors import StateFileNewer, ZorgCertError
from app.state import config
from app.state.files import DamagedFile, create_json, kept_copies, notify, read_json, write_json
from app.state.paths import Paths
from keystore.base import StoreError, StoreRef, fingerprint

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from cryptography.x509.oid import NameOID

    from app.state.vault import Vault
    from keystore.base import CertStore

log = logging.getLogger("zorgcert")

VERSION = 1


@dataclass
class Entry:
    user_number: str
    kind: str  # personal | system
    name: str
    organisation: str
    subject: str
    serial: str
    fingerprint: str
    not_before: str  # ISO 8601, UTC
    not_after: str
    installed_at: str  # when this certificate was installed or renewed here
    how: str  # install | reinstall | renew | restore
    issuer_url: str
    policy: dict[str, Any]  # the issuer's durations when installed (ISO 8601)
    stores: list[StoreRef] = field(default_factory=list)
    last_backup_at: str | None = None
    revoked: bool = False

    @property
    def not_after_dt(self) -> datetime:
        return datetime.fromisoformat(self.not_after)

    @property
    def backup_is_current(self) -> bool:
        """R8: a backup made after the last install, reinstall or renewal."""
        return self.last_backup_at is not None and self.last_backup_at >= self.installed_at

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["stores"] = [ref.as_json() for ref in self.stores]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        data = dict(data)
        data["stores"] = [StoreRef.from_json(r) for r in data.get("stores", [])]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def _parsed(raw: Any) -> dict[str, Entry]:
    """The entries of a wallet file's JSON; ``DamagedFile`` (or TypeError...) when it is not a wallet."""
    if not isinstance(raw, dict) or not isinstance(raw.get("certificates", []), list):
        raise DamagedFile("not a wallet")
    entries = {}
    for item in raw.get("certificates", []):
        if not isinstance(item, dict) or not isinstance(item.get("stores", []), list):
            raise DamagedFile("not a wallet entry")
        entry = Entry.from_json(item)
        texts = (entry.user_number, entry.kind, entry.fingerprint, entry.not_after, entry.installed_at)
        if not all(isinstance(v, str) for v in texts) or not isinstance(entry.policy, dict):
            raise DamagedFile("a wallet entry of the wrong shape")
        if not isinstance(entry.last_backup_at, str | None) or not all(
                isinstance(v, str) for r in entry.stores for v in (r.store, r.location, r.fingerprint)):
            raise DamagedFile("a wallet entry of the wrong shape")
        entry.not_after_dt.isoformat()  # ValueError when it is no time
        datetime.fromisoformat(entry.not_before)
        policy.Durations.from_iso(**{k: entry.policy[k] for k in ("validity", "renewal_window", "install_window")})
        entries[entry.user_number] = entry
    return entries


class Wallet:
    def __init__(self, path: Path):
        self.path = path
        found: dict[str, dict[str, Entry]] = {}

        def valid(raw: Any) -> bool:
            version = raw.get("version", VERSION) if isinstance(raw, dict) else None
            if isinstance(version, int) and version > VERSION:
                return True  # a newer ZorgCert's: refused below, never moved aside
            found["entries"] = _parsed(raw)
            return True

        raw = read_json(path, {"version": VERSION, "certificates": []}, valid=valid, what="wallet.json")
        if isinstance(raw.get("version"), int) and raw["version"] > VERSION:
            raise StateFileNewer(f"{path} was written by a newer ZorgCert", path=str(path))
        self._entries = found.get("entries", {})

    def entries(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda e: e.not_after)

    def get(self, user_number: str) -> Entry | None:
        return self._entries.get(user_number)

    def put(self, entry: Entry) -> None:
        """Record (or replace) the entry of a user number and save at once."""
        self._entries[entry.user_number] = entry
        self.save()

    def rebuild(self, paths: Paths) -> None:
        """Fill this wallet from the vault and the stores (after a damaged one was moved aside)."""
        _rebuild(self, paths)

    def save(self) -> None:
        write_json(self.path, {"version": VERSION, "certificates": [e.as_json() for e in self._entries.values()]})


# --- a wallet rebuilt from the vault and the stores --------------------------------------------------


def load(paths: Paths) -> Wallet:
    """The wallet; rebuilt from the vault and the stores when a damaged one was moved aside and none replaced it."""
    wallet = Wallet(paths.wallet_file)
    if not wallet.path.exists() and kept_copies(wallet.path.parent, wallet.path.name):
        wallet.rebuild(paths)
    return wallet


KINDS = {"Persoonlijk": "personal", "Systeem": "system"}  # the OU the issuer writes (issuer/ca.py)
DEFAULT_POLICY = {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"}


def _candidate_stores(paths: Paths, user_numbers: set[str]) -> list[CertStore]:
    """The usual places a certificate of ours is: every NSS database, the platform store, the file stores."""
    open_stores = _open_stores()
    stores: list[CertStore] = []
    for spec, kind, number in [("auto", "personal", "")] + [("auto", "system", n) for n in sorted(user_numbers)]:
        try:
            stores += open_stores(spec, kind=kind, user_number=number, paths=paths)
        except Exception as exc:  # noqa: BLE001 - a store that cannot even be opened is skipped
            log.info("rebuild: store %s (%s) skipped: %s", spec, kind, exc)
    return stores


def rebuilt_entries(paths: Paths, issuer_url: str = "") -> list[Entry]:
    """An entry for every certificate that the vault keeps with its key and a store holds (its newest per user)."""
    name_oid = _name_oid()
    vault = _vault(paths)
    certs = []
    for ident in vault.ids():
        try:
            sealed = vault.get(ident)  # KeyringUnavailable: the caller says it could not rebuild
        except ValueError:
            continue
        if sealed is None or sealed.cert_der is None or fingerprint(sealed.cert_der) != ident:
            continue  # a pending key (no certificate yet): the journal's, never touched here
        cert = _certificate(sealed.cert_der)

        def attr(oid: Any, cert: Any = cert) -> str:
            values = cert.subject.get_attributes_for_oid(oid)
            return str(values[0].value) if values else ""

        number = attr(name_oid.SERIAL_NUMBER)
        if policy.is_valid_user_number(number):
            certs.append((number, ident, cert, attr))
    listings: dict[str, list[StoreRef]] = {}
    stores = _candidate_stores(paths, {c[0] for c in certs})
    for store in stores:
        key = f"{store.name}:{store.location}"
        if key in listings:
            continue
        listings[key] = []
        try:
            if store.name == "nss" and not (Path(store.location.removeprefix("sql:")) / "cert9.db").exists():
                continue  # never create a database while rebuilding
            if store.name == "file" and not Path(store.location).is_dir():
                continue
            if store.available().ok:
                listings[key] = store.list_ours()
        except (StoreError, Exception) as exc:  # noqa: BLE001 - one store's trouble must not stop the others
            log.info("rebuild: could not list %s: %s", key, exc)
    entries: dict[str, Entry] = {}
    for number, fp, cert, attr in certs:
        refs = [r for refs in listings.values() for r in refs if r.fingerprint == fp]
        if not refs:
            continue
        entry = Entry(
            user_number=number,
            kind=KINDS.get(attr(name_oid.ORGANIZATIONAL_UNIT_NAME), "personal"),
            name=attr(name_oid.COMMON_NAME),
            organisation=attr(name_oid.ORGANIZATION_NAME),
            subject=cert.subject.rfc4514_string(),
            serial=format(cert.serial_number, "x"),
            fingerprint=fp,
            not_before=cert.not_valid_before_utc.isoformat(),
            not_after=cert.not_valid_after_utc.isoformat(),
            installed_at=cert.not_valid_before_utc.isoformat(),  # unknown; issued then
            how="rebuilt",
            issuer_url=issuer_url,
            policy=dict(DEFAULT_POLICY),  # the issuer's own durations come back with the next renewal
            stores=refs,
        )
        if number not in entries or entries[number].not_after < entry.not_after:
            entries[number] = entry
    return list(entries.values())


def _rebuild(self: Wallet, paths: Paths) -> None:
    """Fill this (empty) wallet from the vault and the stores and write it, unless another ZorgCert did first."""
    issuer_url = ""
    try:
        issuer_url = config.issuer(paths).url
    except ZorgCertError:
        pass
    try:
        entries = rebuilt_entries(paths, issuer_url)
    except ZorgCertError as exc:  # no keyring: nothing can be opened; the next run tries again
        notify("state.wallet_not_rebuilt", reason=exc.details)
        return
    self._entries = {e.user_number: e for e in entries}
    data = {"version": VERSION, "certificates": [e.as_json() for e in entries]}
    if not create_json(self.path, data):  # written meanwhile by another ZorgCert: that one counts
        self._entries = Wallet(self.path)._entries
        return
    notify("state.wallet_rebuilt", count=len(entries),
           numbers=", ".join(sorted(self._entries)) or "-")


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late: only a rebuild (after a damaged wallet.json) needs
# cryptography (to read the vault's certificates), the vault (keyring) and the store backends,
# and ``zorgcert status``, which loads this module on every call, never does.


def _certificate(der: bytes) -> Certificate:
    from cryptography import x509

    return x509.load_der_x509_certificate(der)


def _name_oid() -> type[NameOID]:
    from cryptography.x509.oid import NameOID

    return NameOID


def _vault(paths: Paths) -> Vault:
    from app.state.vault import Vault

    return Vault(paths.vault_dir)


def _open_stores() -> Any:
    """``app.state.stores.open_stores``."""
    from app.state.stores import open_stores

    return open_stores
