"""Backup, restore and PFX export: the work behind ``zorgcert backup|restore|export`` and the desktop app.

A backup (R7/R8) is the only way back from a lost certificate that is still valid, so it is
written to a temporary file beside the target, read back and decrypted, and only then put
in place; the wallet records when. A restore checks everything it can before it changes
anything (passphrase, expiry, the issuer's word on revocation, the wallet's newer
certificate, key and certificate together) and then installs like an install does.
Passphrases stay in memory: never in argv, a log, a file or the keyring.

Both are journaled (``app.journal``), under the one lock: a restore writes its entry before
the vault or any store is touched, so a kill at any point is finished by the next run
(``resume``: install in every store, record, remove the replaced certificate); a backup or
export records its target before its temporary file exists, so the next run removes exactly
the temporary files a kill left beside it (``app.files.remove_temps``) and nothing else.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app import __version__, policy
from app.errors import (
    BackupDamaged,
    BackupFileMissing,
    BackupFileUnusable,
    BackupFolderMissing,
    BackupNewerVersion,
    BackupNotVerified,
    BackupPathIsFolder,
    BackupTruncated,
    BackupUnsupported,
    EmptyBackupFile,
    FileExists,
    IssuerRefused,
    IssuerUnreachable,
    NoIssuerConfigured,
    NotABackupFile,
    NothingToBackUp,
    NotInWallet,
    PassphraseMismatch,
    PfxNotABackup,
    RestoreRefused,
    StoreFolderNotOurs,
    StoreProblem,
    WeakPassphrase,
    WrongPassphrase,
    ZorgCertError,
)
from app.i18n import current_lang, t
from app.journal import Operation
from app.lock import InstanceLock
from app.services import Outcome, checkpoint
from app.stores import open_stores, spec_of, store_for
from app.vault import Sealed
from app.wallet import Entry, Wallet
from backup import envelope, strength
from backup.kdf import KdfParams
from backup.payload import Contents
from keystore.base import CertStore, StoreError, fingerprint

log = logging.getLogger("zorgcert")

Progress = Callable[[str], None]
DEFAULT_POLICY = {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"}


def _quiet(_stage: str) -> None:
    pass


# --- passphrase strength ----------------------------------------------------------------------


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
            return t(f"passphrase.crack.{key}", lang, n=max(1, round(seconds / unit)))
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


def _holder_inputs(entry: Entry) -> list[str]:
    return [entry.name, entry.organisation, entry.user_number]


def passphrase_inputs(core: Any, user_number: str) -> list[str]:
    """The holder's own details a passphrase must not lean on (name, practice, user number)."""
    entry = Wallet(core.paths.wallet_file).get(policy.normalise_user_number(user_number))
    return _holder_inputs(entry) if entry else [user_number]


# --- reading files and naming their problems ----------------------------------------------------


def _read(path: Path) -> bytes:
    """The file's bytes (at most one byte more than any backup can be)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(envelope.MAX_FILE + 1)
    except FileNotFoundError:
        raise BackupFileMissing("not found", path=str(path)) from None
    except IsADirectoryError:
        raise BackupPathIsFolder("a folder", path=str(path)) from None
    except OSError as exc:
        raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(path)) from None


def _as_app_error(exc: envelope.BackupFormatError, path: Path) -> ZorgCertError:
    """The app's error (with its sentence) for a format error."""
    where = {"path": str(path)}
    if isinstance(exc, envelope.NotABackup):
        if exc.looks_like == "pkcs12":
            return PfxNotABackup(str(exc), **where)
        if exc.looks_like == "empty":
            return EmptyBackupFile(str(exc), **where)
        return NotABackupFile(str(exc), **where)
    if isinstance(exc, envelope.Truncated):
        return BackupTruncated(str(exc), **where)
    if isinstance(exc, envelope.NewerVersion):
        return BackupNewerVersion(str(exc), version=exc.version, **where)
    if isinstance(exc, envelope.UnsupportedParameters):
        return BackupUnsupported(str(exc), **where)
    if isinstance(exc, envelope.WrongPassphraseOrTampered):
        return WrongPassphrase(str(exc), **where)
    return BackupDamaged(str(exc), **where)


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file says it holds, read without the passphrase."""

    path: str
    version: int
    user_number: str
    kind: str
    name: str
    organisation: str
    subject: str
    serial: str
    fingerprint: str
    not_before: str
    not_after: str
    created_at: str
    kdf: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _checked_user_number(text: str) -> str:
    """The backup's user number if it is one: exactly 14 ASCII digits with a valid check digit.

    Anything else (a path such as ``../../x``, spaces, a wrong check digit) is refused: the
    user number names store folders and nicknames, so it is never used unchecked.
    """
    if not (isinstance(text, str) and len(text) == policy.USER_NUMBER_DIGITS and text.isascii()
            and text.isdigit() and policy.is_valid_user_number(text)):
        raise RestoreRefused("user-number", "the backup's user number is not a valid user number")
    return text


def _shown(text: str) -> str:
    """A metadata string fit to show: no control, format (bidi) or line-breaking characters from the file."""
    import unicodedata

    return "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))


def _info(path: Path, header: envelope.Header) -> BackupInfo:
    """What the file says about itself, for display only: nothing here names a store, folder or nickname."""
    m = header.metadata
    number = _checked_user_number(m.user_number)
    shown = [_shown(v) for v in (m.kind, m.name, m.organisation, m.subject, m.serial, m.fingerprint,
                                 m.not_before, m.not_after, m.created_at)]
    return BackupInfo(str(path), header.version, number, *shown, header.kdf.describe())


def inspect_backup(path: Path) -> BackupInfo:
    """The metadata of a backup file, without the passphrase."""
    path = Path(path).expanduser()
    data = _read(path)
    try:
        return _info(path, envelope.read_header(data))
    except envelope.BackupFormatError as exc:
        raise _as_app_error(exc, path) from None


# --- the certificate this machine holds -------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class _Held:
    entry: Entry
    sealed: Sealed
    key: Any
    cert: Any
    chain: list[Any]


def _held(core: Any, wallet: Wallet, user_number: str) -> _Held:
    """The wallet entry with its key, certificate and chain from the vault; refused when unusable."""
    from cryptography import x509

    from app import identity

    entry = wallet.get(user_number)
    if entry is None:
        raise NotInWallet("unknown", user_number=user_number)
    if entry.revoked:
        raise NothingToBackUp("revoked", "the certificate is revoked", user_number=user_number)
    if core.clock.now() >= entry.not_after_dt:
        raise NothingToBackUp("expired", "the certificate has expired", user_number=user_number)
    sealed = core.vault.get(entry.fingerprint)
    if sealed is None or sealed.cert_der is None:
        raise NothingToBackUp("no-key", "the vault has no key for it", user_number=user_number)
    key = identity.load_key(sealed.key_der)
    cert = x509.load_der_x509_certificate(sealed.cert_der)
    if cert.public_key() != key.public_key() or fingerprint(sealed.cert_der) != entry.fingerprint:
        raise NothingToBackUp("mismatch", "the vault's key does not belong to the certificate",
                              user_number=user_number)
    chain = [x509.load_der_x509_certificate(c) for c in sealed.chain_der]
    return _Held(entry, sealed, key, cert, chain)


def _fresh_wallet(core: Any) -> Wallet:
    """The wallet as it is on disk now (another ZorgCert may have changed it); the core sees it too."""
    core.wallet = Wallet(core.paths.wallet_file)
    return core.wallet


# --- backup ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupReport:
    path: str
    user_number: str
    name: str
    fingerprint: str
    created_at: str
    size: int
    kdf: str
    kdf_seconds: float  # measured time of one key derivation while sealing
    verified: bool = True

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def default_backup_name(user_number: str, now: datetime) -> str:
    """A file name for a backup, e.g. ``zorgcert-01234567890123-2026-11-29.zcbackup``."""
    return f"zorgcert-{user_number}-{now:%Y-%m-%d}{envelope.SUFFIX}"


def _check_target(out: Path, overwrite: bool = False) -> None:
    if out.is_dir():
        raise BackupPathIsFolder("a folder", path=str(out))
    if not out.parent.is_dir():
        raise BackupFolderMissing("no folder", path=str(out))
    if not overwrite and (out.exists() or out.is_symlink()):
        raise FileExists("exists", path=str(out))


def target_exists(out: str | Path) -> bool:
    """Would writing a backup or PFX to ``out`` replace a file? (the GUI asks first; the CLI wants --force)"""
    path = Path(out).expanduser().absolute()
    return path.is_symlink() or (path.exists() and not path.is_dir())


def _write_verified(out: Path, data: bytes, verify: Callable[[bytes], None], progress: Progress,
                    overwrite: bool = False) -> None:
    """Write beside ``out``, read back and ``verify`` from disk, then move into place (old file kept on failure)."""
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(out)) from None
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(out)) from None
        progress("verify")
        written = tmp.read_bytes()
        try:
            verify(written)
        except (envelope.BackupFormatError, ValueError) as exc:
            raise BackupNotVerified(f"{type(exc).__name__}: {exc}") from None
        checkpoint("backup-written")
        _check_target(out, overwrite)  # again: the file may have appeared while this one was written
        os.replace(tmp, out)
        checkpoint("backup-replaced")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable; some file systems (FAT on USB sticks) cannot, which is fine
        dir_fd = os.open(out.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def make_backup(
    core: Any,
    user_number: str,
    out: Path,
    passphrase: str,
    *,
    progress: Progress = _quiet,
    kdf: KdfParams | None = None,
    overwrite: bool = False,
) -> BackupReport:
    """Seal key, certificate and chain into ``out``, read it back and decrypt it, record when (R8).

    An existing ``out`` is replaced only with ``overwrite`` (the user said so); else ``FileExists``.
    """
    from backup.kdf import calibrate

    user_number = policy.normalise_user_number(user_number)
    out = Path(out).expanduser().absolute()
    _check_target(out, overwrite)
    entry = Wallet(core.paths.wallet_file).get(user_number)
    if entry is None:
        raise NotInWallet("unknown", user_number=user_number)
    require_strong(passphrase, user_inputs=_holder_inputs(entry))
    with InstanceLock(core.paths.lock_file):
        _clean_leftovers(core)
        wallet = _fresh_wallet(core)
        progress("read")
        held = _held(core, wallet, user_number)
        entry = held.entry
        now = core.clock.now()
        contents = Contents(
            held.sealed.key_der,
            held.sealed.cert_der or b"",
            held.sealed.chain_der,
            {
                "kind": entry.kind,
                "name": entry.name,
                "organisation": entry.organisation,
                "issuer_url": entry.issuer_url,
                "policy": entry.policy,
            },
        )
        metadata = envelope.Metadata(
            user_number=entry.user_number,
            subject=entry.subject,
            serial=entry.serial,
            not_after=entry.not_after,
            created_at=now.replace(microsecond=0).isoformat(),
            name=entry.name,
            organisation=entry.organisation,
            kind=entry.kind,
            fingerprint=entry.fingerprint,
            not_before=entry.not_before,
            app_version=__version__,
        )
        progress("kdf")
        params = kdf or calibrate().params
        payload = contents.encode()
        started = time.perf_counter()
        data = envelope.seal(payload, metadata, passphrase, params)
        seconds = time.perf_counter() - started

        def verify(written: bytes) -> None:
            opened, meta = envelope.open_(written, passphrase)
            if opened != payload or meta != metadata:
                raise ValueError("the file read back differs from what was written")
            back = Contents.decode(opened)
            if fingerprint(back.cert_der) != entry.fingerprint:
                raise ValueError("the certificate read back differs")

        progress("write")
        with _journaled_write(core, "backup", user_number, out):
            _write_verified(out, data, verify, progress, overwrite)
        progress("record")
        entry.last_backup_at = now.isoformat()
        wallet.put(entry)
    log.info("backup of %s (%s) written to %s", user_number, entry.fingerprint[:12], out)
    return BackupReport(str(out), user_number, entry.name, entry.fingerprint, now.isoformat(), len(data),
                        params.describe(), round(seconds, 3))


# --- restore -----------------------------------------------------------------------------------------


@dataclass
class RestoreOutcome(Outcome):
    """An ``Outcome`` with what the user should still know: ``warnings`` are i18n keys."""

    info: BackupInfo | None = None
    warnings: list[str] = field(default_factory=list)
    issuer_checked: bool = False


def _attr(cert: Any, oid: Any) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _issuer_client(core: Any) -> tuple[Any, str]:
    """The core's issuer client, or one from the settings when the core was made without an issuer."""
    if core.issuer is not None:
        return core.client, core.issuer.url
    from app import config
    from app.est import IssuerClient

    settings = config.issuer(core.paths)  # NoIssuerConfigured when there is none
    return IssuerClient(settings.url, settings.ca_file), settings.url


def _pinned_ca_file(core: Any) -> Path:
    """The issuer CA file ZorgCert pins (as ``app.config`` finds it); needed even when no URL is set."""
    if core.issuer is not None:
        return Path(core.issuer.ca_file)
    from app import config

    try:
        return config.issuer(core.paths).ca_file
    except NoIssuerConfigured:
        pass
    configured = os.environ.get(config.KEYS["issuer-ca"]) or config.load(core.paths).get("issuer-ca")
    ca_path = Path(configured).expanduser() if configured else config.SHIPPED_CA
    if not ca_path.is_file():
        raise NoIssuerConfigured(f"no issuer CA file ({ca_path}) to check the backup against")
    return ca_path


def _verified_chain(core: Any, cert: Any, offered: list[Any]) -> list[Any]:
    """The CA certificates of a valid path from ``cert`` to the pinned issuer CA (issuing CA first).

    Offline: only the pinned CA file is a trust anchor; the backup's chain certificates are mere
    candidates for intermediates, and any of them not on the path (a foreign root) is dropped.
    """
    from cryptography import x509
    from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

    ca_file = _pinned_ca_file(core)
    try:
        anchors = x509.load_pem_x509_certificates(ca_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise NoIssuerConfigured(f"the issuer CA file {ca_file} cannot be read: {type(exc).__name__}") from None
    # the Web PKI profile for client certificates, except that a subjectAltName is optional: the
    # issuer gives personal certificates an e-mail address and system certificates none
    leaf_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.NON_CRITICAL, None)
    verifier = (PolicyBuilder().store(Store(anchors)).time(core.clock.now())
                .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=leaf_policy)
                .build_client_verifier())
    try:
        verified = verifier.verify(cert, offered)
    except VerificationError as exc:
        raise RestoreRefused("not-from-issuer", f"the certificate does not chain to the pinned issuer CA: {exc}",
                             ca_file=str(ca_file)) from None
    return list(verified.chain[1:])


def _ask_issuer(core: Any, cert: Any, key: Any, user_number: str) -> tuple[bool, dict[str, Any] | None, str]:
    """(checked, policy, issuer URL): refuses a revoked, expired or superseded certificate; unchecked offline."""
    url = ""
    try:
        client, url = _issuer_client(core)
        client.me(cert, key)  # TLS client authentication: the issuer refuses a revoked certificate
        return True, client.policy(), url
    except IssuerRefused as exc:
        if exc.code == "revoked":
            raise RestoreRefused("revoked", "the issuer says the certificate is revoked") from None
        if exc.code == "certificate-superseded":
            raise RestoreRefused("superseded", "the issuer has a newer certificate for this user number",
                                 user_number=user_number) from None
        if exc.code == "certificate-expired":
            raise RestoreRefused("expired", "the issuer says the certificate has expired",
                                 valid_until=cert.not_valid_after_utc.isoformat()) from None
        if exc.code == "not-authorised":
            raise RestoreRefused("not-issued-here", exc.details) from None
        raise
    except (IssuerUnreachable, NoIssuerConfigured) as exc:
        # decided: restore anyway with a warning; revocation is enforced again at the next renewal
        log.warning("restore: could not ask the issuer about revocation (%s)", exc.details)
        return False, None, url


def _target_stores(core: Any, store: str, kind: str, user_number: str, old: Entry | None) -> list[CertStore]:
    """Where the restored certificate goes: the stores it was in (``auto``), or the ones named."""
    if store == "auto" and old is not None and old.stores:
        return [store_for(ref, core.paths) for ref in old.stores]
    return open_stores(store, kind=kind, user_number=user_number, paths=core.paths)


def restore_backup(
    core: Any,
    path: Path,
    passphrase: str,
    *,
    store: str = "auto",
    progress: Progress = _quiet,
) -> RestoreOutcome:
    """Check a backup every way we can, then install it into the store(s) and record it."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from app import identity

    path = Path(path).expanduser()
    progress("read")
    data = _read(path)
    try:
        header = envelope.read_header(data)
    except envelope.BackupFormatError as exc:
        raise _as_app_error(exc, path) from None
    info = _info(path, header)  # a user number that is not one is refused before the passphrase is tried
    try:
        progress("kdf")
        payload, meta = envelope.open_(data, passphrase)
        contents = Contents.decode(payload)
    except envelope.BackupFormatError as exc:
        raise _as_app_error(exc, path) from None
    try:
        cert = x509.load_der_x509_certificate(contents.cert_der)
        key = identity.load_key(contents.key_der)
        chain = [x509.load_der_x509_certificate(c) for c in contents.chain_der]
    except ValueError as exc:
        raise BackupDamaged(f"contents unreadable: {type(exc).__name__}", path=str(path)) from None
    fp = fingerprint(contents.cert_der)
    if meta.fingerprint and meta.fingerprint != fp:
        raise BackupDamaged("metadata and certificate disagree", path=str(path))
    # Everything below is taken from checked values only: the user number must be one and be the
    # certificate's own, the certificate must come from the pinned issuer CA, and only the CA
    # certificates on that path are kept. Nothing the file says names a folder, store or nickname.
    user_number = _checked_user_number(meta.user_number)
    if _attr(cert, NameOID.SERIAL_NUMBER) != user_number:
        raise RestoreRefused("user-number", "the backup's user number is not the certificate's")
    if cert.public_key() != key.public_key():
        raise RestoreRefused("key-mismatch", "the key does not belong to the certificate")
    not_after = cert.not_valid_after_utc
    if core.clock.now() >= not_after:
        raise RestoreRefused("expired", "expired", valid_until=not_after.isoformat())
    chain = _verified_chain(core, cert, chain)
    sealed = Sealed(identity.key_der(key), contents.cert_der, tuple(c.public_bytes(_der()) for c in chain))
    _refuse_older(Wallet(core.paths.wallet_file).get(user_number), fp, not_after)
    progress("check")
    checked, issuer_policy, issuer_url = _ask_issuer(core, cert, key, user_number)

    with InstanceLock(core.paths.lock_file):
        if core.journal.pending():
            core._recover_all()  # an interrupted install or renewal first, as every mutating operation does
        wallet = _fresh_wallet(core)
        old = wallet.get(user_number)
        _refuse_older(old, fp, not_after)  # again: another ZorgCert may have renewed meanwhile
        kind = _kind(cert, contents, meta, old)
        stores = _target_stores(core, store, kind, user_number, old)
        _check_available(stores)
        op = Operation(
            kind="restore",
            user_number=user_number,
            key_id=fp,  # the vault keeps the restored key under the certificate's fingerprint
            stores=[spec_of(s) for s in stores],
            stage="restoring",
            cert_pem=cert.public_bytes(_pem()).decode(),
            chain_pem=[c.public_bytes(_pem()).decode() for c in chain],
            old_fingerprint=old.fingerprint if old is not None else None,
            entry={"kind": kind, "policy": _policy(issuer_policy, contents, old), "issuer_url": issuer_url,
                   "at": core.clock.now().isoformat()},
        )
        core.journal.save(op)  # before the first vault or store write: a kill from here on is finished next run
        checkpoint("restore-journaled")
        progress("install")
        ident = identity.make_identity(user_number, key, cert, chain)
        try:
            refs = _install_all(core, stores, ident, chain, fp, sealed)
        except ZorgCertError:
            core.journal.finish(op)  # _install_all took out again what was not there before
            raise
        progress("record")
        entry = _record_restore(core, op, cert, refs)
    log.info("restored %s (%s) from %s; issuer checked: %s", user_number, fp[:12], path, checked)
    return RestoreOutcome(entry, [], info=info, warnings=[] if checked else ["restore.warn.unchecked"],
                          issuer_checked=checked)


def _record_restore(core: Any, op: Operation, cert: Any, refs: list[Any]) -> Entry:
    """Write the restored certificate's wallet entry, then remove the one it replaces; close the journal entry."""
    from cryptography.x509.oid import NameOID

    at = op.entry["at"]
    wallet = _fresh_wallet(core)
    old = wallet.get(op.user_number)
    same = old is not None and old.fingerprint == op.key_id  # the same certificate keeps when it was installed
    entry = Entry(
        user_number=op.user_number,
        kind=op.entry["kind"],
        name=_attr(cert, NameOID.COMMON_NAME),
        organisation=_attr(cert, NameOID.ORGANIZATION_NAME),
        subject=cert.subject.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        fingerprint=op.key_id,
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        installed_at=old.installed_at if old is not None and same else at,  # the restore itself is in the log
        how=old.how if old is not None and same else "restore",
        issuer_url=op.entry.get("issuer_url") or "",
        policy=op.entry["policy"],
        stores=refs,
        # the file just restored is a backup of exactly this certificate: R8 is met
        last_backup_at=at,
    )
    wallet.put(entry)
    op.stage = "recorded"
    core.journal.save(op)
    checkpoint("restore-recorded")
    _after_restore(core, op)
    return entry


def _after_restore(core: Any, op: Operation) -> None:
    """Remove the certificate the restore replaced: only once the wallet records the restored one."""
    now_held = Wallet(core.paths.wallet_file).get(op.user_number)
    if (op.old_fingerprint and op.old_fingerprint != op.key_id and now_held is not None
            and now_held.fingerprint == op.key_id):
        core._remove_everywhere(op.old_fingerprint)  # a newer certificate from the backup replaces it
        core.vault.delete(op.old_fingerprint)
    core.journal.finish(op)


def resume(core: Any, op: Operation) -> str:
    """Finish what a kill interrupted (under the lock, from ``ZorgCert._recover``): a restore is completed
    (or, when nothing reached the vault yet, closed); a backup's or export's temporary files are removed."""
    from cryptography import x509

    from app import identity
    from app.files import remove_temps

    if op.kind in ("backup", "export"):
        removed = remove_temps(Path(op.target)) if op.target else []
        core.journal.finish(op)
        log.info("interrupted %s of %s: removed %d temporary file(s) beside %s", op.kind, op.user_number,
                 len(removed), op.target)
        return "cleaned"
    if op.kind != "restore" or op.cert_pem is None:  # not ours to settle (a newer ZorgCert's): kept as it is
        log.warning("interrupted %s of %s left as it is: unknown here", op.kind, op.user_number)
        return "unknown"
    cert = x509.load_pem_x509_certificate(op.cert_pem.encode())
    if op.stage == "restoring":
        sealed = core.vault.get(op.key_id)
        if sealed is None or sealed.cert_der is None:  # killed before the vault write: nothing changed anywhere
            core.journal.finish(op)
            log.info("interrupted restore of %s had changed nothing; closed", op.user_number)
            return "rolled-back"
        chain = [x509.load_pem_x509_certificate(c.encode()) for c in op.chain_pem]
        ident = identity.make_identity(op.user_number, identity.load_key(sealed.key_der), cert, chain)
        refs = []
        for spec in op.stores:  # an install is idempotent: the stores that have it already keep it
            store = open_stores(spec, kind=op.entry["kind"], user_number=op.user_number, paths=core.paths)[0]
            try:
                refs.append(store.install(ident))  # the chain goes in without website trust
            except StoreError as exc:  # keep the entry (and the key): the next run tries again
                if exc.reason == "not-ours":
                    raise StoreFolderNotOurs(exc.detail, store=exc.store, fix=exc.fix or "") from None
                raise StoreProblem(exc.detail, store=exc.store, fix=exc.fix or "") from None
        _record_restore(core, op, cert, refs)
    else:
        _after_restore(core, op)
    log.info("completed interrupted restore of %s (%s)", op.user_number, op.key_id[:12])
    return "completed"


def _clean_leftovers(core: Any) -> None:
    """Under the lock: the temporary files of a killed backup or export (other interrupted work waits for
    ``status``, which may need the issuer)."""
    for op in core.journal.pending():
        if op.kind in ("backup", "export"):
            resume(core, op)


class _journaled_write:  # used as a context manager like a function
    """Journal a backup's or export's target while its temporary file may exist (see ``resume``)."""

    def __init__(self, core: Any, kind: str, user_number: str, out: Path):
        self.core = core
        self.op = Operation(kind=kind, user_number=user_number, key_id="", stores=[], stage="writing",
                            target=str(out))

    def __enter__(self) -> Operation:
        self.core.journal.save(self.op)
        return self.op

    def __exit__(self, *exc: object) -> None:
        self.core.journal.finish(self.op)  # a failed write removed its own temporary file


def _refuse_older(old: Entry | None, fp: str, not_after: datetime) -> None:
    if old is not None and old.fingerprint != fp and old.not_after_dt > not_after:
        raise RestoreRefused("older", "the wallet has a newer certificate",
                             backup_until=not_after.isoformat(), wallet_until=old.not_after)


def _policy(issuer_policy: dict[str, Any] | None, contents: Contents, old: Entry | None) -> dict[str, Any]:
    """The issuer's durations: asked now, else as kept in the backup or the wallet, else the real defaults."""
    for candidate in (issuer_policy, contents.entry.get("policy"), old.policy if old else None):
        if isinstance(candidate, dict) and all(_is_span(candidate.get(k)) for k in DEFAULT_POLICY):
            return {k: candidate[k] for k in DEFAULT_POLICY}
    return dict(DEFAULT_POLICY)


def _is_span(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 32:
        return False
    try:
        policy.parse_span(value)
    except ValueError:
        return False
    return True


KINDS = {"Persoonlijk": "personal", "Systeem": "system"}  # the OU the issuer writes (issuer/ca.py)


def _kind(cert: Any, contents: Contents, meta: envelope.Metadata, old: Entry | None) -> str:
    """personal or system: from the certificate's OU, else what the file or the wallet says, if it is one of them."""
    from cryptography.x509.oid import NameOID

    unit = _attr(cert, NameOID.ORGANIZATIONAL_UNIT_NAME)
    if unit in KINDS:
        return KINDS[unit]
    for candidate in (contents.entry.get("kind"), meta.kind, old.kind if old else None):
        if candidate in KINDS.values():
            return str(candidate)
    return "personal"


def _check_available(stores: list[CertStore]) -> None:
    if not stores:
        raise StoreProblem("no certificate store found", store="auto",
                           fix="name one with --store (nss, file:FOLDER, windows, macos)")
    for s in stores:
        avail = s.available()
        if not avail.ok:
            if avail.reason == "not-ours":
                raise StoreFolderNotOurs(avail.detail, store=s.location, fix=avail.fix or "")
            raise StoreProblem(avail.detail, store=f"{s.name} {s.location}", fix=avail.fix or "")


def _install_all(core: Any, stores: list[CertStore], ident: Any, chain: list[Any], fp: str,
                 sealed: Sealed) -> list[Any]:
    """Vault copy first, then every store; on a failure take out again what was not there before."""
    had_vault = core.vault.holds(fp)  # an entry another keyring sealed is replaced, not opened (issue 12)
    had_store = [s.find(fp) is not None for s in stores]
    core.vault.put(fp, sealed)
    checkpoint("restore-vault")
    refs = []
    try:
        for s in stores:
            refs.append(s.install(ident))  # the chain goes in without website trust
            checkpoint("restore-installed-one")
    except StoreError as exc:
        for s, had in zip(stores, had_store, strict=True):
            if not had:
                try:
                    ref = s.find(fp)
                    if ref is not None:
                        s.remove(ref)
                except StoreError as undo:
                    log.warning("restore: could not take %s out of %s again: %s", fp[:12], s.location, undo)
        if not had_vault:
            core.vault.delete(fp)
        if exc.reason == "not-ours":
            raise StoreFolderNotOurs(exc.detail, store=exc.store, fix=exc.fix or "") from None
        raise StoreProblem(exc.detail, store=exc.store, fix=exc.fix or "") from None
    return refs


# --- PFX export --------------------------------------------------------------------------------------


def export_pfx(core: Any, user_number: str, out: Path, passphrase: str, profile: str = "modern", *,
               overwrite: bool = False) -> Path:
    """Write the certificate with its key as a PKCS#12 for administration software or a browser.

    An existing ``out`` is replaced only with ``overwrite``; else ``FileExists``.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    from app.files import write_atomic
    from backup import pfx

    if profile not in pfx.PROFILES:
        from app.errors import UsageError

        raise UsageError(f"--profile must be one of {', '.join(pfx.PROFILES)}")
    user_number = policy.normalise_user_number(user_number)
    out = Path(out).expanduser().absolute()
    _check_target(out, overwrite)
    wallet = Wallet(core.paths.wallet_file)
    entry = wallet.get(user_number)
    if entry is None:
        raise NotInWallet("unknown", user_number=user_number)
    require_strong(passphrase, user_inputs=_holder_inputs(entry))
    held = _held(core, wallet, user_number)
    data = pfx.to_pfx(held.key, held.cert, held.chain, passphrase, profile=profile,
                      friendly_name=f"ZorgCert {user_number}")
    key, cert, _extra = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    if cert is None or key is None or fingerprint(cert.public_bytes(_der())) != entry.fingerprint:
        raise BackupNotVerified("the PFX did not read back")
    with InstanceLock(core.paths.lock_file):  # recovery (under the lock) never meets a live export's temp file
        _clean_leftovers(core)
        _check_target(out, overwrite)
        with _journaled_write(core, "export", user_number, out):
            try:
                write_atomic(out, data)
            except OSError as exc:
                raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(out)) from None
    log.info("exported %s as a %s PFX to %s", user_number, profile, out)
    return out


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _pem() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


__all__ = [
    "BackupInfo",
    "BackupReport",
    "RestoreOutcome",
    "Strength",
    "check_passphrase",
    "crack_time_words",
    "default_backup_name",
    "export_pfx",
    "inspect_backup",
    "make_backup",
    "require_strong",
    "restore_backup",
    "target_exists",
]
