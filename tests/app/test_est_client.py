"""The app's issuer client against the real issuer: pinning, EST, problems, client certificates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from issuer_harness import RunningIssuer, start_issuer

from app.enroll import identity
from app.enroll.est import IssuerClient
from app.errors import IssuerRefused, IssuerUnreachable, IssuerUntrusted, RenewalNotOpen


@pytest.fixture(scope="module")
def two_issuers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningIssuer, RunningIssuer]]:
    ours = start_issuer(Path(tmp_path_factory.mktemp("ours")) / "data")
    other = start_issuer(Path(tmp_path_factory.mktemp("other")) / "data")
    yield ours, other
    ours.stop()
    other.stop()


def test_pinned_ca_wins_over_the_environment(two_issuers, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, other = two_issuers
    # the environment trusts the impostor's CA; requests would let that override Session.verify
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other.ca)
    monkeypatch.setenv("CURL_CA_BUNDLE", other.ca)
    with pytest.raises(IssuerUntrusted):
        IssuerClient(other.url, Path(ours.ca)).policy()
    # and the real issuer is trusted through the pin although the environment does not know its CA
    assert IssuerClient(ours.url, Path(ours.ca)).policy()["validity"] == "P2Y"


def test_unreachable_is_its_own_error(two_issuers) -> None:
    ours, _ = two_issuers
    with pytest.raises(IssuerUnreachable) as caught:
        IssuerClient("https://127.0.0.1:9", Path(ours.ca), timeout=(1, 1)).policy()
    assert not isinstance(caught.value, IssuerUntrusted)


def test_enroll_renew_and_me(two_issuers) -> None:
    ours, _ = two_issuers
    client = IssuerClient(ours.url, Path(ours.ca))
    org = ours.organisation()
    number, pin = ours.user(org, name="Els Client", contact_person=True)
    spec = identity.KeySpec.from_csrattrs(client.csrattrs())
    assert spec == identity.KeySpec("rsa", 3072)
    chain = client.cacerts()
    assert len(chain) == 2 and chain[-1].subject == chain[-1].issuer

    with pytest.raises(IssuerRefused) as refused:
        client.simpleenroll(number, "00000000", identity.csr_der(identity.generate_key(identity.KeySpec("ec"))))
    assert refused.value.code == "pin-invalid" and refused.value.params["attempts_left"] == 4

    key = identity.generate_key(identity.KeySpec("ec"))
    cert = client.simpleenroll(number, pin, identity.csr_der(key))
    assert cert.public_key() == key.public_key()
    assert client.certificate_for_key(identity.key_sha256(key)) == cert
    me = client.me(cert, key)
    assert me["user_number"] == number and me["contact_person"]["name"] == "Els Client"
    with pytest.raises(RenewalNotOpen) as early:
        client.simplereenroll(cert, key, identity.csr_der(identity.generate_key(identity.KeySpec("ec")), cert.subject))
    assert early.value.params["opens_at"]


def test_identity_pfx_round_trip(two_issuers) -> None:
    ours, _ = two_issuers
    client = IssuerClient(ours.url, Path(ours.ca))
    org = ours.organisation()
    number, pin = ours.user(org, name="Frank Pfx")
    key = identity.generate_key(identity.KeySpec("ec"))
    cert = client.simpleenroll(number, pin, identity.csr_der(key))
    ident = identity.make_identity(number, key, cert, client.cacerts())
    assert ident.pfx_password not in repr(ident)
    k2, c2, chain = identity.open_identity(ident)
    assert c2 == cert and k2.public_key() == key.public_key() and len(chain) == 2
    with pytest.raises(ValueError):
        identity.make_identity(number, identity.generate_key(identity.KeySpec("ec")), cert, [])


class ConnectProxy:
    """A real HTTP CONNECT proxy on 127.0.0.1 that remembers where it tunnelled to."""

    def __init__(self) -> None:
        import socket
        import threading

        self.targets: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client) -> None:  # type: ignore[no-untyped-def]
        import selectors
        import socket

        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        target = head.split(b" ")[1].decode()
        self.targets.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        while True:
            for key, _ in sel.select():
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                if not data:
                    client.close()
                    upstream.close()
                    return
                key.data.sendall(data)

    def close(self) -> None:
        self._server.close()


def test_proxy_from_the_environment_is_used_with_the_pin_and_the_client_certificate(
    two_issuers, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, _ = two_issuers
    proxy = ConnectProxy()
    try:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
        client = IssuerClient(ours.url, Path(ours.ca))
        number, pin = ours.user(ours.organisation(), name="Gert Proxy")
        key = identity.generate_key(identity.KeySpec("ec"))
        cert = client.simpleenroll(number, pin, identity.csr_der(key))
        assert client.me(cert, key)["user_number"] == number  # TLS client authentication through the tunnel
        host_port = ours.url.removeprefix("https://")
        assert proxy.targets.count(host_port) >= 2, proxy.targets
    finally:
        proxy.close()


# --- issue 11: trust boundaries of the issuer connection ------------------------------------------


class Listener:
    """A plain TCP listener on 127.0.0.1 that records every byte anyone sends it (an http:// "issuer")."""

    def __init__(self) -> None:
        import socket
        import threading

        self.received = b""
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.received += conn.recv(65536)  # then hang up: a client that sends must not wait long
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._server.close()


def test_an_http_issuer_url_is_refused_from_every_source_before_anything_is_sent(
    two_issuers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.errors import InsecureIssuerUrl, NoIssuerConfigured
    from app.i18n import t
    from app.state import config
    from app.state.paths import paths

    ours, _ = two_issuers
    listener = Listener()
    http_url = f"http://127.0.0.1:{listener.port}"
    try:
        # the client itself (defence in depth)
        with pytest.raises(InsecureIssuerUrl):
            IssuerClient(http_url, Path(ours.ca))
        # the environment
        monkeypatch.setenv("ZORGCERT_HOME", str(tmp_path / "zc"))
        p = paths()
        monkeypatch.setenv("ZORGCERT_ISSUER_URL", http_url)
        monkeypatch.setenv("ZORGCERT_ISSUER_CA", ours.ca)
        with pytest.raises(InsecureIssuerUrl) as from_env:
            config.issuer(p)
        assert from_env.value.params["source"] == "ZORGCERT_ISSUER_URL"
        assert isinstance(from_env.value, NoIssuerConfigured)  # "no usable issuer": nothing is ever sent
        message = t(from_env.value.key, "nl", **from_env.value.params)
        assert "geen beveiligd https-adres" in message and http_url in message
        assert "https://" in t(from_env.value.key + ".next", "nl")
        # a hand-edited config file
        monkeypatch.delenv("ZORGCERT_ISSUER_URL")
        p.config_file.parent.mkdir(parents=True, exist_ok=True)
        p.config_file.write_text(json.dumps({"issuer-url": http_url, "issuer-ca": ours.ca}))
        with pytest.raises(InsecureIssuerUrl) as from_file:
            config.issuer(p)
        assert from_file.value.params["source"] == str(p.config_file)
        # zorgcert config set
        for bad in (http_url, "HTTP://x.example", "https://", "https://user:secret@x.example", "ftp://x.example"):
            with pytest.raises(InsecureIssuerUrl) as from_set:
                config.set_value(p, "issuer-url", bad)
            assert "secret" not in str(from_set.value.params)
        assert config.set_value(p, "issuer-url", "HTTPS://Issuer.example:8443/") == "https://Issuer.example:8443"
    finally:
        listener.close()
    assert listener.received == b""  # not one byte went to the http:// address


def test_install_with_an_http_issuer_sends_nothing_and_says_so_in_dutch(
    two_issuers, tmp_path: Path
) -> None:
    from app_harness import Desk

    ours, _ = two_issuers
    listener = Listener()
    try:
        desk = Desk(tmp_path / "home", ours, in_process=True)
        from app.policy import make_user_number

        number, pin = make_user_number("2024113000001"), "48151623"  # no real user needed: nothing may be sent
        env = desk.env(ZORGCERT_ISSUER_URL=f"http://127.0.0.1:{listener.port}")
        r = desk.run("install", "--user-number", number, "--pin-stdin", stdin=pin + "\n", env=env)
        assert r.code == 2, r.err
        assert "geen beveiligd https-adres" in r.err and "ZORGCERT_ISSUER_URL" in r.err
        doctor = desk.run("doctor", "--json", env=env)
        assert doctor.code == 1
        issuer_check = doctor.json["checks"][0]
        assert issuer_check["result"] == "fail" and "https" in issuer_check["detail"], issuer_check
        configured = desk.run("config", "set", "issuer-url", f"http://127.0.0.1:{listener.port}")
        assert configured.code == 2 and "geen beveiligd https-adres" in configured.err
    finally:
        listener.close()
    assert listener.received == b""
    assert pin.encode() not in listener.received


def test_the_client_refuses_to_follow_anything_to_http(two_issuers) -> None:
    """Defence in depth: even a redirect cannot take a request to http:// (an adapter that refuses to send)."""
    import requests as rq

    from app.errors import InsecureIssuerUrl

    ours, _ = two_issuers
    client = IssuerClient(ours.url, Path(ours.ca))
    with pytest.raises(InsecureIssuerUrl):
        client._session.send(rq.Request("GET", "http://127.0.0.1:9/").prepare())


# --- /cacerts and issued certificates are checked against the pinned CA -------------------------------


class FakeIssuer:
    """An HTTPS server with the real issuer's TLS certificate (so it passes the pin) that answers what a test says.

    It stands for a compromised or misconfigured server at the issuer's address: the TLS pin
    alone does not prove that what it returns belongs to the pinned CA.
    """

    def __init__(self, issuer: RunningIssuer) -> None:
        import http.server
        import ssl
        import threading

        self.routes: dict[tuple[str, str], tuple[int, str, bytes]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, ctype, body = routes.get((self.command, self.path), (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(issuer.data / "tls" / "server.pem", issuer.data / "tls" / "server.key")
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.routes[("GET", "/api/v1/policy")] = (
            200, "application/json", json.dumps({"validity": "P2Y", "renewal_window": "P1M",
                                                  "install_window": "P60D", "max_pin_attempts": 5}).encode())

    def cacerts(self, certs: list) -> None:
        self.routes[("GET", "/.well-known/est/cacerts")] = (200, "application/pkcs7-mime", _p7(certs))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _p7(certs: list) -> bytes:
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    return base64.encodebytes(pkcs7.serialize_certificates(certs, Encoding.DER))


def _chain_of(issuer: RunningIssuer) -> list:
    from cryptography import x509

    ca = issuer.data / "ca"
    return [x509.load_pem_x509_certificate((ca / f).read_bytes()) for f in ("issuing-ca.pem", "root-ca.pem")]


def _self_signed_ca(cn: str):  # type: ignore[no-untyped-def]
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = identity.generate_key(identity.KeySpec("ec"))
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def _leaf(key, issuer_cert, issuer_key, cn: str = "Mallory"):  # type: ignore[no-untyped-def]
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(issuer_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(issuer_key, hashes.SHA256()))


@pytest.fixture()
def fake(two_issuers) -> Iterator[FakeIssuer]:
    ours, _ = two_issuers
    server = FakeIssuer(ours)
    yield server
    server.close()


def test_cacerts_must_be_the_pinned_ca_or_chain_to_it(two_issuers, fake: FakeIssuer) -> None:
    from cryptography import x509

    from app.errors import IssuerChainUntrusted

    ours, other = two_issuers
    real = _chain_of(ours)
    foreign_root, _ = _self_signed_ca("Evil Root")
    refused = {
        "a foreign root beside the real issuing CA": [real[0], foreign_root],
        "another issuer's chain": _chain_of(other),
        "the issuer's own TLS certificate (not a CA) beside the chain": [
            *real, x509.load_pem_x509_certificate((ours.data / "tls" / "server.pem").read_bytes())],
    }
    for why, certs in refused.items():
        fake.cacerts(certs)
        with pytest.raises(IssuerChainUntrusted) as caught:
            IssuerClient(fake.url, Path(ours.ca)).cacerts()
        assert caught.value.params["ca_file"] == ours.ca, why
    # the real chain passes
    fake.cacerts(real)
    assert IssuerClient(fake.url, Path(ours.ca)).cacerts() == real
    # and against the real issuer
    assert IssuerClient(ours.url, Path(ours.ca)).cacerts() == real


def test_issued_certificates_must_chain_to_the_pin_and_carry_our_key(two_issuers, fake: FakeIssuer) -> None:
    from app.errors import IssuedCertificateUntrusted

    ours, _ = two_issuers
    fake.cacerts(_chain_of(ours))
    key = identity.generate_key(identity.KeySpec("ec"))
    foreign_root, foreign_key = _self_signed_ca("Evil Root")
    # a real certificate of the pinned issuer, but for another key
    number, pin = ours.user(ours.organisation(), name="Jet Andersleutel")
    other_key = identity.generate_key(identity.KeySpec("ec"))
    real_client = IssuerClient(ours.url, Path(ours.ca))
    # first, PIN 11 (client half): a PIN outside Latin-1 reaches the issuer as UTF-8. Before: the euro sign
    # crashed in requests (UnicodeEncodeError), the é went out as Latin-1 bytes, not the issuer's
    for wrong in ("12\u20ac34", "caf\u00e9"):
        with pytest.raises(IssuerRefused) as refused:
            real_client.simpleenroll(number, wrong, identity.csr_der(other_key))
        assert refused.value.code == "pin-invalid"  # the issuer got it and said no; no crash on our side
    real_other = real_client.simpleenroll(number, pin, identity.csr_der(other_key))
    cases = {
        "for another key": real_other,
        "signed by a foreign CA": _leaf(key, foreign_root, foreign_key),
        "self-signed with our key": _leaf(key, _leaf(key, foreign_root, foreign_key), key),
    }
    for why, cert in cases.items():
        fake.routes[("POST", "/.well-known/est/simpleenroll")] = (200, "application/pkcs7-mime", _p7([cert]))
        fake.routes[("POST", "/.well-known/est/simplereenroll")] = (200, "application/pkcs7-mime", _p7([cert]))
        client = IssuerClient(fake.url, Path(ours.ca))
        with pytest.raises(IssuedCertificateUntrusted):
            client.simpleenroll("01234567890123", "12345678", identity.csr_der(key))
        with pytest.raises(IssuedCertificateUntrusted):
            client.simplereenroll(real_other, other_key, identity.csr_der(key))
        from cryptography.hazmat.primitives.serialization import Encoding

        fake.routes[("GET", f"/api/v1/certificates/by-key/{identity.key_sha256(key)}")] = (
            200, "application/x-pem-file", cert.public_bytes(Encoding.PEM))
        with pytest.raises(IssuedCertificateUntrusted):
            client.certificate_for_key(identity.key_sha256(key))
        assert why


# --- the issuer refusing our client certificate in the TLS handshake ---------------------------------


def test_a_certificate_the_issuer_refuses_in_the_handshake_is_not_unreachable(two_issuers) -> None:
    """On the wire (seen with openssl s_client -msg): the issuer (aiohttp/asyncio) sends no alert; it
    closes the connection once it has our certificate. TLS 1.3 shows that at the first read
    (RemoteDisconnected), TLS 1.2 in the handshake (UNEXPECTED_EOF). The client asks again without the
    certificate; the issuer answers, so it was the certificate."""
    from app.errors import IssuerRejectedCertificate
    from app.i18n import t

    ours, _ = two_issuers
    foreign_root, foreign_key = _self_signed_ca("Other Issuer Root")
    key = identity.generate_key(identity.KeySpec("ec"))
    cert = _leaf(key, foreign_root, foreign_key)
    client = IssuerClient(ours.url, Path(ours.ca))
    with pytest.raises(IssuerRejectedCertificate) as caught:
        client.me(cert, key)
    assert not isinstance(caught.value, IssuerUnreachable)
    assert t(caught.value.key, "nl").startswith("De uitgever weigerde uw certificaat")
    with pytest.raises(IssuerRejectedCertificate):
        client.simplereenroll(cert, key, identity.csr_der(identity.generate_key(identity.KeySpec("ec")), cert.subject))
    # a server that is really gone stays "unreachable"
    with pytest.raises(IssuerUnreachable) as gone:
        IssuerClient("https://127.0.0.1:9", Path(ours.ca), timeout=(1, 1)).me(cert, key)
    assert not isinstance(gone.value, IssuerRejectedCertificate)


def test_a_tls_alert_against_our_certificate_is_a_rejection(two_issuers, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that does send an alert (OpenSSL with CERT_REQUIRED sends "unknown ca" in the TLS 1.2 handshake).

    With TLS 1.3 the same server's alert comes after our request was written and is lost to the
    reset of its close: that looks like the aiohttp case above and is handled the same way.
    """
    import socket
    import ssl
    import threading

    from app.enroll import est
    from app.errors import IssuerRejectedCertificate

    ours, _ = two_issuers
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(ours.data / "tls" / "server.pem", ours.data / "tls" / "server.key")
    server_ctx.load_verify_locations(ours.ca)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (OSError, ssl.SSLError):
                pass

    threading.Thread(target=serve, daemon=True).start()
    foreign_root, foreign_key = _self_signed_ca("Other Issuer Root")
    key = identity.generate_key(identity.KeySpec("ec"))
    cert = _leaf(key, foreign_root, foreign_key)
    real_context = est.client_context
    try:
        for version in (ssl.TLSVersion.TLSv1_2,):
            def capped(ca_file, c, k, version=version):  # type: ignore[no-untyped-def]
                ctx = real_context(ca_file, c, k)
                ctx.maximum_version = version
                return ctx

            monkeypatch.setattr(est, "client_context", capped)
            with pytest.raises(IssuerRejectedCertificate) as caught:
                IssuerClient(f"https://127.0.0.1:{port}", Path(ours.ca), timeout=(2, 2)).me(cert, key)
            assert "ALERT" in caught.value.details, (version, caught.value.details)
    finally:
        listener.close()


# --- the PIN in the Basic header: UTF-8 of NFC (RFC 7617) -------------------------------------------


def test_basic_authorization_is_utf8_of_nfc() -> None:
    import base64

    from app.enroll.est import basic_authorization

    composed, decomposed = "caf\u00e9-1234", "cafe\u0301-1234"
    assert composed != decomposed
    header = basic_authorization("01234567890123", composed)
    assert header == basic_authorization("01234567890123", decomposed)
    assert base64.b64decode(header.removeprefix("Basic ")) == "01234567890123:caf\u00e9-1234".encode()
    assert base64.b64decode(header.removeprefix("Basic ")) == b"01234567890123:caf\xc3\xa9-1234"
    euro = basic_authorization("01234567890123", "12\u20ac34")
    assert base64.b64decode(euro.removeprefix("Basic ")) == b"01234567890123:12\xe2\x82\xac34"
    assert header.isascii() and euro.isascii()


def test_renew_and_doctor_say_the_issuer_refused_the_certificate(
    two_issuers, tmp_path: Path, secret_service: dict[str, str]
) -> None:
    """A certificate of another issuer (or one the issuer no longer accepts) is not "issuer unreachable"."""
    from app_harness import Desk

    ours, other = two_issuers
    desk = Desk(tmp_path / "home", other, in_process=True)
    number, pin = other.user(other.organisation(), name="Lotte Elders")
    assert desk.install(number, pin).code == 0
    at_ours = desk.env(ZORGCERT_ISSUER_URL=ours.url, ZORGCERT_ISSUER_CA=ours.ca)

    r = desk.run("renew", number, env=at_ours)
    assert r.code == 3, r.out + r.err
    assert "De uitgever weigerde uw certificaat" in r.err and "niet bereikbaar" not in r.err
    assert "zorgcert config show" in r.err  # the next step
    journal = desk.zorgcert_home / "data" / "journal"
    assert list(journal.glob("*.json"))  # kept: recovery asks the issuer (by key) before it deletes a key

    doctor = desk.run("doctor", "--json", "--lang", "en", env=at_ours)
    accepted = [c for c in doctor.json["checks"] if c["check"] == f"Issuer accepts certificate {number}"]
    assert accepted and accepted[0]["result"] == "fail", doctor.json["checks"]
    assert "refused your certificate" in accepted[0]["detail"] and accepted[0]["next"]

    # nothing is stuck: the interrupted renewal is rolled back at the next run (the issuer issued nothing)
    assert desk.run("status", "--json", env=at_ours).code == 0
    assert not list(journal.glob("*.json"))
    home_doctor = desk.run("doctor", "--json", "--lang", "en").json  # at its own issuer all is well
    assert home_doctor["ok"] is True, home_doctor
    assert {c["result"] for c in home_doctor["checks"] if c["check"].startswith("Issuer accepts")} == {"pass"}


def test_doctor_fails_on_cacerts_that_do_not_chain_to_the_pin(two_issuers, fake: FakeIssuer, tmp_path: Path) -> None:
    from app_harness import Desk

    ours, _ = two_issuers
    foreign_root, _ = _self_signed_ca("Evil Root")
    fake.cacerts([_chain_of(ours)[0], foreign_root])
    desk = Desk(tmp_path / "home", ours, in_process=True)
    r = desk.run("doctor", "--json", "--lang", "en", env=desk.env(ZORGCERT_ISSUER_URL=fake.url))
    assert r.code == 1, r.out + r.err
    checks = {c["check"]: c for c in r.json["checks"]}
    chain = checks["The issuer's CA certificates belong to the configured CA"]
    assert chain["result"] == "fail" and "do not belong to the configured issuer CA" in chain["detail"]
    assert chain["next"]
    assert checks["Issuer reachable"]["result"] == "pass"  # TLS itself passed the pin: the check is on the content
    fake.cacerts(_chain_of(ours))
    good = desk.run("doctor", "--json", "--lang", "en", env=desk.env(ZORGCERT_ISSUER_URL=fake.url)).json
    results = {c["check"]: c["result"] for c in good["checks"]}
    assert results["The issuer's CA certificates belong to the configured CA"] == "pass"
