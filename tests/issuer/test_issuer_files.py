"""The issuer's files: private modes from init on, checked at start; PIN hashes need the pepper.

A copy of the database alone must not let anyone test PIN guesses offline: the hash is
scrypt over HMAC-SHA256(pepper, NFC(PIN)), the pepper derived from the issuer secret,
which is a file outside the database (docs/issuer.md, "PINs at rest").
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from issuer_harness import RunningIssuer, admin, pin_from_letter, problem, rsa_key, serve_issuer

from issuer import pins
from issuer.bootstrap import open_service
from issuer.config import load_config

PRIVATE_FILES = ("issuer.db", "issuer.toml", "secret/issuer.secret", "tls/server.key",
                 "ca/root-ca.key.pem", "ca/issuing-ca.key.pem")
PRIVATE_DIRS = (".", "ca", "secret", "tls")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def pin_hash(data: Path, number: str) -> str:
    with sqlite3.connect(data / "issuer.db") as conn:
        (value,) = conn.execute("SELECT pin_hash FROM users WHERE user_number = ?", (number,)).fetchone()
    return value


def test_init_and_serve_leave_the_data_folder_private(issuer: RunningIssuer) -> None:
    # the module's issuer was made by `init` and has been served: both have run
    assert issuer.get("/api/v1/policy").status_code == 200
    for d in PRIVATE_DIRS:
        assert mode(issuer.data / d) == 0o700, d
    for f in PRIVATE_FILES:
        assert mode(issuer.data / f) == 0o600, f
    wal = [p for p in issuer.data.glob("issuer.db-*")]
    assert wal and all(mode(p) == 0o600 for p in wal), wal


def test_start_takes_away_what_others_could_read(issuer: RunningIssuer) -> None:
    """A data folder from before (0755 folder, 0644 database) is restricted at start, and logged."""
    os.chmod(issuer.data, 0o755)
    os.chmod(issuer.data / "issuer.db", 0o644)
    os.chmod(issuer.data / "tls" / "server.key", 0o640)
    second = serve_issuer(issuer.data)
    try:
        assert mode(issuer.data) == 0o700
        assert mode(issuer.data / "issuer.db") == 0o600
        assert mode(issuer.data / "tls" / "server.key") == 0o600
        log = "".join(second.log_lines)
        assert f"{issuer.data / 'issuer.db'} was open to other users (mode 0644)" in log
        assert second.get("/api/v1/policy").status_code == 200
    finally:
        second.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_of_another_user_is_refused(issuer: RunningIssuer, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(issuer.data, copy, ignore=shutil.ignore_patterns("issuer.db-*"))
    os.chown(copy, 65534, 65534)  # nobody
    code, _, err = admin(copy, "cert", "list", check=False)
    assert code == 1 and "belongs to user id 65534" in err and "refusing to use it" in err
    os.chown(copy, 0, 0)
    os.chown(copy / "issuer.db", 65534, 65534)
    code, _, err = admin(copy, "cert", "list", check=False)
    assert code == 1 and f"{copy / 'issuer.db'} belongs to user id 65534" in err


def test_the_stored_hash_is_useless_without_the_pepper(issuer: RunningIssuer) -> None:
    org = issuer.organisation("Praktijk Peper")
    number, pin = issuer.user(org, name="Piet Peper")
    stored = pin_hash(issuer.data, number)
    scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    assert scheme == pins.SCHEME
    salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    # what an attacker with the database alone can compute: scrypt of the PIN and the salt
    alone = hashlib.scrypt(pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(digest))
    assert alone != digest
    # with the pepper (from the secret file, which is not in the database) it does match
    pepper = pins.pin_pepper(load_config(issuer.data).secret())
    assert pins.PinHasher(pepper).verify(pin, stored)
    assert not pins.PinHasher(os.urandom(32)).verify(pin, stored)
    assert pepper not in (issuer.data / "issuer.db").read_bytes()
    assert load_config(issuer.data).secret() not in (issuer.data / "issuer.db").read_bytes()


def test_hashes_from_before_the_pepper_are_rekeyed_on_start(issuer: RunningIssuer) -> None:
    svc = open_service(issuer.data)
    org = svc.add_organisation("Praktijk Oud", "01234567")
    svc.sign_agreement(org)
    new = svc.add_user(org_id=org, kind="personal", name="Olga Oud", email="olga@example.nl")
    assert new.letter is not None
    number, pin = new.user_number, pin_from_letter(new.letter)
    # the hash as the issuer made it before the pepper: scrypt of the bare PIN
    salt = os.urandom(16)
    legacy_digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    legacy = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(legacy_digest).decode()}"
    with sqlite3.connect(issuer.data / "issuer.db") as conn:
        conn.execute("UPDATE users SET pin_hash = ? WHERE user_number = ?", (legacy, number))

    open_service(issuer.data)  # every command and `serve` start like this

    stored = pin_hash(issuer.data, number)
    assert stored.startswith(pins.WRAPPED + "$") and legacy_digest.hex() not in stored
    assert base64.b64encode(legacy_digest).decode() not in stored
    # the user's PIN still works (the running server reads the re-keyed hash)
    wrong = str((int(pin[0]) + 1) % 10) + pin[1:]
    problem(issuer.enroll(number, wrong, rsa_key()), 401, "pin-invalid")
    assert issuer.enroll(number, pin, rsa_key()).status_code == 200
