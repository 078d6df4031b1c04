"""Errors into words: the one mapping the CLI and the desktop app share (message + next step)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from app.errors import ZorgCertError
from app.i18n import t

log = logging.getLogger("zorgcert")


@dataclass(frozen=True)
class Explanation:
    """What happened and what to do next, in one language; ``code`` is stable for scripts and tests."""

    code: str
    message: str
    next_step: str


def complete_params(exc: ZorgCertError, lang: str) -> dict[str, object]:
    """The error's parameters with what a sentence needs but the issuer may not have said."""
    params: dict[str, object] = {"details": exc.details, **exc.params}
    if exc.key == "refusal.pin-invalid" and "attempts_left" not in exc.params:
        params["attempts_left"] = "?"
    if exc.key == "refusal.user-blocked":
        params["who"] = t(f"who.{exc.params.get('unblocked_by', 'support')}", lang)
    return params


def explain(exc: ZorgCertError, lang: str) -> Explanation:
    """The message and next step for ``exc`` in ``lang`` (Dutch or English)."""
    params = complete_params(exc, lang)
    return Explanation(
        code=str(getattr(exc, "code", None) or exc.key),
        message=t(exc.key, lang, **params),
        next_step=t(exc.key + ".next", lang, **params),
    )


def as_error(exc: BaseException) -> ZorgCertError:
    """A ``ZorgCertError`` for anything: a bug becomes the generic error with a reference for Support."""
    if isinstance(exc, ZorgCertError):
        return exc
    reference = secrets.token_hex(4)
    # the traceback goes to the log for Support; the user sees the reference only
    log.error("unexpected error, reference %s", reference, exc_info=(type(exc), exc, exc.__traceback__))
    return ZorgCertError(type(exc).__name__, reference=reference)


def error_from(code: str, params: dict[str, object] | None = None, details: str = "") -> ZorgCertError:
    """An error rebuilt from what was stored of it (``Explanation.code`` and plain parameters)."""
    from app.errors import IssuerRefused

    params = dict(params or {})
    details = str(params.pop("details", details))
    if not code.startswith(("error.", "refusal.")):
        return IssuerRefused(code, details, **params)
    error = ZorgCertError(details, **params)
    error.key = code  # type: ignore[misc] - an instance attribute shadows the class's default key
    return error


def plain_params(exc: ZorgCertError) -> dict[str, object]:
    """The error's parameters that survive JSON (for the reminder log)."""
    plain = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float | bool)}
    return {**plain, "details": exc.details}
