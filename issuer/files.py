"""The issuer's files: atomic writes (``app.state.files.write_atomic``: absent or whole, never half) and private
modes (POSIX; on Windows the folder's ACL, inherited from the user's profile, keeps them private)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.state.files import write_atomic


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only (keys, secrets, PIN letters)."""
    write_atomic(path, data, mode=0o600)


def write_public(path: Path, data: bytes) -> None:
    """Write ``data`` readable by everyone (certificates, configuration)."""
    write_atomic(path, data, mode=0o644)


class NotOurs(Exception):
    """A file or folder the issuer would use belongs to another user."""


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) with the folder itself 0700; refuse one that belongs to someone else."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    tighten(path)


def create_private_file(path: Path) -> None:
    """Create an empty file 0600 unless it exists (e.g. the SQLite database, before SQLite opens it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    tighten(path)


def tighten(path: Path) -> tuple[int, int] | None:
    """Take group and other permissions away from ``path``; (old, new) mode if it changed, None if not.

    Nothing happens to a path that does not exist, nor on Windows: there mode bits are only the
    read-only flag and who may read a file is its ACL (inherited from the folder: the issuer's data
    lives in the user's profile), and Python has no ``os.geteuid``. Raises NotOurs when it belongs
    to another user: the issuer does not adopt a file or folder someone else controls.
    """
    if not hasattr(os, "geteuid"):  # Windows
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    if st.st_uid != os.geteuid():
        raise NotOurs(
            f"{path} belongs to user id {st.st_uid}, not to the user running the issuer "
            f"(user id {os.geteuid()}); refusing to use it. Give it to the issuer's user "
            "(chown) or choose another folder"
        )
    old = stat.S_IMODE(st.st_mode)
    new = old & 0o700
    if new == old:
        return None
    os.chmod(path, new)
    return old, new
