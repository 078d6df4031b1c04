"""Restoring a backup: check it every way we can, then install it like an install does, journaled.

A restore checks everything it can before it changes anything (passphrase, expiry, the
issuer's word on revocation, the wallet's newer certificate, key and certificate together).
It writes its journal entry before the vault or any store is touched, so a kill at any point
is finished by the next run (``resume``: install in every store, record, remove the replaced
certificate). The passphrase stays in memory: never in argv, a log, a file or the keyring.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from app import policy
from app.backups.fileinfo import BackupInfo, as_app_error, checked_user_number, info_of, read_backup_file
from app.backups.shared import Progress, clean_write, fresh_wallet, quiet
from app.enroll import identity
from app.enroll.chain import ChainUntrusted, path_to_pin
from app.errors import (
    BackupDamaged,
    ExtensionMissing,
    IssuerRefused,
    IssuerUnreachable,
    NoIssuerConfigured,
    RestoreRefused,
    StoreFolderNotOurs,
    StoreProblem,
    ZorgCertError,
)
from app.lifecycle.services import Outcome, checkpoint
from app.state import config
from app.state.journal import Operation
from app.state.lock import InstanceLock
from app.state.stores import check_available, open_stores, spec_of, store_for
from app.state.vault import Sealed
from app.state.wallet import Entry, Wallet
from backup import envelope
from backup.payload import Contents
from keystore.base import CertStore, Identity, StoreError, StoreRef, fingerprint

if TYPE_CHECKING:
    from app.enroll.est import IssuerClient
    from app.lifecycle.services import ZorgCert

log = logging.getLogger("zorgcert")

DEFAULT_POLICY = {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"}


@dataclass
class RestoreOutcome(Outcome):
    """An ``Outcome`` with what the user should still know: ``warnings`` are i18n keys."""

    info: BackupInfo | None = None
    warnings: list[str] = field(default_factory=list)
    issuer_checked: bool = False


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _issuer_client(core: ZorgCert) -> tuple[IssuerClient, str]:
    """The core's issuer client, or one from the settings when the core was made without an issuer."""
    if core.issuer is not None:
        return core.client, core.issuer.url
    from app.enroll.est import IssuerClient  # the one lazy import here: requests, only when the issuer is asked

    settings = config.issuer(core.paths)  # NoIssuerConfigured when there is none
    return IssuerClient(settings.url, settings.ca_file, label=settings.label), settings.url


def pinned_ca_file(core: ZorgCert) -> Path:
    """The issuer CA file ZorgCert pins (as ``app.state.config`` finds it); needed even when no URL is set."""
    if core.issuer is not None:
        return Path(core.issuer.ca_file)
    try:
        return config.issuer(core.paths).ca_file
    except NoIssuerConfigured:
        pass
    configured = os.environ.get(config.KEYS["issuer-ca"]) or config.load(core.paths).get("issuer-ca")
    ca_path = Path(configured).expanduser() if configured else config.SHIPPED_CA
    if not ca_path.is_file():
        raise NoIssuerConfigured(f"no issuer CA file ({ca_path}) to check the backup against")
    return ca_path


def verified_chain(core: ZorgCert, cert: x509.Certificate, offered: list[x509.Certificate]) -> list[x509.Certificate]:
    """The CA certificates of a valid path from ``cert`` to the pinned issuer CA (issuing CA first).

    Offline: only the pinned CA file is a trust anchor; the backup's chain certificates are mere
    candidates for intermediates, and any of them not on the path (a foreign root) is dropped.
    """
    ca_file = pinned_ca_file(core)
    try:
        anchors = x509.load_pem_x509_certificates(ca_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise NoIssuerConfigured(f"the issuer CA file {ca_file} cannot be read: {type(exc).__name__}") from None
    try:
        return path_to_pin(cert, offered, anchors, now=core.clock.now())
    except ChainUntrusted as exc:
        raise RestoreRefused("not-from-issuer", f"the certificate does not chain to the pinned issuer CA: {exc}",
                             ca_file=str(ca_file)) from None


def _ask_issuer(core: ZorgCert, cert: x509.Certificate, key: Any,
                user_number: str) -> tuple[bool, dict[str, Any] | None, str]:
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
    except (IssuerUnreachable, NoIssuerConfigured, ExtensionMissing) as exc:
        # decided: restore anyway with a warning; revocation is enforced again at the next renewal (a plain
        # EST issuer has no /api/v1/me to ask: the same, issue 14)
        log.warning("restore: could not ask the issuer about revocation (%s)", exc.details)
        return False, None, url


def target_stores(core: ZorgCert, store: str, kind: str, user_number: str, old: Entry | None) -> list[CertStore]:
    """Where the restored certificate goes: the stores it was in (``auto``), or the ones named."""
    if store == "auto" and old is not None and old.stores:
        return [store_for(ref, core.paths) for ref in old.stores]
    return open_stores(store, kind=kind, user_number=user_number, paths=core.paths)


def restore_backup(
    core: ZorgCert,
    path: Path,
    passphrase: str,
    *,
    store: str = "auto",
    progress: Progress = quiet,
) -> RestoreOutcome:
    """Check a backup every way we can, then install it into the store(s) and record it."""
    path = Path(path).expanduser()
    progress("read")
    data = read_backup_file(path)
    try:
        header = envelope.read_header(data)
    except envelope.BackupFormatError as exc:
        raise as_app_error(exc, path) from None
    info = info_of(path, header)  # a user number that is not one is refused before the passphrase is tried
    try:
        progress("kdf")
        payload, meta = envelope.open_(data, passphrase)
        contents = Contents.decode(payload)
    except envelope.BackupFormatError as exc:
        raise as_app_error(exc, path) from None
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
    user_number = checked_user_number(meta.user_number)
    if _attr(cert, NameOID.SERIAL_NUMBER) != user_number:
        raise RestoreRefused("user-number", "the backup's user number is not the certificate's")
    if cert.public_key() != key.public_key():
        raise RestoreRefused("key-mismatch", "the key does not belong to the certificate")
    not_after = cert.not_valid_after_utc
    if core.clock.now() >= not_after:
        raise RestoreRefused("expired", "expired", valid_until=not_after.isoformat())
    chain = verified_chain(core, cert, chain)
    sealed = Sealed(identity.key_der(key), contents.cert_der, tuple(c.public_bytes(Encoding.DER) for c in chain))
    _refuse_older(Wallet(core.paths.wallet_file).get(user_number), fp, not_after)
    progress("check")
    checked, issuer_policy, issuer_url = _ask_issuer(core, cert, key, user_number)

    with InstanceLock(core.paths.lock_file):
        if core.journal.pending():
            core.recover_interrupted()  # an interrupted install or renewal first, as every mutating operation does
        wallet = fresh_wallet(core)
        old = wallet.get(user_number)
        _refuse_older(old, fp, not_after)  # again: another ZorgCert may have renewed meanwhile
        kind = _kind(cert, contents, meta, old)
        stores = target_stores(core, store, kind, user_number, old)
        check_available(stores)
        op = Operation(
            kind="restore",
            user_number=user_number,
            key_id=fp,  # the vault keeps the restored key under the certificate's fingerprint
            stores=[spec_of(s) for s in stores],
            stage="restoring",
            cert_pem=cert.public_bytes(Encoding.PEM).decode(),
            chain_pem=[c.public_bytes(Encoding.PEM).decode() for c in chain],
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


def _record_restore(core: ZorgCert, op: Operation, cert: x509.Certificate, refs: list[StoreRef]) -> Entry:
    """Write the restored certificate's wallet entry, then remove the one it replaces; close the journal entry."""
    at = op.entry["at"]
    wallet = fresh_wallet(core)
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


def _after_restore(core: ZorgCert, op: Operation) -> None:
    """Remove the certificate the restore replaced: only once the wallet records the restored one."""
    now_held = Wallet(core.paths.wallet_file).get(op.user_number)
    if (op.old_fingerprint and op.old_fingerprint != op.key_id and now_held is not None
            and now_held.fingerprint == op.key_id):
        core.remove_everywhere(op.old_fingerprint)  # a newer certificate from the backup replaces it
        core.vault.delete(op.old_fingerprint)
    core.journal.finish(op)


def resume(core: ZorgCert, op: Operation) -> str:
    """Finish what a kill interrupted (under the lock, from ``ZorgCert.recover``): a restore is completed
    (or, when nothing reached the vault yet, closed); a backup's or export's temporary files are removed."""
    if op.kind in ("backup", "export"):
        return clean_write(core, op)
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


def _kind(cert: x509.Certificate, contents: Contents, meta: envelope.Metadata, old: Entry | None) -> str:
    """personal or system: from the certificate's OU, else what the file or the wallet says, if it is one of them."""
    unit = _attr(cert, NameOID.ORGANIZATIONAL_UNIT_NAME)
    if unit in KINDS:
        return KINDS[unit]
    for candidate in (contents.entry.get("kind"), meta.kind, old.kind if old else None):
        if candidate in KINDS.values():
            return str(candidate)
    return "personal"


def _install_all(core: ZorgCert, stores: list[CertStore], ident: Identity, chain: list[x509.Certificate], fp: str,
                 sealed: Sealed) -> list[StoreRef]:
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


