"""Plain EST (issue 14) in the client, without our issuer: labels, Retry-After, csrattrs 204/404, a server's words.

A tiny HTTPS stub (its own CA, 127.0.0.1) answers exactly what a standard server may answer.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.enroll import identity
from app.enroll.est import EnrollmentDeferred, IssuerClient
from app.enroll.protocol import RETRY_DEFAULT, RETRY_MAX, RETRY_MIN, check_label, retry_after_seconds, server_words
from app.errors import IssuerSaid, UsageError
from app.explain import explain

NOW = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=datetime.UTC)


# --- pure pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120), (" 60 ", 60), ("0", RETRY_MIN), ("99999999999999", RETRY_MAX), ("86401", 86401),
    ("604801", RETRY_MAX),
    (None, RETRY_DEFAULT), ("", RETRY_DEFAULT), ("soon", RETRY_DEFAULT), ("-5", RETRY_DEFAULT), ("1e3", RETRY_DEFAULT),
    (format_datetime(NOW + datetime.timedelta(seconds=90), usegmt=True), 90),
    (format_datetime(NOW - datetime.timedelta(hours=1), usegmt=True), RETRY_MIN),
    (format_datetime(NOW + datetime.timedelta(days=400), usegmt=True), RETRY_MAX),
    ("Sun, 06 Nov 1994 08:49:37 GMT", RETRY_MIN),
])
def test_retry_after_is_delta_seconds_or_an_http_date_clamped(header: str | None, seconds: int) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def test_a_servers_words_are_one_short_plain_line() -> None:
    page = (b"<html><head><title>403</title><style>h1{}</style></head><body><h1>Forbidden</h1>"
            b"<script>alert(1)</script><p>Subject &amp; SAN\r\n differ</p></body></html>")
    assert server_words(page, "text/html") == "403 Forbidden Subject & SAN differ"
    assert server_words("denied\x1b[31m red\x00\nnext line\u202e".encode(), "text/plain") == "denied red next line"
    long = server_words(("x" * 500).encode(), "text/plain")
    assert len(long) == 200 and long.endswith("…")
    assert server_words(b"\xff\xfebad utf-8", "") == "\ufffd\ufffdbad utf-8"


@pytest.mark.parametrize("label", ["personal", "system-ca", "a.b_c~1", "X" * 64])
def test_an_est_label_is_one_path_segment(label: str) -> None:
    assert check_label(label) == label


@pytest.mark.parametrize("label", ["a/b", "..", ".", "cacerts", "SimpleEnroll", "met spatie", "é", "a?b", "a%2Fb",
                                   "x" * 65, "/personal"])
def test_anything_else_is_not_a_label(label: str) -> None:
    with pytest.raises(UsageError):
        check_label(label)


def test_config_keeps_a_valid_label_and_refuses_a_bad_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.state import config
    from app.state.paths import Paths

    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    with pytest.raises(UsageError):
        config.set_value(paths, "issuer-label", "a/b")
    assert config.set_value(paths, "issuer-label", "personal") == "personal"
    assert config.set_value(paths, "renewal-window", "P2M") == "P2M"
    with pytest.raises(UsageError):
        config.set_value(paths, "renewal-window", "two months")
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", "https://issuer.example")
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("ZORGCERT_ISSUER_CA", str(tmp_path / "ca.pem"))
    assert config.issuer(paths).label == "personal"
    assert config.renewal_window(paths) == "P2M"
    monkeypatch.setenv("ZORGCERT_ISSUER_LABEL", "../x")
    with pytest.raises(UsageError):
        config.issuer(paths)


# --- a standard server's answers ---------------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class Stub:
    """HTTPS on 127.0.0.1 with its own CA; ``routes[(method, path)] = (status, headers, body)``; ``seen`` paths."""

    def __init__(self, folder: Path) -> None:
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = (x509.CertificateBuilder().subject_name(_name("Stub CA")).issuer_name(_name("Stub CA"))
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        import ipaddress

        server = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(self.ca.subject)
                  .public_key(key.public_key()).serial_number(x509.random_serial_number())
                  .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                  .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                 critical=False)
                  .sign(ca_key, hashes.SHA256()))
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))
        (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
        (folder / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                              serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))
        self.routes: dict[tuple[str, str], tuple[int, dict[str, str], bytes]] = {}
        self.seen: list[str] = []
        self.requests: list[tuple[str, dict[str, str], bytes]] = []  # (path, headers, body) of each POST
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.seen.append(self.path)
                if self.command == "POST":
                    stub.requests.append((self.path, dict(self.headers.items()), body))
                status, headers, body = stub.routes.get((self.command, self.path),
                                                        (404, {"Content-Type": "text/plain"}, b"Not Found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(folder / "server.pem", folder / "server.key")
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture()
def stub(tmp_path: Path) -> Iterator[Stub]:
    server = Stub(tmp_path)
    yield server
    server.close()


@pytest.mark.parametrize("status", [204, 404])
def test_csrattrs_not_available_means_the_default_key(stub: Stub, status: int) -> None:
    stub.routes[("GET", "/.well-known/est/csrattrs")] = (status, {"Content-Type": "text/plain"}, b"")
    client = IssuerClient(stub.url, stub.ca_file)
    assert client.csrattrs() is None
    assert identity.KeySpec.from_csrattrs(client.csrattrs()) == identity.KeySpec("rsa", identity.DEFAULT_RSA_BITS)


def test_the_json_api_is_optional(stub: Stub) -> None:
    client = IssuerClient(stub.url, stub.ca_file)
    assert client.policy() is None  # 404: the extension is absent, no error
    assert client.certificate_for_key("ab" * 32) is client.ABSENT


def test_a_label_goes_into_every_est_path(stub: Stub) -> None:
    for op in ("csrattrs", "cacerts"):
        stub.routes[("GET", f"/.well-known/est/personal/{op}")] = (204, {}, b"")
    client = IssuerClient(stub.url, stub.ca_file, label="personal")
    assert client.csrattrs() is None
    key = identity.generate_key(identity.KeySpec("ec"))
    stub.routes[("POST", "/.well-known/est/personal/simpleenroll")] = (202, {"Retry-After": "42"}, b"")
    csr = identity.csr_der(key)
    with pytest.raises(EnrollmentDeferred) as deferred:
        client.simpleenroll("12345678901234", "1234", csr)
    assert deferred.value.retry_after == "42"
    assert stub.seen == ["/.well-known/est/personal/csrattrs", "/.well-known/est/personal/simpleenroll"]
    # RFC 7030 §4.2.1 / §3.2.4: application/pkcs10, base64 of the DER; HTTP Basic only inside the pinned TLS
    (_, headers, body) = stub.requests[0]
    assert headers["Content-Type"] == "application/pkcs10" and base64.b64decode(body) == csr
    assert headers["Authorization"].startswith("Basic ")


def test_the_server_name_is_checked_not_only_the_pinned_ca(stub: Stub) -> None:
    """RFC 7030 §3.6.1 / RFC 6125: a certificate from the pinned CA for another name is refused."""
    from app.errors import IssuerUntrusted

    client = IssuerClient(stub.url.replace("127.0.0.1", "localhost"), stub.ca_file)  # the certificate names 127.0.0.1
    with pytest.raises(IssuerUntrusted):
        client.cacerts()
    assert stub.seen == []


def test_a_plain_text_refusal_shows_the_servers_words(stub: Stub) -> None:
    stub.routes[("POST", "/.well-known/est/simpleenroll")] = (
        403, {"Content-Type": "text/plain; charset=utf-8"},
        b"Certificate request denied:\x1b[2J subject <b>mismatch</b>\n" + b"x" * 400)
    client = IssuerClient(stub.url, stub.ca_file)
    key = identity.generate_key(identity.KeySpec("ec"))
    with pytest.raises(IssuerSaid) as said:
        client.simpleenroll("12345678901234", "1234", identity.csr_der(key))
    assert said.value.exit_code == 3
    nl, en = explain(said.value, "nl"), explain(said.value, "en")
    assert "Certificate request denied: subject mismatch" in nl.message and "403" in nl.message
    assert "\x1b" not in nl.message and "<b>" not in nl.message and len(said.value.params["words"]) <= 200
    assert nl.message.startswith("De uitgever") and nl.next_step
    assert "Certificate request denied" in en.message and en.message.startswith("The issuer") and en.next_step


def test_only_a_zorgcert_problem_code_is_a_refusal_by_the_rules() -> None:
    import json

    from app.enroll.protocol import problem_error
    from app.errors import IssuerRefused

    ours = problem_error(403, "application/problem+json", json.dumps(
        {"type": "urn:zorgcert:problem:still-valid", "code": "still-valid", "detail": "valid"}).encode())
    assert isinstance(ours, IssuerRefused) and ours.code == "still-valid"
    blank = problem_error(405, "application/problem+json", json.dumps(
        {"type": "about:blank", "title": "Method Not Allowed", "detail": "<b>POST</b> only"}).encode())
    assert isinstance(blank, IssuerSaid) and blank.params["words"] == "Method Not Allowed POST only"
    broken = problem_error(502, "text/html", b"<h1>Bad Gateway</h1>")
    assert isinstance(broken, IssuerSaid) and broken.exit_code == 4 and broken.params["words"] == "Bad Gateway"
    assert explain(broken, "nl").message.startswith("De uitgever")


def test_a_problem_code_this_version_has_no_words_for_is_shown_in_the_servers_words() -> None:
    """A newer issuer's refusal code: the user reads its title and detail, never a bare catalogue key."""
    import json

    from app.enroll.protocol import problem_error

    newer = problem_error(403, "application/problem+json", json.dumps(
        {"type": "urn:zorgcert:problem:quota-reached", "code": "quota-reached", "title": "Quota reached",
         "detail": "this organisation has used its certificates"}).encode())
    assert isinstance(newer, IssuerSaid) and newer.exit_code == 3
    assert newer.params["words"] == "Quota reached this organisation has used its certificates"
    for lang in ("nl", "en"):
        said = explain(newer, lang)
        assert "refusal." not in said.message and "Quota reached" in said.message and said.next_step


def test_a_tampered_deferred_entry_neither_crashes_status_nor_sticks(tmp_path: Path) -> None:
    from app.lifecycle import deferred
    from app.lifecycle.status import waiting
    from app.state.journal import Journal, Operation
    from app.state.paths import Paths

    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    paths.journal_dir.mkdir(parents=True)
    journal = Journal(paths.journal_dir)
    good = Operation(kind="install", user_number="10000000000006", key_id="ab" * 32, stores=["auto"],
                     stage="deferred", next_attempt=NOW.isoformat(), retry_after=60)
    naive = Operation(kind="install", user_number="10000000000014", key_id="cd" * 32, stores=["auto"],
                      stage="deferred", next_attempt="2026-11-30T13:00:00", retry_after="x")  # type: ignore[arg-type]
    journal.save(good)
    journal.save(naive)
    assert [(w.user_number, w.retry_after) for w in waiting(paths)] == [("10000000000006", 60)]
    assert deferred.is_due(naive, NOW) and deferred.is_due(good, NOW)
    assert not deferred.is_due(good, NOW - datetime.timedelta(seconds=1))


def test_cacerts_in_any_order_come_back_issuing_ca_first() -> None:
    """/cacerts is a PKCS#7 SET: a server may send the root first (DER sorts by encoding)."""
    from datetime import datetime, timedelta

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from app.enroll.est import path_order

    def make(name: str, key: ec.EllipticCurvePrivateKey, issuer: str, signer: ec.EllipticCurvePrivateKey
             ) -> cx509.Certificate:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        return (cx509.CertificateBuilder().subject_name(cx509.Name.from_rfc4514_string(f"CN={name}"))
                .issuer_name(cx509.Name.from_rfc4514_string(f"CN={issuer}")).public_key(key.public_key())
                .serial_number(cx509.random_serial_number()).not_valid_before(now)
                .not_valid_after(now + timedelta(days=1))
                .add_extension(cx509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(signer, hashes.SHA256()))

    root_key, mid_key, issuing_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = make("Root", root_key, "Root", root_key)
    mid = make("Mid", mid_key, "Root", root_key)
    issuing = make("Issuing", issuing_key, "Mid", mid_key)
    for sent in ([root, issuing, mid], [mid, root, issuing], [issuing, mid, root]):
        assert path_order(sent) == [issuing, mid, root]
