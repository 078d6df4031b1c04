"""``app.backups`` in process: a real vault in a real keyring, a real file store, a fixed clock, no issuer.

The CLI end-to-end tests (tests/app/test_cli_backup.py) cover the issuer's part; these cover
what is hard to provoke from outside: a backup that does not read back, a store that fails
halfway through a restore, a key that does not match its certificate, the service API the
desktop app calls.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

from app.backups import backup, export, fileinfo, restore
from app.errors import (
    BackupNotVerified,
    BackupPathIsFolder,
    NothingToBackUp,
    RestoreRefused,
    StoreProblem,
    WeakPassphrase,
    WrongPassphrase,
)
from app.lifecycle.services import Outcome, ZorgCert
from app.state.paths import Paths
from app.state.vault import Sealed
from app.state.wallet import Entry
from backup import envelope
from backup.payload import Contents
from keystore.base import Availability, StoreError
from tests.backup.samples import CHEAP, PASSPHRASE, contents, metadata
from tests.keystore.identities import TestIdentity, make_identity

POLICY = {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"}


class FixedClock:
    def __init__(self, now: datetime):
        self.moment = now

    def now(self) -> datetime:
        return self.moment


@pytest.fixture()
def core(tmp_path: Path, secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ZorgCert:
    """No issuer to ask, but the test CA pinned: a restore checks the backup against it offline."""
    from tests.keystore.identities import authority

    ca = tmp_path / "pinned-ca.pem"
    ca.write_bytes(authority().root.public_bytes(Encoding.PEM))
    monkeypatch.setenv("ZORGCERT_ISSUER_CA", str(ca))
    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    return ZorgCert(paths, None, clock=FixedClock(datetime.now().astimezone()))


def hold(core: ZorgCert, ident: TestIdentity, **changes: Any) -> Entry:
    """Put a certificate with its key into the vault and the wallet, as an install would."""
    cert = ident.certificate
    key_der = ident.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    core.vault.put(ident.fingerprint, Sealed(key_der, ident.cert_der, ident.chain_der))
    entry = Entry(
        user_number=ident.user_number, kind="personal", name=ident.subject_cn, organisation="Huisartsenpraktijk",
        subject=cert.subject.rfc4514_string(), serial=format(cert.serial_number, "x"), fingerprint=ident.fingerprint,
        not_before=cert.not_valid_before_utc.isoformat(), not_after=cert.not_valid_after_utc.isoformat(),
        installed_at=core.clock.now().isoformat(), how="install", issuer_url="", policy=dict(POLICY),
    )
    for name, value in changes.items():
        setattr(entry, name, value)
    core.wallet.put(entry)
    return entry


def state(core: ZorgCert, *folders: Path) -> dict[str, str]:
    out = {}
    for root in (core.paths.data_dir, *folders):
        for path in sorted(root.rglob("*")) if root.exists() else ():
            if path.is_file() and path.suffix != ".lock":
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_backup_reads_back_records_and_reports(core: ZorgCert, tmp_path: Path) -> None:
    ident = make_identity()
    hold(core, ident)
    stages: list[str] = []
    out = tmp_path / "anna.zcbackup"
    report = backup.make_backup(core, ident.user_number, out, PASSPHRASE, progress=stages.append, kdf=CHEAP)
    assert stages == ["read", "kdf", "write", "verify", "record"]
    assert report.verified and report.fingerprint == ident.fingerprint and report.size == out.stat().st_size
    assert out.stat().st_mode & 0o777 == 0o600
    entry = core.wallet.get(ident.user_number)
    assert entry is not None and entry.last_backup_at == core.clock.now().isoformat() and entry.backup_is_current
    info = fileinfo.inspect_backup(out)
    assert (info.user_number, info.name, info.fingerprint, info.version) == (
        ident.user_number, ident.subject_cn, ident.fingerprint, 1)
    assert info.created_at == core.clock.now().replace(microsecond=0).isoformat()


def test_a_backup_that_does_not_read_back_leaves_the_old_file(core: ZorgCert, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ident = make_identity()
    hold(core, ident)
    out = tmp_path / "anna.zcbackup"
    out.write_bytes(b"the previous backup")

    def broken_disk(data: bytes, passphrase: str) -> Any:
        raise envelope.ContentsDamaged("bit rot on the stick")

    monkeypatch.setattr(backup.envelope, "open_", broken_disk)
    with pytest.raises(BackupNotVerified):
        backup.make_backup(core, ident.user_number, out, PASSPHRASE, kdf=CHEAP, overwrite=True)
    assert out.read_bytes() == b"the previous backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert core.wallet.get(ident.user_number).last_backup_at is None  # type: ignore[union-attr]


def test_backup_refusals(core: ZorgCert, tmp_path: Path) -> None:
    ident = make_identity()
    hold(core, ident)
    with pytest.raises(WeakPassphrase):
        backup.make_backup(core, ident.user_number, tmp_path / "x.zcbackup", "welkomthuis", kdf=CHEAP)
    with pytest.raises(WeakPassphrase) as personal:
        backup.make_backup(core, ident.user_number, tmp_path / "x.zcbackup", "annadevries2024!!", kdf=CHEAP)
    assert personal.value.reason == "personal"
    with pytest.raises(BackupPathIsFolder):
        backup.make_backup(core, ident.user_number, tmp_path, PASSPHRASE, kdf=CHEAP)
    core.clock.moment += timedelta(days=800)  # type: ignore[attr-defined]
    with pytest.raises(NothingToBackUp):
        backup.make_backup(core, ident.user_number, tmp_path / "x.zcbackup", PASSPHRASE, kdf=CHEAP)
    assert not (tmp_path / "x.zcbackup").exists()


def test_restore_without_an_issuer_warns_and_installs(core: ZorgCert, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZORGCERT_ISSUER_URL", raising=False)
    ident = make_identity()
    hold(core, ident)
    file = tmp_path / "anna.zcbackup"
    backup.make_backup(core, ident.user_number, file, PASSPHRASE, kdf=CHEAP)
    folder = tmp_path / "his"
    stages: list[str] = []
    outcome = restore.restore_backup(core, file, PASSPHRASE, store=f"file:{folder}", progress=stages.append)
    assert isinstance(outcome, Outcome)
    assert stages == ["read", "kdf", "check", "install", "record"]
    assert outcome.warnings == ["restore.warn.unchecked"] and not outcome.issuer_checked
    # the same certificate as the wallet holds: it keeps how and when it was installed (the restore is logged)
    assert outcome.entry.how == "install" and outcome.entry.backup_is_current
    assert outcome.entry.stores[0].store == "file" and (folder / "key.pem").exists()
    assert outcome.info is not None and outcome.info.fingerprint == ident.fingerprint
    with pytest.raises(WrongPassphrase):
        restore.restore_backup(core, file, "not " + PASSPHRASE)


def test_restore_refuses_older_expired_and_mismatched(core: ZorgCert, tmp_path: Path) -> None:
    older = make_identity(days=100)
    newer = make_identity(older.user_number, days=700)
    hold(core, newer)
    file = tmp_path / "old.zcbackup"
    file.write_bytes(envelope.seal(contents(older).encode(), metadata(older), PASSPHRASE, CHEAP))
    before = state(core)
    with pytest.raises(RestoreRefused) as err:
        restore.restore_backup(core, file, PASSPHRASE, store=f"file:{tmp_path / 'his'}")
    assert err.value.key == "restore.refused.older"
    core.clock.moment += timedelta(days=200)  # type: ignore[attr-defined]
    with pytest.raises(RestoreRefused) as err:
        restore.restore_backup(core, file, PASSPHRASE, store=f"file:{tmp_path / 'his'}")
    assert err.value.key == "restore.refused.expired"

    stranger = make_identity()
    mixed = Contents(contents(stranger).key_der, older.cert_der, older.chain_der)
    file.write_bytes(envelope.seal(mixed.encode(), metadata(older), PASSPHRASE, CHEAP))
    core.clock.moment -= timedelta(days=200)  # type: ignore[attr-defined]
    with pytest.raises(RestoreRefused) as err:
        restore.restore_backup(core, file, PASSPHRASE, store=f"file:{tmp_path / 'his'}")
    assert err.value.key == "restore.refused.key-mismatch"
    assert state(core) == before and not (tmp_path / "his").exists()


class FailingStore:
    """A store that is there but refuses the install: the boundary a full disk or locked database would hit."""

    name, location = "file", "/broken"

    def available(self) -> Availability:
        return Availability(True, "ok")

    def find(self, fingerprint: str) -> None:
        return None

    def install(self, identity: Any) -> Any:
        raise StoreError("file", "tool-failed", "disk full", "free some space")


def test_a_store_failing_halfway_undoes_the_restore(core: ZorgCert, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ident = make_identity()
    file = tmp_path / "anna.zcbackup"
    file.write_bytes(envelope.seal(contents(ident).encode(), metadata(ident), PASSPHRASE, CHEAP))
    good = tmp_path / "his"
    real = restore.target_stores

    def two_stores(*args: Any) -> list[Any]:
        return [*real(core, f"file:{good}", "personal", ident.user_number, None), FailingStore()]

    monkeypatch.setattr(restore, "target_stores", two_stores)
    before = state(core, good)
    with pytest.raises(StoreProblem):
        restore.restore_backup(core, file, PASSPHRASE)
    assert state(core, good) == before  # the first store's copy and the vault copy were taken out again
    assert core.vault.get(ident.fingerprint) is None and core.wallet.get(ident.user_number) is None


def test_export_pfx_modern(core: ZorgCert, tmp_path: Path) -> None:
    ident = make_identity()
    hold(core, ident)
    out = export.export_pfx(core, ident.user_number, tmp_path / "anna.pfx", PASSPHRASE, "modern")
    key, cert, chain = pkcs12.load_key_and_certificates(out.read_bytes(), PASSPHRASE.encode())
    assert cert is not None and cert.public_bytes(Encoding.DER) == ident.cert_der and len(chain) == 2
    assert out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(WeakPassphrase):
        export.export_pfx(core, ident.user_number, tmp_path / "weak.pfx", "welkomthuis", "legacy")


def test_restore_asks_the_configured_issuer_even_when_the_core_has_none(core: ZorgCert, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The desktop app builds its core without an issuer; restore still finds the configured one."""
    from tests.keystore.identities import authority

    ca = tmp_path / "ca.pem"
    ca.write_bytes(authority().root.public_bytes(Encoding.PEM))
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", "https://127.0.0.1:9")  # configured, but nobody listens
    monkeypatch.setenv("ZORGCERT_ISSUER_CA", str(ca))
    ident = make_identity()
    file = tmp_path / "anna.zcbackup"
    file.write_bytes(envelope.seal(contents(ident).encode(), metadata(ident), PASSPHRASE, CHEAP))
    outcome = restore.restore_backup(core, file, PASSPHRASE, store=f"file:{tmp_path / 'his'}")
    assert outcome.warnings == ["restore.warn.unchecked"]
    assert outcome.entry.issuer_url == "https://127.0.0.1:9"
