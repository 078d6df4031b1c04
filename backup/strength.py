"""Is a backup passphrase strong enough? zxcvbn with Dutch words, names and the holder's own details.

A backup file can be copied and attacked offline, so the bar is what an attacker with
GPUs can try against Argon2id: at least ``MIN_GUESSES`` guesses (zxcvbn score 4, about
twelve days at ten thousand guesses a second) and ``MIN_LENGTH`` characters. Dutch
words count as words: "welkomthuis" is two common words, not eleven random letters.
Separators do not hide words either: "kaas-fiets" is judged as "kaasfiets" too.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_LENGTH = 12
MIN_GUESSES = 1e10
GUESSES_PER_SECOND = 1e4  # offline attack on a slow, memory-hard hash (zxcvbn's slow-hashing scenario)
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters already decide
_SEPARATORS = re.compile(r"[\s\-_.,;:/+*|~]+")
_lock = threading.Lock()
_loaded = False

# which dictionaries mean what, for the reason we give
_DUTCH = {"nl_words": "dutch-words", "nl_names": "names"}
_OTHER = {
    "passwords": "common-password",
    "user_inputs": "personal",
    "surnames": "names",
    "male_names": "names",
    "female_names": "names",
    "english_wikipedia": "words",
    "us_tv_and_film": "words",
}
_PATTERNS = {
    "date": "dates",
    "sequence": "sequence",
    "repeat": "repeat",
    "spatial": "keyboard",
    "regex": "dates",  # zxcvbn's only regex is recent years
}
SUGGESTIONS = {
    "dutch-words": ("more-words", "unusual-words"),
    "words": ("more-words", "unusual-words"),
    "names": ("no-names", "more-words"),
    "personal": ("no-personal", "more-words"),
    "common-password": ("no-common", "more-words"),
    "dates": ("no-dates", "more-words"),
    "sequence": ("no-patterns", "more-words"),
    "repeat": ("no-patterns", "more-words"),
    "keyboard": ("no-patterns", "more-words"),
    "guessable": ("more-words",),
    "short": ("longer",),
    "empty": ("more-words",),
}


def wordlist_dir() -> Path:
    """Where the Dutch word lists live: resources/wordlists (beside the code, or in a frozen app)."""
    frozen = getattr(sys, "_MEIPASS", None)
    base = Path(frozen) if frozen else Path(__file__).resolve().parent.parent
    return base / "resources" / "wordlists"


def _load() -> None:
    """Teach zxcvbn the Dutch lists once (it keeps dictionaries in a module-level table)."""
    global _loaded
    if _loaded:
        return
    from zxcvbn import matching

    lists = {}
    for name, filename in (("nl_words", "nl-words.txt"), ("nl_names", "nl-names.txt")):
        lists[name] = (wordlist_dir() / filename).read_text(encoding="utf-8").split()
    matching.add_frequency_lists(lists)
    _loaded = True


@dataclass(frozen=True)
class Assessment:
    ok: bool
    score: int  # zxcvbn 0-4
    guesses: float
    crack_seconds: float  # at GUESSES_PER_SECOND
    reason: str | None  # None when ok; else a code: short, dutch-words, names, personal, ...
    suggestions: tuple[str, ...]  # codes, see SUGGESTIONS
    words: tuple[str, ...]  # dictionary words found (for a UI that wants to show them)


def _reason(sequence: list[dict[str, Any]]) -> str:
    """The kind of weakness that covers most of the passphrase."""
    cover: dict[str, int] = {}
    for m in sequence:
        if m["pattern"] == "dictionary":
            name = m.get("dictionary_name", "")
            kind = _DUTCH.get(name) or _OTHER.get(name, "words")
        else:
            kind = _PATTERNS.get(m["pattern"], "")
        if kind:
            cover[kind] = cover.get(kind, 0) + len(m["token"])
    if not cover:
        return "guessable"
    return max(cover, key=lambda k: cover[k])


def _judge(text: str, inputs: list[str]) -> dict[str, Any]:
    from zxcvbn import zxcvbn

    return dict(zxcvbn(text[:ZXCVBN_MAX], user_inputs=inputs))


def assess(passphrase: str, user_inputs: Iterable[str] = ()) -> Assessment:
    """How guessable ``passphrase`` is; ``user_inputs`` are the holder's name, user number, organisation."""
    if not passphrase:
        return Assessment(False, 0, 0.0, 0.0, "empty", SUGGESTIONS["empty"], ())
    inputs = []
    for item in user_inputs:  # "Anna de Vries" -> anna, vries and annadevries
        parts = [w for w in re.split(r"\W+", str(item).lower()) if w]
        inputs += [w for w in parts if len(w) >= 3] + ["".join(parts)]
    inputs += ["zorgcert", "vecozo", "backup", "certificaat", "wachtwoordzin"]
    with _lock:  # zxcvbn keeps the user inputs in a module-level table while it runs
        _load()
        results = [_judge(passphrase, inputs)]
        joined = _SEPARATORS.sub("", passphrase)
        if joined != passphrase and joined:
            results.append(_judge(joined, inputs))
    weakest = min(results, key=lambda r: float(r["guesses"]))
    guesses = float(weakest["guesses"])
    words = tuple(
        m["matched_word"] for r in results for m in r["sequence"] if m["pattern"] == "dictionary"
    )
    score = int(weakest["score"])
    if guesses < MIN_GUESSES:
        reason: str | None = _reason(weakest["sequence"])
    elif len(passphrase) < MIN_LENGTH:
        reason = "short"
    else:
        reason = None
    suggestions = SUGGESTIONS[reason] if reason else ()
    return Assessment(reason is None, score, guesses, guesses / GUESSES_PER_SECOND, reason, suggestions,
                      tuple(dict.fromkeys(words)))
