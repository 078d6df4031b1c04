"""End to end: ``zorgcert backup | restore | export`` against the real issuer, real NSS and a real keyring.

Covers R7/R8: a lost but valid certificate comes back only from a backup; every bad file
gets its own message and error code and changes nothing; expired, revoked and older
certificates are refused; PFX exports are read by OpenSSL; the passphrase is never in argv
or in any file under ZORGCERT_HOME.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from app_harness import ArgvWatch, Desk, Result, certutil_keys, certutil_list
from issuer_harness import RunningIssuer, module_issuer, start_issuer

from app.clock import SystemClock

pytestmark = pytest.mark.slow

PASSPHRASE = "zeilboot paraplu kroket venster"


issuer = module_issuer(validity="PT10M", renewal_window="PT1M", install_window="PT10M")


@pytest.fixture(scope="module")
def quick_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    """Certificates that can be renewed at once (the renewal window is longer than the validity): for the
    older and expired refusals, with no wait before the renewal."""
    running = start_issuer(Path(tmp_path_factory.mktemp("quick")) / "data", validity="PT10M",
                           renewal_window="PT1H", install_window="PT10M")
    yield running
    running.stop()


def _desk(issuer: RunningIssuer, tmp_path: Path, name: str) -> Desk:
    home = tmp_path / name
    home.mkdir()
    return Desk(home, issuer, in_process=True)  # real processes only where the argv is watched


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    return _desk(issuer, tmp_path, "home")


def backup(desk: Desk, number: str, out: Path, passphrase: str = PASSPHRASE, confirm: str | None = None,
           *extra: str) -> Result:
    lines = f"{passphrase}\n{passphrase if confirm is None else confirm}\n"
    return desk.run("backup", number, "--out", str(out), "--passphrase-stdin", *extra, stdin=lines)


def restore(desk: Desk, file: Path, passphrase: str = PASSPHRASE, *extra: str, env: dict[str, str] | None = None
            ) -> Result:
    return desk.run("restore", str(file), "--passphrase-stdin", *extra, stdin=passphrase + "\n", env=env)


def lose(desk: Desk) -> None:
    """The certificate and its key vanish from NSS (a wiped profile), as ``certutil -F`` does."""
    for ref in desk.status()[0]["installed_in"]:
        subprocess.run(["certutil", "-F", "-n", ref["nickname"], "-d", f"sql:{desk.nssdb}"], check=True,
                       capture_output=True)


def snapshot(desk: Desk) -> dict[str, str]:
    """Everything a restore could change: ZorgCert's data files and the NSS database's certificates and keys."""
    state = {"nss-certs": certutil_list(desk.nssdb), "nss-keys": certutil_keys(desk.nssdb)}
    data = desk.zorgcert_home / "data"
    for path in sorted(data.rglob("*")):
        if path.is_file() and path.suffix != ".lock":
            state[str(path.relative_to(data))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def test_backup_lost_restore_export(desk: Desk, issuer: RunningIssuer, tmp_path: Path) -> None:
    org = issuer.organisation("Praktijk Terug")
    number, pin = issuer.user(org, name="Anna de Vries")
    assert desk.install(number, pin).code == 0
    row = desk.status()[0]
    assert row["last_backup"] is None and row["backup_current"] is False
    assert "geen back-up sinds de laatste installatie" in desk.run("status").out

    out = tmp_path / "usb" / "anna.zcbackup"
    out.parent.mkdir()
    with ArgvWatch() as argv:
        made = backup(desk, number, out, PASSPHRASE, None, "--json")
        assert made.code == 0, made.err
        assert made.json["backup"]["verified"] is True
        assert out.stat().st_mode & 0o077 == 0
        assert not [p for p in out.parent.iterdir() if p.name != out.name]  # no temporary file left
        row = desk.status()[0]
        assert row["backup_current"] is True and row["last_backup"]
        assert "geen back-up" not in desk.run("status").out

        lose(desk)
        assert desk.state(number) == "lost"
        back = restore(desk, out)
        assert back.code == 0, back.err
        # what the file holds is shown before it is restored
        for fact in ("Anna de Vries", number, row["serial"], row["valid_until"], "back-up gemaakt"):
            assert fact in back.out, fact
        assert back.out.index("Dit bestand bevat") < back.out.index("teruggezet")
        assert desk.state(number) == "valid"
        assert row["fingerprint"][:12] in certutil_list(desk.nssdb)

        # R7 on a new computer: nothing there yet but the backup file
        fresh = _desk(issuer, tmp_path, "new-pc")
        moved = restore(fresh, out)
        assert moved.code == 0, moved.err
        assert fresh.state(number) == "valid" and fresh.status()[0]["backup_current"] is True
        assert row["fingerprint"][:12] in certutil_list(fresh.nssdb)

        # PFX for administration software: both profiles, read by OpenSSL
        for profile in ("modern", "legacy"):
            pfx = tmp_path / f"anna-{profile}.pfx"
            r = desk.run("export", number, "--pfx", str(pfx), "--profile", profile, "--passphrase-stdin",
                         stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")
            assert r.code == 0, r.err
            assert ("3DES" in r.out) == (profile == "legacy")
            info = subprocess.run(["openssl", "pkcs12", "-in", str(pfx), "-info", "-noout", "-passin", "stdin"],
                                  input=PASSPHRASE + "\n", capture_output=True, text=True, timeout=60)
            assert info.returncode == 0, info.stderr
            assert ("AES-256-CBC" in info.stderr + info.stdout) == (profile == "modern")

    assert not [line for line in argv.seen if PASSPHRASE in line]
    for path in desk.zorgcert_home.rglob("*"):
        if path.is_file():
            assert PASSPHRASE.encode() not in path.read_bytes(), path


def test_bad_files_and_passphrases_each_say_what_is_wrong_and_change_nothing(desk: Desk, issuer: RunningIssuer,
                                                                            tmp_path: Path) -> None:
    org = issuer.organisation("Praktijk Fout")
    number, pin = issuer.user(org, name="Cor Fout")
    assert desk.install(number, pin).code == 0
    good = tmp_path / "cor.zcbackup"

    weak = backup(desk, number, good, "welkomthuis")
    assert weak.code == 2 and "Nederlandse woorden" in weak.err and not good.exists()
    differ = backup(desk, number, good, PASSPHRASE, PASSPHRASE + "!")
    assert differ.code == 2 and "niet gelijk" in differ.err and not good.exists()
    personal = backup(desk, number, good, "cor fout praktijk fout")
    assert personal.code == 2 and "uw naam" in personal.err
    assert desk.status()[0]["last_backup"] is None

    assert backup(desk, number, good).code == 0
    lose(desk)
    data = good.read_bytes()
    bad = {
        "truncated": data[: len(data) // 2],
        "newer": data[:8] + b"\x00\x02" + data[10:],
        "damaged": data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],
        "text": b"Beste Cor, hierbij uw pincode.\n",
        "empty": b"",
    }
    for name, content in bad.items():
        (tmp_path / f"{name}.zcbackup").write_bytes(content)
    before = snapshot(desk)
    pfx = tmp_path / "cor.pfx"
    assert desk.run("export", number, "--pfx", str(pfx), "--passphrase-stdin",
                    stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n").code == 0

    cases = [
        (good, "verkeerde zin met veel woorden", 1, "wachtwoordzin opent deze back-up niet", "wrong_passphrase"),
        (tmp_path / "truncated.zcbackup", PASSPHRASE, 1, "onvolledig", "truncated"),
        (tmp_path / "text.zcbackup", PASSPHRASE, 1, "geen ZorgCert-back-up", "not_a_backup"),
        (pfx, PASSPHRASE, 1, "PKCS#12-bestand", "is_pfx"),
        (tmp_path / "empty.zcbackup", PASSPHRASE, 1, "is leeg", "empty"),
        (tmp_path / "newer.zcbackup", PASSPHRASE, 1, "nieuwere versie van ZorgCert", "newer_version"),
        (tmp_path / "damaged.zcbackup", PASSPHRASE, 1, "beschadigd of gewijzigd", "damaged"),
        (tmp_path / "missing.zcbackup", PASSPHRASE, 2, "bestaat niet", "file_missing"),
    ]
    for file, passphrase, code, words, key in cases:
        r = restore(desk, file, passphrase, "--json")
        assert r.code == code, (file.name, r.code, r.err)
        assert r.json["error"]["code"] == f"error.backup.{key}", r.json
        assert words in r.err, (file.name, r.err)
        assert "Er is niets veranderd" in r.err
        assert snapshot(desk) == before, file.name
    english = restore(desk, tmp_path / "truncated.zcbackup", PASSPHRASE, "--lang", "en")
    assert english.code == 1 and "incomplete" in english.err
    assert desk.state(number) == "lost"

    # the issuer cannot be reached: restored all the same, with a warning that revocation was not checked
    offline = restore(desk, good, env=desk.env(ZORGCERT_ISSUER_URL="https://127.0.0.1:9"))
    assert offline.code == 0, offline.err
    assert "niet bereikbaar" in offline.out and "ingetrokken" in offline.out
    assert desk.state(number) == "valid"


def test_revoked_certificate_is_refused(desk: Desk, issuer: RunningIssuer, tmp_path: Path) -> None:
    org = issuer.organisation("Praktijk Ingetrokken")
    number, pin = issuer.user(org, name="Dirk Ingetrokken")
    assert desk.install(number, pin).code == 0
    file = tmp_path / "dirk.zcbackup"
    assert backup(desk, number, file).code == 0
    lose(desk)
    issuer.admin("cert", "revoke", number, "--reason", "key-compromise")
    before = snapshot(desk)
    r = restore(desk, file)
    assert r.code == 3, r.err
    assert "ingetrokken" in r.err and "contactpersoon" in r.err
    assert "Dirk Ingetrokken" in r.out  # it still showed what the file holds
    assert snapshot(desk) == before


def test_older_then_expired_backup_is_refused(quick_issuer: RunningIssuer, tmp_path: Path,
                                              secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    desk = _desk(quick_issuer, tmp_path, "quick")
    org = quick_issuer.organisation("Praktijk Snel")
    number, pin = quick_issuer.user(org, name="Eva Snel")
    assert desk.install(number, pin).code == 0
    old = tmp_path / "eva-old.zcbackup"
    assert backup(desk, number, old).code == 0
    old_until = desk.status()[0]["valid_until"]

    renewed = desk.run("renew", number)
    assert renewed.code == 0, renewed.err
    # the lost computer's case: a new one knows nothing, so the issuer says the backup is superseded
    fresh = _desk(quick_issuer, tmp_path, "fresh")
    superseded = restore(fresh, old, PASSPHRASE, "--json")
    assert superseded.code == 3, superseded.err
    assert superseded.json["error"]["code"] == "superseded"
    assert "nieuwer certificaat" in superseded.err and number in superseded.err
    assert "Support" in superseded.err and "pincode" in superseded.err and "Er is niets veranderd" in superseded.err
    assert fresh.status() == [] and not fresh.nssdb.exists()
    assert "geen back-up sinds de laatste installatie of vernieuwing" in desk.run("status").out  # R8 after renewal
    before = snapshot(desk)
    older = restore(desk, old)
    assert older.code == 3, older.err
    assert "ouder certificaat" in older.err and old_until in older.err
    assert snapshot(desk) == before

    # then the old certificate's end has passed: ZorgCert's clock (the runs are main() in this process) is
    # put just past it, instead of waiting for it on a certificate short-lived enough (which a slow machine
    # lost: the older refusal above came after the end)
    assert desk.in_process
    past_end = datetime.fromisoformat(old_until) + timedelta(seconds=1)
    monkeypatch.setattr(SystemClock, "now", lambda self: past_end)
    expired = restore(desk, old)
    assert expired.code == 3, expired.err
    assert "verlopen" in expired.err and "pincode" in expired.err
    assert snapshot(desk) == before


def test_files_the_user_points_at_are_never_overwritten_without_consent(desk: Desk, issuer: RunningIssuer,
                                                                         tmp_path: Path) -> None:
    org = issuer.organisation("Praktijk Bestaand")
    number, pin = issuer.user(org, name="Bea Bestaand", kind="system")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "key.pem").write_text("the HIS's own key\n")
    taken = desk.install(number, pin, "--kind", "system", "--store", f"file:{shared}")
    assert taken.code == 5, taken.err
    assert "bevat al bestanden die niet van ZorgCert zijn" in taken.err and "lege of nieuwe map" in taken.err
    assert (shared / "key.pem").read_text() == "the HIS's own key\n" and len(list(shared.iterdir())) == 1
    second = desk.install(number, pin, "--kind", "system")
    assert second.code == 0, second.out  # the PIN was not used up by the refusal

    for command, flag, name in (("backup", "--out", "bea.zcbackup"), ("export", "--pfx", "bea.pfx")):
        target = tmp_path / name
        target.write_text("someone's file\n")
        args = (command, number, flag, str(target), "--passphrase-stdin")
        refused = desk.run(*args, stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")
        assert refused.code == 2, refused.err
        assert "bestaat al" in refused.err and "--force" in refused.err, refused.err
        assert target.read_text() == "someone's file\n"
        forced = desk.run(*args, "--force", stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")
        assert forced.code == 0, forced.err
        assert target.read_bytes() != b"someone's file\n"
