"""Durable file writes on POSIX and Windows: the two steps every atomic write in ZorgCert is made of.

- ``write_new``: create a file that does not exist yet, give it its final mode before the first
  byte, write it whole and fsync it;
- ``fsync_folder``: make the renames and removals in a folder durable.

``app.state.files.write_atomic`` (the app's state files, the issuer's files) puts them around an
``os.replace``; ``keystore.files`` moves a whole set of files into place with them. Standard
library only, and cheap to import (``status`` loads it).

Windows: before Python 3.13 there is no ``os.fchmod``; ``os.chmod`` on the path does the same
there (only the read-only bit exists). A folder cannot be opened there at all, and NTFS journals
a rename itself, so ``fsync_folder`` does nothing on Windows. Elsewhere a file system that cannot
fsync a folder (``EINVAL``, ``ENOTSUP``: some network and FUSE file systems) is fine too; any
other error (``EIO``, a full disk) is raised.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

_CANNOT_FSYNC_A_FOLDER = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


def write_new(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create ``path`` (it must not exist: ``FileExistsError``) with ``mode``, write ``data``, fsync it.

    A symbolic link in its place is not followed. On any failure the half-written file is removed.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # the umask may have taken bits away; before any byte is written
            else:  # Windows before Python 3.13
                os.chmod(path, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def fsync_folder(folder: Path) -> None:
    """Make the renames and removals in ``folder`` durable, where the OS and the file system can."""
    if os.name == "nt":  # a folder cannot be opened with os.open on Windows; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _CANNOT_FSYNC_A_FOLDER:
            raise
    finally:
        os.close(fd)
