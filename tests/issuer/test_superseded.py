"""Only the holder's current certificate authenticates: after a renewal the old one is refused everywhere.

Over real TLS against the real issuer: ``/api/v1/me``, the portal, the contact-person API, the
message box and renewal all answer 403 ``certificate-superseded`` to the replaced certificate,
and it cannot revoke its successor. Crash recovery's by-key lookup needs no certificate, so
no overlap is needed (docs/issuer.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from issuer_harness import Holder, RunningIssuer, problem, rsa_key, start_issuer

from issuer.ca import public_key_fingerprint


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    # the renewal window is the whole validity: a renewal is allowed straight after install
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data", validity="PT2H",
                           renewal_window="PT2H", install_window="PT1H")
    yield running
    running.stop()


def test_the_replaced_certificate_authenticates_nowhere(issuer: RunningIssuer, tmp_path: Path) -> None:
    org = issuer.organisation("Praktijk Vervangen")
    number, pin = issuer.user(org, name="Vera Vervangen", contact_person=True)
    old = Holder(issuer, tmp_path / "old")
    old.take(issuer.enroll(number, pin, old.key))
    assert old.get("/api/v1/me").status_code == 200
    time.sleep(1.05 - time.time() % 1)  # the renewal is issued in a later second than the install

    new = Holder(issuer, tmp_path / "new")
    new.cert = old.cert
    new.take(old.renew(new.key))
    # the renewal install picks its certificate up without any client certificate (crash recovery)
    assert issuer.get(f"/api/v1/certificates/by-key/{public_key_fingerprint(new.key.public_key())}").ok

    for path in ("/api/v1/me", "/portal/", "/api/v1/org/users", "/api/v1/messages"):
        body = problem(old.get(path), 403, "certificate-superseded")
        assert "newer" in body["detail"], path
    problem(old.renew(rsa_key()), 403, "certificate-superseded")
    attempt = old.request("POST", f"/api/v1/org/users/{number}/revoke", json={"reason": "key-compromise"})
    assert attempt.status_code == 403

    me = new.get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["certificate"]["state"] in ("valid", "renewal-open")  # not revoked by the old one
    for path in ("/portal/", "/api/v1/org/users", "/api/v1/messages"):
        assert new.get(path).status_code == 200, path
