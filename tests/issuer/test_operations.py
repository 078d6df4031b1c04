"""Running the issuer: secrets at rest and in logs, clean stop, no overwrite, TLS terminator mode."""

from __future__ import annotations

import hashlib
import subprocess
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from issuer_harness import ISSUER, Holder, RunningIssuer, admin, problem, rsa_key, serve_issuer, start_issuer


@pytest.fixture()
def fresh(tmp_path: Path):
    """An issuer of the test's own: for the tests that stop it, read its whole log or list everything it issued."""
    running = start_issuer(tmp_path / "data")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory):
    """One issuer for the tests that only add to it (an issuer start is about 2 s of CPU)."""
    running = start_issuer(tmp_path_factory.mktemp("shared") / "data")
    yield running
    running.stop()


def test_no_pin_outside_the_letter(fresh: RunningIssuer, tmp_path: Path) -> None:
    """R13: the PIN is in the letter (or the sealed message box) and nowhere else."""
    org = fresh.organisation()
    cli = subprocess.run(
        [
            *ISSUER,
            "user",
            "add",
            "--org",
            str(org),
            "--kind",
            "personal",
            "--name",
            "Anna",
            "--email",
            "anna@example.nl",
            "--contact-person",
            "--data",
            str(fresh.data),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    letter = Path(cli.stdout.split("PIN letter: ")[1].strip())
    from issuer_harness import pin_from_letter

    pin = pin_from_letter(letter)
    number = cli.stdout.split("User number ")[1].split(";")[0]
    assert pin not in cli.stdout + cli.stderr
    fresh.enroll(number, "99999999" if pin != "99999999" else "88888888", rsa_key())  # a wrong one, logged
    cp = Holder(fresh, tmp_path / "cp")
    cp.take(fresh.enroll(number, pin, cp.key))
    # a request through user management puts another PIN in the sealed message box
    requested = cp.post(
        "/api/v1/org/users", json={"kind": "personal", "name": "Bo", "email": "bo@example.nl"}
    )
    approved = fresh.admin("user", "approve", requested.json()["user_number"])
    box_pin = cp.get(f"/api/v1/messages/{cp.get('/api/v1/messages').json()[0]['id']}").json()["pin"]
    assert box_pin not in str(approved)

    fresh.stop()
    log = "".join(fresh.log_lines)
    assert "simpleenroll" in log  # one line per request ...
    for secret in (pin, box_pin):
        assert secret not in log  # ... and never a secret
        for path in fresh.data.rglob("*"):
            if path.is_file() and path.parent.name != "post":
                assert secret.encode() not in path.read_bytes(), f"PIN found in {path}"
    for key in (fresh.data / "ca").glob("*.key.pem"):
        assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert key.stat().st_mode & 0o077 == 0


def test_sigterm_stops_cleanly(fresh: RunningIssuer) -> None:
    assert fresh.get("/api/v1/policy").status_code == 200
    assert fresh.stop() == 0
    assert "ZorgCert issuer stopped" in "".join(fresh.log_lines)
    with pytest.raises(requests.ConnectionError):
        fresh.get("/api/v1/policy")


def test_init_never_overwrites(shared: RunningIssuer) -> None:
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in shared.data.rglob("*.pem")}
    proc = subprocess.run([*ISSUER, "init", "--data", str(shared.data)], capture_output=True, text=True)
    assert proc.returncode == 1 and "refusing to overwrite" in proc.stderr
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in shared.data.rglob("*.pem")}


def test_missing_data_folder_is_explained(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*ISSUER, "purge", "--data", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "zorgcert-issuer init" in proc.stderr


def test_behind_a_tls_terminator(shared: RunningIssuer, tmp_path: Path) -> None:
    """Production mode: the terminator verifies TLS and forwards the certificate in a header."""
    org = shared.organisation()
    number, pin = shared.user(org, name="Proxy Patiënt")
    h = Holder(shared, tmp_path / "h")
    cert = h.take(shared.enroll(number, pin, h.key))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()

    behind = serve_issuer(shared.data, ("--client-cert-header", "X-Client-Cert", "--trusted-proxy", "127.0.0.1"))
    untrusting = serve_issuer(
        shared.data, ("--client-cert-header", "X-Client-Cert", "--trusted-proxy", "10.9.9.9")
    )
    try:
        assert behind.url.startswith("http://")
        me = requests.get(
            behind.url + "/api/v1/me", headers={"X-Client-Cert": urllib.parse.quote(pem)}, timeout=10
        )
        assert me.status_code == 200 and me.json()["user_number"] == number

        # a self-made certificate with the same subject and serial is not ours
        key = rsa_key()
        now = datetime.now(UTC)
        forged = (
            x509.CertificateBuilder()
            .subject_name(cert.subject)
            .issuer_name(cert.issuer)
            .public_key(key.public_key())
            .serial_number(cert.serial_number)
            .not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256())
        )
        forged_pem = forged.public_bytes(serialization.Encoding.PEM).decode()
        r = requests.get(
            behind.url + "/api/v1/me", headers={"X-Client-Cert": urllib.parse.quote(forged_pem)}, timeout=10
        )
        problem(r, 403, "not-authorised")

        # the header counts only from a trusted proxy address
        r = requests.get(
            untrusting.url + "/api/v1/me", headers={"X-Client-Cert": urllib.parse.quote(pem)}, timeout=10
        )
        problem(r, 403, "not-authorised")
    finally:
        behind.stop()
        untrusting.stop()


def test_admin_json_everywhere(fresh: RunningIssuer) -> None:
    org = fresh.organisation()
    number, _ = fresh.user(org)
    assert admin(fresh.data, "cert", "list") == []
    assert admin(fresh.data, "user", "unblock", number) == {"unblocked": number}
    code, out, _ = admin(fresh.data, "cert", "revoke", number, "--reason", "cessation", check=False)
    assert code == 3 and out["code"] == "bad-request"  # nothing installed, nothing to revoke
    code, out, _ = admin(fresh.data, "cert", "revoke", number, "--reason", "bored", check=False)
    assert code == 3 and "unknown reason" in out["detail"]


def test_certificate_by_key_lets_a_crashed_client_recover(shared: RunningIssuer) -> None:
    """A client that died before saving its new certificate fetches it by its public key."""
    org = shared.organisation()
    number, pin = shared.user(org)
    key = rsa_key()
    assert shared.enroll(number, pin, key).status_code == 200
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    r = shared.get(f"/api/v1/certificates/by-key/{hashlib.sha256(spki).hexdigest()}")
    assert r.status_code == 200
    cert = x509.load_pem_x509_certificate(r.content)
    assert cert.public_key() == key.public_key()
    problem(shared.get(f"/api/v1/certificates/by-key/{'0' * 64}"), 404, "not-found")
    problem(shared.get("/api/v1/certificates/by-key/xyz"), 400, "bad-request")
