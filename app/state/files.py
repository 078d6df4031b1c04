"""Atomic, owner-only file writes for the app's state (wallet, vault, journal, config).

A state file that cannot be read (empty, not UTF-8, not JSON, the wrong shape, a folder in
its place, no permission) is never fatal: ``read_json`` moves it aside as
``<name>.bad-<UTC time>`` in the same folder (kept for Support, never deleted), notes it in
``notices`` for the CLI and the app to say, and returns the default. The callers rebuild
what they can (the wallet from the vault and the stores, see ``app.state.wallet.load``).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.clock import utcnow
from app.errors import StateFileUnusable
from keystore.durable import fsync_folder, write_new

BAD_MARK = ".bad-"  # wallet.json -> wallet.json.bad-20261130T182713Z
# the temporary files write_atomic makes: ".<name>." + 8 random characters + ".tmp" (older versions used
# mkstemp's alphabet, backups hex digits)
_TEMP_TAIL = re.compile(r"\.[A-Za-z0-9_]{8}\.tmp")


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, never half.

    The one atomic write of the app and the issuer, on POSIX and Windows: the new file gets
    ``mode`` before its first byte, is fsynced, renamed over ``path``, and the rename is made
    durable where the OS can (see ``keystore.durable``). A missing folder is made owner-only.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = write_temp(path, data, mode=mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_temp(path: Path, data: bytes, *, mode: int = 0o600) -> Path:
    """``data`` written durably (fsynced, ``mode`` from the start) under a new temporary name beside ``path``.

    The name is ``.<name>.<8 hex digits>.tmp``: ``is_temp_of`` knows it and ``remove_temps`` removes
    what a killed write left. The caller renames it into place (or removes it).
    """
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            write_new(tmp, data, mode)
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


def is_temp_of(name: str, target: Path) -> bool:
    """Is ``name`` a temporary file that ``write_atomic`` (or a backup) makes for ``target``, and nothing else?"""
    prefix = f".{target.name}"
    return name.startswith(prefix) and _TEMP_TAIL.fullmatch(name[len(prefix):]) is not None


def remove_temps(target: Path) -> list[Path]:
    """Remove what a killed write of ``target`` left beside it: only our own temporary files (regular files
    of this user whose names are exactly ``write_atomic``'s pattern for ``target``); the removed paths."""
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    for entry in entries:
        if not is_temp_of(entry.name, target):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or (hasattr(os, "geteuid") and st.st_uid != os.geteuid()):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError as exc:
            _warn("could not remove the leftover temporary file %s: %s", entry.path, exc)
    return removed


def _warn(message: str, *args: Any) -> None:
    """A warning in the zorgcert log. The one lazy import of this module: reading state (``status``)
    never needs ``logging`` (~7 ms), only the rare leftover that cannot be removed does."""
    import logging

    logging.getLogger("zorgcert").warning(message, *args)


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def create_json(path: Path, value: Any) -> bool:
    """Write ``path`` only if it does not exist (atomic: a link, never a replace); False when it already did."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = write_temp(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


# --- damaged state files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Something the user should be told once: an i18n ``key`` (with ``key.next``) and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


notices: list[Notice] = []  # this process's, in order; the CLI prints them, the app shows them


def notify(key: str, **params: Any) -> None:
    notices.append(Notice(key, params))


def take_notices() -> list[Notice]:
    """The notices not yet shown (and forget them)."""
    taken = list(notices)
    del notices[: len(taken)]
    return taken


class DamagedFile(ValueError):
    """Raised by a ``valid`` check of ``read_json``: the content is JSON but not what the file must hold."""


def quarantine(path: Path, reason: str, what: str = "") -> Path:
    """Move a damaged state file (or a folder in its place) aside, beside it; the new path.

    Raises ``app.errors.StateFileUnusable`` when it cannot even be moved (read-only folder).
    """
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}{BAD_MARK}{stamp}")
    n = 1
    while kept.exists() or kept.is_symlink():
        n += 1
        kept = path.with_name(f"{path.name}{BAD_MARK}{stamp}-{n}")
    try:
        os.rename(path, kept)
    except FileNotFoundError:  # another ZorgCert moved it a moment ago
        return kept
    except OSError as exc:
        raise StateFileUnusable(f"{path}: {reason}; cannot move it aside: {exc.strerror}", path=str(path)) from None
    # logged where it is told (the CLI, the app): status has no log file until it has something to say
    notify("state.quarantined", what=what or path.name, path=str(path), kept=str(kept), reason=reason)
    return kept


def read_json(path: Path, default: Any, *, valid: Callable[[Any], Any] | None = None, what: str = "") -> Any:
    """The JSON in ``path``; ``default`` when the file does not exist, or when it is damaged (then it is
    moved aside, see ``quarantine``). ``valid`` checks the shape: it returns false or raises
    (``DamagedFile``, ``TypeError``, ``ValueError``, ``KeyError``, ``AttributeError``) when it is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return default
    except OSError as exc:  # a folder in its place, no permission, an I/O error
        quarantine(path, f"unreadable ({type(exc).__name__})", what)
        return default
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        quarantine(path, "empty" if not raw.strip() else f"not JSON ({type(exc).__name__})", what)
        return default
    if valid is not None:
        try:
            ok = valid(value) is not False
        except (DamagedFile, TypeError, ValueError, KeyError, AttributeError) as exc:
            ok, value = False, exc
        if not ok:
            quarantine(path, f"not the expected content ({value if isinstance(value, Exception) else 'shape'})",
                       what)
            return default
    return value


def kept_copies(folder: Path, name: str = "*") -> list[Path]:
    """The damaged files moved aside in ``folder`` (for ``name``, or any)."""
    try:
        return sorted(folder.glob(f"{name}{BAD_MARK}*"))
    except OSError:
        return []
