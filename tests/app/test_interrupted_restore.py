"""kill -9 during a restore or a backup (issue 12, point 6): the next run finishes or cleans up.

``ZORGCERT_CRASH_AT=<stage>`` makes the real CLI SIGKILL itself (``app.lifecycle.services.checkpoint``).
A restore onto a new machine (Chromium's database and one Firefox profile, so one kill falls
between two databases) is finished by the next ``status``: the certificate shows, with its key
in every database, in the vault, and ``doctor`` is clean. A killed backup leaves no hidden
temporary file after the next run, and the target is absent or complete.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_harness import Desk
from issuer_harness import RunningIssuer, start_issuer

from keystore.nss import NssStore

pytestmark = pytest.mark.slow

PASSPHRASE = "zeilboot paraplu kroket venster"
STAGES = ["restore-journaled", "restore-vault", "restore-installed-one", "restore-recorded"]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data", validity="PT2H",
                           renewal_window="PT1H", install_window="PT1H")
    yield running
    running.stop()


def _new_desk(issuer: RunningIssuer, home: Path) -> Desk:
    home.mkdir(parents=True)
    firefox = home / ".mozilla" / "firefox"
    profile = firefox / "abcd.default-release"
    profile.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{profile}", "--empty-password"], check=True)
    (firefox / "profiles.ini").write_text("[Profile0]\nName=default-release\nIsRelative=1\n"
                                          "Path=abcd.default-release\nDefault=1\n")
    return Desk(home, issuer, in_process=True)


@pytest.fixture(scope="module")
def made(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory,
         secret_service: dict[str, str]) -> dict[str, Any]:
    """A desk with one installed certificate and a backup of it."""
    root = tmp_path_factory.mktemp("made")
    desk = _new_desk(issuer, root / "home")
    number, pin = issuer.user(issuer.organisation("Praktijk Terug"), name="Tom Terug")
    installed = desk.install(number, pin)
    assert installed.code == 0, installed.err
    out = root / "tom.zcbackup"
    r = desk.run("backup", number, "--out", str(out), "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert r.code == 0, r.err
    return {"desk": desk, "number": number, "fingerprint": installed.json["installed"]["fingerprint"],
            "file": out}


def _databases(desk: Desk) -> list[Path]:
    return [desk.nssdb, desk.home / ".mozilla" / "firefox" / "abcd.default-release"]


def _ours(db: Path) -> set[str]:
    if not (db / "cert9.db").exists():
        return set()
    return {ref.fingerprint for ref in NssStore(db, label="t").list_ours()}


def _orphaned_keys(db: Path) -> list[str]:
    if not (db / "cert9.db").exists():
        return []
    listing = subprocess.run(["certutil", "-K", "-d", f"sql:{db}", "-f", "/dev/null"],
                             capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if "orphan" in line]


def _pending(desk: Desk) -> list[Path]:
    return list((desk.zorgcert_home / "data" / "journal").glob("*.json"))


def _vault_ids(desk: Desk) -> set[str]:
    return {p.stem for p in (desk.zorgcert_home / "data" / "vault").glob("*.zcv")}


def _restore(desk: Desk, file: Path, **env: str) -> Any:
    return desk.run("restore", str(file), "--passphrase-stdin", "--json", stdin=PASSPHRASE + "\n",
                    env=desk.env(**env))


def _doctor_clean(desk: Desk) -> None:
    doctor = desk.run("doctor", "--json")
    failed = [c for c in doctor.json["checks"] if c["result"] == "fail"]
    assert doctor.code == 0 and not failed, failed


@pytest.mark.parametrize("stage", STAGES)
def test_restore_killed_at_each_step_is_finished_by_the_next_run(
        issuer: RunningIssuer, made: dict[str, Any], tmp_path: Path, stage: str) -> None:
    desk = _new_desk(issuer, tmp_path / "new-pc")
    killed = _restore(desk, made["file"], ZORGCERT_CRASH_AT=stage)
    assert killed.code == -9, killed.err
    (entry,) = _pending(desk)
    assert json.loads(entry.read_text())["kind"] == "restore"
    for db in _databases(desk):
        assert _orphaned_keys(db) == [], db

    rows = desk.status()  # the next run finishes (or, before anything was written, closes) the restore
    assert not _pending(desk)
    if stage == "restore-journaled":  # killed before the vault or a store was touched: nothing half-done
        assert rows == [] and _vault_ids(desk) == set()
        assert all(_ours(db) == set() for db in _databases(desk))
        again = _restore(desk, made["file"])
        assert again.code == 0, again.err
        rows = desk.status()
    (row,) = rows
    assert row["user_number"] == made["number"] and row["fingerprint"] == made["fingerprint"]
    assert row["state"] in ("valid", "renewal-open") and row["backup_current"]
    assert [ref["present"] for ref in row["installed_in"]] == [True, True]
    for db in _databases(desk):
        assert _ours(db) == {made["fingerprint"]}, db
        assert _orphaned_keys(db) == [], db
    assert _vault_ids(desk) == {made["fingerprint"]}
    _doctor_clean(desk)


def test_a_killed_backup_leaves_no_temporary_file_after_the_next_run(
        made: dict[str, Any], tmp_path: Path) -> None:
    desk, number = made["desk"], made["number"]
    folder = tmp_path / "usb"
    folder.mkdir()
    out = folder / "tom.zcbackup"
    theirs = [folder / ".tom.zcbackup.tmp", folder / ".tom.zcbackup.keep1234.tmp.txt",
              folder / ".ander.zcbackup.abcd1234.tmp", folder / "tom.zcbackup.abcd1234.tmp"]
    for path in theirs:  # files that are not ZorgCert's, however alike: never touched
        path.write_text("niet van ZorgCert")
    lines = f"{PASSPHRASE}\n{PASSPHRASE}\n"

    killed = desk.run("backup", number, "--out", str(out), "--passphrase-stdin", stdin=lines,
                      env=desk.env(ZORGCERT_CRASH_AT="backup-written"))
    assert killed.code == -9, killed.err
    (temp,) = [p for p in folder.iterdir() if p not in theirs]
    assert temp.name.startswith(".tom.zcbackup.") and temp.name.endswith(".tmp") and not out.exists()

    desk.status()  # the next run
    assert sorted(folder.iterdir()) == sorted(theirs) and not _pending(desk)

    killed = desk.run("backup", number, "--out", str(out), "--passphrase-stdin", stdin=lines,
                      env=desk.env(ZORGCERT_CRASH_AT="backup-replaced"))
    assert killed.code == -9, killed.err
    desk.status()
    assert sorted(folder.iterdir()) == sorted([*theirs, out]) and not _pending(desk)
    info = desk.run("restore", str(out), "--passphrase-stdin", "--json", stdin=PASSPHRASE + "\n")
    assert info.code == 0, info.err  # complete: it opens and restores (the same certificate)
    assert info.json["restored"]["fingerprint"] == made["fingerprint"]
    _doctor_clean(desk)
