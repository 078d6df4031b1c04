"""One bad state file must not break everything (issue 12, point 3).

Each of ZorgCert's own files (the wallet, a journal entry, ``config.json``,
``preferences.json``) is made empty, garbage (not UTF-8), valid JSON of the wrong shape, or
unreadable (a folder in its place: the tests run as root, for whom ``chmod 000`` changes
nothing). ``status``, ``doctor`` and ``renew`` then carry on or stop with a clear message,
never a traceback or the "something went wrong" reference; the bad file is kept beside the
original name as ``<name>.bad-<time>``; the wallet comes back from the real vault (keyring)
and the real NSS database.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_harness import Desk, Result
from issuer_harness import RunningIssuer, start_issuer

from app.state import config, files, preferences
from app.state.journal import Journal
from app.state.paths import Paths
from app.state.wallet import Wallet

GARBAGE = b"\xff\xfe\x00{ niet leesbaar \x80\x81"

# per file: the JSON of the wrong shape
WRONG_SHAPE = {
    "wallet": {"version": 1, "certificates": [{"user_number": 5, "stores": "nss"}]},
    "journal": {"kind": "install", "stage": "key-made"},
    "config": {"issuer-url": ["https://elders.example"]},
    "preferences": ["nl"],
}
DAMAGES = ["empty", "garbage", "wrong-shape", "unreadable"]


def damage(path: Path, how: str, which: str) -> bytes | None:
    """Damage ``path`` one way; the bytes it then holds (None for a folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    if how == "unreadable":
        path.mkdir()
        (path / "inside").write_text("x")
        return None
    data = {"empty": b"", "garbage": GARBAGE,
            "wrong-shape": json.dumps(WRONG_SHAPE[which]).encode()}[how]
    path.write_bytes(data)
    return data


def kept(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bad-*"))


def assert_kept(path: Path, data: bytes | None) -> None:
    """The damaged file is kept, renamed beside the original name, as it was."""
    (copy,) = kept(path)
    assert copy.name.startswith(path.name + ".bad-2")  # a UTC time stamp
    if data is None:
        assert copy.is_dir() and (copy / "inside").read_text() == "x"
    else:
        assert copy.read_bytes() == data


def assert_clear(r: Result) -> None:
    """No traceback and no "unexpected error" reference: the user is told in words."""
    for text in (r.out, r.err):
        assert "Traceback" not in text and "referentie" not in text, text


# --- the files one by one, in process (fast) --------------------------------------------------------


@pytest.fixture()
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    for var in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA"):
        monkeypatch.delenv(var, raising=False)
    files.take_notices()
    yield Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    files.take_notices()


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_wallet_is_set_aside(paths: Paths, how: str) -> None:
    data = damage(paths.wallet_file, how, "wallet")
    assert Wallet(paths.wallet_file).entries() == []
    assert_kept(paths.wallet_file, data)
    (notice,) = files.take_notices()
    assert notice.key == "state.quarantined" and notice.params["kept"] == str(kept(paths.wallet_file)[0])


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_journal_entry_is_set_aside_and_the_others_stay(paths: Paths, how: str) -> None:
    journal = Journal(paths.journal_dir)
    from app.state.journal import Operation

    good = Operation(kind="install", user_number="01234567890123", key_id="a" * 64, stores=["nss"])
    journal.save(good)
    bad = paths.journal_dir / "0123abcd.json"
    data = damage(bad, how, "journal")
    assert [op.id for op in journal.pending()] == [good.id]
    assert_kept(bad, data)
    assert [n.key for n in files.take_notices()] == ["state.quarantined"]


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_config_is_set_aside_and_set_works_again(paths: Paths, how: str) -> None:
    data = damage(paths.config_file, how, "config")
    assert config.load(paths) == {}
    assert_kept(paths.config_file, data)
    assert config.set_value(paths, "issuer-url", "https://uitgever.example") == "https://uitgever.example"
    assert config.load(paths) == {"issuer-url": "https://uitgever.example"}


@pytest.mark.parametrize("how", DAMAGES)
def test_damaged_preferences_are_set_aside(paths: Paths, how: str) -> None:
    prefs = paths.config_dir / "preferences.json"
    data = damage(prefs, how, "preferences")
    assert preferences.load(paths).lang == ""
    assert_kept(prefs, data)
    from app.desk.desktop import Desktop

    assert Desktop(paths).language() == "nl"  # the app starts, in Dutch


def test_a_wallet_from_a_newer_zorgcert_is_left_alone(paths: Paths) -> None:
    paths.wallet_file.parent.mkdir(parents=True)
    paths.wallet_file.write_text('{"version": 99, "certificates": []}')
    from app.errors import StateFileNewer

    with pytest.raises(StateFileNewer):
        Wallet(paths.wallet_file)
    assert kept(paths.wallet_file) == [] and paths.wallet_file.exists()


def test_only_our_own_temporary_files_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "zorgcert-01234567890123.zcbackup"
    ours = [tmp_path / f".{target.name}.a1b2c3d4.tmp", tmp_path / f".{target.name}.x_9kq2zz.tmp"]
    others = [tmp_path / f".{target.name}.tmp", tmp_path / f".{target.name}.a1b2c3d4.tmp.keep",
              tmp_path / f"{target.name}.a1b2c3d4.tmp", tmp_path / ".ander.zcbackup.a1b2c3d4.tmp",
              tmp_path / f".{target.name}.a1b2c3d45.tmp", tmp_path / f".{target.name}.a1b2-3d4.tmp"]
    for path in ours + others:
        path.write_text("x")
    folder = tmp_path / f".{target.name}.folder12.tmp"
    folder.mkdir()
    link = tmp_path / f".{target.name}.link1234.tmp"
    link.symlink_to(others[0])
    assert sorted(files.remove_temps(target)) == sorted(ours)
    assert all(p.exists() for p in others) and folder.is_dir() and link.is_symlink()


# --- status, doctor and renew on a real desk ----------------------------------------------------------


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    # the renewal window is the whole validity: a renewal is allowed straight after install
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data", validity="PT2H",
                           renewal_window="PT2H", install_window="PT1H")
    yield running
    running.stop()


def _rows(r: Result) -> list[dict[str, Any]]:
    assert r.code == 0, r.err
    assert_clear(r)
    return list(r.json)


def test_status_doctor_and_renew_carry_on_over_damaged_files(
        issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> None:
    """One desk (issuer set-up is slow), damaged four ways in turn: all four files at once each time."""
    home = tmp_path / "home"
    home.mkdir()
    desk = Desk(home, issuer, in_process=True)
    number, pin = issuer.user(issuer.organisation("Praktijk Schade"), name="Sara Schade")
    installed = desk.install(number, pin)
    assert installed.code == 0, installed.err
    fp = installed.json["installed"]["fingerprint"]
    data_dir, config_dir = desk.zorgcert_home / "data", desk.zorgcert_home / "config"
    targets = {"wallet": data_dir / "wallet.json", "journal": data_dir / "journal" / "5e1f.json",
               "config": config_dir / "config.json", "preferences": config_dir / "preferences.json"}

    for how in DAMAGES:
        damaged = {which: damage(path, how, which) for which, path in targets.items()}

        status = desk.run("status", "--json")
        (row,) = _rows(status)  # the wallet is rebuilt from the vault and the NSS database
        assert row["user_number"] == number and row["fingerprint"] == fp, how
        assert row["state"] in ("valid", "renewal-open")
        assert [ref["present"] for ref in row["installed_in"]] == [True]
        assert row["installed_in"][0]["location"] == f"sql:{desk.nssdb}"
        assert "apart gezet" in status.err and "opnieuw opgebouwd" in status.err, (how, status.err)
        assert "1 certificaat" in status.err, (how, status.err)
        for which in ("wallet", "journal", "config"):  # what status reads; preferences are the app's
            assert_kept(targets[which], damaged[which])
            assert str(kept(targets[which])[0]) in status.err, (how, which)
        assert json.loads(targets["wallet"].read_text())["certificates"][0]["fingerprint"] == fp

        doctor = desk.run("doctor", "--json")
        assert doctor.code == 0, (how, doctor.out + doctor.err)
        assert_clear(doctor)
        checks = {c["check"]: c for c in doctor.json["checks"]}
        state = checks["Bestanden van ZorgCert leesbaar"]
        assert state["result"] == "warn" and state["next"], how
        for which, path in targets.items():
            assert_kept(path, damaged[which])
            assert str(kept(path)[0]) in state["detail"], (how, which)
        assert all(c["result"] != "fail" for c in doctor.json["checks"]), (how, doctor.json)

        renewed = desk.run("renew", number, "--json")
        assert renewed.code == 0, (how, renewed.err)
        assert_clear(renewed)
        (row,) = _rows(desk.run("status", "--json"))
        assert row["fingerprint"] == renewed.json["renewed"]["fingerprint"] != fp, how
        fp = row["fingerprint"]
        for path in targets.values():  # what doctor's next step says, once all is well
            for copy in kept(path):
                shutil.rmtree(copy) if copy.is_dir() else copy.unlink()
    doctor = desk.run("doctor", "--json")
    assert {c["check"]: c for c in doctor.json["checks"]}["Bestanden van ZorgCert leesbaar"]["result"] == "pass"


def test_english_notice_and_a_clear_stop_when_the_file_cannot_be_moved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app.commands import cli

    for var in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ZORGCERT_HOME", str(tmp_path / "zc"))
    monkeypatch.setenv("HOME", str(tmp_path))
    wallet = tmp_path / "zc" / "data" / "wallet.json"
    wallet.parent.mkdir(parents=True)
    wallet.write_bytes(b"")
    files.take_notices()
    assert cli.main(["status", "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "set it aside as" in err and "rebuilt the list of your certificates" in err, err

    # a damaged file that cannot even be moved aside (a read-only folder; root ignores modes, so the
    # rename is made to fail): a clear stop with the path and what to do, not a traceback
    (tmp_path / "zc" / "config").mkdir()
    (tmp_path / "zc" / "config" / "config.json").write_bytes(GARBAGE)

    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "rename", refuse)
    assert cli.main(["config", "show"]) == 1
    err = capsys.readouterr().err
    assert "config.json" in err and "kan niet opzij gezet worden" in err and "Traceback" not in err, err
    assert "referentie" not in err
