"""Backup files as they are on disk: what one says it holds (no passphrase), its problems in the user's words,
the restore test, and whether a target may be written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app import policy
from app.errors import (
    BackupDamaged,
    BackupFileMissing,
    BackupFileUnusable,
    BackupFolderMissing,
    BackupNewerVersion,
    BackupPathIsFolder,
    BackupTruncated,
    BackupUnsupported,
    EmptyBackupFile,
    FileExists,
    NotABackupFile,
    PfxNotABackup,
    RestoreRefused,
    WrongPassphrase,
    ZorgCertError,
)
from backup import envelope
from backup.payload import Contents
from keystore.base import fingerprint


def read_backup_file(path: Path) -> bytes:
    """The file's bytes (at most one byte more than any backup can be)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(envelope.MAX_FILE + 1)
    except FileNotFoundError:
        raise BackupFileMissing("not found", path=str(path)) from None
    except IsADirectoryError:
        raise BackupPathIsFolder("a folder", path=str(path)) from None
    except OSError as exc:
        raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(path)) from None


def as_app_error(exc: envelope.BackupFormatError, path: Path) -> ZorgCertError:
    """The app's error (with its sentence) for a format error."""
    where = {"path": str(path)}
    if isinstance(exc, envelope.NotABackup):
        if exc.looks_like == "pkcs12":
            return PfxNotABackup(str(exc), **where)
        if exc.looks_like == "empty":
            return EmptyBackupFile(str(exc), **where)
        return NotABackupFile(str(exc), **where)
    if isinstance(exc, envelope.Truncated):
        return BackupTruncated(str(exc), **where)
    if isinstance(exc, envelope.NewerVersion):
        return BackupNewerVersion(str(exc), version=exc.version, **where)
    if isinstance(exc, envelope.UnsupportedParameters):
        return BackupUnsupported(str(exc), **where)
    if isinstance(exc, envelope.WrongPassphraseOrTampered):
        return WrongPassphrase(str(exc), **where)
    return BackupDamaged(str(exc), **where)


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file says it holds, read without the passphrase."""

    path: str
    version: int
    user_number: str
    kind: str
    name: str
    organisation: str
    subject: str
    serial: str
    fingerprint: str
    not_before: str
    not_after: str
    created_at: str
    kdf: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def checked_user_number(text: str) -> str:
    """The backup's user number if it is one: exactly 14 ASCII digits with a valid check digit.

    Anything else (a path such as ``../../x``, spaces, a wrong check digit) is refused: the
    user number names store folders and nicknames, so it is never used unchecked.
    """
    if not (isinstance(text, str) and len(text) == policy.USER_NUMBER_DIGITS and text.isascii()
            and text.isdigit() and policy.is_valid_user_number(text)):
        raise RestoreRefused("user-number", "the backup's user number is not a valid user number")
    return text


def _shown(text: str) -> str:
    """A metadata string fit to show: no control, format (bidi) or line-breaking characters from the file."""
    return "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))


def info_of(path: Path, header: envelope.Header) -> BackupInfo:
    """What the file says about itself, for display only: nothing here names a store, folder or nickname."""
    m = header.metadata
    number = checked_user_number(m.user_number)
    return BackupInfo(path=str(path), version=header.version, user_number=number, kind=_shown(m.kind),
                      name=_shown(m.name), organisation=_shown(m.organisation), subject=_shown(m.subject),
                      serial=_shown(m.serial), fingerprint=_shown(m.fingerprint), not_before=_shown(m.not_before),
                      not_after=_shown(m.not_after), created_at=_shown(m.created_at), kdf=header.kdf.describe())


def inspect_backup(path: Path) -> BackupInfo:
    """The metadata of a backup file, without the passphrase."""
    path = Path(path).expanduser()
    data = read_backup_file(path)
    try:
        return info_of(path, envelope.read_header(data))
    except envelope.BackupFormatError as exc:
        raise as_app_error(exc, path) from None




def verify_backup(path: Path, passphrase: str) -> BackupInfo:
    """The restore test: the file opens with ``passphrase`` and holds the certificate it names; installs nothing."""
    info = inspect_backup(path)  # names every problem of the file itself
    data = Path(info.path).read_bytes()
    try:
        payload, meta = envelope.open_(data, passphrase)
        contents = Contents.decode(payload)
    except envelope.WrongPassphraseOrTampered:
        raise WrongPassphrase("wrong passphrase", path=info.path) from None
    except (envelope.BackupFormatError, ValueError) as exc:
        raise BackupDamaged(type(exc).__name__, path=info.path) from None
    if fingerprint(contents.cert_der) != (meta.fingerprint or info.fingerprint):
        raise BackupDamaged("the certificate inside is not the one the file names", path=info.path)
    return info


def default_backup_name(user_number: str, now: datetime) -> str:
    """A file name for a backup, e.g. ``zorgcert-01234567890123-2026-11-29.zcbackup``."""
    return f"zorgcert-{user_number}-{now:%Y-%m-%d}{envelope.SUFFIX}"


def check_target(out: Path, overwrite: bool = False) -> None:
    """Refuse a target that is a folder, lies in no folder, or exists (unless the user agreed to replace it)."""
    if out.is_dir():
        raise BackupPathIsFolder("a folder", path=str(out))
    if not out.parent.is_dir():
        raise BackupFolderMissing("no folder", path=str(out))
    if not overwrite and (out.exists() or out.is_symlink()):
        raise FileExists("exists", path=str(out))


def target_exists(out: str | Path) -> bool:
    """Would writing a backup or PFX to ``out`` replace a file? (the GUI asks first; the CLI wants --force)"""
    path = Path(out).expanduser().absolute()
    return path.is_symlink() or (path.exists() and not path.is_dir())
