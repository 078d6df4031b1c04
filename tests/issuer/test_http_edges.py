"""Issue 11 point 11 (the web half): every error is problem+json, nothing echoed, no banner, safe headers.

Malformed requests go over raw TLS sockets, as no HTTP library would send them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest
import requests
from issuer_harness import Holder, RunningIssuer, csr_der, rsa_key

MARK = "zcEcho<script>"


def _raw(issuer: RunningIssuer, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes over TLS, read the whole answer: (status, headers in lower case, body)."""
    host, port = issuer.url.removeprefix("https://").rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=issuer.ca)
    with socket.create_connection((host, int(port)), timeout=10) as tcp, \
            ctx.wrap_socket(tcp, server_hostname=host) as tls:
        tls.sendall(data)
        answer = b""
        try:
            while chunk := tls.recv(65536):
                answer += chunk
        except (ssl.SSLError, ConnectionResetError):
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


MALFORMED = {
    "request line": f"GET /{MARK} HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode(),
    "method": f"{MARK} / HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    "header without colon": f"GET / HTTP/1.1\r\nHost: x\r\n{MARK}\r\n\r\n".encode(),
    "header name": f"GET / HTTP/1.1\r\nHost: x\r\nBad Name{MARK}: 1\r\n\r\n".encode(),
    "long request line": f"GET /{MARK}{'a' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    "long header": f"GET / HTTP/1.1\r\nHost: x\r\nX-Long: {MARK}{'b' * 9000}\r\n\r\n".encode(),
    "bad chunking": (f"POST /api/v1/org/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     f"Content-Type: application/json\r\n\r\nzz{MARK}\r\n").encode(),
    "bad content length": f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {MARK}\r\n\r\n".encode(),
    "http/9": f"GET /{MARK} HTTP/9.9\r\nHost: x\r\n\r\n".encode(),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_http_is_a_problem_document_without_echo(issuer: RunningIssuer, case: str) -> None:
    status, headers, body = _raw(issuer, MALFORMED[case])
    assert 400 <= status < 500, (status, body)
    assert headers["content-type"].startswith("application/problem+json"), headers
    doc = json.loads(body)
    assert doc["status"] == status and doc["type"] and doc["title"]
    assert MARK.encode() not in body and b"zcEcho" not in body, body
    assert b"aiohttp" not in body.lower() and b"python" not in body.lower(), body
    assert headers.get("server") == "ZorgCert", headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "zcEcho" not in "".join(issuer.log_lines), "the log echoes the input"


def test_too_large_and_wrong_method_are_problems(issuer: RunningIssuer) -> None:
    big = requests.post(issuer.url + "/.well-known/est/simpleenroll", data=b"A" * 200_000, auth=("1" * 14, "1"),
                        headers={"Content-Type": "application/pkcs10"}, verify=issuer.ca, timeout=30)
    assert big.status_code == 413 and big.headers["Content-Type"].startswith("application/problem+json")
    assert big.json() == {"type": "about:blank", "title": "Request Entity Too Large", "status": 413}
    wrong = requests.delete(issuer.url + "/api/v1/policy", verify=issuer.ca, timeout=30)
    assert wrong.status_code == 405 and wrong.headers["Content-Type"].startswith("application/problem+json")
    assert "Allow" in wrong.headers


def test_no_version_banner(issuer: RunningIssuer) -> None:
    for r in (requests.get(issuer.url + "/api/v1/policy", verify=issuer.ca, timeout=30),
              requests.get(issuer.url + "/nowhere", verify=issuer.ca, timeout=30),
              requests.get(issuer.url + "/portal/", verify=issuer.ca, timeout=30)):
        assert r.headers["Server"] == "ZorgCert", r.headers
        assert not any("aiohttp" in v.lower() or "python" in v.lower() for v in r.headers.values()), r.headers


@pytest.fixture(scope="module")
def person(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> Holder:
    number, pin = issuer.user(issuer.organisation("Praktijk Kop"), name="Kees Kop")
    h = Holder(issuer, Path(tmp_path_factory.mktemp("edges")) / "h")
    h.take(issuer.enroll(number, pin, h.key))
    return h


def _headers(r: requests.Response) -> dict[str, Any]:
    return {k.lower(): v for k, v in r.headers.items()}


def test_the_portal_sends_security_headers(person: Holder) -> None:
    page = person.get("/portal/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    h = _headers(page)
    csp = {d.strip().split(" ", 1)[0]: d.strip() for d in h["content-security-policy"].split(";")}
    assert csp["default-src"] == "default-src 'none'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["form-action"] == "form-action 'none'"
    assert "unsafe-inline" not in csp["style-src"]
    assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer" and h["cache-control"] == "no-store"
    # the one style sheet the page has is the one the policy allows, by hash
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp["style-src"]


def test_api_answers_are_nosniff_and_not_stored(person: Holder, issuer: RunningIssuer) -> None:
    for r in (person.get("/api/v1/me"), issuer.get("/api/v1/policy"), issuer.get("/api/v1/me"),
              issuer.get("/.well-known/est/cacerts"),
              person.post("/.well-known/est/simplereenroll", data=base64.b64encode(csr_der(rsa_key())),
                          headers={"Content-Type": "application/pkcs10"})):
        h = _headers(r)
        assert h["x-content-type-options"] == "nosniff" and h["cache-control"] == "no-store", (r.url, h)
