"""The issuer as a plain RFC 7030 server: ``serve --est-only`` answers nothing but ``/.well-known/est/*``.

What a foreign EST server would offer, so the client can be tested against the standard alone
(issue 14). The JSON API, the portal and every other path answer 404 with a problem document.
And the MUSTs a server holds: a renewal keeps Subject and SubjectAltName (§4.2.2).
The issuer's renewal window is as long as the validity, so renewal is open at once.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from issuer_harness import (
    API_HEADERS,
    Holder,
    RunningIssuer,
    certs_from_pkcs7_b64,
    csr_der,
    problem,
    renewal_csr_der,
    rsa_key,
    start_issuer,
)

EST = "/.well-known/est"
LABELS = '[est.labels]\npersonal = "personal"\nsystem = "system"\n'


@pytest.fixture(scope="module")
def est_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(
        Path(tmp_path_factory.mktemp("est-only")) / "data",
        est_only=True,
        renewal_window="P2Y",
        extra_toml=LABELS,
    )
    yield running
    running.stop()


def test_est_paths_are_served(est_issuer: RunningIssuer, tmp_path: Path) -> None:
    cacerts = est_issuer.get(f"{EST}/cacerts")
    assert cacerts.status_code == 200
    assert cacerts.headers["Content-Type"].startswith("application/pkcs7-mime")
    assert len(certs_from_pkcs7_b64(cacerts.content)) == 2
    attrs = est_issuer.get(f"{EST}/csrattrs")
    assert attrs.status_code == 200 and attrs.headers["Content-Type"].startswith("application/csrattrs")

    number, pin = est_issuer.user(est_issuer.organisation())
    holder = Holder(est_issuer, tmp_path / "holder")
    cert = holder.take(est_issuer.enroll(number, pin, holder.key))
    assert number in cert.subject.rfc4514_string()


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/v1/policy"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/certificates/by-key/" + "0" * 64),
        ("GET", "/api/v1/org/users"),
        ("POST", "/api/v1/org/users"),
        ("GET", "/api/v1/messages"),
        ("POST", "/api/v1/cov/check"),
        ("GET", "/portal/"),
        ("GET", "/"),
        ("GET", f"{EST}/fullcmc"),
    ],
)
def test_everything_else_is_not_found(est_issuer: RunningIssuer, method: str, path: str) -> None:
    response = requests.request(
        method, est_issuer.url + path, verify=est_issuer.ca, timeout=30, headers=API_HEADERS, json={}
    )
    problem(response, 404, "not-found")


# --- §4.2.2: a renewal keeps Subject and SubjectAltName ------------------------------------


@pytest.fixture(scope="module")
def personal(est_issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> Holder:
    number, pin = est_issuer.user(est_issuer.organisation("Praktijk Vernieuwen"), name="Rik Renew")
    holder = Holder(est_issuer, Path(tmp_path_factory.mktemp("personal")))
    holder.take(est_issuer.enroll(number, pin, holder.key))
    return holder


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def _renew(holder: Holder, der: bytes) -> requests.Response:
    return holder.post(
        f"{EST}/simplereenroll", data=base64.b64encode(der), headers={"Content-Type": "application/pkcs10"}
    )


def test_a_renewal_without_the_subject_alt_name_is_refused(personal: Holder) -> None:
    assert personal.cert is not None
    san = _san(personal.cert)
    assert san is not None, "a personal certificate carries the holder's e-mail address"
    body = problem(_renew(personal, csr_der(rsa_key(), personal.cert.subject)), 400, "bad-request")
    assert body["reason"] == "renewal-identity-differs" and body["differs"] == ["subjectAltName"]
    assert body["detail"].endswith("this request's SubjectAltName differs")
    assert body["expected_subject_alt_name"] == ["email:anna@example.nl"]
    assert body["requested_subject_alt_name"] == []


def test_a_renewal_with_another_subject_is_refused(personal: Holder) -> None:
    assert personal.cert is not None
    other = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Someone Else")])
    body = problem(_renew(personal, csr_der(rsa_key(), other, _san(personal.cert))), 400, "bad-request")
    assert body["differs"] == ["subject"] and body["detail"].endswith("this request's Subject differs")
    assert body["expected_subject"] == personal.cert.subject.rfc4514_string()
    assert body["requested_subject"] == "CN=Someone Else"
    both = problem(_renew(personal, csr_der(rsa_key(), other)), 400, "bad-request")
    assert both["differs"] == ["subject", "subjectAltName"]
    assert both["detail"].endswith("this request's Subject and SubjectAltName differ")


def test_a_renewal_with_another_subject_alt_name_is_refused(personal: Holder) -> None:
    assert personal.cert is not None
    extra = x509.SubjectAlternativeName([x509.RFC822Name("anna@example.nl"), x509.DNSName("evil.example")])
    body = problem(_renew(personal, csr_der(rsa_key(), personal.cert.subject, extra)), 400, "bad-request")
    assert body["differs"] == ["subjectAltName"]
    assert body["requested_subject_alt_name"] == ["email:anna@example.nl", "DNS:evil.example"]


def test_a_system_certificate_has_no_subject_alt_name_and_its_renewal_none(
    est_issuer: RunningIssuer, tmp_path: Path
) -> None:
    number, pin = est_issuer.user(est_issuer.organisation("Praktijk Systeem"), kind="system", name="Praktijk-EPD")
    holder = Holder(est_issuer, tmp_path / "system")
    cert = holder.take(est_issuer.enroll(number, pin, holder.key))
    assert _san(cert) is None
    with_san = x509.SubjectAlternativeName([x509.RFC822Name("epd@example.nl")])
    body = problem(_renew(holder, csr_der(rsa_key(), cert.subject, with_san)), 400, "bad-request")
    assert body["differs"] == ["subjectAltName"] and body["expected_subject_alt_name"] == []
    new_key = rsa_key()
    renewed = holder.take(_renew(holder, renewal_csr_der(new_key, cert)))
    assert renewed.subject == cert.subject and _san(renewed) is None


def test_an_identical_renewal_is_issued_with_the_same_identity(personal: Holder) -> None:
    old = personal.cert
    assert old is not None
    personal.key = rsa_key()
    new = personal.take(personal.renew(personal.key))
    assert new.subject == old.subject and _san(new) == _san(old)
    assert new.serial_number != old.serial_number


# --- base64 bodies: RFC 2045 lines (76 characters, CRLF) -----------------------------------

B64 = re.compile(rb"[A-Za-z0-9+/]+={0,2}")


def _assert_mime_base64(body: bytes) -> bytes:
    """Lines of exactly 76 characters (the last one shorter), each ending CRLF; the decoded bytes."""
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    lines = body[:-2].split(b"\r\n")
    assert all(len(line) == 76 for line in lines[:-1]) and 0 < len(lines[-1]) <= 76, [len(x) for x in lines]
    assert all(B64.fullmatch(line) for line in lines)
    return base64.b64decode(b"".join(lines), validate=True)


def test_base64_bodies_have_crlf_lines_of_76(est_issuer: RunningIssuer, tmp_path: Path) -> None:
    cacerts = est_issuer.get(f"{EST}/cacerts")
    assert cacerts.headers["Content-Transfer-Encoding"] == "base64"
    assert len(pkcs7.load_der_pkcs7_certificates(_assert_mime_base64(cacerts.content))) == 2
    attrs = est_issuer.get(f"{EST}/csrattrs")
    assert _assert_mime_base64(attrs.content)[:1] == b"\x30"  # a DER SEQUENCE
    number, pin = est_issuer.user(est_issuer.organisation("Praktijk Regels"))
    key = rsa_key()
    # the request in the same form: CRLF lines of 76 (what a strict RFC 2045 client sends)
    body = base64.encodebytes(csr_der(key)).replace(b"\n", b"\r\n")
    enrolled = est_issuer.post(f"{EST}/simpleenroll", auth=(number, pin), data=body,
                               headers={"Content-Type": "application/pkcs10", "Content-Transfer-Encoding": "base64"})
    assert enrolled.status_code == 200, enrolled.text
    (cert,) = pkcs7.load_der_pkcs7_certificates(_assert_mime_base64(enrolled.content))
    assert cert.public_key() == key.public_key()


# --- the CA names in the TLS CertificateRequest ---------------------------------------------


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command-line tool")
@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_the_certificate_request_names_the_issuing_ca(est_issuer: RunningIssuer, version: str) -> None:
    """What a browser reads to pick a certificate: 'Acceptable client certificate CA names'."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENSSL_CONF", "SSL_CERT_FILE")}
    port = est_issuer.url.rsplit(":", 1)[1]
    proc = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", version, "-CAfile", est_issuer.ca],
        input=b"", capture_output=True, timeout=30, env=env,
    )
    out = proc.stdout.decode("utf-8", "replace")
    assert "Verify return code: 0 (ok)" in out  # the handshake itself is sound
    assert "Acceptable client certificate CA names" in out and "ZorgCert Demo Issuing CA" in out.split(
        "Acceptable client certificate CA names", 1)[1].split("---", 1)[0]


# --- §3.2.2 labels: /.well-known/est/<label>/ for one kind of certificate --------------------


def test_labelled_cacerts_and_csrattrs_are_those_of_the_issuer(est_issuer: RunningIssuer) -> None:
    for path in ("cacerts", "csrattrs"):
        plain = est_issuer.get(f"{EST}/{path}")
        for label in ("personal", "system"):
            labelled = est_issuer.get(f"{EST}/{label}/{path}")
            assert labelled.status_code == 200 and labelled.content == plain.content
            assert labelled.headers["Content-Type"] == plain.headers["Content-Type"]


@pytest.mark.parametrize("path", ["cacerts", "csrattrs", "simpleenroll", "simplereenroll", "fullcmc"])
def test_an_unknown_label_is_not_found(est_issuer: RunningIssuer, path: str) -> None:
    method = "GET" if path in ("cacerts", "csrattrs") else "POST"
    response = requests.request(method, f"{est_issuer.url}{EST}/elders/{path}", verify=est_issuer.ca, timeout=30,
                                headers={"Content-Type": "application/pkcs10"}, data=b"MA==")
    body = problem(response, 404, "not-found")
    if path != "fullcmc":  # no such operation at all: aiohttp's own 404
        assert body["detail"] == "this issuer has no such EST label (its labels: personal, system)"


def test_a_label_enrolls_and_renews_its_own_kind_only(est_issuer: RunningIssuer, tmp_path: Path) -> None:
    org = est_issuer.organisation("Praktijk Labels")
    person, person_pin = est_issuer.user(org, name="Pim Persoon")
    system, system_pin = est_issuer.user(org, kind="system", name="Praktijk-Koppeling")
    p = Holder(est_issuer, tmp_path / "p")
    s = Holder(est_issuer, tmp_path / "s")

    def enroll(label: str, number: str, pin: str, holder: Holder) -> requests.Response:
        return est_issuer.post(f"{EST}/{label}/simpleenroll", auth=(number, pin),
                               data=base64.b64encode(csr_der(holder.key)),
                               headers={"Content-Type": "application/pkcs10"})

    wrong = str((int(person_pin[0]) + 1) % 10) + person_pin[1:]
    problem(enroll("system", person, wrong, p), 401, "pin-invalid")  # the PIN first: no kind told without it
    refused = problem(enroll("system", person, person_pin, p), 403, "not-authorised")
    assert refused["kind"] == "personal" and "label" in refused["detail"]
    p.take(enroll("personal", person, person_pin, p))
    s.take(enroll("system", system, system_pin, s))

    def renew(label: str, holder: Holder) -> requests.Response:
        assert holder.cert is not None
        der = renewal_csr_der(rsa_key(), holder.cert)
        return holder.post(f"{EST}/{label}/simplereenroll", data=base64.b64encode(der),
                           headers={"Content-Type": "application/pkcs10"})

    assert problem(renew("personal", s), 403, "not-authorised")["kind"] == "system"
    assert problem(renew("system", p), 403, "not-authorised")["kind"] == "personal"
    new_key = rsa_key()
    assert p.cert is not None
    renewed = p.post(f"{EST}/personal/simplereenroll", data=base64.b64encode(renewal_csr_der(new_key, p.cert)),
                     headers={"Content-Type": "application/pkcs10"})
    p.key = new_key
    assert p.take(renewed).subject == p.cert.subject


def test_bad_labels_in_the_configuration_are_refused() -> None:
    from issuer.config import est_labels

    assert est_labels({"personal": "personal", "sys-2": "system"}) == {"personal": "personal", "sys-2": "system"}
    for bad in ({"cacerts": "personal"}, {"a/b": "system"}, {"": "system"}, {"x": "any"}, {"x": 1}, ["x"]):
        with pytest.raises(ValueError):
            est_labels(bad)


# --- §3.3: TLS 1.1 or later only; session resumption SHOULD be supported -----------------------


def _s_client(issuer: RunningIssuer, *args: str, stdin: bytes = b"") -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENSSL_CONF", "SSL_CERT_FILE")}
    port = issuer.url.rsplit(":", 1)[1]
    proc = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", issuer.ca, *args],
                          input=stdin, capture_output=True, timeout=30, env=env)
    return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command-line tool")
@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_tls_sessions_are_resumed(est_issuer: RunningIssuer, version: str, tmp_path: Path) -> None:
    session = str(tmp_path / "session.pem")
    request = b"GET /.well-known/est/cacerts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    # -ign_eof: read until the issuer closes, so a TLS 1.3 ticket (sent after the handshake) is taken
    first = _s_client(est_issuer, version, "-ign_eof", "-sess_out", session, stdin=request)
    assert "New, TLSv1." in first
    again = _s_client(est_issuer, version, "-sess_in", session)
    assert "Reused, TLSv1." in again, again[-2000:]


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command-line tool")
@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
def test_tls_before_1_2_is_refused(est_issuer: RunningIssuer, version: str) -> None:
    out = _s_client(est_issuer, version, "-cipher", "DEFAULT:@SECLEVEL=0")
    assert "Cipher is (NONE)" in out and "Reused" not in out, out[-2000:]
    assert "BEGIN CERTIFICATE" not in _s_client(est_issuer, version, "-cipher", "DEFAULT:@SECLEVEL=0", "-showcerts")


def test_the_ca_names_are_set_only_where_the_ssl_context_is_proven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   est_issuer: RunningIssuer) -> None:
    """issuer/tlsnames.py writes into OpenSSL only after checking the pointer; elsewhere it leaves the context be."""
    import ssl

    from issuer import tlsnames

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    assert tlsnames.name_client_cas(ctx, [Path(est_issuer.ca)]) is True
    monkeypatch.setattr(tlsnames.sys, "platform", "win32")  # no libssl to match: nothing written, no crash
    assert tlsnames.name_client_cas(ssl.create_default_context(ssl.Purpose.CLIENT_AUTH), [Path(est_issuer.ca)]) is False
