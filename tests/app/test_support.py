"""The support file: logs, versions, store listing and checks, and not one secret inside.

The end-to-end test installs a real certificate from the real issuer (PIN from the
letter, typed through stdin), makes a real backup with a passphrase, plants the PIN,
the passphrase and the private key in the log the way a careless line would, makes the
support file, and searches every member and the raw zip for the PIN, the passphrase and
the key (DER, PEM, base64, hex).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from app_harness import Desk
from issuer_harness import RunningIssuer, start_issuer

from app.state.paths import Paths
from app.troubleshoot.support import make_support_file, redact

PASSPHRASE = "Kaasschaaf-Vlinderdas-Molenwiek-Sneeuwbal"


def test_redact_keeps_what_support_needs() -> None:
    text = (
        "2026-11-29 01:57:45,123 INFO zorgcert: install of 12345678901234 finished: 3f5e12345678abcd\n"
        "issuer https://127.0.0.1:45321/api fingerprint " + "ab12345678cd" * 5 + " serial 5f3a\n"
        "path /tmp/pytest-of-root/pytest-12/test_support_file_has_no_secrets0/home/zorgcert/logs/zorgcert.log\n"
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "secret_line",
    [
        "pin=48213397", "PIN: 48213397", '"pin": "48213397"', "pincode 48213397 ingevoerd",
        "password=hunter2hunter2", "wachtwoord: geheim123", "passphrase='lang en geheim'",
        "Authorization: Basic MTIzNDU2Nzg5MDEyMzQ6NDgyMTMzOTc=",
    ],
)
def test_redact_removes_named_and_pin_like_secrets(secret_line: str) -> None:
    out = redact(f"before {secret_line} after")
    for secret in ("48213397", "hunter2hunter2", "geheim123", "lang en geheim", "MTIzNDU2Nzg5MDEyMzQ6NDgyMTMzOTc="):
        assert secret not in out
    assert out.startswith("before ") and out.endswith(" after")


def test_redact_removes_key_material_but_keeps_certificates() -> None:
    key_pem = "-----BEGIN PRIVATE KEY-----\n" + ("QUJD" * 16 + "\n") * 5 + "-----END PRIVATE KEY-----"
    cert_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    blob = base64.b64encode(bytes(range(256))).decode()
    out = redact(f"{key_pem}\n{cert_pem}\nkey {blob}\nhex {bytes(range(80)).hex()}\n")
    assert "QUJD" not in out and blob not in out and bytes(range(80)).hex() not in out
    assert cert_pem in out and "[private key [verwijderd]]" in out


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data")
    yield running
    running.stop()


def test_support_file_has_no_secrets(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    desk = Desk(home, issuer, in_process=True)
    number, pin = issuer.user(issuer.organisation(), name="Anna de Vries")
    installed = desk.install(number, pin)
    assert installed.code == 0, installed.err

    from app.desk.desktop import Desktop

    root = desk.zorgcert_home
    paths = Paths(root / "config", root / "data", root / "logs")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", issuer.url)
    monkeypatch.setenv("ZORGCERT_ISSUER_CA", issuer.ca)
    desktop = Desktop(paths)
    # a real backup with the passphrase, so it was really typed in this run
    desktop.make_backup(number, tmp_path / "anna.zcbackup", PASSPHRASE, progress=lambda _s: None)
    core = desktop.core()
    (entry,) = core.wallet.entries()
    sealed = core.vault.get(entry.fingerprint)
    assert sealed is not None
    from cryptography.hazmat.primitives import serialization

    from app.enroll.identity import load_key

    key = load_key(sealed.key_der)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    # plant the secrets where a careless log line would put them
    with (paths.log_dir / "zorgcert.log").open("a", encoding="utf-8") as log:
        log.write(f"2026-11-29 10:00:00,000 DEBUG zorgcert: enrolling {number} with pin {pin}\n")
        log.write(f"2026-11-29 10:00:01,000 DEBUG zorgcert: backup passphrase={PASSPHRASE}\n")
        log.write(f"2026-11-29 10:00:02,000 DEBUG zorgcert: key\n{key_pem.decode()}\n")
        log.write(f"2026-11-29 10:00:03,000 DEBUG zorgcert: key der {base64.b64encode(sealed.key_der).decode()}\n")
        log.write(f"2026-11-29 10:00:04,000 DEBUG zorgcert: key hex {sealed.key_der.hex()}\n")
    logging.getLogger("zorgcert").info("support test")

    out = tmp_path / "support.zip"
    names = make_support_file(core, out, now=datetime(2026, 11, 29, tzinfo=UTC), lang="nl",
                              known_secrets=())
    raw = out.read_bytes()
    assert out.stat().st_mode & 0o077 == 0
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        assert sorted(zf.namelist()) == sorted(names)
        members = {name: zf.read(name) for name in zf.namelist()}
    assert {"README.txt", "versions.txt", "status.json", "stores.txt", "checks.json", "logs/zorgcert.log"} <= set(
        members)

    # what Support needs is there
    status = json.loads(members["status.json"])
    assert status[0]["user_number"] == number and status[0]["fingerprint"] == entry.fingerprint
    assert entry.fingerprint in members["stores.txt"].decode()
    checks = json.loads(members["checks.json"])
    assert any(c["result"] == "pass" for c in checks)
    assert b"zorgcert 0." in members["versions.txt"] and b"PySide6-Essentials" in members["versions.txt"]
    assert number.encode() in members["logs/zorgcert.log"]

    # and no secret is: not in any member, not in the raw zip
    forbidden = {
        "PIN": pin.encode(),
        "passphrase": PASSPHRASE.encode(),
        "key DER": sealed.key_der,
        "key PEM body": b"".join(key_pem.splitlines()[1:-1]),
        "key PEM line": key_pem.splitlines()[2],
        "key base64": base64.b64encode(sealed.key_der),
        "key hex": sealed.key_der.hex().encode(),
    }
    for label, secret in forbidden.items():
        assert secret not in raw, label
        for name, body in members.items():
            assert secret not in body, f"{label} in {name}"
