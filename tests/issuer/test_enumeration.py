"""Enumeration at simpleenroll: until the PIN is verified, every user number answers alike.

Unknown, pending, purged, blocked and known numbers get the same status, the same problem
body (same members, same values) and the same hash work for a wrong PIN; the state of a
number is only told to a caller who typed its PIN (docs/issuer.md, "Enumeration").
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from issuer_harness import Holder, RunningIssuer, csr_der, pin_from_letter, problem, rsa_key

from app.policy import make_user_number
from issuer.bootstrap import open_service
from issuer.core import Holder as Caller
from issuer.problems import Problem

EST_ENROLL = "/.well-known/est/simpleenroll"
HEADERS = {"Content-Type": "application/pkcs10"}


class LateClock:
    """The wall clock moved past the 60-day install window (to purge in-process)."""

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(days=61)


def unknown_number() -> str:
    return make_user_number(str(secrets.randbelow(9 * 10**12) + 10**12))


def wrong(pin: str) -> str:
    return str((int(pin[0]) + 1) % 10) + pin[1:]


@dataclass
class States:
    numbers: dict[str, str]  # state -> user number
    pins: dict[str, str]  # state -> the right PIN, where there is one


@pytest.fixture(scope="module")
def csr() -> bytes:
    return base64.b64encode(csr_der(rsa_key()))


@pytest.fixture(scope="module")
def make_states(issuer: RunningIssuer, tmp_path_factory: pytest.TempPathFactory, csr: bytes) -> Callable[[], States]:
    """A factory: each call makes one fresh user number in each state, none tried yet."""
    svc = open_service(issuer.data)
    org = svc.add_organisation("Praktijk Opsomming", "01234567")
    svc.sign_agreement(org)
    folder = Path(tmp_path_factory.mktemp("enumeration"))
    cp_new = svc.add_user(org_id=org, kind="personal", name="Carla Contact", email="cp@example.nl", contact_person=True)
    assert cp_new.letter is not None
    cp_number = cp_new.user_number
    count = 0

    def make() -> States:
        nonlocal count
        count += 1
        numbers, pins = {}, {}

        def add(state: str, kind: str = "personal") -> None:
            new = svc.add_user(org_id=org, kind=kind, name=f"{state} {count}", email="u@example.nl")
            assert new.letter is not None
            numbers[state], pins[state] = new.user_number, pin_from_letter(new.letter)

        # purged first: the late purge takes every approved, uninstalled user of this organisation
        add("purged")
        assert numbers["purged"] in open_service(issuer.data, clock=LateClock()).purge()
        add("approved")
        add("system", kind="system")
        add("installed")
        holder = Holder(issuer, folder / f"installed-{count}")
        holder.take(issuer.enroll(numbers["installed"], pins["installed"], holder.key))
        add("blocked")
        for _ in range(5):
            issuer.post(EST_ENROLL, auth=(numbers["blocked"], wrong(pins["blocked"])), data=csr, headers=HEADERS)
        pending = svc.request_user(
            Caller(cp_number, "0"), kind="personal", name=f"pending {count}", email="p@example.nl"
        )
        numbers["pending"] = pending["user_number"]
        numbers["unknown"] = unknown_number()
        return States(numbers, pins)

    return make


def enroll(issuer: RunningIssuer, number: str, pin: str, csr: bytes) -> requests.Response:
    return issuer.post(EST_ENROLL, auth=(number, pin), data=csr, headers=HEADERS)


def shape(r: requests.Response) -> tuple[int, str, dict[str, Any], str | None]:
    return r.status_code, r.headers["Content-Type"], r.json(), r.headers.get("WWW-Authenticate")


def test_a_wrong_pin_gets_the_same_answer_whatever_the_number(
    issuer: RunningIssuer, make_states: Callable[[], States], csr: bytes
) -> None:
    states = make_states()
    fresh = {s: n for s, n in states.numbers.items() if s != "blocked"}
    answers = {
        s: enroll(issuer, n, wrong(states.pins[s]) if s in states.pins else "00000000", csr) for s, n in fresh.items()
    }

    reference = shape(answers["unknown"])
    body = problem(answers["unknown"], 401, "pin-invalid")
    assert body["attempts_left"] == 4
    for state, answer in answers.items():
        assert shape(answer) == reference, (state, answer.text)

    # a blocked number answers as any number whose count is used up, the unknown one included
    unknown = states.numbers["unknown"]
    lefts = [enroll(issuer, unknown, "00000000", csr) for _ in range(3)]
    assert [problem(r, 401, "pin-invalid")["attempts_left"] for r in lefts] == [3, 2, 1]
    exhausted = enroll(issuer, unknown, "00000000", csr)
    problem(exhausted, 403, "user-blocked")
    assert set(exhausted.json()) == {"type", "title", "status", "detail", "code"}  # no kind: no `unblocked_by`
    blocked = enroll(issuer, states.numbers["blocked"], wrong(states.pins["blocked"]), csr)
    assert shape(blocked) == shape(exhausted) == shape(enroll(issuer, unknown, "00000000", csr))
    # and the right PIN of a blocked number tells no more than a wrong one: no PIN oracle
    assert shape(enroll(issuer, states.numbers["blocked"], states.pins["blocked"], csr)) == shape(blocked)


def test_the_state_is_told_after_the_right_pin(
    issuer: RunningIssuer, make_states: Callable[[], States], csr: bytes
) -> None:
    states = make_states()
    body = problem(enroll(issuer, states.numbers["purged"], states.pins["purged"], csr), 410, "install-window-expired")
    assert "deadline" in body
    body = problem(enroll(issuer, states.numbers["installed"], states.pins["installed"], csr), 409, "still-valid")
    assert "valid_until" in body
    # the wrong PINs before it cost attempts; the right one resets the count
    problem(enroll(issuer, states.numbers["approved"], wrong(states.pins["approved"]), csr), 401, "pin-invalid")
    answer = enroll(issuer, states.numbers["approved"], states.pins["approved"], csr)
    assert answer.status_code == 200, answer.text


def test_every_number_costs_the_same_hash_work(
    issuer: RunningIssuer, make_states: Callable[[], States], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Structural: one scrypt of the same cost per attempt, for every kind of number."""
    states = make_states()
    svc = open_service(issuer.data)
    calls: list[tuple[int, int, int]] = []
    real = hashlib.scrypt

    def counting(password: bytes, *, salt: bytes, n: int, r: int, p: int, **kw: Any) -> bytes:
        calls.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, **kw)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    der = csr_der(rsa_key())
    work = {}
    for state, number in states.numbers.items():
        calls.clear()
        with pytest.raises(Problem):
            svc.enroll_with_pin(number, "00000000", der)
        work[state] = list(calls)
    assert all(len(w) == 1 for w in work.values()), work
    assert len(set(map(tuple, work.values()))) == 1, work


def test_timing_of_unknown_and_known_numbers_is_comparable(
    issuer: RunningIssuer, make_states: Callable[[], States], csr: bytes
) -> None:
    """Coarse: medians of a few interleaved requests, within a factor of two (2-core machine, noisy)."""
    states = make_states()
    known = states.numbers["approved"]
    session = requests.Session()  # one TLS connection: the handshake is not what we measure

    def timed(number: str) -> float:
        start = time.perf_counter()
        r = session.post(
            issuer.url + EST_ENROLL, auth=(number, "00000000"), data=csr, headers=HEADERS, verify=issuer.ca, timeout=30
        )
        elapsed = time.perf_counter() - start
        assert r.status_code in (401, 403), r.text
        return elapsed

    timed(unknown_number())  # warm up the connection
    unknown_times, known_times = [], []
    for _ in range(5):
        unknown_times.append(timed(unknown_number()))
        known_times.append(timed(known))
    ratio = statistics.median(unknown_times) / statistics.median(known_times)
    assert 0.5 <= ratio <= 2, (unknown_times, known_times)
