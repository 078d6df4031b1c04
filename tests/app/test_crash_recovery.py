"""kill -9 at every step of an install and a renewal: never neither certificate, never an orphaned key.

``ZORGCERT_CRASH_AT=<stage>`` makes the real CLI SIGKILL itself at that checkpoint
(``app.lifecycle.services.checkpoint``). The desk has Chromium's database and one Firefox profile,
so ``installed-one`` stops between two stores. The next ``zorgcert status`` must finish or
roll back what was interrupted.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_harness import Desk
from issuer_harness import RunningIssuer, module_issuer, start_issuer

from app.state.lock import InstanceLock
from keystore.nss import NssStore

pytestmark = pytest.mark.slow

STAGES = ["key-made", "issued", "installed-one", "recorded"]


    # the renewal window is the whole validity: a renewal is allowed straight after install
issuer = module_issuer(validity="PT2H", renewal_window="PT2H", install_window="PT1H")


def _firefox_profile(home: Path) -> Path:
    firefox = home / ".mozilla" / "firefox"
    profile = firefox / "abcd.default-release"
    profile.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{profile}", "--empty-password"], check=True)
    (firefox / "profiles.ini").write_text("[Profile0]\nName=default-release\nIsRelative=1\n"
                                          "Path=abcd.default-release\nDefault=1\n")
    return profile


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    home = tmp_path / "home"
    home.mkdir()
    _firefox_profile(home)
    return Desk(home, issuer, in_process=True)


def _databases(desk: Desk) -> list[Path]:
    return [desk.nssdb, desk.home / ".mozilla" / "firefox" / "abcd.default-release"]


def _ours(db: Path) -> set[str]:
    """Fingerprints of our certificates in ``db`` that have their private key."""
    if not (db / "cert9.db").exists():
        return set()
    return {ref.fingerprint for ref in NssStore(db, label="t").list_ours()}


def _orphaned_keys(db: Path) -> list[str]:
    if not (db / "cert9.db").exists():
        return []
    listing = subprocess.run(["certutil", "-K", "-d", f"sql:{db}", "-f", "/dev/null"],
                             capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if "orphan" in line]


def _crash(desk: Desk, stage: str, *args: str, stdin: str | None = None) -> None:
    r = desk.run(*args, stdin=stdin, env=desk.env(ZORGCERT_CRASH_AT=stage))
    assert r.code == -9, f"expected the kill at {stage}, got {r.code}: {r.err}"


def _pending(desk: Desk) -> list[Path]:
    return list((desk.zorgcert_home / "data" / "journal").glob("*.json"))


def _vault_ids(desk: Desk) -> set[str]:
    return {p.stem for p in (desk.zorgcert_home / "data" / "vault").glob("*.zcv")}


def _assert_settled(desk: Desk, number: str) -> str:
    """After recovery: one certificate, in every database with its key, matching wallet and vault."""
    rows = desk.status()
    assert not _pending(desk)
    (row,) = [r for r in rows if r["user_number"] == number]
    assert row["state"] in ("valid", "renewal-open")  # the window is the whole validity here
    for db in _databases(desk):
        assert _ours(db) == {row["fingerprint"]}, db
        assert _orphaned_keys(db) == [], db
    assert _vault_ids(desk) == {row["fingerprint"]}
    return str(row["fingerprint"])


@pytest.mark.parametrize("stage", STAGES)
def test_install_killed_at_each_step(desk: Desk, issuer: RunningIssuer, stage: str) -> None:
    org = issuer.organisation(f"Praktijk Crash {stage}")
    number, pin = issuer.user(org, name="Dirk Crash")

    _crash(desk, stage, "install", "--user-number", number, "--pin-stdin", stdin=pin + "\n")

    assert _pending(desk), "the journal must remember the interrupted install"
    for db in _databases(desk):
        assert _orphaned_keys(db) == [], db
    if stage == "key-made":
        # the issuer never saw the request: recovery rolls back and the PIN installs afresh
        assert desk.status() == []
        assert not _pending(desk) and _vault_ids(desk) == set()
        assert desk.install(number, pin).code == 0
    _assert_settled(desk, number)


@pytest.mark.parametrize("stage", STAGES)
def test_renewal_killed_at_each_step(desk: Desk, issuer: RunningIssuer, stage: str) -> None:
    org = issuer.organisation(f"Praktijk Vernieuw {stage}")
    number, pin = issuer.user(org, name="Eva Vernieuw")
    first = desk.install(number, pin)
    assert first.code == 0, first.err
    old = first.json["installed"]["fingerprint"]

    _crash(desk, stage, "renew", number)

    # between the kill and the next run: the old or the new certificate, with its key, in every database
    for db in _databases(desk):
        assert _ours(db), db
        assert _orphaned_keys(db) == [], db
    new = _assert_settled(desk, number)
    assert (new == old) == (stage == "key-made"), "only a renewal the issuer never answered is rolled back"
    if stage == "key-made":
        again = desk.run("renew", number, "--json")
        assert again.code == 0, again.err
        _assert_settled(desk, number)


def test_a_second_instance_waits_for_no_one_and_says_so(desk: Desk, issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Slot")
    number, pin = issuer.user(org, name="Fien Slot")
    colleague, colleague_pin = issuer.user(org, name="Gijs Slot")
    assert desk.install(number, pin).code == 0
    lock_file = desk.zorgcert_home / "data" / "zorgcert.lock"
    with InstanceLock(lock_file):  # as if the tray agent were renewing right now
        busy = desk.run("renew", number)
        assert busy.code == 1
        assert "bezig" in busy.err
        # (installing the same, still valid certificate is refused before the lock: a colleague's install waits)
        blocked_install = desk.install(colleague, colleague_pin)
        assert blocked_install.code == 1 and "bezig" in blocked_install.err
    assert desk.run("renew", number).code == 0
    assert desk.install(colleague, colleague_pin).code == 0  # the PIN was not used up while ZorgCert was busy


@pytest.fixture(scope="module")
def other_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    """A second, unrelated issuer (its own CA) the desk is pointed at after a crash."""
    running = start_issuer(Path(tmp_path_factory.mktemp("other")) / "data", validity="PT2H",
                           renewal_window="PT2H", install_window="PT1H")
    yield running
    running.stop()


def _answer_lost(desk: Desk, issuer: RunningIssuer, number: str, pin: str) -> dict[str, Any]:
    """Crash at key-made, then let the issuer issue for that key: as if killed right after its answer came."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    from app.state.vault import Vault

    _crash(desk, "key-made", "install", "--user-number", number, "--pin-stdin", stdin=pin + "\n")
    (entry,) = _pending(desk)
    op = json.loads(entry.read_text())
    sealed = Vault(desk.zorgcert_home / "data" / "vault").get(op["key_id"])
    assert sealed is not None
    assert issuer.enroll(number, pin, load_der_private_key(sealed.key_der, None)).status_code == 200
    return dict(op)


def test_recovery_asks_only_its_own_issuer_and_never_deletes_the_key(
        desk: Desk, issuer: RunningIssuer, other_issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Overstap"), name="Olga Overstap")
    op = _answer_lost(desk, issuer, number, pin)
    assert op["issuer_url"] == issuer.url and len(op["issuer_ca"]) == 64

    elsewhere = desk.env(ZORGCERT_ISSUER_URL=other_issuer.url, ZORGCERT_ISSUER_CA=other_issuer.ca)
    nowhere = {k: v for k, v in desk.env().items() if k not in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA")}
    other_number, other_pin = other_issuer.user(other_issuer.organisation("Praktijk Elders"), name="Els Elders")
    runs = [
        ("status", desk.run("status", env=elsewhere), other_issuer.url),
        ("install", desk.install(other_number, other_pin, env=elsewhere), other_issuer.url),
        ("status", desk.run("status", env=nowhere), "geen uitgever"),
    ]
    for what, result, current in runs:
        assert result.code == 0, (what, result.err)
        assert op["key_id"] in _vault_ids(desk), what  # the key of an issued certificate stays
        assert [json.loads(p.read_text())["id"] for p in _pending(desk)] == [op["id"]], what
        assert "alleen de uitgever waarbij die begon" in result.err and issuer.url in result.err, (what, result.err)
        assert current in result.err and "zorgcert config set issuer-url" in result.err, (what, result.err)

    # pointed back at its own issuer: the certificate it issued is picked up and installed
    rows = {r["user_number"]: r for r in desk.status()}
    assert not _pending(desk)
    assert rows[number]["state"] in ("valid", "renewal-open")
    assert op["key_id"] not in _vault_ids(desk) and rows[number]["fingerprint"] in _vault_ids(desk)
    assert rows[number]["fingerprint"] in _ours(desk.nssdb)


def test_an_entry_from_an_older_zorgcert_keeps_its_key(desk: Desk, issuer: RunningIssuer) -> None:
    """No issuer recorded: completed if the issuer configured now has it; else closed, but the key is kept."""
    number, pin = issuer.user(issuer.organisation("Praktijk Oud"), name="Otto Oud")
    _crash(desk, "key-made", "install", "--user-number", number, "--pin-stdin", stdin=pin + "\n")
    (entry,) = _pending(desk)
    op = json.loads(entry.read_text())
    for field in ("issuer_url", "issuer_ca"):
        del op[field]
    entry.write_text(json.dumps(op))
    assert desk.status() == [] and not _pending(desk)
    assert op["key_id"] in _vault_ids(desk)  # not found here, but it might exist at another issuer
    assert desk.install(number, pin).code == 0  # the PIN was never used: a fresh install works
