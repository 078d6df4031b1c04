"""``issuer/files.py`` where Windows' Python has no POSIX owner (``os.geteuid``): the frozen ``zorgcert demo``
runs the issuer on Windows (tests/packaging/test_windows_installer.py runs it for real under Wine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from issuer import files


@pytest.fixture
def no_posix_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    """What Windows' CPython 3.12 lacks: os.geteuid (and os.fchmod, which keystore.durable already copes with)."""
    monkeypatch.delattr(os, "geteuid")
    monkeypatch.delattr(os, "fchmod", raising=False)


def test_private_folders_and_files_are_made_without_a_posix_owner(tmp_path: Path, no_posix_owner: None) -> None:
    files.make_private_dir(tmp_path / "data" / "ca")
    files.create_private_file(tmp_path / "data" / "issuer.db")
    files.write_private(tmp_path / "data" / "ca" / "root-ca.key.pem", b"key")
    assert (tmp_path / "data" / "ca" / "root-ca.key.pem").read_bytes() == b"key"
    assert (tmp_path / "data" / "issuer.db").is_file()


def test_tighten_leaves_windows_rights_to_the_folder_acl(tmp_path: Path, no_posix_owner: None) -> None:
    path = tmp_path / "loose"
    path.write_bytes(b"x")
    path.chmod(0o644)
    assert files.tighten(path) is None  # no POSIX modes to tighten: the profile's ACL keeps it private


def test_tighten_still_refuses_another_users_file_on_posix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "theirs"
    path.write_bytes(b"x")
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(path).st_uid + 1)
    with pytest.raises(files.NotOurs):
        files.tighten(path)
