"""The lifecycle rules R1-R13 as pure functions, shared by the issuer and the app.

Nothing here reads the clock, the network or a file: every function takes ``now``
(an aware UTC datetime) and the facts it needs, so the issuer can enforce a rule and
the app can explain or predict it with the very same code.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

import isodate

Span: TypeAlias = timedelta | isodate.Duration  # explicit: isodate has no types
"""A policy duration: calendar-aware (``P2Y``, ``P1M``) or exact (``PT20S``)."""


def parse_span(text: str) -> Span:
    """Parse an ISO 8601 duration such as ``P2Y``, ``P1M``, ``P60D`` or ``PT20S``."""
    try:
        span = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError, TypeError) as exc:
        raise ValueError(f"not an ISO 8601 duration: {text!r}") from exc
    probe = datetime(2000, 1, 1)
    try:
        positive = probe + span > probe
    except OverflowError:
        raise ValueError(f"duration too long: {text!r}") from None
    if not positive:
        raise ValueError(f"duration must be positive: {text!r}")
    return span


def format_span(span: Span) -> str:
    """The ISO 8601 text of a duration (inverse of ``parse_span``)."""
    return str(isodate.duration_isoformat(span))


@dataclass(frozen=True)
class Durations:
    """The issuer's lifecycle settings; real values are P2Y / P1M / P60D / 5."""

    validity: Span
    renewal_window: Span
    install_window: Span
    max_pin_attempts: int = 5

    @classmethod
    @functools.cache  # status reads the same three texts for every certificate: parsed once
    def from_iso(
        cls, *, validity: str, renewal_window: str, install_window: str, max_pin_attempts: int = 5
    ) -> Durations:
        """Build from ISO 8601 texts as found in ``issuer.toml`` and ``/api/v1/policy``."""
        if max_pin_attempts < 1:
            raise ValueError("max_pin_attempts must be at least 1")
        return cls(parse_span(validity), parse_span(renewal_window), parse_span(install_window), max_pin_attempts)

    def as_iso(self) -> dict[str, str | int]:
        """The settings as ISO 8601 texts (the ``/api/v1/policy`` body)."""
        return {
            "validity": format_span(self.validity),
            "renewal_window": format_span(self.renewal_window),
            "install_window": format_span(self.install_window),
            "max_pin_attempts": self.max_pin_attempts,
        }


REAL_DURATIONS = Durations.from_iso(validity="P2Y", renewal_window="P1M", install_window="P60D")


def whole_seconds(moment: datetime) -> datetime:
    """``moment`` without microseconds: X.509 times have one-second precision."""
    return moment.replace(microsecond=0)


# --- certificates -----------------------------------------------------------------


class CertState(enum.StrEnum):
    """What a certificate is now, in the words the CLI and UI show."""

    VALID = "valid"
    RENEWAL_OPEN = "renewal-open"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOST = "lost"  # known to the wallet, gone from the store: only the app can tell


def valid_until(start: datetime, durations: Durations) -> datetime:
    """R4/R5/R6: a certificate (re)installed or renewed at ``start`` is valid until this."""
    return whole_seconds(start) + durations.validity


def renewal_opens_at(not_after: datetime, durations: Durations) -> datetime:
    """R5: the first moment the holder may renew a certificate ending at ``not_after``."""
    return not_after - durations.renewal_window


def certificate_state(*, not_after: datetime, revoked: bool, durations: Durations, now: datetime) -> CertState:
    """The state of a certificate as the issuer sees it (never ``LOST``)."""
    if revoked:
        return CertState.REVOKED
    if now >= not_after:
        return CertState.EXPIRED
    if now >= renewal_opens_at(not_after, durations):
        return CertState.RENEWAL_OPEN
    return CertState.VALID


# --- refusals ---------------------------------------------------------------------


class Refusal(enum.StrEnum):
    """Stable codes of the issuer's refusals; the last part of a problem's ``type``."""

    PIN_INVALID = "pin-invalid"
    USER_BLOCKED = "user-blocked"
    INSTALL_WINDOW_EXPIRED = "install-window-expired"
    STILL_VALID = "still-valid"
    RENEWAL_NOT_OPEN = "renewal-not-open"
    REVOKED = "revoked"
    NO_AGREEMENT = "no-agreement"
    NOT_AUTHORISED = "not-authorised"
    NOT_APPROVED = "not-approved"
    BAD_REQUEST = "bad-request"
    NOT_FOUND = "not-found"
    CERTIFICATE_EXPIRED = "certificate-expired"
    SUPERSEDED = "certificate-superseded"


@dataclass(frozen=True)
class Decision:
    """Whether an enrollment may go ahead, and if not why (with the facts to explain it)."""

    allowed: bool
    action: str | None = None  # "install" | "reinstall" | "renew"
    refusal: Refusal | None = None
    opens_at: datetime | None = None

    @classmethod
    def allow(cls, action: str) -> Decision:
        return cls(True, action=action)

    @classmethod
    def refuse(cls, refusal: Refusal, opens_at: datetime | None = None) -> Decision:
        return cls(False, refusal=refusal, opens_at=opens_at)


@dataclass(frozen=True)
class HolderFacts:
    """What the issuer knows about a user number when asked to enroll it."""

    approved_at: datetime | None  # None: still waiting for the issuer's approval (R1)
    blocked: bool  # R12
    ever_installed: bool
    current_not_after: datetime | None  # the newest certificate, if any
    current_revoked: bool
    revocation_final: bool  # R9 revocations are final; R7 "lost" revocations by Support are not


def pin_enrollment(facts: HolderFacts, durations: Durations, now: datetime) -> Decision:
    """R3, R4, R6, R7, R9, R12: may this user number get a certificate with its PIN now?

    Called after the PIN was checked; ``blocked`` is checked before the PIN too.
    """
    if facts.approved_at is None:
        return Decision.refuse(Refusal.NOT_APPROVED)
    if facts.blocked:
        return Decision.refuse(Refusal.USER_BLOCKED)
    if not facts.ever_installed:
        if now >= facts.approved_at + durations.install_window:
            return Decision.refuse(Refusal.INSTALL_WINDOW_EXPIRED)
        return Decision.allow("install")
    if facts.current_revoked:
        if facts.revocation_final:
            return Decision.refuse(Refusal.REVOKED)
        return Decision.allow("install")
    assert facts.current_not_after is not None
    if now < facts.current_not_after:
        return Decision.refuse(Refusal.STILL_VALID)
    return Decision.allow("reinstall")


def renewal(*, not_after: datetime, revoked: bool, is_current: bool, durations: Durations, now: datetime) -> Decision:
    """R5/R9: may the holder of this (TLS-authenticated) certificate renew it now?"""
    if revoked:
        return Decision.refuse(Refusal.REVOKED)
    if not is_current:
        # an older certificate that was already renewed: the newer one renews
        return Decision.refuse(Refusal.NOT_AUTHORISED)
    if now >= not_after:
        return Decision.refuse(Refusal.CERTIFICATE_EXPIRED)  # R6: reinstall with the PIN instead
    opens = renewal_opens_at(not_after, durations)
    if now < opens:
        return Decision.refuse(Refusal.RENEWAL_NOT_OPEN, opens_at=opens)
    return Decision.allow("renew")


def install_deadline(approved_at: datetime, durations: Durations) -> datetime:
    """R3: the moment after which an uninstalled certificate is deleted by the issuer."""
    return approved_at + durations.install_window


def pin_attempts_left(failed_attempts: int, durations: Durations) -> int:
    """R12: wrong PINs the user may still type before the user number is blocked."""
    return max(durations.max_pin_attempts - failed_attempts, 0)


# --- user numbers -----------------------------------------------------------------

USER_NUMBER_DIGITS = 14
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: int() would accept other scripts' digits


def _luhn_check_digit(body: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def make_user_number(body13: str) -> str:
    """A user number: 13 digits (no leading zero) and a Luhn check digit, so typos are caught offline."""
    if len(body13) != USER_NUMBER_DIGITS - 1 or not _DIGITS.fullmatch(body13) or body13[0] == "0":
        raise ValueError("a user number body is 13 digits without a leading zero")
    return body13 + str(_luhn_check_digit(body13))


def normalise_user_number(text: str) -> str:
    """The user number as typed (spaces, dots and dashes allowed) reduced to its 14 digits."""
    return re.sub(r"[\s.\-]", "", text)


def is_valid_user_number(text: str) -> bool:
    """True for 14 digits whose last one is the Luhn check digit of the others."""
    n = normalise_user_number(text)
    if len(n) != USER_NUMBER_DIGITS or not _DIGITS.fullmatch(n) or n[0] == "0":
        return False
    return _luhn_check_digit(n[:-1]) == int(n[-1])
