"""Small pure pieces of plain EST (RFC 7030) for the client: labels, Retry-After, a server's own words.

No network and no clock here: each function takes what it needs (``now`` included), so
the unit tests hold them without a server.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from app.errors import IssuerRefused, IssuerSaid, RenewalNotOpen, ZorgCertError
from app.i18n import has
from app.state.config import check_label

__all__ = ["absent", "check_label", "est_path", "next_attempt", "problem_error", "retry_after_seconds", "server_words"]

EST_ROOT = "/.well-known/est"

# Retry-After (RFC 9110 §10.2.3 via RFC 7030 §4.2.3): what we wait at least and at most
RETRY_MIN = 5  # seconds: a server saying 0 is not polled in a loop
RETRY_MAX = 7 * 24 * 3600  # a week: a server saying "next year" is asked again in a week (docs/est.md)
RETRY_DEFAULT = 300  # a 202 without a (readable) Retry-After: five minutes

WORDS_MAX = 200  # characters of a server's own words we show
ABSENT_STATUSES = (404, 405, 501)  # how a server without an (optional) resource answers
_CODE = re.compile(r"[a-z][a-z0-9-]{0,63}")  # a ZorgCert refusal code (app.policy.Refusal)


def est_path(label: str = "") -> str:
    """``/.well-known/est`` or ``/.well-known/est/<label>`` (label checked by ``check_label``)."""
    label = check_label(label)
    return f"{EST_ROOT}/{label}" if label else EST_ROOT


def retry_after_seconds(value: str | None, now: datetime) -> int:
    """Seconds to wait before repeating a request answered with 202 (RFC 7030 §4.2.3).

    ``Retry-After`` is delta-seconds or an HTTP-date (RFC 9110 §10.2.3); missing or unreadable
    means ``RETRY_DEFAULT``; the result is clamped to ``RETRY_MIN``..``RETRY_MAX``.
    """
    text = (value or "").strip()
    if not text:
        return RETRY_DEFAULT
    if text.isascii() and text.isdigit():
        seconds = int(text) if len(text) <= 9 else RETRY_MAX
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return RETRY_DEFAULT
        if when.tzinfo is None:  # "-0000": RFC 5322 says UTC without a claim; HTTP-dates are GMT
            when = when.replace(tzinfo=now.tzinfo)
        seconds = int((when - now).total_seconds())
    return min(max(seconds, RETRY_MIN), RETRY_MAX)


def next_attempt(value: str | None, now: datetime) -> tuple[datetime, int]:
    """(the moment to repeat the request, the seconds waited) for a ``Retry-After`` header at ``now``."""
    seconds = retry_after_seconds(value, now)
    return now + timedelta(seconds=seconds), seconds


_TAGS = re.compile(r"<[^>]*>")
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")  # terminal escape sequences, whole
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def server_words(body: bytes | str, content_type: str = "", limit: int = WORDS_MAX) -> str:
    """A standard server's own words from an error body: one line of plain text, at most ``limit`` characters.

    Markup is dropped (tags, scripts, styles; entities decoded), control and bidi-override
    characters become spaces, runs of white space one space. What is left is shown inside our
    own message, never interpreted.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if "html" in content_type.lower() or "xml" in content_type.lower() or _TAGS.search(text):
        text = _TAGS.sub(" ", _SCRIPTS.sub(" ", text))
        text = html.unescape(text)
    text = _CONTROL.sub(" ", _ANSI.sub("", text))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def problem_error(status: int, content_type: str, content: bytes) -> ZorgCertError:
    """An error answer as an error the CLI and GUI can explain.

    ZorgCert's issuer sends RFC 9457 problem documents with a ``code`` (``refusal.<code>`` says it);
    anything else (plain text, HTML, a problem document of type ``about:blank`` or an unknown URI
    without a code) is shown in the server's own words (``IssuerSaid``).
    """
    body: object = None
    if "json" in content_type.lower():
        try:
            body = json.loads(content[:65536])
        except (ValueError, UnicodeDecodeError):
            body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str) and _CODE.fullmatch(body["code"]):
        code, detail = body["code"], str(body.get("detail", ""))
        if code == "renewal-not-open":
            return RenewalNotOpen(str(body.get("opens_at", "")), detail)
        extras = {k: v for k, v in body.items() if k not in ("type", "title", "status", "detail", "code")}
        if has(f"refusal.{code}"):
            return IssuerRefused(code, detail, **extras)
        # a code this version has no words for (a newer issuer): the server's own words, not a bare key
        words = server_words(" ".join(str(body.get(k, "")) for k in ("title", "detail")), "text/plain")
        return IssuerSaid(status, words, f"HTTP {status} with problem code {code!r}, unknown to this version")
    if isinstance(body, dict):  # a standard RFC 9457 document: its title and detail are its words
        words = server_words(" ".join(str(body.get(k, "")) for k in ("title", "detail")), "text/plain")
    else:
        words = server_words(content[:8192], content_type)
    return IssuerSaid(status, words, f"HTTP {status} without a ZorgCert problem document")


def absent(exc: ZorgCertError) -> bool:
    """Is this refusal how a server says it has no such resource (404, 405, 501; our issuer's ``not-found``)?"""
    if isinstance(exc, IssuerSaid):
        return exc.params.get("status") in ABSENT_STATUSES
    return isinstance(exc, IssuerRefused) and exc.code == "not-found"
