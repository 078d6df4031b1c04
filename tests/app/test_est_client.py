"""The app's issuer client against the real issuer: pinning, EST, problems, client certificates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from issuer_harness import RunningIssuer, start_issuer

from app import identity
from app.errors import IssuerRefused, IssuerUnreachable, IssuerUntrusted, RenewalNotOpen
from app.est import IssuerClient


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
