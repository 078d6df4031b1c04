"""``app.lifecycle.deferred.repeat``: the very same request again, and what each answer does to the journal (issue 14).

A stand-in core (real journal, recording vault and client): renewals too, which the reference
issuer never defers (it defers enrollments with a PIN only).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.errors import EnrollmentDeferred, IssuerRefused, IssuerSaid, IssuerUnreachable
from app.lifecycle import deferred
from app.state.journal import Journal, Operation
from app.state.vault import Sealed

NOW = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
CSR = b"\x30\x03the-request"


@dataclass
class Clock:
    at: datetime = NOW

    def now(self) -> datetime:
        return self.at


@dataclass
class Vault:
    pins: dict[str, str] = field(default_factory=dict)
    sealed: dict[str, Sealed] = field(default_factory=dict)

    def open_pin(self, ident: str) -> str | None:
        return self.pins.get(ident)

    def wipe_pin(self, ident: str) -> None:
        self.pins.pop(ident, None)

    def get(self, ident: str) -> Sealed | None:
        return self.sealed.get(ident)


@dataclass
class Client:
    answers: list[Any]
    sent: list[tuple[str, Any, bytes]] = field(default_factory=list)

    def _answer(self) -> Any:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def simpleenroll(self, user: str, pin: str, csr: bytes) -> Any:
        self.sent.append(("simpleenroll", (user, pin), csr))
        return self._answer()

    def simplereenroll(self, cert: Any, key: Any, csr: bytes) -> Any:
        self.sent.append(("simplereenroll", cert.serial_number, csr))
        return self._answer()

    def cacerts(self) -> list[Any]:
        return []


class Core:
    def __init__(self, folder: Path, answers: list[Any]) -> None:
        self.clock = Clock()
        self.journal = Journal(folder)
        self.vault = Vault()
        self.client = Client(answers)
        self.done: list[str] = []

    def complete_repeated(self, op: Operation, cert: Any) -> None:
        self.done.append(f"issued {cert}")
        self.vault.wipe_pin(op.key_id)
        self.done.append("finished")
        self.journal.finish(op)

    def roll_back(self, op: Operation) -> None:
        self.done.append("rolled back")
        self.vault.wipe_pin(op.key_id)
        self.journal.finish(op)


def _op(kind: str = "install", stage: str = "deferred", **kw: Any) -> Operation:
    op = Operation(kind=kind, user_number="10000000000006", key_id="ab" * 32, stores=["auto"], stage=stage,
                   csr=base64.b64encode(CSR).decode(), next_attempt=(NOW - timedelta(seconds=1)).isoformat(),
                   retry_after=60, **kw)
    return op


def test_an_install_repeats_the_same_csr_with_the_sealed_pin_and_wipes_it(tmp_path: Path) -> None:
    core = Core(tmp_path, ["CERT"])
    op = _op()
    core.journal.save(op)
    core.vault.pins[op.key_id] = "4321"
    assert deferred.repeat(core, op) == "completed"  # type: ignore[arg-type]
    assert core.client.sent == [("simpleenroll", ("10000000000006", "4321"), CSR)]
    assert core.done == ["issued CERT", "finished"] and core.vault.pins == {}


def test_not_due_yet_sends_nothing(tmp_path: Path) -> None:
    core = Core(tmp_path, [])
    op = _op()
    op.next_attempt = (NOW + timedelta(seconds=30)).isoformat()
    assert deferred.repeat(core, op) == "deferred"  # type: ignore[arg-type]
    assert core.client.sent == []


def test_a_renewal_repeats_with_the_current_certificate(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    from app.enroll import identity

    key = identity.generate_key(identity.KeySpec("ec"))
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Eva Vernieuw")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW).not_valid_after(NOW + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    core = Core(tmp_path, [EnrollmentDeferred(retry_after="120"), "NEW"])
    op = _op(kind="renew", old_fingerprint="cd" * 32)
    core.vault.sealed[op.old_fingerprint] = Sealed(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()), cert.public_bytes(serialization.Encoding.DER), ())
    core.journal.save(op)
    assert deferred.repeat(core, op) == "deferred"  # type: ignore[arg-type]
    (saved,) = core.journal.pending()
    assert saved.next_attempt == (NOW + timedelta(seconds=120)).isoformat() and saved.retry_after == 120
    core.clock.at = NOW + timedelta(seconds=121)
    assert deferred.repeat(core, saved) == "completed"  # type: ignore[arg-type]
    assert [(what, serial, csr) for what, serial, csr in core.client.sent] == [
        ("simplereenroll", cert.serial_number, CSR)] * 2


@pytest.mark.parametrize(("stage", "answer", "result"), [
    ("deferred", IssuerRefused("pin-invalid"), "refused"),
    ("deferred", IssuerSaid(403, "denied"), "refused"),
    ("key-made", IssuerRefused("still-valid"), "lost-at-issuer"),
    ("key-made", IssuerRefused("pin-invalid"), "refused"),
])
def test_a_clear_no_rolls_back_and_wipes_the_pin(tmp_path: Path, stage: str, answer: Exception, result: str) -> None:
    core = Core(tmp_path, [answer])
    op = _op(stage=stage)
    core.journal.save(op)
    core.vault.pins[op.key_id] = "4321"
    assert deferred.repeat(core, op, due_only=stage == "deferred") == result  # type: ignore[arg-type]
    assert core.done == ["rolled back"] and core.vault.pins == {} and core.journal.pending() == []


def test_unreachable_keeps_a_deferred_request_and_tries_again_a_minute_later(tmp_path: Path) -> None:
    core = Core(tmp_path, [IssuerUnreachable("no connection")])
    op = _op()
    core.journal.save(op)
    core.vault.pins[op.key_id] = "4321"
    assert deferred.repeat(core, op) == "deferred"  # type: ignore[arg-type]
    (saved,) = core.journal.pending()
    assert saved.next_attempt == (NOW + deferred.UNREACHABLE_WAIT).isoformat() and core.vault.pins
    key_made = _op(stage="key-made")
    core.client.answers = [IssuerUnreachable("no connection")]
    with pytest.raises(IssuerUnreachable):  # key-made: nothing decided, asked again next time
        deferred.repeat(core, key_made, due_only=False)  # type: ignore[arg-type]
