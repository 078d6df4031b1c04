"""Every sentence the user sees, Dutch first and English second, read from the gettext catalogues.

The texts live in ``resources/locale/{nl,en}/LC_MESSAGES/zorgcert.po`` (compiled to ``.mo``
beside them; read here with the standard library's ``gettext``). The msgids are symbolic keys
(``refusal.pin-invalid``); ``t(key, lang, **params)`` formats one, ``tn(key, n, lang, **params)``
one whose words depend on a count (1 dag, 2 dagen). How to add or translate a sentence:
docs/translating.md.
"""

from __future__ import annotations

import gettext
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "zorgcert"
DEFAULT_LANG = "nl"
LANGS = ("nl", "en")
NOTHING = "-"  # the text of a sentence that says nothing on purpose (a .po cannot hold an empty translation)
STRICT = "ZORGCERT_STRICT_WORDS"  # set (the tests do): a key without words raises instead of showing the key


@cache
def locale_dir() -> Path:
    """``resources/locale`` beside the code (a checkout, ``pip install -e``) or in the frozen app (PyInstaller
    unpacks ``resources/``); from a wheel, where it installs them: ``<prefix>/share/zorgcert/locale``."""
    frozen = getattr(sys, "_MEIPASS", None)
    beside = (Path(frozen) if frozen else Path(__file__).resolve().parent.parent) / "resources" / "locale"
    installed = Path(sys.prefix) / "share" / "zorgcert" / "locale"
    return installed if not beside.is_dir() and installed.is_dir() else beside


class Words(gettext.GNUTranslations):
    """One language's compiled catalogue, which also says whether a key is there and whether it is counted."""

    _catalog: dict[str | tuple[str, int], str]  # filled by GNUTranslations: key, or (key, form) for a plural

    def plain(self, key: str) -> bool:
        return bool(key) and key in self._catalog  # "" is the catalogue's header, not a sentence

    def counted(self, key: str) -> bool:
        return (key, 0) in self._catalog


@cache
def catalog(lang: str) -> Words:
    """The compiled catalogue of ``lang`` (read once per process; a missing one is a broken installation)."""
    with (locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as mo:
        return Words(mo)


def current_lang(explicit: str | None = None) -> str:
    """The language asked for, else ``ZORGCERT_LANG``, else Dutch."""
    lang = (explicit or os.environ.get("ZORGCERT_LANG") or DEFAULT_LANG).lower()[:2]
    return lang if lang in LANGS else DEFAULT_LANG


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _lookup(key: str, lang: str, n: int | None) -> str | None:
    """The text of ``key`` in ``lang`` (``n`` picks the plural form), else in Dutch, else None."""
    for each in (lang, DEFAULT_LANG) if lang != DEFAULT_LANG else (lang,):
        words = catalog(each)
        if words.counted(key):
            if n is None and os.environ.get(STRICT):
                raise KeyError(f"{key!r} depends on a count: say it with tn(key, n, ...)")
            return words.ngettext(key, key, 2 if n is None else n)  # without a count: better plural than a key
        if words.plain(key):
            return words.gettext(key)
    return None


def _say(key: str, lang: str, n: int | None, params: dict[str, Any]) -> str:
    text = _lookup(key, lang if lang in LANGS else DEFAULT_LANG, n)
    if text is None:
        if os.environ.get(STRICT):
            raise KeyError(f"no words for {key!r} in resources/locale (see docs/translating.md)")
        return key
    return "" if text == NOTHING else text.format_map(_Lenient(params))


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``params`` filled in (unknown ones left visible).

    ``key`` and ``lang`` are positional-only, so a sentence may have a ``{key}`` or ``{lang}`` placeholder.
    """
    return _say(key, lang, None, params)


def tn(key: str, n: int | None, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The sentence ``key`` in its form for ``n`` ('1 dag', '2 dagen'); None (a count not known): the plural form.

    ``n`` only picks the form (``ngettext``); the sentence shows a count through a placeholder in ``params``.
    """
    return _say(key, lang, 2 if n is None else n, params)


def has(key: str) -> bool:
    """Whether the catalogues have words for ``key`` (a plain sentence or one with a count)."""
    words = catalog(DEFAULT_LANG)
    return words.plain(key) or words.counted(key)


_UNITS = ("year", "month", "day", "hour", "minute", "second")


def amount(n: int, unit: str, lang: str = DEFAULT_LANG) -> str:
    """``n`` of ``unit`` in words, singular or plural: '1 dag', '2 dagen', '10 minutes'."""
    return tn(f"unit.{unit}", n, lang, n=n)


def listed(parts: list[str], lang: str = DEFAULT_LANG) -> str:
    """'a', 'a en b', 'a, b en c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {t('unit.and', lang)} {parts[-1]}"


def duration(iso: str, lang: str = DEFAULT_LANG) -> str:
    """An ISO 8601 duration in words: 'PT10M' -> '10 minuten', 'P2Y' -> '2 jaar', 'P1M' -> '1 month'."""
    import isodate  # only here: the status path never needs it

    try:
        span = isodate.parse_duration(iso)
    except (isodate.ISO8601Error, ValueError, TypeError):
        return iso
    if isinstance(span, isodate.Duration):
        years, months, rest = int(span.years), int(span.months), span.tdelta
    else:
        years, months, rest = 0, 0, span
    seconds = int(rest.total_seconds())
    counts = dict(zip(_UNITS, (years, months, seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60,
                               seconds % 60), strict=True))
    parts = [amount(n, unit, lang) for unit, n in counts.items() if n]
    return listed(parts, lang) or amount(0, "second", lang)
