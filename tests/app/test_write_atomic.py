"""``app.state.files.write_atomic``, the one atomic write (app state, issuer files), and its parts in
``keystore.durable``.

Real files in a temporary folder. Where a failure of the OS is needed (a full disk, a file
system that cannot fsync a folder) one ``os`` call is replaced: those are boundary tests and
say so. The Windows branch runs for real in a Windows CPython under Wine
(``tests/keystore/wine_side_checks.py``, ``test_windows_write_atomic_*``).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.state import files
from issuer import files as issuer_files
from keystore import durable


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def tight_umask() -> Iterator[None]:
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_writes_a_new_file_in_a_new_owner_only_folder(tmp_path: Path, loose_umask: None) -> None:
    target = tmp_path / "new" / "wallet.json"
    files.write_atomic(target, b"{}\n")
    assert target.read_bytes() == b"{}\n"
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert leftovers(target.parent) == []


def test_replaces_an_existing_file_and_takes_the_mode_asked_whatever_the_umask(tmp_path: Path,
                                                                              tight_umask: None) -> None:
    target = tmp_path / "autostart.desktop"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    files.write_atomic(target, b"new" * 10_000, mode=0o644)
    assert target.read_bytes() == b"new" * 10_000 and mode(target) == 0o644
    assert leftovers(tmp_path) == []


def test_the_issuer_writes_through_it(tmp_path: Path, loose_umask: None) -> None:
    issuer_files.write_private(tmp_path / "ca" / "root-ca.key.pem", b"key")
    issuer_files.write_public(tmp_path / "ca" / "root-ca.pem", b"cert")
    assert mode(tmp_path / "ca" / "root-ca.key.pem") == 0o600 and mode(tmp_path / "ca" / "root-ca.pem") == 0o644
    assert mode(tmp_path / "ca") == 0o700 and leftovers(tmp_path / "ca") == []


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Boundary test: ``os.write`` fails with ENOSPC the way a full disk makes it fail."""
    target = tmp_path / "journal.json"
    target.write_bytes(b"old")

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(durable.os, "write", full)
    with pytest.raises(OSError) as caught:
        files.write_atomic(target, b"new")
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_temporary_names_are_the_ones_remove_temps_knows(tmp_path: Path) -> None:
    target = tmp_path / "zorgcert-01234567890123.zcbackup"
    tmp = files.write_temp(target, b"half", mode=0o600)
    assert files.is_temp_of(tmp.name, target) and tmp.read_bytes() == b"half" and mode(tmp) == 0o600
    assert files.remove_temps(target) == [tmp] and not tmp.exists()


def test_create_json_writes_once_and_never_replaces(tmp_path: Path) -> None:
    target = tmp_path / "journal" / "op.json"
    assert files.create_json(target, {"a": 1}) is True
    assert files.create_json(target, {"a": 2}) is False
    assert files.read_json(target, None) == {"a": 1} and mode(target) == 0o600
    assert leftovers(target.parent) == []


def test_write_new_refuses_an_existing_file_and_a_link(tmp_path: Path) -> None:
    existing = tmp_path / "key.pem"
    existing.write_bytes(b"theirs")
    with pytest.raises(FileExistsError):
        durable.write_new(existing, b"ours")
    link = tmp_path / "link.pem"
    link.symlink_to(tmp_path / "elsewhere.pem")
    with pytest.raises(FileExistsError):
        durable.write_new(link, b"ours")
    assert existing.read_bytes() == b"theirs" and not (tmp_path / "elsewhere.pem").exists()


@pytest.mark.parametrize(("code", "raised"), [(errno.EINVAL, False), (errno.ENOTSUP, False), (errno.EIO, True)])
def test_a_folder_that_cannot_be_fsynced_is_fine_an_io_error_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   code: int, raised: bool) -> None:
    """Boundary test: ``os.fsync`` on the folder fails as some network file systems make it fail."""
    real_fsync = os.fsync
    folders = []

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            folders.append(fd)
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    monkeypatch.setattr(durable.os, "fsync", fsync)
    target = tmp_path / "config.json"
    if raised:
        with pytest.raises(OSError):
            files.write_atomic(target, b"{}")
    else:
        files.write_atomic(target, b"{}")
    assert folders and target.read_bytes() == b"{}"  # the rename happened before the folder's fsync


def test_no_folder_is_opened_where_the_os_cannot_open_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Boundary test with ``os.name`` patched to "nt"; the real Windows run is under Wine (see the docstring)."""
    opened: list[str] = []
    real_open = os.open

    def watching_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        opened.append(os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(durable.os, "open", watching_open)
    monkeypatch.setattr(durable.os, "name", "nt")
    durable.fsync_folder(tmp_path)
    assert opened == []
