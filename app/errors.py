"""One root error; each user-facing error names its message, its next step and its exit code.

The text lives in ``app.i18n`` under the error's ``key`` (``<key>`` and ``<key>.next``),
so the CLI and the GUI show the same Dutch (or English) sentences. ``details`` are for
Support and never hold a PIN, passphrase or key.
"""

from __future__ import annotations

from typing import Any


class ZorgCertError(Exception):
    """Something the user should be told about, with what to do next."""

    key = "error.generic"
    exit_code = 1

    def __init__(self, details: str = "", **params: Any):
        super().__init__(details or self.key)
        self.details = details
        self.params = params


class Cancelled(ZorgCertError):
    """The user stopped; unwind quietly."""

    key = "error.cancelled"
    exit_code = 130


class UsageError(ZorgCertError):
    key = "error.usage"
    exit_code = 2


class InvalidUserNumber(UsageError):
    key = "error.user_number"


class EmptyPin(UsageError):
    key = "error.pin_empty"


class NotInWallet(UsageError):
    key = "error.not_in_wallet"


class NoIssuerConfigured(UsageError):
    key = "error.no_issuer"


class IssuerRefused(ZorgCertError):
    """The issuer said no by its rules (R3-R12): ``code`` is the problem type's code."""

    exit_code = 3

    def __init__(self, code: str, details: str = "", **params: Any):
        super().__init__(details, **params)
        self.code = code

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"refusal.{self.code}"


class RenewalNotOpen(IssuerRefused):
    def __init__(self, opens_at: str, details: str = ""):
        super().__init__("renewal-not-open", details, opens_at=opens_at)


class IssuerUnreachable(ZorgCertError):
    key = "error.unreachable"
    exit_code = 4


class IssuerUntrusted(IssuerUnreachable):
    """TLS verification failed: the server does not present the pinned issuer CA."""

    key = "error.untrusted"


class IssuerProtocolError(IssuerUnreachable):
    key = "error.protocol"


class StoreProblem(ZorgCertError):
    """A certificate store failed; ``fix`` comes from the backend."""

    key = "error.store"
    exit_code = 5

    def __init__(self, details: str = "", *, store: str = "", fix: str = "", **params: Any):
        super().__init__(details, store=store, fix=fix, **params)
        self.store = store
        self.fix = fix


class StoreToolsMissing(StoreProblem):
    """The store's command-line tools (certutil, pk12util) are not installed."""

    key = "error.store_tools"


class KeyringUnavailable(StoreProblem):
    key = "error.keyring"


class Busy(ZorgCertError):
    """Another ZorgCert (CLI, app or tray agent) is renewing or installing right now."""

    key = "error.busy"
    exit_code = 1
