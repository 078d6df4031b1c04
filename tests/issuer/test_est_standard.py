"""The issuer as a plain RFC 7030 server: ``serve --est-only`` answers nothing but ``/.well-known/est/*``.

What a foreign EST server would offer, so the client can be tested against the standard alone
(issue 14). The JSON API, the portal and every other path answer 404 with a problem document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from issuer_harness import API_HEADERS, Holder, RunningIssuer, certs_from_pkcs7_b64, problem, start_issuer

EST = "/.well-known/est"


@pytest.fixture(scope="module")
def est_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("est-only")) / "data", est_only=True)
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
