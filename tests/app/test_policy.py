"""Table-driven tests of the pure lifecycle rules in ``app.policy`` (DOMAIN.md R3-R7, R9, R12).

Every test runs at fixed, aware UTC instants: nothing here reads the real clock.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import isodate
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.policy import (
    REAL_DURATIONS,
    CertState,
    Decision,
    Durations,
    HolderFacts,
    Refusal,
    certificate_state,
    format_span,
    install_deadline,
    is_valid_user_number,
    make_user_number,
    normalise_user_number,
    parse_span,
    pin_attempts_left,
    pin_enrollment,
    renewal,
    renewal_opens_at,
    valid_until,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SECOND = timedelta(seconds=1)
FAST = Durations.from_iso(validity="PT20S", renewal_window="PT5S", install_window="PT30S", max_pin_attempts=3)


# --- spans and durations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("P2Y", isodate.Duration(years=2), id="two-years"),
        pytest.param("P1M", isodate.Duration(months=1), id="one-month"),
        pytest.param("P60D", timedelta(days=60), id="sixty-days"),
        pytest.param("PT20S", timedelta(seconds=20), id="twenty-seconds"),
    ],
)
def test_parse_span_and_round_trip(text: str, expected: isodate.Duration | timedelta) -> None:
    span = parse_span(text)
    assert span == expected
    assert format_span(span) == text
    assert parse_span(format_span(span)) == span


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("2Y", id="no-P"),
        pytest.param("P", id="bare-P"),
        pytest.param("two years", id="words"),
        pytest.param("P1Q", id="unknown-unit"),
        pytest.param("P0D", id="zero-days"),
        pytest.param("PT0S", id="zero-seconds"),
        pytest.param("P0Y", id="zero-years"),
        pytest.param("-P1D", id="negative-days"),
        pytest.param("-P1M", id="negative-month"),
        pytest.param("-PT20S", id="negative-seconds"),
    ],
)
def test_parse_span_rejects_invalid_zero_and_negative(text: str) -> None:
    with pytest.raises(ValueError):
        parse_span(text)


def test_parse_span_rejects_non_text() -> None:
    with pytest.raises(ValueError):
        parse_span(None)  # type: ignore[arg-type]


def test_parse_span_rejects_overflowing_duration_with_value_error() -> None:
    with pytest.raises(ValueError):
        parse_span("P999999999D")


def test_real_durations_as_iso() -> None:
    assert REAL_DURATIONS.as_iso() == {
        "validity": "P2Y",
        "renewal_window": "P1M",
        "install_window": "P60D",
        "max_pin_attempts": 5,
    }


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param(
            {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D", "max_pin_attempts": 5}, id="real"
        ),
        pytest.param(
            {"validity": "PT20S", "renewal_window": "PT5S", "install_window": "PT30S", "max_pin_attempts": 3},
            id="fast",
        ),
        pytest.param(
            {"validity": "P1Y", "renewal_window": "P14D", "install_window": "P1M", "max_pin_attempts": 1}, id="mixed"
        ),
    ],
)
def test_durations_from_iso_as_iso_round_trip(settings: dict[str, str | int]) -> None:
    durations = Durations.from_iso(**settings)  # type: ignore[arg-type]
    assert durations.as_iso() == settings
    assert Durations.from_iso(**durations.as_iso()) == durations  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"validity": "P0Y"}, id="zero-validity"),
        pytest.param({"renewal_window": "-P1M"}, id="negative-window"),
        pytest.param({"install_window": "sixty days"}, id="bad-install-window"),
        pytest.param({"max_pin_attempts": 0}, id="zero-attempts"),
        pytest.param({"max_pin_attempts": -1}, id="negative-attempts"),
    ],
)
def test_durations_from_iso_rejects(settings: dict[str, str | int]) -> None:
    base: dict[str, str | int] = {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"}
    with pytest.raises(ValueError):
        Durations.from_iso(**{**base, **settings})  # type: ignore[arg-type]


# --- certificate dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "durations", "expected"),
    [
        pytest.param(utc(2025, 6, 1, 9, 30), REAL_DURATIONS, utc(2027, 6, 1, 9, 30), id="plain"),
        pytest.param(utc(2024, 2, 29, 12), REAL_DURATIONS, utc(2026, 2, 28, 12), id="leap-day"),
        pytest.param(utc(2023, 3, 1), REAL_DURATIONS, utc(2025, 3, 1), id="first-of-march"),
        pytest.param(utc(2025, 12, 31, 23, 59, 59), REAL_DURATIONS, utc(2027, 12, 31, 23, 59, 59), id="year-end"),
        pytest.param(
            utc(2025, 6, 1, 9, 30, 15, 999_999), REAL_DURATIONS, utc(2027, 6, 1, 9, 30, 15), id="microseconds-dropped"
        ),
        pytest.param(utc(2025, 6, 1, 9, 30), FAST, utc(2025, 6, 1, 9, 30, 20), id="pt20s"),
        pytest.param(utc(2025, 12, 31, 23, 59, 50), FAST, utc(2026, 1, 1, 0, 0, 10), id="pt20s-over-new-year"),
        pytest.param(utc(2025, 6, 1, 9, 30, 0, 500_000), FAST, utc(2025, 6, 1, 9, 30, 20), id="pt20s-microseconds"),
    ],
)
def test_valid_until(start: datetime, durations: Durations, expected: datetime) -> None:
    result = valid_until(start, durations)
    assert result == expected
    assert result.microsecond == 0
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("not_after", "durations", "expected"),
    [
        pytest.param(utc(2027, 6, 15, 8), REAL_DURATIONS, utc(2027, 5, 15, 8), id="mid-month"),
        pytest.param(utc(2025, 3, 31, 10), REAL_DURATIONS, utc(2025, 2, 28, 10), id="31-mar-to-28-feb"),
        pytest.param(utc(2024, 3, 31, 10), REAL_DURATIONS, utc(2024, 2, 29, 10), id="31-mar-to-29-feb-leap"),
        pytest.param(utc(2026, 1, 15, 12), REAL_DURATIONS, utc(2025, 12, 15, 12), id="15-jan-to-15-dec"),
        pytest.param(utc(2025, 5, 31), REAL_DURATIONS, utc(2025, 4, 30), id="31-may-to-30-apr"),
        pytest.param(utc(2025, 6, 1, 9, 30, 20), FAST, utc(2025, 6, 1, 9, 30, 15), id="pt5s"),
    ],
)
def test_renewal_opens_at(not_after: datetime, durations: Durations, expected: datetime) -> None:
    assert renewal_opens_at(not_after, durations) == expected


@pytest.mark.parametrize(
    ("approved_at", "durations", "expected"),
    [
        pytest.param(utc(2025, 1, 1, 10), REAL_DURATIONS, utc(2025, 3, 2, 10), id="60-days"),
        pytest.param(utc(2024, 1, 1, 10), REAL_DURATIONS, utc(2024, 3, 1, 10), id="60-days-leap-year"),
        pytest.param(utc(2025, 6, 1, 9, 30), FAST, utc(2025, 6, 1, 9, 30, 30), id="pt30s"),
    ],
)
def test_install_deadline(approved_at: datetime, durations: Durations, expected: datetime) -> None:
    assert install_deadline(approved_at, durations) == expected


@pytest.mark.parametrize(
    ("failed", "durations", "expected"),
    [
        pytest.param(0, REAL_DURATIONS, 5, id="none-failed"),
        pytest.param(1, REAL_DURATIONS, 4, id="one-failed"),
        pytest.param(4, REAL_DURATIONS, 1, id="last-chance"),
        pytest.param(5, REAL_DURATIONS, 0, id="blocked"),
        pytest.param(9, REAL_DURATIONS, 0, id="never-negative"),
        pytest.param(2, FAST, 1, id="fast-three-attempts"),
        pytest.param(7, FAST, 0, id="fast-never-negative"),
    ],
)
def test_pin_attempts_left(failed: int, durations: Durations, expected: int) -> None:
    assert pin_attempts_left(failed, durations) == expected


# --- certificate state ---------------------------------------------------------------------

NOT_AFTER = utc(2027, 6, 15, 8)  # renewal opens 2027-05-15 08:00


@pytest.mark.parametrize(
    ("now", "revoked", "expected"),
    [
        pytest.param(utc(2025, 6, 15, 8), False, CertState.VALID, id="just-issued"),
        pytest.param(utc(2027, 5, 15, 7, 59, 59), False, CertState.VALID, id="second-before-window"),
        pytest.param(utc(2027, 5, 15, 8), False, CertState.RENEWAL_OPEN, id="window-opens-exactly"),
        pytest.param(utc(2027, 6, 1), False, CertState.RENEWAL_OPEN, id="inside-window"),
        pytest.param(utc(2027, 6, 15, 7, 59, 59), False, CertState.RENEWAL_OPEN, id="last-second"),
        pytest.param(NOT_AFTER, False, CertState.EXPIRED, id="expires-exactly-at-not-after"),
        pytest.param(utc(2030, 1, 1), False, CertState.EXPIRED, id="long-expired"),
        pytest.param(utc(2025, 6, 15, 8), True, CertState.REVOKED, id="revoked-while-valid"),
        pytest.param(utc(2027, 6, 1), True, CertState.REVOKED, id="revoked-in-window"),
        pytest.param(utc(2030, 1, 1), True, CertState.REVOKED, id="revoked-and-expired"),
    ],
)
def test_certificate_state(now: datetime, revoked: bool, expected: CertState) -> None:
    assert certificate_state(not_after=NOT_AFTER, revoked=revoked, durations=REAL_DURATIONS, now=now) == expected


def test_certificate_state_with_fast_durations() -> None:
    start = utc(2025, 6, 1, 9, 30)
    not_after = valid_until(start, FAST)
    states = [
        certificate_state(not_after=not_after, revoked=False, durations=FAST, now=start + n * SECOND)
        for n in range(0, 22)
    ]
    assert states == [CertState.VALID] * 15 + [CertState.RENEWAL_OPEN] * 5 + [CertState.EXPIRED] * 2


# --- PIN enrollment ------------------------------------------------------------------------

APPROVED = utc(2025, 1, 1, 10)  # install window ends 2025-03-02 10:00
CURRENT_END = utc(2027, 2, 1, 10)


def facts(**changes: object) -> HolderFacts:
    """An approved, unblocked user number with an installed, unrevoked certificate ending CURRENT_END."""
    base: dict[str, object] = {
        "approved_at": APPROVED,
        "blocked": False,
        "ever_installed": True,
        "current_not_after": CURRENT_END,
        "current_revoked": False,
        "revocation_final": False,
    }
    return HolderFacts(**{**base, **changes})  # type: ignore[arg-type]


NEW = {"ever_installed": False, "current_not_after": None}


@pytest.mark.parametrize(
    ("holder", "now", "expected"),
    [
        pytest.param(
            facts(approved_at=None, **NEW), utc(2025, 1, 2), Decision.refuse(Refusal.NOT_APPROVED), id="not-approved"
        ),
        pytest.param(
            facts(approved_at=None, blocked=True, **NEW),
            utc(2025, 1, 2),
            Decision.refuse(Refusal.NOT_APPROVED),
            id="not-approved-and-blocked",
        ),
        pytest.param(
            facts(blocked=True, **NEW), utc(2025, 1, 2), Decision.refuse(Refusal.USER_BLOCKED), id="blocked-new"
        ),
        pytest.param(
            facts(blocked=True), utc(2028, 1, 1), Decision.refuse(Refusal.USER_BLOCKED), id="blocked-expired-cert"
        ),
        pytest.param(facts(**NEW), APPROVED, Decision.allow("install"), id="install-at-approval"),
        pytest.param(facts(**NEW), utc(2025, 2, 1), Decision.allow("install"), id="install-inside-window"),
        pytest.param(
            facts(**NEW), utc(2025, 3, 2, 9, 59, 59), Decision.allow("install"), id="install-last-second-of-window"
        ),
        pytest.param(
            facts(**NEW),
            utc(2025, 3, 2, 10),
            Decision.refuse(Refusal.INSTALL_WINDOW_EXPIRED),
            id="install-window-ends-exactly",
        ),
        pytest.param(
            facts(**NEW),
            utc(2025, 6, 1),
            Decision.refuse(Refusal.INSTALL_WINDOW_EXPIRED),
            id="install-window-long-over",
        ),
        pytest.param(facts(), utc(2026, 1, 1), Decision.refuse(Refusal.STILL_VALID), id="r7-still-valid"),
        pytest.param(
            facts(), utc(2027, 1, 15), Decision.refuse(Refusal.STILL_VALID), id="r7-still-valid-in-renewal-window"
        ),
        pytest.param(
            facts(), utc(2027, 2, 1, 9, 59, 59), Decision.refuse(Refusal.STILL_VALID), id="r7-last-second-valid"
        ),
        pytest.param(facts(), CURRENT_END, Decision.allow("reinstall"), id="r6-reinstall-at-expiry"),
        pytest.param(facts(), utc(2029, 1, 1), Decision.allow("reinstall"), id="r6-reinstall-long-after"),
        pytest.param(
            facts(current_revoked=True, revocation_final=True),
            utc(2026, 1, 1),
            Decision.refuse(Refusal.REVOKED),
            id="r9-revoked-final",
        ),
        pytest.param(
            facts(current_revoked=True, revocation_final=True),
            utc(2029, 1, 1),
            Decision.refuse(Refusal.REVOKED),
            id="r9-revoked-final-after-expiry",
        ),
        pytest.param(
            facts(current_revoked=True, revocation_final=False),
            utc(2026, 1, 1),
            Decision.allow("install"),
            id="r7-lost-revoked-by-support",
        ),
    ],
)
def test_pin_enrollment(holder: HolderFacts, now: datetime, expected: Decision) -> None:
    assert pin_enrollment(holder, REAL_DURATIONS, now) == expected


def test_pin_enrollment_with_fast_durations() -> None:
    approved = utc(2025, 6, 1, 9, 30)
    new = facts(approved_at=approved, **NEW)
    assert pin_enrollment(new, FAST, approved + 29 * SECOND) == Decision.allow("install")
    assert pin_enrollment(new, FAST, approved + 30 * SECOND) == Decision.refuse(Refusal.INSTALL_WINDOW_EXPIRED)
    end = valid_until(approved + 10 * SECOND, FAST)
    installed = facts(approved_at=approved, current_not_after=end)
    assert pin_enrollment(installed, FAST, end - SECOND) == Decision.refuse(Refusal.STILL_VALID)
    assert pin_enrollment(installed, FAST, end) == Decision.allow("reinstall")


# --- renewal -------------------------------------------------------------------------------

OPENS = renewal_opens_at(NOT_AFTER, REAL_DURATIONS)


@pytest.mark.parametrize(
    ("now", "revoked", "is_current", "expected"),
    [
        pytest.param(
            utc(2026, 1, 1), False, True, Decision.refuse(Refusal.RENEWAL_NOT_OPEN, opens_at=OPENS), id="long-before"
        ),
        pytest.param(
            OPENS - SECOND,
            False,
            True,
            Decision.refuse(Refusal.RENEWAL_NOT_OPEN, opens_at=OPENS),
            id="second-before-window",
        ),
        pytest.param(OPENS, False, True, Decision.allow("renew"), id="window-opens-exactly"),
        pytest.param(utc(2027, 6, 1), False, True, Decision.allow("renew"), id="inside-window"),
        pytest.param(NOT_AFTER - SECOND, False, True, Decision.allow("renew"), id="last-second"),
        pytest.param(NOT_AFTER, False, True, Decision.refuse(Refusal.CERTIFICATE_EXPIRED), id="expired-exactly"),
        pytest.param(utc(2029, 1, 1), False, True, Decision.refuse(Refusal.CERTIFICATE_EXPIRED), id="long-expired"),
        pytest.param(utc(2027, 6, 1), True, True, Decision.refuse(Refusal.REVOKED), id="revoked-in-window"),
        pytest.param(utc(2026, 1, 1), True, True, Decision.refuse(Refusal.REVOKED), id="revoked-before-window"),
        pytest.param(utc(2029, 1, 1), True, True, Decision.refuse(Refusal.REVOKED), id="revoked-and-expired"),
        pytest.param(utc(2026, 1, 1), True, False, Decision.refuse(Refusal.REVOKED), id="revoked-and-not-current"),
        pytest.param(utc(2027, 6, 1), False, False, Decision.refuse(Refusal.NOT_AUTHORISED), id="not-current"),
        pytest.param(
            utc(2029, 1, 1), False, False, Decision.refuse(Refusal.NOT_AUTHORISED), id="not-current-and-expired"
        ),
    ],
)
def test_renewal(now: datetime, revoked: bool, is_current: bool, expected: Decision) -> None:
    decision = renewal(not_after=NOT_AFTER, revoked=revoked, is_current=is_current, durations=REAL_DURATIONS, now=now)
    assert decision == expected


def test_renewal_not_open_tells_when_it_opens() -> None:
    decision = renewal(
        not_after=NOT_AFTER, revoked=False, is_current=True, durations=REAL_DURATIONS, now=utc(2026, 1, 1)
    )
    assert not decision.allowed
    assert decision.opens_at == renewal_opens_at(NOT_AFTER, REAL_DURATIONS) == utc(2027, 5, 15, 8)


# --- properties ----------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC))


@given(start=instants)
def test_state_around_expiry_property(start: datetime) -> None:
    not_after = valid_until(start, REAL_DURATIONS)
    assert not_after > start
    assert not_after.microsecond == 0

    def state(now: datetime) -> CertState:
        return certificate_state(not_after=not_after, revoked=False, durations=REAL_DURATIONS, now=now)

    assert state(not_after) is CertState.EXPIRED
    assert state(not_after - SECOND) is CertState.RENEWAL_OPEN
    assert state(renewal_opens_at(not_after, REAL_DURATIONS)) is CertState.RENEWAL_OPEN
    assert state(renewal_opens_at(not_after, REAL_DURATIONS) - SECOND) is CertState.VALID
    assert state(start) is CertState.VALID


@given(start=instants, now=instants)
def test_renewal_agrees_with_certificate_state_property(start: datetime, now: datetime) -> None:
    not_after = valid_until(start, REAL_DURATIONS)
    state = certificate_state(not_after=not_after, revoked=False, durations=REAL_DURATIONS, now=now)
    decision = renewal(not_after=not_after, revoked=False, is_current=True, durations=REAL_DURATIONS, now=now)
    expected = {
        CertState.VALID: Decision.refuse(
            Refusal.RENEWAL_NOT_OPEN, opens_at=renewal_opens_at(not_after, REAL_DURATIONS)
        ),
        CertState.RENEWAL_OPEN: Decision.allow("renew"),
        CertState.EXPIRED: Decision.refuse(Refusal.CERTIFICATE_EXPIRED),
    }
    assert decision == expected[state]


# --- user numbers --------------------------------------------------------------------------

BODIES = ["1234567890123", "9876543210987", "1000000000000", "5555555555555", "3141592653589", "2718281828459"]
SAMPLE = random.Random(20250601)
BODIES += [str(SAMPLE.randint(10**12, 10**13 - 1)) for _ in range(30)]
NUMBERS = [make_user_number(body) for body in BODIES]


@pytest.mark.parametrize(
    ("body", "number"),
    [
        # check digits worked out by hand with the Luhn algorithm
        pytest.param("1234567890123", "12345678901237", id="counting"),
        pytest.param("1000000000000", "10000000000008", id="one-and-zeros"),
        pytest.param("7992739871000", "79927398710004", id="wikipedia-prefix"),
    ],
)
def test_make_user_number_known_check_digits(body: str, number: str) -> None:
    assert make_user_number(body) == number
    assert is_valid_user_number(number)


@pytest.mark.parametrize("number", NUMBERS, ids=BODIES)
def test_make_user_number_is_valid(number: str) -> None:
    assert len(number) == 14 and number.isascii() and number.isdigit()
    assert number[0] != "0"
    assert is_valid_user_number(number)


@pytest.mark.parametrize("number", NUMBERS, ids=BODIES)
def test_every_single_digit_substitution_is_rejected(number: str) -> None:
    accepted = [
        typo
        for position in range(len(number))
        for digit in "0123456789"
        if digit != number[position]
        for typo in [number[:position] + digit + number[position + 1 :]]
        if is_valid_user_number(typo)
    ]
    assert accepted == []


def test_adjacent_transpositions_are_mostly_rejected() -> None:
    caught = tried = 0
    for number in NUMBERS:
        for i in range(len(number) - 1):
            if number[i] == number[i + 1]:
                continue
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            tried += 1
            caught += not is_valid_user_number(swapped)
    assert tried > 300
    assert caught / tried >= 0.9


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        pytest.param("12345678901237", "12345678901237", id="plain"),
        pytest.param("1234 5678 9012 37", "12345678901237", id="spaces"),
        pytest.param("1234.5678.9012.37", "12345678901237", id="dots"),
        pytest.param("1234-5678-9012-37", "12345678901237", id="dashes"),
        pytest.param(" 1234 - 5678.9012\t37\n", "12345678901237", id="mixed-and-padded"),
    ],
)
def test_normalise_user_number(typed: str, normalised: str) -> None:
    assert normalise_user_number(typed) == normalised
    assert is_valid_user_number(typed)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("1234567890123", id="13-digits"),
        pytest.param("123456789012370", id="15-digits"),
        pytest.param("12345678901238", id="wrong-check-digit"),
        pytest.param("1234567890123B", id="letter-as-check-digit"),
        pytest.param("12345678g01237", id="letter-inside"),
        pytest.param("+2345678901237", id="plus-sign"),
        pytest.param("1234_5678_9012_37", id="underscores"),
        pytest.param("1234/5678/9012/37", id="slashes"),
        # 0234567890123 has Luhn check digit 9, so this passes Luhn and fails only on the leading zero
        pytest.param("02345678901239", id="leading-zero"),
    ],
)
def test_is_valid_user_number_rejects(text: str) -> None:
    assert not is_valid_user_number(text)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="empty"),
        pytest.param("123456789012", id="12-digits"),
        pytest.param("12345678901234", id="14-digits"),
        pytest.param("0234567890123", id="leading-zero"),
        pytest.param("123456789012A", id="letter"),
        pytest.param("1234 56789012", id="space"),
        pytest.param("1234-56789012", id="dash"),
    ],
)
def test_make_user_number_rejects_bad_bodies(body: str) -> None:
    with pytest.raises(ValueError):
        make_user_number(body)


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("１２３４５６７８９０１２３７", id="fullwidth"),
        pytest.param("١٢٣٤٥٦٧٨٩٠١٢٣٧", id="arabic-indic"),
    ],
)
def test_is_valid_user_number_rejects_non_ascii_digits(number: str) -> None:
    assert not is_valid_user_number(number)


@given(body=st.integers(min_value=10**12, max_value=10**13 - 1).map(str))
def test_user_number_property(body: str) -> None:
    number = make_user_number(body)
    assert number[:13] == body and len(number) == 14
    assert is_valid_user_number(number)
    assert is_valid_user_number(f"{number[:4]} {number[4:8]}.{number[8:12]}-{number[12:]}")
    assert not is_valid_user_number(number[:13] + str((int(number[13]) + 1) % 10))
