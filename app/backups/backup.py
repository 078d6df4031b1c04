"""Making a backup (R7/R8): seal key, certificate and chain, write beside the target, read back, then replace.

A backup is the only way back from a lost certificate that is still valid, so it is written to
a temporary file beside the target, read back and decrypted, and only then put in place; the
wallet records when. The passphrase stays in memory: never in argv, a log, a file or the keyring.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__, policy
from app.backups.fileinfo import check_target
from app.backups.passphrase import holder_inputs, require_strong
from app.backups.shared import JournaledWrite, Progress, clean_leftovers, fresh_wallet, held, quiet, staging_file
from app.errors import BackupFileUnusable, BackupNotVerified, NotInWallet
from app.lifecycle.services import checkpoint
from app.state.files import write_atomic
from app.state.lock import InstanceLock
from app.state.wallet import Wallet
from backup import envelope
from backup.kdf import KdfParams, calibrate
from backup.payload import Contents
from keystore.base import fingerprint

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert

log = logging.getLogger("zorgcert")


@dataclass(frozen=True)
class BackupReport:
    """What a finished backup is: where, of which certificate, how big, how hard to crack (the KDF)."""

    path: str
    user_number: str
    name: str
    fingerprint: str
    created_at: str
    size: int
    kdf: str
    kdf_seconds: float  # measured time of one key derivation while sealing
    verified: bool = True

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def write_verified(out: Path, data: bytes, verify: Callable[[bytes], None], progress: Progress,
                   overwrite: bool = False) -> None:
    """Write beside ``out``, read back and ``verify`` from disk, then move into place (old file kept on failure)."""
    staging = staging_file(out)
    try:
        try:
            write_atomic(staging, data)
        except OSError as exc:
            if not staging.is_file():  # else only its folder could not be synced (FAT): the read-back decides
                raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(out)) from None
        progress("verify")
        written = staging.read_bytes()
        try:
            verify(written)
        except (envelope.BackupFormatError, ValueError) as exc:
            raise BackupNotVerified(f"{type(exc).__name__}: {exc}") from None
        checkpoint("backup-written")
        check_target(out, overwrite)  # again: the file may have appeared while this one was written
        os.replace(staging, out)
        checkpoint("backup-replaced")
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable; some file systems (FAT on USB sticks) cannot, which is fine
        dir_fd = os.open(out.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def make_backup(
    core: ZorgCert,
    user_number: str,
    out: Path,
    passphrase: str,
    *,
    progress: Progress = quiet,
    kdf: KdfParams | None = None,
    overwrite: bool = False,
) -> BackupReport:
    """Seal key, certificate and chain into ``out``, read it back and decrypt it, record when (R8).

    An existing ``out`` is replaced only with ``overwrite`` (the user said so); else ``FileExists``.
    """
    user_number = policy.normalise_user_number(user_number)
    out = Path(out).expanduser().absolute()
    check_target(out, overwrite)
    entry = Wallet(core.paths.wallet_file).get(user_number)
    if entry is None:
        raise NotInWallet("unknown", user_number=user_number)
    require_strong(passphrase, user_inputs=holder_inputs(entry))
    with InstanceLock(core.paths.lock_file):
        clean_leftovers(core)
        wallet = fresh_wallet(core)
        progress("read")
        mine = held(core, wallet, user_number)
        entry = mine.entry
        now = core.clock.now()
        contents = Contents(
            mine.sealed.key_der,
            mine.sealed.cert_der or b"",
            mine.sealed.chain_der,
            {
                "kind": entry.kind,
                "name": entry.name,
                "organisation": entry.organisation,
                "issuer_url": entry.issuer_url,
                "policy": entry.policy,
            },
        )
        metadata = envelope.Metadata(
            user_number=entry.user_number,
            subject=entry.subject,
            serial=entry.serial,
            not_after=entry.not_after,
            created_at=now.replace(microsecond=0).isoformat(),
            name=entry.name,
            organisation=entry.organisation,
            kind=entry.kind,
            fingerprint=entry.fingerprint,
            not_before=entry.not_before,
            app_version=__version__,
        )
        progress("kdf")
        params = kdf or calibrate().params
        payload = contents.encode()
        started = time.perf_counter()
        data = envelope.seal(payload, metadata, passphrase, params)
        seconds = time.perf_counter() - started

        def verify(written: bytes) -> None:
            opened, meta = envelope.open_(written, passphrase)
            if opened != payload or meta != metadata:
                raise ValueError("the file read back differs from what was written")
            back = Contents.decode(opened)
            if fingerprint(back.cert_der) != entry.fingerprint:
                raise ValueError("the certificate read back differs")

        progress("write")
        with JournaledWrite(core, "backup", user_number, out):
            write_verified(out, data, verify, progress, overwrite)
        progress("record")
        entry.last_backup_at = now.isoformat()
        wallet.put(entry)
    log.info("backup of %s (%s) written to %s", user_number, entry.fingerprint[:12], out)
    return BackupReport(str(out), user_number, entry.name, entry.fingerprint, now.isoformat(), len(data),
                        params.describe(), round(seconds, 3))
