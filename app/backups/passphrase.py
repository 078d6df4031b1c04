"""How strong a backup or PFX passphrase is: the meter's verdict while the user types, and the refusal of a weak one.

Pure and light (no key, no file, no ``cryptography``): fast enough for every key press.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app import policy
from app.errors import PassphraseMismatch, WeakPassphrase
from app.i18n import current_lang, t, tn
from app.state.wallet import Entry, Wallet
from backup import strength

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert


@dataclass(frozen=True)
class Strength:
    """What the UI shows while the user types: ``reason_key`` and ``suggestions`` are i18n keys."""

    ok: bool
    score: int  # 0-4 (zxcvbn)
    reason_key: str | None
    crack_time: str  # in words, at ten thousand guesses a second
    suggestions: list[str] = field(default_factory=list)
    crack_seconds: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)  # for the reason's sentence (min_length)


def crack_time_words(seconds: float, lang: str) -> str:
    """``ongeveer 3 dagen`` / ``about 3 days``."""
    minute, hour, day = 60, 3600, 86400
    month, year = 30 * day, 365 * day
    if seconds < minute:
        return t("passphrase.crack.instant", lang)
    for limit, unit, key in ((hour, minute, "minutes"), (day, hour, "hours"), (month, day, "days"),
                             (year, month, "months"), (100 * year, year, "years")):
        if seconds < limit:
            n = max(1, round(seconds / unit))
            return tn(f"passphrase.crack.{key}", n, lang, n=n)
    return t("passphrase.crack.centuries", lang)


def check_passphrase(
    passphrase: str,
    confirmation: str | None = None,
    *,
    user_inputs: Iterable[str] = (),
    lang: str | None = None,
) -> Strength:
    """How strong ``passphrase`` is for a backup (and whether ``confirmation`` matches it)."""
    lang = lang or current_lang()
    verdict = strength.assess(passphrase, user_inputs)
    reason_key = f"passphrase.weak.{verdict.reason}" if verdict.reason else None
    ok = verdict.ok
    if ok and confirmation is not None and confirmation != passphrase:
        ok, reason_key = False, "error.passphrase_mismatch"
    return Strength(
        ok=ok,
        score=verdict.score,
        reason_key=reason_key,
        crack_time=crack_time_words(verdict.crack_seconds, lang),
        suggestions=[f"passphrase.suggest.{s}" for s in verdict.suggestions],
        crack_seconds=verdict.crack_seconds,
        params={"min_length": strength.MIN_LENGTH},
    )


def require_strong(passphrase: str, confirmation: str | None = None, *, user_inputs: Iterable[str] = ()) -> None:
    """Raise ``WeakPassphrase`` or ``PassphraseMismatch`` unless the passphrase is fit for a backup."""
    verdict = strength.assess(passphrase, user_inputs)
    if not verdict.ok:
        assert verdict.reason is not None
        raise WeakPassphrase(verdict.reason, f"passphrase judged weak: {verdict.reason}",
                             min_length=strength.MIN_LENGTH)
    if confirmation is not None and confirmation != passphrase:
        raise PassphraseMismatch("the two passphrases differ")


def holder_inputs(entry: Entry) -> list[str]:
    return [entry.name, entry.organisation, entry.user_number]


def passphrase_inputs(core: ZorgCert, user_number: str) -> list[str]:
    """The holder's own details a passphrase must not lean on (name, practice, user number)."""
    entry = Wallet(core.paths.wallet_file).get(policy.normalise_user_number(user_number))
    return holder_inputs(entry) if entry else [user_number]

