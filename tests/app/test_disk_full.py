"""A full disk (issue 12, point 4), on real tmpfs mounts, the real issuer, real NSS and a real keyring.

* a full disk is refused before anything goes to the issuer: the PIN still works afterwards;
* space that runs out while Chromium's database is created leaves no broken database, the
  journal keeps the issued certificate, and the next run after making room installs it;
* a database broken by an older version is named by ``doctor`` with the way out;
* logging on a full disk prints no traceback.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import Desk, certutil_list
from issuer_harness import RunningIssuer, start_issuer

from app.errors import DiskFullAfterIssue
from app.state.config import IssuerSettings
from app.state.paths import Paths


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("disk-issuer")) / "data")
    yield running
    running.stop()


class Tmpfs:
    def __init__(self, where: Path, size: str) -> None:
        self.where = where
        where.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")

    def resize(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.where)], check=True)

    def fill(self) -> Path:
        """Fill the mount to the last byte."""
        filler = self.where / "filler"
        with open(filler, "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        for i in range(64):  # and the last partial blocks
            try:
                (self.where / f"crumb{i}").write_bytes(b"\0" * 512)
            except OSError:
                break
        return filler

    def umount(self) -> None:
        subprocess.run(["umount", "-l", str(self.where)], capture_output=True)


@pytest.fixture()
def tmpfs(tmp_path: Path) -> Iterator[Tmpfs]:
    mounted = Tmpfs(tmp_path / "small", "8m")
    yield mounted
    mounted.umount()


def test_a_full_disk_is_refused_before_the_pin_goes_out(tmpfs: Tmpfs, issuer: RunningIssuer,
                                                         secret_service: dict[str, str]) -> None:
    home = tmpfs.where / "home"
    home.mkdir()
    desk = Desk(home, issuer)
    number, pin = issuer.user(issuer.organisation("Praktijk Vol"), name="Vera Vol")
    filler = tmpfs.fill()

    r = desk.install(number, pin)
    assert r.code == 5, r.out + r.err
    error = json.loads(r.out)["error"]
    assert error["code"] == "error.disk_full"
    assert error["message"].startswith("Er is te weinig vrije ruimte in ")
    assert "niets naar de uitgever gestuurd: uw pincode is niet gebruikt" in error["message"]
    assert error["next"].startswith("Maak ruimte vrij op die schijf") and "probeer het dan opnieuw" in error["next"]
    assert "Traceback" not in r.err and "Logging error" not in r.err  # the log cannot be written either
    assert r.err.count("ZorgCert kan niet in zijn logboek") == 1  # said once, in words
    assert not (desk.nssdb / "cert9.db").exists()
    data = desk.zorgcert_home / "data"
    assert not list(data.glob("vault/*.zcv")) and not list(data.glob("journal/*.json"))  # nothing to roll back

    filler.unlink()  # make room, then try again: the same PIN works, so it was never used
    r = desk.install(number, pin)
    assert r.code == 0, r.out + r.err
    assert f"ZorgCert {number}" in certutil_list(desk.nssdb)


def test_space_running_out_while_the_database_is_made_loses_nothing(
        tmp_path: Path, issuer: RunningIssuer, secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.lifecycle import services

    small = Tmpfs(tmp_path / "home", "64k")  # Chromium's database does not fit (it needs ~70 kB)
    try:
        home = small.where
        for key, value in secret_service.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setattr(services, "MIN_FREE_BYTES", 0)  # the space goes between the check and the work
        root = tmp_path / "zorgcert"
        paths = Paths(root / "config", root / "data", root / "logs")
        core = services.ZorgCert(paths, IssuerSettings(issuer.url, Path(issuer.ca)))
        number, pin = issuer.user(issuer.organisation("Praktijk Krap"), name="Karel Krap")

        with pytest.raises(DiskFullAfterIssue) as caught:
            core.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
        assert caught.value.exit_code == 5
        nssdb = home / ".pki" / "nssdb"
        assert not (nssdb / "cert9.db").exists() and not (nssdb / "key4.db").exists()  # no broken database
        assert not [p for p in (home / ".pki").iterdir() if p.name.startswith(".nssdb.new-")]  # nothing aside
        (op,) = core.journal.pending()  # the issued certificate is kept, with its key in the vault
        assert op.stage == "issued" and op.cert_pem and core.vault.get(op.key_id) is not None
        assert core.vault.ids() == [op.key_id]  # and no other key

        small.resize("4m")  # make room; the next run (status) finishes the install, no PIN needed
        desk = Desk(home, issuer)
        r = desk.run("status", "--json", env=desk.env(ZORGCERT_HOME=str(root)))
        assert r.code == 0, r.err
        (row,) = r.json
        assert row["user_number"] == number and row["state"] == "valid"
        assert f"ZorgCert {number}" in certutil_list(nssdb)
        assert not core.journal.pending()
        assert core.vault.ids() == [row["fingerprint"]]
    finally:
        small.umount()


def test_doctor_and_install_name_a_broken_database_and_the_way_out(tmp_path: Path, issuer: RunningIssuer,
                                                                   secret_service: dict[str, str]) -> None:
    home = tmp_path / "home"
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    made = tmp_path / "made"
    made.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{made}", "--empty-password"], check=True, capture_output=True)
    (nssdb / "cert9.db").write_bytes((made / "cert9.db").read_bytes())
    (nssdb / "key4.db").write_bytes(b"")  # what certutil -N left on a full disk before this fix
    desk = Desk(home, issuer)

    r = desk.run("doctor", "--json")
    assert r.code == 1
    store = next(c for c in r.json["checks"] if c["check"] == "Certificaatopslag nss Chromium")
    assert store["result"] == "fail" and "beschadigd" in store["detail"]
    assert f"mv {nssdb} {nssdb}.beschadigd" in store["next"]

    number, pin = issuer.user(issuer.organisation("Praktijk Kapot"), name="Kees Kapot")
    r = desk.install(number, pin)
    assert r.code == 5 and json.loads(r.out)["error"]["code"] == "error.nss_corrupt"
    assert "Traceback" not in r.err
    nssdb.rename(nssdb.with_name("nssdb.beschadigd"))  # the way out, as doctor says it
    r = desk.install(number, pin)  # the PIN was not used by the refusal
    assert r.code == 0, r.out + r.err
    assert f"ZorgCert {number}" in certutil_list(nssdb)


def test_a_disk_that_fills_while_the_key_is_written_leaves_no_orphan_key(
        tmpfs: Tmpfs, tmp_path: Path, issuer: RunningIssuer, secret_service: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.errors import DiskFull
    from app.lifecycle import services

    for key, value in secret_service.items():
        monkeypatch.setenv(key, value)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(services, "MIN_FREE_BYTES", 0)  # the check passed; the disk fills up afterwards
    root = tmpfs.where / "zorgcert"
    core = services.ZorgCert(Paths(root / "config", root / "data", root / "logs"),
                             IssuerSettings(issuer.url, Path(issuer.ca)))
    real_save = core.journal.save

    def save_on_a_filling_disk(op: object) -> None:
        tmpfs.fill()  # the vault key went in; now another program takes the last byte
        real_save(op)  # type: ignore[arg-type]

    monkeypatch.setattr(core.journal, "save", save_on_a_filling_disk)
    number, pin = issuer.user(issuer.organisation("Praktijk Wees"), name="Wouter Wees")
    with pytest.raises(DiskFull) as caught:
        core.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    assert caught.value.key == "error.disk_full"  # before the PIN went out
    assert not list((root / "data" / "vault").glob("*.zcv"))  # no orphan key
    assert not list((root / "data" / "journal").glob("*.json"))

    fresh = tmp_path / "fresh"  # the PIN was never sent: it still installs
    again = services.ZorgCert(Paths(fresh / "config", fresh / "data", fresh / "logs"),
                              IssuerSettings(issuer.url, Path(issuer.ca)))
    outcome = again.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    assert outcome.entry.user_number == number
