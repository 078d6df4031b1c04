"""Issue 11 point 9: the client-certificate header counts only from proxies named on the command line.

Behind a TLS terminator the issuer takes the client certificate from a header. A certificate
is public, so whoever may set that header may act as anyone: only explicitly configured proxy
addresses may, there is no default, and without the mode the header means nothing.
"""

from __future__ import annotations

import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from issuer_harness import ISSUER, Holder, RunningIssuer, problem, serve_issuer


@pytest.fixture(scope="module")
def holder(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    number, pin = issuer.user(issuer.organisation("Praktijk Achter De Proxy"), name="Pim Proxy")
    h = Holder(issuer, Path(tmp_path_factory.mktemp("proxy")) / "h")
    cert = h.take(issuer.enroll(number, pin, h.key))
    return {"number": number, "header": urllib.parse.quote(cert.public_bytes(serialization.Encoding.PEM).decode())}


def _serve_fails(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([*ISSUER, "serve", "--data", str(data), "--port", "0", *args],
                              capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve {' '.join(args)} started instead of refusing")


def test_header_mode_needs_an_explicit_proxy(issuer: RunningIssuer) -> None:
    proc = _serve_fails(issuer.data, "--client-cert-header", "X-Client-Cert")
    assert proc.returncode == 2, proc.stderr
    assert "--client-cert-header needs --trusted-proxy" in proc.stderr and "no default" in proc.stderr
    proc = _serve_fails(issuer.data, "--client-cert-header", "X-Client-Cert", "--trusted-proxy", "proxy.local")
    assert proc.returncode == 2 and "not an IP address or network" in proc.stderr, proc.stderr
    proc = _serve_fails(issuer.data, "--trusted-proxy", "127.0.0.1")
    assert proc.returncode == 2 and "no use without --client-cert-header" in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def behind(issuer: RunningIssuer) -> Iterator[dict[str, RunningIssuer]]:
    """One server that trusts a proxy elsewhere, one that trusts loopback as a network."""
    servers = {
        "elsewhere": serve_issuer(issuer.data, ("--client-cert-header", "X-Client-Cert",
                                                "--trusted-proxy", "192.0.2.7")),
        "loopback": serve_issuer(issuer.data, ("--client-cert-header", "X-Client-Cert",
                                               "--trusted-proxy", "127.0.0.0/8", "--trusted-proxy", "::1")),
    }
    yield servers
    for s in servers.values():
        s.stop()


def test_header_from_another_address_authenticates_no_one(behind: dict[str, RunningIssuer],
                                                          holder: dict[str, Any]) -> None:
    """A local program is not the configured proxy: its header is ignored."""
    url = behind["elsewhere"].url
    r = requests.get(url + "/api/v1/me", headers={"X-Client-Cert": holder["header"]}, timeout=10)
    problem(r, 403, "not-authorised")
    assert holder["number"] not in r.text


def test_header_from_the_configured_proxy_counts(behind: dict[str, RunningIssuer],
                                                 holder: dict[str, Any]) -> None:
    """The control: from an address inside the configured network the same header logs in."""
    url = behind["loopback"].url
    me = requests.get(url + "/api/v1/me", headers={"X-Client-Cert": holder["header"]}, timeout=10)
    assert me.status_code == 200 and me.json()["user_number"] == holder["number"]


def test_a_system_certificate_without_subject_alt_name_counts_too(
        issuer: RunningIssuer, behind: dict[str, RunningIssuer], tmp_path_factory: pytest.TempPathFactory) -> None:
    """System certificates carry no subjectAltName; the forwarded-certificate check must not demand one."""
    number, pin = issuer.user(issuer.organisation("Praktijk Systeem Achter De Proxy"), kind="system",
                              name="Praktijksoftware")
    h = Holder(issuer, Path(tmp_path_factory.mktemp("proxy-system")) / "h")
    cert = h.take(issuer.enroll(number, pin, h.key))
    header = urllib.parse.quote(cert.public_bytes(serialization.Encoding.PEM).decode())
    me = requests.get(behind["loopback"].url + "/api/v1/me", headers={"X-Client-Cert": header}, timeout=10)
    assert me.status_code == 200 and me.json()["user_number"] == number, me.text


def test_without_the_mode_the_header_means_nothing(issuer: RunningIssuer, holder: dict[str, Any]) -> None:
    r = issuer.get("/api/v1/me", headers={"X-Client-Cert": holder["header"]})
    problem(r, 403, "not-authorised")
