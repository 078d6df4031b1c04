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
        self.code = code  # first: the base class falls back to ``key`` (which needs the code) without details
        super().__init__(details, **params)

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


# --- backups, restore and PFX export (app/backups/; messages in resources/locale) ---


class WeakPassphrase(UsageError):
    """A backup or PFX passphrase that is too easy to guess; ``reason`` names why (backup.strength codes)."""

    def __init__(self, reason: str, details: str = "", **params: Any):
        super().__init__(details or reason, **params)
        self.reason = reason

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"passphrase.weak.{self.reason}"


class PassphraseMismatch(UsageError):
    key = "error.passphrase_mismatch"


class WrongPassphrase(ZorgCertError):
    key = "error.backup.wrong_passphrase"
    exit_code = 1  # the fixed exit codes have no room for backup files; --json gives the code


class BackupTruncated(ZorgCertError):
    key = "error.backup.truncated"
    exit_code = 1  # the fixed exit codes have no room for backup files; --json gives the code


class NotABackupFile(ZorgCertError):
    key = "error.backup.not_a_backup"
    exit_code = 1  # the fixed exit codes have no room for backup files; --json gives the code


class BackupNewerVersion(ZorgCertError):
    key = "error.backup.newer_version"
    exit_code = 1  # the fixed exit codes have no room for backup files; --json gives the code


class BackupDamaged(ZorgCertError):
    key = "error.backup.damaged"
    exit_code = 1  # the fixed exit codes have no room for backup files; --json gives the code


class BackupUnsupported(BackupDamaged):
    key = "error.backup.unsupported"


class BackupFileUnusable(UsageError):
    """The backup or PFX path cannot be read or written (missing, a folder, no permission)."""

    key = "error.backup.file"


class BackupNotVerified(ZorgCertError):
    """The backup just written did not read back; the old file (if any) was left in place."""

    key = "error.backup.not_verified"


class NothingToBackUp(ZorgCertError):
    """No usable certificate with key to back up or export; ``reason``: expired, revoked, no-key, mismatch."""

    exit_code = 5

    def __init__(self, reason: str, details: str = "", **params: Any):
        super().__init__(details or reason, **params)
        self.reason = reason

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"backup.nothing.{self.reason}"


class RestoreRefused(ZorgCertError):
    """A backup that must not be restored (expired, revoked, older, mismatched): ``code`` says which."""

    exit_code = 3

    def __init__(self, code: str, details: str = "", **params: Any):
        super().__init__(details or code, **params)
        self.code = code

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"restore.refused.{self.code}"


class PfxNotABackup(NotABackupFile):
    """A PKCS#12 (.pfx/.p12) given where a ZorgCert backup was expected."""

    key = "error.backup.is_pfx"


class EmptyBackupFile(NotABackupFile):
    key = "error.backup.empty"


class BackupFileMissing(BackupFileUnusable):
    key = "error.backup.file_missing"


class BackupPathIsFolder(BackupFileUnusable):
    key = "error.backup.file_folder"


class BackupFolderMissing(BackupFileUnusable):
    key = "error.backup.folder_missing"


class StoreFolderNotOurs(StoreProblem):
    """A ``file:`` store folder that holds files ZorgCert did not write: never taken over."""

    key = "error.store_folder_not_ours"


class FileExists(UsageError):
    """A backup or PFX target that already exists: overwritten only when the user says so (``--force``, a dialog)."""

    key = "error.backup.file_exists"


class UserNumberTypo(InvalidUserNumber):
    """14 digits whose check digit does not match the others: a typo, not a wrong length."""

    key = "error.user_number_typo"


class AlreadyInstalled(ZorgCertError):
    """``install`` on a certificate installed here (found in its stores) and still valid: refused before the PIN."""

    exit_code = 3  # the issuer's rules (R4/R7) refuse it too; saying so here costs no PIN attempt

    def __init__(self, details: str = "", *, renewal_open: bool = False, **params: Any):
        super().__init__(details, **params)
        self.renewal_open = renewal_open

    @property
    def key(self) -> str:  # type: ignore[override]
        return "error.already_installed_renew" if self.renewal_open else "error.already_installed"


# --- trust boundaries of the issuer connection (issue 11) ---


class InsecureIssuerUrl(NoIssuerConfigured):
    """The issuer address is not ``https://HOST``: nothing is sent to it (no PIN in clear)."""

    key = "error.issuer_not_https"


class IssuerChainUntrusted(IssuerUntrusted):
    """``/cacerts`` returned a CA certificate that is not the pinned CA nor on its chain."""

    key = "error.untrusted_chain"


class IssuedCertificateUntrusted(IssuerUntrusted):
    """A certificate the issuer returned does not chain to the pinned CA or does not carry our public key."""

    key = "error.untrusted_certificate"


class IssuerRejectedCertificate(ZorgCertError):
    """The issuer refused our client certificate in the TLS handshake (it never saw the request)."""

    key = "error.certificate_rejected"
    exit_code = 3


# --- the keyring and the vault (issue 12: no keyring, a keyring that does not answer, another keyring) ---


class KeyringTimeout(KeyringUnavailable):
    """The Secret Service (or another OS keyring) did not answer in time: ZorgCert stops waiting."""

    key = "error.keyring_timeout"


class NoSessionBus(KeyringUnavailable):
    """Linux without a D-Bus session (a server, SSH, a minimal desktop): there is no keyring to ask."""

    key = "error.keyring_no_bus"


class VaultKeyChanged(StoreProblem):
    """The vault entry does not open with the vault key in this keyring (another or a reset keyring), and the
    stores do not hold a matching key to rebuild it from."""

    key = "error.vault_key_changed"


class StateFileUnusable(ZorgCertError):
    """One of ZorgCert's own files (wallet, journal, settings) is damaged and cannot even be moved aside."""

    key = "error.state_file"


class StateFileNewer(ZorgCertError):
    """A state file written by a newer ZorgCert: kept as it is, never moved aside or overwritten."""

    key = "error.state_file_newer"


# --- the bad day (issue 12) ---


class IssuerTimeout(IssuerUnreachable):
    """The issuer accepted the connection but did not answer in time (``seconds``): not "no connection"."""

    key = "error.issuer_timeout"


class DiskFull(StoreProblem):
    """Too little free space (``folder``, ``free``, ``needed``): refused before the PIN goes out, or rolled back."""

    key = "error.disk_full"


class DiskFullAfterIssue(DiskFull):
    """The disk filled up after the PIN went out: the journal keeps the certificate (or asks the issuer for it)."""

    key = "error.disk_full_after_issue"


class NssDatabaseCorrupt(StoreProblem):
    """An NSS database that certutil cannot open (e.g. after a full disk): the way out is to move it aside."""

    key = "error.nss_corrupt"


# --- plain EST (issue 14) ---


class IssuerSaid(ZorgCertError):
    """A standard EST server refused with words of its own (no problem document): ``status`` and ``words``.

    ``words`` are sanitised (``app.enroll.protocol.server_words``); a 4xx is a refusal (exit 3),
    anything else an issuer that does not work now (exit 4).
    """

    key = "error.issuer_said"
    exit_code = 3

    def __init__(self, status: int, words: str, details: str = ""):
        super().__init__(details or f"HTTP {status}", status=status, words=words or "-")
        if not 400 <= status < 500:
            self.exit_code = 4


class EnrollmentDeferred(ZorgCertError):
    """RFC 7030 §4.2.3: the issuer accepted the request and will answer it later (HTTP 202 + Retry-After).

    Not a failure: the request is journaled (stage ``deferred``) and repeated after ``next_attempt``
    by ``install``, ``status``, the app and the tray agent. ``retry_after`` is the header as sent.
    """

    key = "error.deferred"
    exit_code = 6

    def __init__(self, details: str = "", *, retry_after: str | None = None, **params: Any):
        super().__init__(details or "accepted, certificate later", **params)
        self.retry_after = retry_after


class ExtensionMissing(ZorgCertError):
    """The issuer does not offer a ZorgCert extension (``what``): a plain EST server has only the standard."""

    key = "error.extension_missing"
    exit_code = 1
