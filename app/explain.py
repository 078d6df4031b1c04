"""Errors into words: the one mapping the CLI and the desktop app share (message + next step)."""

from __future__ import annotations

import logging
import secrets
import weakref
from dataclasses import dataclass

from app.errors import IssuerRefused, ZorgCertError
from app.i18n import t, tn

log = logging.getLogger("zorgcert")


@dataclass(frozen=True)
class Explanation:
    """What happened and what to do next, in one language; ``code`` is stable for scripts and tests."""

    code: str
    message: str
    next_step: str
    reference: str = ""  # the same reference is in zorgcert.log (``logged``); "" when the error was never logged


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
    tries = params.get("attempts_left") if exc.key == "refusal.pin-invalid" else None  # "?": not said
    return Explanation(
        code=str(getattr(exc, "code", None) or exc.key),
        message=t(exc.key, lang, **params),
        next_step=t(exc.key + ".next", lang, **params) if tries is None else
        tn(exc.key + ".next", tries if isinstance(tries, int) else None, lang, **params),
        reference=str(exc.params.get("reference", "")),
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

    params = dict(params or {})
    details = str(params.pop("details", details))
    if not code.startswith(("error.", "refusal.")):
        return IssuerRefused(code, details, **params)
    error = ZorgCertError(details, **params)
    error.key = code  # type: ignore[misc]  # an instance attribute shadows the class's default key
    return error


def plain_params(exc: ZorgCertError) -> dict[str, object]:
    """The error's parameters that survive JSON (for the reminder log)."""
    plain = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float | bool)}
    return {**plain, "details": exc.details}


# --- the one error path: every error a user is shown is logged once, with the reference shown beside it ---

# refusals by the rules and mistakes the user fixes: told, nothing is broken (INFO); a failing machine,
# network or file (WARNING); a bug (ERROR, with its traceback, in ``as_error``)
_TOLD = ("UsageError", "IssuerRefused", "RestoreRefused", "WrongPassphrase", "Cancelled", "AlreadyInstalled")
_SECRET_NAMES = ("pin", "passphrase", "password", "secret", "key_der", "token")
_LOGGED: weakref.WeakSet[ZorgCertError] = weakref.WeakSet()  # the errors ``logged`` wrote (each once)


def logged(exc: BaseException, where: str = "") -> ZorgCertError:
    """``exc`` as a ``ZorgCertError`` with a ``reference``, written to zorgcert.log once (any thread).

    The log line holds the code, the reference and the details for Support, never a PIN,
    passphrase or key: parameters named like one are left out, and details pass
    ``app.troubleshoot.support.redact`` (PIN-like numbers, key material). A bug keeps its traceback.
    """
    error = as_error(exc)  # a bug: logged there, with traceback, under its reference
    if error in _LOGGED:
        return error
    reference = str(error.params.get("reference") or "")
    if not reference:
        reference = secrets.token_hex(4)
        error.params["reference"] = reference
    if error is not exc or error.key == "error.generic":
        _LOGGED.add(error)
        return error
    from app.troubleshoot.support import (
        redact,  # lazy, the one here: it loads zipfile and importlib.metadata for the bundle
    )

    names = {c.__name__ for c in type(error).__mro__}
    level = logging.INFO if names & set(_TOLD) else logging.WARNING
    shown = {k: v for k, v in error.params.items()
             if k != "reference" and not any(s in k.lower() for s in _SECRET_NAMES) and isinstance(v, str | int)}
    facts = " ".join([str(error.details), *(f"{k}={v}" for k, v in sorted(shown.items()))]).strip()
    log.log(level, "%s failed: %s, reference %s: %s", where or "operation",
            getattr(error, "code", None) or error.key, reference, redact(facts))
    _LOGGED.add(error)
    return error


def report(exc: BaseException, lang: str, where: str = "") -> Explanation:
    """What the desktop app shows of a failure: logged once with a reference (``logged``), then the words."""
    return explain(logged(exc, where), lang)
