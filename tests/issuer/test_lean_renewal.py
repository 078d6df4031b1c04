"""The lean renewal path (issue 17): a few Core statements per renewal, no ORM objects, every rule kept.

In process (no HTTP): the service over a SQLite data folder, with a clock the tests move. A later
change that brings the ORM back into the renewal (objects loaded, more statements) fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from issuer_harness import TEST_CA_KEY_BITS, csr_der, pin_from_letter, renewal_csr_der
from sqlalchemy import event

from app.policy import Refusal
from issuer.db import Certificate, User
from issuer.problems import Problem


class MovingClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def tick(self) -> None:
        self.moment += timedelta(seconds=1)


@dataclass
class Setting:
    svc: Any
    clock: MovingClock
    org: int


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setting]:
    from issuer.bootstrap import init_issuer, open_service

    data = Path(tmp_path_factory.mktemp("lean")) / "data"
    clock = MovingClock()
    # renewal open from the start: the window is as long as the validity
    init_issuer(data, name="ZorgCert Demo", hostnames=["localhost"], ips=["127.0.0.1"], clock=clock,
                durations={"validity": "P2Y", "renewal_window": "P2Y", "install_window": "P60D",
                           "max_pin_attempts": 5}, ca_key_bits=TEST_CA_KEY_BITS)
    svc = open_service(data, clock=clock)
    org = svc.add_organisation("Huisartsenpraktijk De Linde", "01234567")
    svc.sign_agreement(org)
    yield Setting(svc, clock, org)


def holder(s: Setting, kind: str = "personal") -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    new = s.svc.add_user(org_id=s.org, kind=kind, name="Anna de Vries", email="anna@example.nl")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = s.svc.enroll_with_pin(new.user_number, pin_from_letter(Path(new.letter)), csr_der(key))
    s.clock.tick()
    return key, cert


def renew(s: Setting, key: Any, cert: x509.Certificate, **kw: Any) -> x509.Certificate:
    new: x509.Certificate = s.svc.renew(cert.public_bytes(Encoding.DER), renewal_csr_der(key, cert), **kw)
    return new


def refused(code: Refusal, s: Setting, key: Any, cert: x509.Certificate, **kw: Any) -> Problem:
    with pytest.raises(Problem) as caught:
        renew(s, key, cert, **kw)
    assert caught.value.code is code, caught.value
    return caught.value


def test_a_renewal_is_three_statements_and_loads_no_orm_object(setting: Setting) -> None:
    key, cert = holder(setting)
    engines = list(dict.fromkeys([setting.svc._sessions.kw["bind"], setting.svc._write_sessions.kw["bind"]]))
    sent: list[str] = []
    loaded: list[object] = []

    def statement(_conn: Any, _cursor: Any, text: str, *_a: Any) -> None:
        sent.append(" ".join(text.split())[:60])

    def load(target: object, _context: Any) -> None:
        loaded.append(target)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", statement)
    for model in (User, Certificate):
        event.listen(model, "load", load)
    try:
        new = renew(setting, key, cert)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", statement)
        for model in (User, Certificate):
            event.remove(model, "load", load)
    assert new.subject == cert.subject
    # BEGIN IMMEDIATE, one select (certificate, holder, newer?), one insert; on PostgreSQL one lock more
    assert len(sent) <= 3, sent
    assert [text.split()[0] for text in sent] == ["BEGIN", "SELECT", "INSERT"], sent
    assert loaded == []


def test_the_lean_path_keeps_the_rules(setting: Setting) -> None:
    key, cert = holder(setting)
    # the wrong EST label's kind (told to the holder of the certificate)
    assert refused(Refusal.NOT_AUTHORISED, setting, key, cert, kind="system").extensions["kind"] == "personal"
    # renewed: the new certificate carries the identity and the e-mail of a personal certificate, and
    # the old one, superseded a second later, renews no more
    new = renew(setting, key, cert, kind="personal")
    assert new.subject == cert.subject and new.serial_number != cert.serial_number
    san = new.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["anna@example.nl"]
    assert new.not_valid_after_utc == setting.clock.now().replace(year=2028)
    setting.clock.tick()
    refused(Refusal.SUPERSEDED, setting, key, cert)
    # a revoked certificate is never renewed (R9)
    setting.svc.revoke(serial_hex(new), "key-compromise")
    refused(Refusal.REVOKED, setting, key, new)


def test_a_certificate_not_issued_here_is_refused(setting: Setting) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "elsewhere")])
    now = setting.clock.now()
    stranger = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now)
                .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    assert "not issued here" in str(refused(Refusal.NOT_AUTHORISED, setting, key, stranger))


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def test_a_pin_install_decides_on_the_newest_certificate(setting: Setting) -> None:
    """R7 after a renewal: the renewed certificate (not the first, expired by then) is what counts."""
    new = setting.svc.add_user(org_id=setting.org, kind="personal", name="Bram Jansen", email="bram@example.nl")
    pin = pin_from_letter(Path(new.letter))
    key = ec.generate_private_key(ec.SECP256R1())
    first = setting.svc.enroll_with_pin(new.user_number, pin, csr_der(key))
    setting.clock.tick()
    renewed = renew(setting, key, first)
    started = setting.clock.moment
    try:
        setting.clock.moment = first.not_valid_after_utc  # the first has just expired, the renewal has not
        assert setting.clock.moment < renewed.not_valid_after_utc
        with pytest.raises(Problem) as caught:
            setting.svc.enroll_with_pin(new.user_number, pin, csr_der(key))
        assert caught.value.code is Refusal.STILL_VALID, caught.value
    finally:
        setting.clock.moment = started
