"""``doctor`` tells the truth (issue 12, point 7): each certificate's state, the keyring, interrupted work.

Exit codes (docs/app.md): 0 nothing must be done now (warnings such as "renewal open" or "no
current backup" may advise), 1 the user must act (a check failed).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from app_harness import Desk, new_desk
from issuer_harness import RunningIssuer, module_issuer, start_issuer

issuer = module_issuer("doctor-issuer")


@pytest.fixture(scope="module")
def brief_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    """Certificates valid for two seconds: expired by the time doctor runs."""
    running = start_issuer(Path(tmp_path_factory.mktemp("brief-issuer")) / "data", validity="PT2S",
                           renewal_window="PT1S", install_window="PT10M")
    yield running
    running.stop()


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    return new_desk(issuer, tmp_path)


def _by_name(checks: list[dict]) -> dict[str, dict]:
    return {c["check"]: c for c in checks}


def test_all_fine_is_exit_0_with_a_keyring_check(desk: Desk, issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Gezond"), name="Gerda Gezond")
    assert desk.install(number, pin).code == 0
    r = desk.run("doctor", "--json")
    assert r.code == 0, r.out + r.err
    checks = _by_name(r.json["checks"])
    assert checks["Sleutelbos (sleutel van de kluis leesbaar)"]["result"] == "pass"
    assert checks[f"Certificaat {number}"]["result"] == "pass"
    assert checks[f"Certificaat {number}"]["detail"].startswith("geldig, tot ")
    assert checks["Vrije schijfruimte"]["result"] == "pass"
    backup = checks[f"Back-up van certificaat {number}"]  # advice, not a failure: exit stays 0
    assert backup["result"] == "warn" and f"zorgcert backup {number} --out BESTAND" in backup["next"]
    assert not [c for c in r.json["checks"] if c["result"] == "fail"]


def test_an_expired_certificate_is_exit_1_with_the_next_step(brief_issuer: RunningIssuer, tmp_path: Path,
                                                             secret_service: dict[str, str]) -> None:
    desk = Desk(tmp_path / "home", brief_issuer)
    number, pin = brief_issuer.user(brief_issuer.organisation("Praktijk Verlopen"), name="Victor Verlopen")
    assert desk.install(number, pin).code == 0
    (row,) = desk.status()
    delay = datetime.fromisoformat(row["valid_until"]).timestamp() - time.time()
    time.sleep(max(delay, 0) + 0.1)  # at most two seconds
    r = desk.run("doctor", "--json")
    assert r.code == 1, r.out + r.err  # was 0, all green
    assert r.json["ok"] is False
    check = _by_name(r.json["checks"])[f"Certificaat {number}"]
    assert check["result"] == "fail" and check["detail"].startswith("verlopen")
    assert f"zorgcert install --user-number {number}" in check["next"]
    text = desk.run("doctor")
    assert text.code == 1 and f"Certificaat {number}: verlopen" in text.out and "Installeer het opnieuw" in text.out


def test_no_keyring_fails_the_keyring_check(desk: Desk, issuer: RunningIssuer) -> None:
    env = desk.env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", DBUS_SESSION_BUS_ADDRESS="")
    r = desk.run("doctor", "--json", env=env, timeout=60)
    assert r.code == 1, r.out + r.err
    check = _by_name(r.json["checks"])["Sleutelbos (sleutel van de kluis leesbaar)"]
    assert check["result"] == "fail"
    # no session bus at all: the keyring error says so and names the ways out (a desktop keyring, a session
    # with a keyring of its own as docs/app.md describes, or the demo)
    assert "D-Bus" in check["detail"] and "sleutelbos" in check["detail"]
    assert "docs/app.md" in check["next"] and "zorgcert demo" in check["next"]
    assert "Traceback" not in r.err


def test_an_entry_waiting_for_another_issuer_is_named_with_the_way_back(desk: Desk, issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation("Praktijk Wacht"), name="Wim Wacht")
    crashed = desk.install(number, pin, env=desk.env(ZORGCERT_CRASH_AT="key-made"))
    assert crashed.code != 0
    elsewhere = desk.env(ZORGCERT_ISSUER_URL="https://127.0.0.1:9")  # another issuer (here: none answers)
    r = desk.run("doctor", "--json", env=elsewhere)
    assert r.code == 1
    (pending,) = [c for c in r.json["checks"] if c["check"] == "Geen onderbroken installatie of vernieuwing"]
    assert pending["result"] == "fail"
    assert f"install {number}" in pending["detail"] and issuer.url in pending["detail"]
    assert "vanzelf" not in pending["detail"] + pending["next"]  # it does not finish by itself there
    assert f"zorgcert config set issuer-url {issuer.url}" in pending["next"]
    r = desk.run("doctor", "--json")  # at its own issuer: asked at the next status, the PIN not again
    (pending,) = [c for c in r.json["checks"] if c["check"] == "Geen onderbroken installatie of vernieuwing"]
    assert "zorgcert status" in pending["next"] and "pincode niet opnieuw" in pending["next"]
    assert desk.run("status").code == 0  # asked and settled
    (pending,) = [c for c in desk.run("doctor", "--json").json["checks"]
                  if c["check"] == "Geen onderbroken installatie of vernieuwing"]
    assert pending["result"] == "pass"


def test_a_keyring_that_does_not_answer_fails_within_the_bound(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from app.lifecycle.services import ZorgCert
    from app.state.paths import Paths
    from app.troubleshoot import doctor

    core = ZorgCert(Paths(tmp_path / "c", tmp_path / "d", tmp_path / "l"))
    stuck = threading.Event()
    monkeypatch.setattr(core.vault, "_cipher", lambda create: stuck.wait(5))  # a locked keyring's prompt
    monkeypatch.setattr(doctor, "KEYRING_WAIT", 0.3)
    started = time.monotonic()
    check = doctor._keyring_check(core, "nl")
    stuck.set()
    assert time.monotonic() - started < 1.5
    assert check.result == "fail" and "binnen 0.3 seconden geen antwoord" in check.detail
    assert "geen antwoord" in check.detail and check.next


def test_a_keyring_without_a_vault_key_yet_passes_until_the_vault_holds_something(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh machine: the keyring answers but holds no vault key. That is fine before the first install
    (was: 'keyring not available', because the vault's own 'no key yet' was taken for a broken keyring)."""
    from app.lifecycle.services import ZorgCert
    from app.state import vault
    from app.state.paths import Paths
    from app.troubleshoot import doctor

    core = ZorgCert(Paths(tmp_path / "c", tmp_path / "d", tmp_path / "l"))
    monkeypatch.setattr(vault, "keyring_secret", lambda name, create: None)  # answered: no such secret
    empty = doctor._keyring_check(core, "nl")
    assert empty.result == "pass", empty
    core.vault.folder.mkdir(parents=True, exist_ok=True)
    (core.vault.folder / f"{'ab' * 32}.zcv").write_bytes(b"ZCV1" + bytes(40))  # sealed under a key now gone
    missing = doctor._keyring_check(core, "nl")
    assert missing.result == "fail" and missing.next, missing


def test_a_keyring_that_was_not_up_when_first_asked_is_found_when_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring chooses its backend once per process; the vault asks it to look again before giving up
    (the tray agent starts at login, sometimes before the Secret Service is there)."""
    import types

    from app.state import vault

    class Fail:
        __module__ = "keyring.backends.fail"
        priority = 0

    class Ready:
        priority = 5

    chosen: list[object] = [Fail()]
    store: dict[tuple[str, str], str] = {}
    fake = types.SimpleNamespace(
        get_keyring=lambda: chosen[-1],
        core=types.SimpleNamespace(init_backend=lambda: chosen.append(Ready())),
        get_password=lambda service, name: store.get((service, name)),
        set_password=lambda service, name, value: store.__setitem__((service, name), value),
    )
    monkeypatch.setattr(vault, "_keyring", lambda: (fake, RuntimeError))
    secret = vault._keyring_secret("vault-key", create=True)
    assert secret is not None and isinstance(chosen[-1], Ready) and store[(vault.SERVICE, "vault-key")] == secret


REAL_KEYRING_LATE = """
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
from desktop_session import secret_service_session
from app.state.vault import NoSessionBus, keyring_secret
try:
    keyring_secret("late", create=True)  # no Secret Service yet: keyring settles on its fail backend
except NoSessionBus:
    print("none yet")
with secret_service_session():
    print("found" if keyring_secret("late", create=True) else "missing")
"""


def test_the_real_keyring_is_found_when_the_secret_service_comes_up_after_the_first_ask() -> None:
    """The same with the real keyring, in a process of its own: keyring remembers which backends were viable
    (the cause of the UI tests' "no usable keyring backend" when a worker asked before its keyring was up)."""
    import subprocess
    import sys

    tests = str(Path(__file__).parents[1])
    r = subprocess.run([sys.executable, "-c", REAL_KEYRING_LATE, tests], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["none", "yet", "found"], r.stdout + r.stderr
