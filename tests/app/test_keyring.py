"""The keyring on a bad day: one that never answers, and another keyring than the one the vault was sealed for."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import Desk, certutil_keys, new_desk
from desktop_session import secret_service_session
from issuer_harness import RunningIssuer, module_issuer

pytestmark = pytest.mark.slow
PASSPHRASE = "paard batterij nietje correct hooiberg"


    # renewal opens a second after an install: a renewal can follow at once
issuer = module_issuer(validity="PT10M", renewal_window="PT599S", install_window="PT10M")


@pytest.fixture()
def desk(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str]) -> Desk:
    return new_desk(issuer, tmp_path)


def _set_vault_key(value: str) -> None:
    """Put a vault key of its own into the keyring of the current session (as an earlier install there would)."""
    subprocess.run([sys.executable, "-c", f"import keyring; keyring.set_password('ZorgCert', 'vault-key', {value!r})"],
                   check=True, timeout=60)


def _fingerprints(desk: Desk) -> set[str]:
    return {row["fingerprint"] for row in desk.status()}


def test_another_keyring_renews_with_the_key_the_store_still_holds(desk: Desk, issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation(), name="Karin Kooij")
    assert desk.install(number, pin).code == 0
    first = _fingerprints(desk)
    time.sleep(1.1)  # the renewal window opens a second after the install

    # a new, empty keyring (a reset one): no vault key at all
    with secret_service_session():
        r = desk.run("renew", number, "--json")
        assert r.code == 0, r.err
        second = _fingerprints(desk)
        assert second != first
        # the new certificate's renewal window opens a second after its issue (599 of 600 s), and the next
        # renewal below needs it open: an in-process run comes back sooner than a new process did
        time.sleep(1.1)
        assert desk.state(number) == "renewal-open"
    # the old entry is kept beside the rebuilt one, not thrown away
    assert [p.name for p in (desk.zorgcert_home / "data" / "vault").glob("*.zcv-other-key")] == \
        [f"{next(iter(first))}.zcv-other-key"]

    # a keyring that already holds a vault key of its own: the entry does not open with it
    with secret_service_session():
        _set_vault_key("A" * 43 + "=")
        r = desk.run("renew", number)
        assert r.code == 0, r.err
        assert "vernieuwd" in r.out
        assert _fingerprints(desk) not in (first, second)


def test_another_keyring_and_no_key_in_the_store_says_restore_the_backup(desk: Desk, issuer: RunningIssuer) -> None:
    number, pin = issuer.user(issuer.organisation(), name="Lotte Lam")
    assert desk.install(number, pin).code == 0
    backup = desk.home / "lotte.zcbackup"
    made = desk.run("backup", number, "--out", str(backup), "--passphrase-stdin", stdin=f"{PASSPHRASE}\n" * 2)
    assert made.code == 0, made.err
    for line in certutil_keys(desk.nssdb).splitlines():  # the key leaves the store (the certificate stays)
        found = re.match(r"^<\s*\d+>\s+\S+\s+([0-9a-fA-F]+)\s+ZorgCert", line.strip())
        if found:
            key_id = found.group(1)
            subprocess.run(["certutil", "-F", "-k", key_id, "-d", f"sql:{desk.nssdb}"], check=True)
    assert "ZorgCert" not in certutil_keys(desk.nssdb)
    time.sleep(1.1)

    with secret_service_session():
        r = desk.run("renew", number)
        english = desk.run("renew", number, "--json", "--lang", "en")
        # the way out it names works under this keyring: restore the backup, then renew
        restored = desk.run("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert restored.code == 0, restored.err
        assert desk.run("renew", number).code == 0
    assert r.code == 5, r.out + r.err
    assert "andere (of geen) kluissleutel" in r.err
    assert "zorgcert restore" in r.err and "Support" in r.err
    assert "Traceback" not in r.err and "vault entry" not in r.err
    assert english.code == 5 and english.json["error"]["code"] == "error.vault_key_changed", english.out
    assert "restore the backup" in english.json["error"]["next"]


SILENT_SERVICE = textwrap.dedent("""
    import sys, time
    from jeepney import new_method_call, DBusAddress
    from jeepney.io.blocking import open_dbus_connection
    conn = open_dbus_connection(sys.argv[1])
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    conn.send_and_get_reply(new_method_call(bus, "RequestName", "su", ("org.freedesktop.secrets", 0)))
    print("owned", flush=True)
    while True:  # receive every call, answer none
        conn.receive()
""")


@pytest.fixture()
def silent_secret_service() -> Iterator[str]:
    """A session bus on which org.freedesktop.secrets is owned by a process that never answers."""
    root = Path(tempfile.mkdtemp(prefix="zorgcert-silent-"))
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=unix:tmpdir=/tmp",
                            "--print-address=1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    service = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        service = subprocess.Popen([sys.executable, "-c", SILENT_SERVICE, address], stdout=subprocess.PIPE, text=True)
        assert service.stdout is not None and service.stdout.readline().strip() == "owned"
        yield address
    finally:
        for proc in (service, bus):
            if proc is not None:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def test_a_keyring_that_never_answers_gives_a_message_within_seconds(desk: Desk, issuer: RunningIssuer,
                                                                    silent_secret_service: str) -> None:
    number, pin = issuer.user(issuer.organisation(), name="Mees Mol")
    started = time.monotonic()
    r = desk.install(number, pin, env=desk.env(DBUS_SESSION_BUS_ADDRESS=silent_secret_service,
                                               ZORGCERT_KEYRING_TIMEOUT="2"))
    took = time.monotonic() - started
    assert r.code == 5, r.out + r.err
    assert "antwoordde niet binnen 2 seconden" in r.json["error"]["message"]
    assert "ontgrendel" in r.json["error"]["next"].lower()
    assert took < 15, took
    # nothing was sent with the PIN: with a keyring that answers, the same PIN installs
    assert desk.install(number, pin).code == 0


def test_no_session_bus_is_a_clear_refusal_with_the_way_out(desk: Desk, issuer: RunningIssuer, tmp_path: Path) -> None:
    number, pin = issuer.user(issuer.organisation(), name="Noor Nijman")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in desk.env(XDG_RUNTIME_DIR=str(runtime)).items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    r = desk.install(number, pin, env=env)
    assert r.code == 5, r.out + r.err
    assert r.json["error"]["code"] == "error.keyring_no_bus"
    assert "geen D-Bus" in r.json["error"]["message"] and "zorgcert demo" in r.json["error"]["next"]
    assert desk.install(number, pin).code == 0  # the PIN was not used up


def test_another_keyring_renews_a_system_certificate_from_its_folder(desk: Desk, issuer: RunningIssuer,
                                                                     tmp_path: Path) -> None:
    number, pin = issuer.user(issuer.organisation(), kind="system", name="HIS De Linde")
    folder = tmp_path / "his"
    assert desk.install(number, pin, "--kind", "system", "--store", f"file:{folder}").code == 0
    first = _fingerprints(desk)
    time.sleep(1.1)
    with secret_service_session():  # the vault key and the folder's .p12 password are both gone
        r = desk.run("renew", number)
        assert r.code == 0, r.err
        assert _fingerprints(desk) != first
    assert (folder / "key.pem").is_file() and (folder / "zorgcert.p12").is_file()
