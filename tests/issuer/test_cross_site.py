"""Issue 11 point 4: a web page the contact person visits cannot change anything at the issuer.

The contact person's browser holds their client certificate and offers it to the issuer on
every request, whichever page started it (ambient authentication). So every state change
asks for what an HTML form cannot send: ``Content-Type: application/json`` (EST:
``application/pkcs10``), no foreign ``Origin`` and the ``X-ZorgCert-Request`` header (a
custom header makes a browser ask first with a CORS preflight, which the issuer never grants).
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from issuer_harness import Holder, RunningIssuer, csr_der, problem, rsa_key
from machine import exclusive

API = {"X-ZorgCert-Request": "1"}


@pytest.fixture(scope="module")
def office(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A contact person and two installed users (one personal, one system) of one organisation."""
    folder = Path(tmp_path_factory.mktemp("cross-site"))
    org = issuer.organisation("Praktijk Dwars")
    out: dict[str, Any] = {"org": org, "folder": folder}
    for role, kind, cp in (("cp", "personal", True), ("user", "personal", False), ("system", "system", False)):
        number, pin = issuer.user(org, kind=kind, name=f"{role.title()} Dwars", contact_person=cp)
        holder = Holder(issuer, folder / role)
        holder.take(issuer.enroll(number, pin, holder.key))
        out[role], out[f"{role}_number"] = holder, number
    return out


def raw(issuer: RunningIssuer, holder: Holder, method: str, path: str, **kw: Any) -> requests.Response:
    """A request with the holder's certificate and nothing added: what a browser would send."""
    return requests.request(method, issuer.url + path, cert=holder.tls, verify=issuer.ca, timeout=30, **kw)


def still_valid(holder: Holder) -> None:
    me = holder.get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["certificate"]["state"] == "valid", me.json()


def users(office: dict[str, Any]) -> set[str]:
    listed = office["cp"].get("/api/v1/org/users")
    assert listed.status_code == 200, listed.text
    return {u["user_number"] for u in listed.json()}


def test_a_form_post_does_not_revoke(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    """What a plain ``<form method=post>`` sends: urlencoded or empty, never JSON."""
    path = f"/api/v1/org/users/{office['user_number']}/revoke"
    cp = office["cp"]
    problem(raw(issuer, cp, "POST", path), 415, "unsupported-media-type")
    problem(raw(issuer, cp, "POST", path, data={"reason": "key-compromise"}), 415, "unsupported-media-type")
    # even with the custom header a form body stays a form body
    problem(
        raw(issuer, cp, "POST", path, data={"reason": "cessation"}, headers=API), 415, "unsupported-media-type"
    )
    problem(
        raw(issuer, cp, "POST", path, data=b"", headers={**API, "Content-Type": "multipart/form-data; boundary=x"}),
        415,
        "unsupported-media-type",
    )
    still_valid(office["user"])


def test_a_text_plain_post_does_not_create_a_user(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    """``<form enctype=text/plain>`` can carry a JSON-looking body; the content type gives it away."""
    before = users(office)
    body = json.dumps({"kind": "personal", "name": "Indringer", "email": "i@example.nl", "x": "="}).encode()
    r = raw(issuer, office["cp"], "POST", "/api/v1/org/users", data=body, headers={"Content-Type": "text/plain"})
    problem(r, 415, "unsupported-media-type")
    problem(
        raw(issuer, office["system"], "POST", "/api/v1/cov/check", data=b'{"bsn": "123456782"}',
            headers={**API, "Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
    )
    assert users(office) == before


def test_json_without_the_custom_header_is_refused(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    """A cross-site ``fetch()`` could send JSON only after a preflight; the header is the proof."""
    before = users(office)
    new = {"kind": "personal", "name": "Zonder Kop", "email": "z@example.nl"}
    body = problem(raw(issuer, office["cp"], "POST", "/api/v1/org/users", json=new), 403, "cross-site-request")
    assert "X-ZorgCert-Request" in body["detail"]
    n = office["user_number"]
    problem(raw(issuer, office["cp"], "PUT", f"/api/v1/org/users/{n}/authorisations/cov", json={}), 403,
            "cross-site-request")
    problem(raw(issuer, office["cp"], "DELETE", f"/api/v1/org/users/{n}/authorisations/portal", json={}), 403,
            "cross-site-request")
    problem(raw(issuer, office["cp"], "POST", f"/api/v1/org/users/{n}/revoke", json={"reason": "cessation"}), 403,
            "cross-site-request")
    problem(raw(issuer, office["cp"], "POST", f"/api/v1/org/users/{n}/unblock", json={}), 403,
            "cross-site-request")
    problem(raw(issuer, office["cp"], "POST", f"/api/v1/org/users/{n}/unblock",
                json={}, headers={"X-ZorgCert-Request": "yes please"}), 403, "cross-site-request")
    problem(raw(issuer, office["system"], "POST", "/api/v1/cov/check", json={"bsn": "123456782"}), 403,
            "cross-site-request")
    assert users(office) == before
    assert office["user"].get("/api/v1/me").json()["authorisations"] == ["portal"]
    still_valid(office["user"])


def test_a_foreign_origin_is_refused(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    path = f"/api/v1/org/users/{office['user_number']}/revoke"
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # sandboxed frames, file: pages
        {"Origin": issuer.url.replace("https://", "http://")},  # same host, other scheme
        {"Origin": issuer.url.rsplit(":", 1)[0] + ":1"},  # same host, other port
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        r = raw(issuer, office["cp"], "POST", path, json={"reason": "cessation"}, headers={**API, **headers})
        problem(r, 403, "cross-site-request")
    still_valid(office["user"])
    # the issuer's own pages may send their origin: that is not refused
    r = raw(issuer, office["cp"], "PUT", f"/api/v1/org/users/{office['user_number']}/authorisations/cov",
            json={}, headers={**API, "Origin": issuer.url, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200, r.text
    assert "cov" in r.json()["authorisations"]


def test_the_refusal_grants_no_cors(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    """The preflight a cross-site fetch() with the header would need is never granted."""
    r = raw(issuer, office["cp"], "OPTIONS", "/api/v1/org/users",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "content-type,x-zorgcert-request"})
    assert r.status_code >= 400
    assert not [h for h in r.headers if h.lower().startswith("access-control-")], r.headers


def test_revocation_needs_a_known_reason(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    path = f"/api/v1/org/users/{office['user_number']}/revoke"
    cp = office["cp"]
    for body in ({}, {"reason": ""}, {"reason": "unspecified"}, {"reason": "bored"}, {"reason": 3}):
        answer = problem(raw(issuer, cp, "POST", path, json=body, headers=API), 400, "bad-request")
        assert "key-compromise" in answer["detail"], answer
        assert answer["allowed_reasons"] == ["key-compromise", "affiliation-changed", "superseded", "cessation"]
    problem(raw(issuer, cp, "POST", path, data=b"", headers={**API, "Content-Type": "application/json"}), 400,
            "bad-request")
    still_valid(office["user"])


def test_unblock_needs_the_json_body(issuer: RunningIssuer, office: dict[str, Any]) -> None:
    path = f"/api/v1/org/users/{office['user_number']}/unblock"
    r = raw(issuer, office["cp"], "POST", path, data=b"", headers={**API, "Content-Type": "application/json"})
    problem(r, 400, "bad-request")
    r = raw(issuer, office["cp"], "POST", path, json={}, headers=API)
    assert r.status_code == 200, r.text


def test_est_takes_only_pkcs10(issuer: RunningIssuer, office: dict[str, Any], tmp_path: Path) -> None:
    """RFC 7030 §4.2.1: ``application/pkcs10``; a cross-site form cannot renew with the ambient certificate."""
    user = office["user"]
    assert user.cert is not None
    csr = base64.b64encode(csr_der(rsa_key(), user.cert.subject))
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=z"):
        r = raw(issuer, user, "POST", "/.well-known/est/simplereenroll", data=csr,
                headers={"Content-Type": content_type})
        problem(r, 415, "unsupported-media-type")
        r = requests.post(issuer.url + "/.well-known/est/simpleenroll", data=csr, auth=("0" * 14, "12345678"),
                          headers={"Content-Type": content_type}, verify=issuer.ca, timeout=30)
        problem(r, 415, "unsupported-media-type")
    r = raw(issuer, user, "POST", "/.well-known/est/simplereenroll", data=csr)  # no content type at all
    problem(r, 415, "unsupported-media-type")
    # the certificate was not renewed: it is still the one the holder has
    me = user.get("/api/v1/me").json()
    assert int(me["certificate"]["serial"], 16) == user.cert.serial_number, me


# --- a real browser ----------------------------------------------------------------------

POLICY_DIR = Path("/etc/chromium/policies/managed")


class _Attacker(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:  # the http.server API
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def browser_home(issuer: RunningIssuer, office: dict[str, Any], tmp_path: Path) -> Iterator[Path]:
    """A HOME whose NSS database holds the contact person's certificate; Chromium picks it by policy."""
    if shutil.which("chromium") is None or shutil.which("pk12util") is None:
        pytest.skip("chromium and libnss3-tools are needed (scripts/setup installs them)")
    home = tmp_path / "home"
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
    cp: Holder = office["cp"]
    assert cp.cert is not None
    p12 = pkcs12.serialize_key_and_certificates(b"cp", cp.key, cp.cert, None,
                                                serialization.BestAvailableEncryption(b"pw"))
    (tmp_path / "cp.p12").write_bytes(p12)
    subprocess.run(["pk12util", "-i", str(tmp_path / "cp.p12"), "-d", f"sql:{nssdb}", "-W", "pw", "-K", ""],
                   check=True, capture_output=True)
    # The issuer's website must be trusted by this test browser, as a public server certificate would be
    # in production (the wallet itself never adds website trust; this is the test's own scratch database).
    subprocess.run(["certutil", "-A", "-d", f"sql:{nssdb}", "-n", "issuer-site", "-t", "C,,", "-i", issuer.ca],
                   check=True)
    with exclusive("chromium-policy"):  # Chromium reads every file there: one test's policy at a time
        POLICY_DIR.mkdir(parents=True, exist_ok=True)
        policy = POLICY_DIR / "zorgcert-cross-site-test.json"
        policy.write_text(json.dumps({"AutoSelectCertificateForUrls": [json.dumps({"pattern": issuer.url,
                                                                                   "filter": {}})]}))
        try:
            yield home
        finally:
            policy.unlink()


def _chromium(home: Path, profile: Path, url: str) -> str:
    proc = subprocess.run(
        ["timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, env={"HOME": str(home), "PATH": "/usr/bin:/bin"}, timeout=150,
    )
    return proc.stdout + proc.stderr[-2000:]


def test_chromium_on_an_attacker_page_does_not_revoke(
    issuer: RunningIssuer, office: dict[str, Any], browser_home: Path, tmp_path: Path
) -> None:
    """A page on another origin auto-submits a form to the revoke endpoint in the contact person's browser."""
    n = office["user_number"]
    _Attacker.page = (
        '<!doctype html><html><body><form id="f" method="post" '
        f'action="{issuer.url}/api/v1/org/users/{n}/revoke"></form>'  # no fields: today "unspecified"
        "<script>document.getElementById('f').submit()</script></body></html>"
    ).encode()
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    seen = len(issuer.log_lines)
    try:
        out = _chromium(browser_home, tmp_path / "profile", f"http://127.0.0.1:{attacker.server_port}/")
    finally:
        attacker.shutdown()
        attacker.server_close()
    # the browser did send the form to the issuer ...
    posted = [line for line in issuer.log_lines[seen:] if f"POST /api/v1/org/users/{n}/revoke" in line]
    assert posted, out
    assert "unsupported-media-type" in out or "cross-site-request" in out, out
    # ... and nothing was revoked
    still_valid(office["user"])
    # control: the same browser does log in with the contact person's certificate
    me = _chromium(browser_home, tmp_path / "profile", issuer.url + "/api/v1/me")
    assert office["cp_number"] in me, me
