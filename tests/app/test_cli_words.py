"""What ``zorgcert`` says (issue 12 point 11): durations, countdowns, next steps, check digits, ``--lang`` anywhere.

Fast: a wallet written by hand (no issuer, no store) for ``status``; the real issuer only
for the tests that need a certificate that is really installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from app_harness import Desk, run_in_process
from issuer_harness import RunningIssuer, start_issuer

from app import policy

ZORGCERT = [sys.executable, "-m", "app.commands.cli"]
GOOD = "12345678901231"  # 14 digits, Luhn check digit right
TYPO = "12345678901234"  # the same with a wrong last digit


def _number(body: str) -> str:
    return body + str(policy._luhn_check_digit(body))


def _entry(number: str, name: str, not_after: datetime, stores: list[dict[str, str]]) -> dict[str, object]:
    return {
        "user_number": number, "kind": "personal", "name": name, "organisation": "Praktijk", "subject": f"CN={name}",
        "serial": "1", "fingerprint": "ab" * 32, "not_before": (not_after - timedelta(days=730)).isoformat(),
        "not_after": not_after.isoformat(), "installed_at": (not_after - timedelta(days=730)).isoformat(),
        "how": "install", "issuer_url": "https://issuer.invalid",
        "policy": {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"},
        "stores": stores, "last_backup_at": None, "revoked": False,
    }


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return tmp_path


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGCERT_")}
    env.update({"HOME": str(home), "ZORGCERT_HOME": str(home / "zc"), **extra})
    return env


def _run(home: Path, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
    """``zorgcert ARGS`` with ``main()`` in this process (what it says is the subject here, not the process)."""
    r = run_in_process(list(args), stdin, _env(home, **extra))
    return subprocess.CompletedProcess([*ZORGCERT, *args], r.code, r.out, r.err)


def _wallet(home: Path, *entries: dict[str, object]) -> None:
    data = home / "zc" / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "wallet.json").write_text(json.dumps({"version": 1, "certificates": list(entries)}))


def test_status_says_when_it_expired_and_what_to_do(home: Path) -> None:
    now = datetime.now(UTC)
    expired, lost = _number("1000000000001"), _number("1000000000002")
    gone = str(home / "gone-folder")
    _wallet(home,
            _entry(expired, "Carla Smit", now - timedelta(days=3, hours=1), []),
            _entry(lost, "Dirk Bakker", now + timedelta(days=200), [
                {"store": "file", "location": gone, "nickname": "x", "fingerprint": "ab" * 32}]))
    r = _run(home, "status")
    assert r.returncode == 0, r.stderr
    carla = r.stdout.split("Carla Smit")[1].split("Dirk Bakker")[0]
    assert "3 dagen geleden verlopen" in carla and "nog 0 dagen" not in carla
    assert "verlopen; nog" not in r.stdout
    assert f"-> Installeer het opnieuw met uw gebruikersnummer en pincode: zorgcert install --user-number {expired}" \
        in carla
    dirk = r.stdout.split("Dirk Bakker")[1]
    assert "verloren; nog 199 dagen geldig" in dirk or "verloren; nog 200 dagen geldig" in dirk
    assert "-> Zet de back-up terug" in dirk and "Bel Support" in dirk

    en = _run(home, "--lang", "en", "status", "--json")  # --lang before the subcommand, the fast path
    rows = json.loads(en.stdout)
    assert rows[0]["next"].startswith("Reinstall it with your user number and PIN")
    assert rows[1]["next"].startswith("Restore the backup")
    text = _run(home, "--lang", "en", "status").stdout
    assert "expired 3 days ago" in text and ("lost; 199 days left" in text or "lost; 200 days left" in text)


def test_status_counts_hours_on_the_last_day(home: Path) -> None:
    _wallet(home, _entry(_number("1000000000003"), "Eva Kort", datetime.now(UTC) + timedelta(hours=5, minutes=30),
                         []))
    out = _run(home, "status").stdout
    assert "nog 5 uur geldig" in out and "0 dagen" not in out
    assert "5 hours left" in _run(home, "status", "--lang", "en").stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_before_or_after_the_subcommand(home: Path, where: str) -> None:
    args = ["--lang", "en", "renew"] if where == "before" else ["renew", "--lang", "en"]
    r = _run(home, *args)  # no issuer configured: the message says so, in English
    assert r.returncode == 2
    assert r.stderr.startswith("No issuer is configured.")
    r = _run(home, "--lang", "en", "--json", "config", "show")
    assert r.returncode == 0 and json.loads(r.stdout) is not None
    r = _run(home, *(["--lang", "en", "install", "--user-number", TYPO] if where == "before" else
                     ["install", "--user-number", TYPO, "--lang", "en"]), "--pin-stdin", stdin="1234\n")
    assert "check digit" in r.stderr


def test_a_wrong_check_digit_is_called_a_typo_before_any_pin(home: Path) -> None:
    r = _run(home, "install", "--user-number", TYPO)  # no --pin-stdin: a PIN prompt would fail without a tty
    assert r.returncode == 2
    assert "controlecijfer" in r.stderr and "tikfout" in r.stderr
    assert "heeft 14 cijfers" not in r.stderr and "Pincode" not in r.stderr
    short = _run(home, "install", "--user-number", "1234567890123", "--pin-stdin", stdin="1234\n")
    assert "14 cijfers" in short.stderr and "controlecijfer" not in short.stderr
    log = (home / "zc" / "logs" / "zorgcert.log").read_text()
    reference = r.stderr.split("Referentie voor Support: ")[1].split()[0]
    assert f"reference {reference}" in log and "error.user_number_typo" in log


# --- with the real issuer: a certificate really installed here ------------------------------


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    # renewal window longer than validity: renewal is open at once
    running = start_issuer(Path(tmp_path_factory.mktemp("words-issuer")) / "data", validity="P20D",
                           renewal_window="P1M", install_window="P60D")
    yield running
    running.stop()


def test_install_of_an_installed_valid_certificate_is_refused_before_the_pin(
        issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> None:
    desk = Desk(tmp_path, issuer, in_process=True)
    number, pin = issuer.user(issuer.organisation(), name="Gert Dubbel")
    first = desk.install(number, pin)
    assert first.code == 0, first.err
    installed_at = first.json["installed"]["installed_at"]

    # no PIN on stdin at all: the refusal comes before the prompt
    again = desk.run("install", "--user-number", number)
    assert again.code == 3, again.err
    assert "staat al op deze computer en is nog geldig" in again.err
    assert "Vernieuw het nu: zorgcert renew" in again.err and "Er is geen pincode gebruikt" in again.err
    # and the core refuses it too, before the issuer sees a PIN: a wrong one would have cost an attempt
    wrong = desk.install(number, "0000000")
    assert wrong.code == 3 and json.loads(wrong.out)["error"]["code"] == "error.already_installed_renew"

    # R8: renew reminds to make a new backup
    renewed = desk.run("renew", number)
    assert renewed.code == 0, renewed.err
    assert "Maak nu een nieuwe back-up" in renewed.out and f"zorgcert backup {number}" in renewed.out
    assert "new backup" in desk.run("renew", number, "--lang", "en", "--json").out

    # a restore of the same certificate keeps its install (here: renewal) time
    status = desk.status()[0]
    backup = tmp_path / "g.zcbackup"
    phrase = "Kaasschaaf Vlinderdas Molenwiek Sneeuwbal"
    made = desk.run("backup", number, "--out", str(backup), "--passphrase-stdin", stdin=f"{phrase}\n{phrase}\n")
    assert made.code == 0, made.err
    restored = desk.run("restore", str(backup), "--passphrase-stdin", "--yes", stdin=f"{phrase}\n")
    assert restored.code == 0, restored.err
    wallet = json.loads((desk.zorgcert_home / "data" / "wallet.json").read_text())["certificates"][0]
    assert wallet["installed_at"] == status["installed_at"] != installed_at
    assert wallet["how"] == "renew"
