"""EST (RFC 7030) interoperability: the issuer driven by ``curl`` and ``openssl`` only.

A client that is not ours: every protocol step (keys, CSRs, base64, HTTP, TLS client
authentication, PKCS#7 unpacking, path validation) is done by the two command-line
tools. ``cryptography`` is used only to inspect what came back.

The PIN never appears on a command line: curl reads it from a ``--netrc-file`` (mode
0600) in the test's temporary folder, as a script driving curl should do it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from issuer_harness import RunningIssuer, pin_from_letter, start_issuer

from issuer.bootstrap import open_service

VALIDITY, RENEWAL = 600, 590  # seconds: renewal opens 10 s after installation; expiry is far off
CURL, OPENSSL = shutil.which("curl"), shutil.which("openssl")
EST = "/.well-known/est"
HOLDER = "Joris van Dam"
ORGANISATION = "Huisartsenpraktijk De Linde"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CURL and OPENSSL), reason="needs the curl and openssl command-line tools"),
]


# --- the foreign client: curl and openssl -----------------------------------------------


def _env() -> dict[str, str]:
    """No CA bundle from the environment: the trust anchor is only what --cacert names."""
    return {k: v for k, v in os.environ.items() if k not in ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}


def openssl(*args: str | Path) -> str:
    proc = subprocess.run([str(OPENSSL), *map(str, args)], capture_output=True, text=True, timeout=60, env=_env())
    assert proc.returncode == 0, f"openssl {' '.join(map(str, args))}: {proc.stderr}"
    return proc.stdout


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names, of the final response
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Curl:
    """One EST client's folder; each call leaves its body and headers there for inspection."""

    def __init__(self, issuer: RunningIssuer, folder: Path):
        self.issuer, self.folder = issuer, folder
        folder.mkdir(parents=True, exist_ok=True)
        self._calls = 0

    def __call__(self, path: str, *args: str | Path) -> Reply:
        self._calls += 1
        body, head = self.folder / f"reply{self._calls}.body", self.folder / f"reply{self._calls}.head"
        proc = subprocess.run(
            [
                str(CURL),
                "-q",  # no ~/.curlrc
                "--silent",
                "--show-error",
                "--cacert",
                self.issuer.ca,
                "--output",
                str(body),
                "--dump-header",
                str(head),
                "--write-out",
                "%{http_code}",
                *map(str, args),
                self.issuer.url + path,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert proc.returncode == 0, f"curl {path}: {proc.stderr}"
        # the header dump may hold an interim "100 Continue" block first: keep the last one
        blocks = [b for b in re.split(r"\r?\n\r?\n", head.read_text(encoding="latin-1")) if b.strip()]
        headers = {}
        for line in blocks[-1].splitlines()[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Reply(int(proc.stdout), headers, body.read_bytes() if body.exists() else b"")

    def post_csr(self, path: str, csr_b64: Path, *args: str | Path) -> Reply:
        return self(path, "--data-binary", f"@{csr_b64}", "-H", "Content-Type: application/pkcs10", *args)


def netrc(folder: Path, user_number: str, pin: str) -> Path:
    """The credentials as curl should get them: in a file only we can read, not in argv."""
    path = folder / "netrc"
    path.touch(mode=0o600)
    path.write_text(f"machine 127.0.0.1 login {user_number} password {pin}\n", encoding="ascii")
    return path


def new_csr(folder: Path, name: str, subject: str, bits: int = 3072, san: str = "") -> tuple[Path, Path]:
    """openssl makes a key and a CSR (DER) and base64-encodes it: (key.pem, csr.b64).

    ``san``: a SubjectAltName for the request, as ``openssl req -addext`` wants it (``email:...``).
    """
    key, der, b64 = folder / f"{name}.key.pem", folder / f"{name}.csr.der", folder / f"{name}.csr.b64"
    addext = ("-addext", f"subjectAltName={san}") if san else ()
    openssl(
        "req", "-new", "-newkey", f"rsa:{bits}", "-nodes", "-sha256",
        "-keyout", key, "-subj", subject, *addext, "-outform", "DER", "-out", der,
    )  # fmt: skip
    openssl("base64", "-e", "-in", der, "-out", b64)  # MIME-style lines, as RFC 7030 allows
    return key, b64


def certs_from_reply(reply: Reply, folder: Path, name: str) -> list[Path]:
    """base64 -> DER PKCS#7 -> ``openssl pkcs7 -print_certs`` -> one PEM file per certificate."""
    p7 = folder / f"{name}.p7b"
    p7.write_bytes(base64.b64decode(reply.body))
    printed = openssl("pkcs7", "-inform", "DER", "-in", p7, "-print_certs")
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", printed, re.S)
    paths = []
    for i, block in enumerate(blocks):
        path = folder / f"{name}.{i}.pem"
        path.write_text(block, encoding="ascii")
        paths.append(path)
    return paths


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def subject_for_req(cert: Path) -> str:
    """The certificate's subject as ``openssl req -subj`` wants it, read with openssl itself.

    RFC 2253 prints the most significant RDN last; ``-subj`` wants it first.
    """
    line = openssl("x509", "-in", cert, "-noout", "-subject", "-nameopt", "RFC2253").strip()
    text = line.removeprefix("subject=")
    assert "+" not in text.replace("\\+", "") and not re.search(r"\\[0-9A-Fa-f]{2}", text), text
    rdns = [re.sub(r"\\(.)", r"\1", part) for part in re.split(r"(?<!\\),", text)]
    return "".join("/" + re.sub(r"([/+\\])", r"\\\1", rdn) for rdn in reversed(rdns))


def san_for_req(cert: Path) -> str:
    """The certificate's SubjectAltName as ``openssl req -addext`` wants it, read with openssl itself
    (RFC 7030 §4.2.2: a renewal request carries the Subject and SubjectAltName of the certificate)."""
    out = openssl("x509", "-in", cert, "-noout", "-ext", "subjectAltName")
    lines = [line.strip() for line in out.splitlines()[1:] if line.strip()]
    return ",".join(part.strip() for line in lines for part in line.split(","))


def assert_problem(reply: Reply, status: int, code: str) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/problem+json")
    body = reply.json()
    assert body["type"].endswith(":" + code) and body["code"] == code and body["status"] == status
    return body


def assert_verifies(cert: Path, issuing: Path, root: str) -> None:
    out = openssl("verify", "-CAfile", root, "-untrusted", issuing, "-purpose", "sslclient", cert)
    assert out.strip() == f"{cert}: OK"


def public_key_pem(cert_or_key: Path, *, is_cert: bool) -> str:
    if is_cert:
        return openssl("x509", "-in", cert_or_key, "-noout", "-pubkey")
    return openssl("pkey", "-in", cert_or_key, "-pubout")


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def est(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(
        Path(tmp_path_factory.mktemp("est")) / "data", validity=f"PT{VALIDITY}S", renewal_window=f"PT{RENEWAL}S"
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def org(est: RunningIssuer) -> int:
    return est.organisation(ORGANISATION)


@pytest.fixture(scope="module")
def issuing_pem(est: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issuing CA as an EST client learns it: from /cacerts."""
    folder = Path(tmp_path_factory.mktemp("cacerts"))
    certs = [load(p) for p in certs_from_reply(Curl(est, folder)(f"{EST}/cacerts"), folder, "cacerts")]
    (issuing,) = [c for c in certs if c.subject != c.issuer]
    path = folder / "issuing.pem"
    path.write_bytes(issuing.public_bytes(serialization.Encoding.PEM))
    return path


@dataclass
class Installed:
    user_number: str
    folder: Path
    key: Path
    cert: Path
    csr_b64: Path
    reply: Reply


@pytest.fixture(scope="module")
def installed(est: RunningIssuer, org: int, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """First install with curl + openssl: user number and PIN from the letter, via a netrc file."""
    folder = Path(tmp_path_factory.mktemp("holder"))
    number, pin = est.user(org, name=HOLDER)
    key, csr = new_csr(folder, "first", "/CN=ignored by the issuer")
    reply = Curl(est, folder).post_csr(f"{EST}/simpleenroll", csr, "--netrc-file", netrc(folder, number, pin))
    assert reply.status == 200, reply.body
    (cert,) = certs_from_reply(reply, folder, "first")
    return Installed(number, folder, key, cert, csr, reply)


# --- the tests, in module order: renewal opens 10 s after `installed` -------------------


def test_cacerts_gives_issuing_ca_and_root(est: RunningIssuer, tmp_path: Path) -> None:
    reply = Curl(est, tmp_path)(f"{EST}/cacerts")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/pkcs7-mime")
    assert reply.headers.get("content-transfer-encoding") == "base64"
    paths = certs_from_reply(reply, tmp_path, "cacerts")
    certs = [load(p) for p in paths]
    assert len(certs) == 2
    root = x509.load_pem_x509_certificate((est.data / "root-ca.pem").read_bytes())
    roots = [c for c in certs if c.subject == c.issuer]
    issuing = [c for c in certs if c.subject != c.issuer]
    assert roots == [root]  # the same certificate the operator hands out as DIR/root-ca.pem
    assert len(issuing) == 1 and issuing[0].issuer == root.subject
    # openssl itself accepts the issuing CA under the root
    issuing_path = paths[certs.index(issuing[0])]
    assert openssl("verify", "-CAfile", est.data / "root-ca.pem", issuing_path).strip().endswith(": OK")


def test_csrattrs_ask_for_rsa_with_sha256(est: RunningIssuer, tmp_path: Path) -> None:
    reply = Curl(est, tmp_path)(f"{EST}/csrattrs")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/csrattrs")
    der = tmp_path / "csrattrs.der"
    der.write_bytes(base64.b64decode(reply.body))
    parsed = openssl("asn1parse", "-inform", "DER", "-in", der)
    assert re.search(r"OBJECT\s+:rsaEncryption", parsed), parsed
    assert re.search(r"OBJECT\s+:sha256WithRSAEncryption", parsed), parsed
    assert re.search(r"INTEGER\s+:0C00", parsed), parsed  # 3072 bits


def test_simpleenroll_with_curl(est: RunningIssuer, installed: Installed, issuing_pem: Path) -> None:
    reply = installed.reply
    assert reply.status == 200
    ctype = reply.headers["content-type"]
    assert ctype.startswith("application/pkcs7-mime") and "smime-type=certs-only" in ctype
    assert_verifies(installed.cert, issuing_pem, est.ca)

    cert = load(installed.cert)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(seconds=VALIDITY)
    assert abs(cert.not_valid_before_utc.timestamp() - time.time()) < 10
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == HOLDER
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == installed.user_number
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORGANISATION
    # the certificate is for the key openssl made
    assert public_key_pem(installed.cert, is_cert=True) == public_key_pem(installed.key, is_cert=False)


def test_simplereenroll_before_the_window(est: RunningIssuer, installed: Installed) -> None:
    cert = load(installed.cert)
    opens = cert.not_valid_after_utc - timedelta(seconds=RENEWAL)
    assert datetime.now(UTC) < opens - timedelta(seconds=1), "the test took too long to get here"
    _, csr = new_csr(installed.folder, "early", subject_for_req(installed.cert), san=san_for_req(installed.cert))
    reply = Curl(est, installed.folder).post_csr(
        f"{EST}/simplereenroll", csr, "--cert", installed.cert, "--key", installed.key
    )
    body = assert_problem(reply, 409, "renewal-not-open")
    assert datetime.fromisoformat(body["opens_at"]) == opens


def test_simplereenroll_needs_a_client_certificate(est: RunningIssuer, installed: Installed, tmp_path: Path) -> None:
    reply = Curl(est, tmp_path).post_csr(f"{EST}/simplereenroll", installed.csr_b64)
    assert_problem(reply, 403, "not-authorised")


def test_wrong_pin_with_curl(est: RunningIssuer, org: int, installed: Installed, tmp_path: Path) -> None:
    number, pin = est.user(org, name="Fleur Bakker")
    wrong = str((int(pin[0]) + 1) % 10) + pin[1:]
    reply = Curl(est, tmp_path).post_csr(
        f"{EST}/simpleenroll", installed.csr_b64, "--netrc-file", netrc(tmp_path, number, wrong)
    )
    body = assert_problem(reply, 401, "pin-invalid")
    assert reply.headers["content-type"].split(";")[0].strip() == "application/problem+json"
    assert body["attempts_left"] == 4
    assert reply.headers["www-authenticate"].lower().startswith("basic")
    assert pin not in reply.body.decode() and wrong not in reply.body.decode()


def test_wrong_method_names_the_allowed_one(est: RunningIssuer, tmp_path: Path) -> None:
    reply = Curl(est, tmp_path)(f"{EST}/simpleenroll")  # GET instead of POST
    assert reply.status == 405
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.headers.get("allow") == "POST"


def test_simplereenroll_with_an_expired_certificate_is_a_problem(tmp_path: Path) -> None:
    """After expiry renewal is refused with a problem that says: reinstall with the PIN (R6).

    An issuer of its own with a 2 s validity; placed before the renewal test so that its
    waiting overlaps the 10 s until the renewal window of `installed` opens.
    """
    short = start_issuer(tmp_path / "data", validity="PT2S", renewal_window="PT1S")
    try:
        service = open_service(short.data)  # what `org add`, `org agreement`, `user add` do, in-process
        org = service.add_organisation("Tandartspraktijk Zuid")
        service.sign_agreement(org)
        new = service.add_user(org_id=org, kind="personal", name="Lotte de Boer", email="lotte@example.nl")
        assert new.letter is not None
        number, pin = new.user_number, pin_from_letter(new.letter)
        key, csr = new_csr(tmp_path, "short", "/CN=ignored", bits=2048)
        curl = Curl(short, tmp_path / "curl")
        reply = curl.post_csr(f"{EST}/simpleenroll", csr, "--netrc-file", netrc(tmp_path, number, pin))
        assert reply.status == 200, reply.body
        (cert,) = certs_from_reply(reply, tmp_path, "short")
        time.sleep(max(0.0, load(cert).not_valid_after_utc.timestamp() + 1 - time.time()))
        _, again = new_csr(tmp_path, "again", subject_for_req(cert), bits=2048, san=san_for_req(cert))
        reply = curl.post_csr(f"{EST}/simplereenroll", again, "--cert", cert, "--key", key)
        assert_problem(reply, 403, "certificate-expired")
    finally:
        short.stop()


def test_simplereenroll_after_the_window_opens(est: RunningIssuer, installed: Installed, issuing_pem: Path) -> None:
    old = load(installed.cert)
    opens = old.not_valid_after_utc - timedelta(seconds=RENEWAL)
    folder = installed.folder
    curl = Curl(est, folder)
    tls = ("--cert", installed.cert, "--key", installed.key)
    _, other = new_csr(folder, "other", "/C=NL/O=Elders/CN=Someone Else")
    new_key, good = new_csr(folder, "renewed", subject_for_req(installed.cert), san=san_for_req(installed.cert))
    assert san_for_req(installed.cert).startswith("email:")

    # wait for the window without sleeping longer than needed; a different subject is refused
    time.sleep(max(0.0, opens.timestamp() - time.time()))
    deadline = time.monotonic() + 10
    while True:
        reply = curl.post_csr(f"{EST}/simplereenroll", other, *tls)
        if reply.status != 409 or time.monotonic() > deadline:
            break
        assert_problem(reply, 409, "renewal-not-open")
        time.sleep(0.2)
    body = assert_problem(reply, 400, "bad-request")
    assert body["differs"] == ["subject", "subjectAltName"] and "Subject" in body["detail"]

    reply = curl.post_csr(f"{EST}/simplereenroll", good, *tls)
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("application/pkcs7-mime")
    (renewed_pem,) = certs_from_reply(reply, folder, "renewed")
    assert_verifies(renewed_pem, issuing_pem, est.ca)
    new = load(renewed_pem)
    assert new.subject == old.subject and new.serial_number != old.serial_number
    san = x509.SubjectAlternativeName
    assert new.extensions.get_extension_for_class(san) == old.extensions.get_extension_for_class(san)
    assert new.not_valid_before_utc > old.not_valid_before_utc
    assert new.not_valid_before_utc >= opens
    assert new.not_valid_after_utc - new.not_valid_before_utc == timedelta(seconds=VALIDITY)
    assert public_key_pem(renewed_pem, is_cert=True) == public_key_pem(new_key, is_cert=False)

    # the replaced certificate renews no more
    reply = curl.post_csr(f"{EST}/simplereenroll", good, *tls)
    assert_problem(reply, 403, "certificate-superseded")
