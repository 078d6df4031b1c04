"""Passphrase strength: zxcvbn with Dutch words and the holder's own details."""

from __future__ import annotations

import secrets
import string

import pytest

from app.backups.passphrase import check_passphrase, crack_time_words, require_strong
from app.errors import PassphraseMismatch, WeakPassphrase
from app.i18n import has, t
from backup import strength

HOLDER = ["Anna de Vries", "Huisartsenpraktijk De Linde", "49032852822002"]


@pytest.mark.parametrize("phrase", ["welkomthuis", "fietsenstalling2024", "huisartspraktijk", "gezellig"])
def test_common_dutch_words_are_weak_because_they_are_dutch_words(phrase: str) -> None:
    verdict = strength.assess(phrase, HOLDER)
    assert not verdict.ok
    assert verdict.reason == "dutch-words", verdict
    assert verdict.words  # the words it found, e.g. welkom + thuis


def test_welkomthuis_is_two_words_not_eleven_letters() -> None:
    verdict = strength.assess("welkomthuis")
    assert {"welkom", "thuis"} <= set(verdict.words)
    assert verdict.guesses < 1e7  # two common words; eleven random letters would be ~1e11


def test_separators_do_not_hide_dutch_words() -> None:
    together = strength.assess("huisartspraktijk")
    apart = strength.assess("huisarts-praktijk")
    assert not apart.ok and apart.reason == "dutch-words"
    assert apart.guesses <= together.guesses * 100


@pytest.mark.parametrize("_", range(3))
def test_long_random_passphrases_pass(_: int) -> None:
    alphabet = string.ascii_letters + string.digits
    phrase = "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
    verdict = strength.assess(phrase, HOLDER)
    assert verdict.ok, (phrase, verdict)
    assert verdict.score == 4 and verdict.reason is None


def test_random_unrelated_dutch_words_pass() -> None:
    assert strength.assess("zeilboot paraplu kroket venster", HOLDER).ok


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("", "empty"),
        ("annadevries2024!!", "personal"),
        ("49032852822002", "personal"),
        ("wachtwoord123", "common-password"),
        ("qwertyuiopasdf", "common-password"),
        ("aaaaaaaaaaaaaaaaaaaa", "repeat"),
        ("kX9#mQ2$vL", "short"),
    ],
)
def test_reasons(phrase: str, reason: str) -> None:
    verdict = strength.assess(phrase, HOLDER)
    assert not verdict.ok and verdict.reason == reason, verdict
    assert verdict.suggestions


def test_check_passphrase_for_the_ui() -> None:
    weak = check_passphrase("welkomthuis", lang="nl")
    assert not weak.ok and weak.reason_key == "passphrase.weak.dutch-words"
    assert "Nederlandse woorden" in t(weak.reason_key, "nl")
    assert all(has(k) for k in weak.suggestions) and weak.suggestions
    assert weak.score <= 2 and weak.crack_time  # e.g. "ongeveer 2 minuten"
    good = check_passphrase("zeilboot paraplu kroket venster", "zeilboot paraplu kroket venster", lang="en")
    assert good.ok and good.reason_key is None and good.score == 4
    assert good.crack_time == "centuries"
    mismatch = check_passphrase("zeilboot paraplu kroket venster", "zeilboot paraplu kroket vensters")
    assert not mismatch.ok and mismatch.reason_key == "error.passphrase_mismatch"


def test_require_strong_raises_with_an_explained_key() -> None:
    with pytest.raises(WeakPassphrase) as err:
        require_strong("welkomthuis")
    assert err.value.key == "passphrase.weak.dutch-words" and err.value.exit_code == 2
    assert has(err.value.key) and has(err.value.key + ".next")
    with pytest.raises(PassphraseMismatch):
        require_strong("zeilboot paraplu kroket venster", "zeilboot paraplu kroket")
    require_strong("zeilboot paraplu kroket venster", "zeilboot paraplu kroket venster")


def test_every_reason_and_suggestion_has_words() -> None:
    for reason, suggestions in strength.SUGGESTIONS.items():
        assert has(f"passphrase.weak.{reason}") and has(f"passphrase.weak.{reason}.next"), reason
        assert all(has(f"passphrase.suggest.{s}") for s in suggestions)


@pytest.mark.parametrize(
    ("seconds", "nl", "en"),
    [(5, "minder dan een minuut", "less than a minute"), (600, "ongeveer 10 minuten", "about 10 minutes"),
     (3 * 86400, "ongeveer 3 dagen", "about 3 days"), (1e12, "eeuwen", "centuries")],
)
def test_crack_time_in_words(seconds: float, nl: str, en: str) -> None:
    assert crack_time_words(seconds, "nl") == nl and crack_time_words(seconds, "en") == en


def test_very_long_passphrases_are_judged_not_refused() -> None:
    assert strength.assess("zeilboot paraplu kroket venster " * 5).ok


def test_every_backup_refusal_has_words() -> None:
    """Errors whose key depends on a reason: each reason has a sentence and a next step in both languages."""
    keys = [f"backup.nothing.{r}" for r in ("expired", "revoked", "no-key", "mismatch")]
    keys += [f"restore.refused.{r}" for r in ("expired", "revoked", "older", "key-mismatch", "not-issued-here")]
    for key in keys:
        assert has(key) and has(key + ".next"), key
