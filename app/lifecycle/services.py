"""Install, renew, status: the work behind the CLI and the GUI, with the journal and the lock.

Each mutating operation runs under the one lock, first finishes or rolls back any
operation a crash interrupted (``recover``), and moves through the journal's stages.

Lazy imports, the only ones here: ``app.enroll.est`` (``requests``) loads when the issuer is first
asked (a backup, an offline restore or ``doctor`` without an issuer never needs it), and
``app.backups.restore`` when an interrupted restore is finished (it imports this module).
"""

from __future__ import annotations

import base64
import errno
import logging
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from app.clock import Clock, SystemClock
from app.enroll import identity
from app.errors import (
    DiskFull,
    DiskFullAfterIssue,
    EmptyPin,
    EnrollmentDeferred,
    IssuerRefused,
    IssuerSaid,
    IssuerUnreachable,
    NoIssuerConfigured,
    NotInWallet,
    NssDatabaseCorrupt,
    StoreFolderNotOurs,
    StoreProblem,
    StoreToolsMissing,
    ZorgCertError,
)
from app.i18n import t
from app.lifecycle import deferred
from app.lifecycle.entries import derived_policy, drop_website_trust
from app.lifecycle.entries import entry_for as _entry_for
from app.lifecycle.entries import fingerprint_of as _fingerprint
from app.lifecycle.preflight import before_pin
from app.lifecycle.status import StatusRow, rows
from app.lifecycle.status import waiting as status_waiting
from app.state import config
from app.state.config import IssuerSettings
from app.state.journal import Journal, Operation, ca_fingerprints
from app.state.lock import InstanceLock
from app.state.paths import Paths
from app.state.stores import check_available, open_stores, spec_of, store_for
from app.state.vault import Sealed, Vault, keys_from_stores
from app.state.wallet import Entry, Wallet
from app.state.wallet import load as load_wallet
from keystore.base import CertStore, StoreError, StoreRef

log = logging.getLogger("zorgcert")

# Free space an install or renewal needs in the data folder, the vault and each store's folder
# before anything is asked of the issuer: a new NSS database is ~70 kB, a vault entry, journal
# and wallet a few kB, the log up to 1 MB before it rotates. 5 MB leaves room for all of it.
MIN_FREE_BYTES = 5 * 1024 * 1024


def _existing(folder: Path) -> Path | None:
    return next((p for p in (folder, *folder.parents) if p.exists()), None)


def store_folder(store: CertStore) -> Path | None:
    """The folder a store writes to (NSS database, file store, keychain), if it has one on this disk."""
    for attr in ("db_dir", "folder"):
        if getattr(store, attr, None) is not None:
            return Path(getattr(store, attr))
    keychain = getattr(store, "keychain", None)
    return Path(keychain).parent if keychain else None


def check_room(folders: list[Path], *, minimum: int | None = None, after_issue: bool = False) -> None:
    """``DiskFull`` naming the first of ``folders`` (or its nearest existing parent) with too little free space."""
    minimum = MIN_FREE_BYTES if minimum is None else minimum
    seen: set[Path] = set()
    for folder in folders:
        existing = _existing(folder)
        if existing is None or existing in seen:
            continue
        seen.add(existing)
        try:
            free = shutil.disk_usage(existing).free
        except OSError:
            continue
        if free < minimum:
            kind = DiskFullAfterIssue if after_issue else DiskFull
            raise kind(f"{free} bytes free in {existing}, {minimum} needed", store=str(existing),
                       folder=str(existing), free_mb=f"{free / 1_048_576:.1f}",
                       needed_mb=f"{minimum / 1_048_576:.0f}")


def _is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))

Progress = Callable[[str], None]


def checkpoint(stage: str) -> None:
    """Fault injection for the crash tests: ``ZORGCERT_CRASH_AT=<stage>`` kills the process here."""
    if os.environ.get("ZORGCERT_CRASH_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _store_problem(exc: StoreError, where: str = "") -> StoreProblem:
    if exc.reason == "tool-missing":
        return StoreToolsMissing(exc.detail, store=exc.store, fix=exc.fix or "")
    if exc.reason == "not-ours":
        return StoreFolderNotOurs(exc.detail, store=where or exc.store, fix=exc.fix or "")
    if exc.reason == "no-space":
        return DiskFullAfterIssue(exc.detail, store=where or exc.store, folder=where.removeprefix("sql:"),
                                  free_mb="", needed_mb=f"{MIN_FREE_BYTES / 1_048_576:.0f}")
    if exc.reason == "corrupt-database":
        return NssDatabaseCorrupt(exc.detail, store=where or exc.store, folder=where.removeprefix("sql:"))
    return StoreProblem(exc.detail, store=exc.store, fix=exc.fix or "")


@dataclass(frozen=True)
class _Asked:
    url: str | None
    ca: str | None


@dataclass
class Outcome:
    entry: Entry
    recovered: list[tuple[str, str, str]]  # (operation, user number, "completed" | "rolled-back")


class ZorgCert:
    """The app's core operations on this machine's state."""

    def __init__(self, paths: Paths, issuer: IssuerSettings | None = None, *, clock: Clock | None = None):
        self.paths = paths
        self.issuer = issuer
        self.clock = clock or SystemClock()
        self.wallet: Wallet = load_wallet(paths)  # rebuilt if a damaged one was set aside
        self.vault = Vault(paths.vault_dir, rescue=keys_from_stores(paths))  # issue 12: another keyring
        self.journal = Journal(paths.journal_dir)
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            from app.enroll.est import IssuerClient  # lazy: requests, only when the issuer is asked (see the top)

            if self.issuer is None:
                raise NoIssuerConfigured("no issuer")
            self._client = IssuerClient(self.issuer.url, self.issuer.ca_file, label=self.issuer.label)
        return self._client

    # --- install (R4) and reinstall after expiry (R6) -----------------------------------

    def install(
        self,
        user_number: str,
        pin: str,
        *,
        kind: str = "personal",
        store: str = "auto",
        progress: Progress = lambda _: None,
    ) -> Outcome:
        """Enroll with user number + PIN, install into the stores, read back, record."""
        user_number = before_pin(self.paths, user_number, self.clock.now())  # a typo, or installed and valid here
        waiting = any(w.user_number == user_number and w.kind == kind for w in status_waiting(self.paths))
        if not pin and not waiting:  # a deferred install repeats its own request: no PIN needed now
            raise EmptyPin("empty PIN")
        stores = open_stores(store, kind=kind, user_number=user_number, paths=self.paths)
        self._check_room(stores)  # before the lock file, the issuer and the PIN: nothing is sent
        with InstanceLock(self.paths.lock_file):
            recovered = self.recover_interrupted()  # a due deferred request is sent again here
            done = self._settled("install", user_number, recovered)
            if done is not None:
                return done
            if not pin:
                raise EmptyPin("empty PIN")
            check_available(stores)
            self._check_room(stores)
            progress("contact")
            issuer_policy = self._policy()
            chain = self.client.cacerts()
            spec = identity.KeySpec.from_csrattrs(self.client.csrattrs())
            progress("key")
            key = identity.generate_key(spec)
            csr = identity.csr_der(key)
            old = self.wallet.get(user_number)
            asked = self._issuer_asked()
            op = Operation(
                kind="install",
                user_number=user_number,
                key_id=identity.key_sha256(key),
                stores=[spec_of(s) for s in stores],
                old_fingerprint=old.fingerprint if old else None,
                entry={"kind": kind, "policy": issuer_policy},
                issuer_url=asked.url,
                issuer_ca=asked.ca,
                csr=_b64(csr),
            )
            self._begin(op, identity.key_der(key), pin)
            checkpoint("key-made")
            progress("enroll")
            try:
                cert = self.client.simpleenroll(user_number, pin, csr)
            except EnrollmentDeferred as answer:  # RFC 7030 §4.2.3: accepted, the certificate comes later
                raise deferred.defer(self, op, answer) from None
            except IssuerSaid:
                self._roll_back(op)  # a plain server's clear no: nothing was issued
                raise
            except IssuerRefused as refused:
                self._roll_back(op)  # a clear no: nothing was issued
                if refused.code == "user-blocked":  # the issuer names no kind to a PIN it did not check
                    refused.params.setdefault("unblocked_by", "contact-person" if kind == "personal" else "support")
                raise
            except IssuerUnreachable:
                # the request may have reached the issuer: keep the journal, ask again next time
                raise
            checkpoint("answered")  # the crash tests: the issuer answered, nothing of it was written yet
            self._issued_or_keep(op, cert, chain)
            entry = self._finish(op, progress)
            return Outcome(entry, recovered)

    # --- renewal (R5) --------------------------------------------------------------------

    def renew(self, user_number: str, *, progress: Progress = lambda _: None) -> Outcome:
        """Renew with the current certificate, replace it in every store it was in."""
        with InstanceLock(self.paths.lock_file):
            recovered = self.recover_interrupted()
            done = self._settled("renew", user_number, recovered)
            if done is not None:
                return done
            entry = self.wallet.get(user_number)
            if entry is None:
                raise NotInWallet("unknown", user_number=user_number)
            sealed = self.vault.get(entry.fingerprint)
            if sealed is None or sealed.cert_der is None:
                raise StoreProblem(
                    "no key for this certificate in the vault", store="vault", fix="restore your backup, then renew"
                )
            now = self.clock.now()
            if now >= entry.not_after_dt:
                raise IssuerRefused("certificate-expired", "expired")
            self._check_room([store_for(r, self.paths) for r in entry.stores])
            cert = x509.load_der_x509_certificate(sealed.cert_der)
            current_key = identity.load_key(sealed.key_der)
            issuer_policy = self._policy()
            chain = self.client.cacerts()
            spec = identity.KeySpec.from_csrattrs(self.client.csrattrs())
            progress("key")
            key = identity.generate_key(spec)
            asked = self._issuer_asked()
            op = Operation(
                kind="renew",
                user_number=user_number,
                key_id=identity.key_sha256(key),
                stores=[self._spec_for_ref(r) for r in entry.stores],
                old_fingerprint=entry.fingerprint,
                entry={"kind": entry.kind, "policy": issuer_policy},
                issuer_url=asked.url,
                issuer_ca=asked.ca,
            )
            csr = identity.renewal_csr_der(key, cert)  # Subject and SubjectAltName copied (RFC 7030 §4.2.2)
            op.csr = _b64(csr)
            self._begin(op, identity.key_der(key))
            checkpoint("key-made")
            progress("enroll")
            try:
                new_cert = self.client.simplereenroll(cert, current_key, csr)
            except EnrollmentDeferred as answer:
                raise deferred.defer(self, op, answer) from None
            except IssuerSaid:
                self._roll_back(op)
                raise
            except IssuerRefused as exc:
                self._roll_back(op)
                if exc.code == "revoked":
                    entry.revoked = True
                    self.wallet.put(entry)
                raise
            self._issued_or_keep(op, new_cert, chain)
            return Outcome(self._finish(op, progress), recovered)

    # --- the shared second half ------------------------------------------------------------

    def _policy(self) -> dict[str, Any] | None:
        """The issuer's durations (a ZorgCert extension), or None: then the certificate and our configuration
        say them (``_issued``). The configured renewal window is checked now, before anything is sent."""
        found = self.client.policy()
        if found is None:
            config.renewal_window(self.paths)
        return dict(found) if found is not None else None

    def _settled(self, kind: str, user_number: str, recovered: list[tuple[str, str, str]]) -> Outcome | None:
        """An install or renewal of a user number whose request is deferred: its outcome now (never a second one).

        Completed by the repeat that ``recover_interrupted`` just sent: that entry; still deferred:
        ``EnrollmentDeferred`` with the next attempt. None when there is nothing pending for it.
        """
        for op in self.journal.pending():
            if op.kind == kind and op.user_number == user_number and op.stage == "deferred":
                raise deferred.deferred_error(op)
        if any(k == kind and number == user_number and result == "completed" for k, number, result in recovered):
            entry = self.wallet.get(user_number)
            if entry is not None:
                return Outcome(entry, recovered)
        return None

    def _spec_for_ref(self, ref: StoreRef) -> str:
        return spec_of(store_for(ref, self.paths))

    def _check_room(self, stores: list[CertStore]) -> None:
        folders = [self.paths.data_dir, self.paths.vault_dir, self.paths.journal_dir]
        folders += [f for f in map(store_folder, stores) if f is not None]
        check_room(folders)

    def _begin(self, op: Operation, key_der: bytes, pin: str | None = None) -> None:
        """The new key (and an install's PIN, sealed: the request may have to be sent again) into the vault, then
        the ``key-made`` entry; on a full disk none of them stays (nothing was sent)."""
        try:
            self.vault.put(op.key_id, Sealed(key_der, None, ()))
            if pin is not None:
                self.vault.seal_pin(op.key_id, pin)
            self.journal.save(op)
        except OSError as exc:
            try:
                self.vault.wipe_pin(op.key_id)
                self.vault.delete(op.key_id)  # no orphan key: the journal never named it
                self.journal.finish(op)
            except OSError:
                pass
            if _is_disk_full(exc):
                raise DiskFull(f"{exc.strerror}", store=str(self.paths.data_dir), folder=str(self.paths.data_dir),
                               free_mb="0", needed_mb=f"{MIN_FREE_BYTES / 1_048_576:.0f}") from None
            raise

    def _issued_or_keep(self, op: Operation, cert: Any, chain: list[Any]) -> None:
        """``_issued``; if the disk is full even for that, the ``key-made`` entry stays and the next run asks the
        issuer for the certificate by key: an issued certificate (and the used-up PIN) is never lost."""
        try:
            self._issued(op, cert, chain)
        except OSError as exc:
            if _is_disk_full(exc):
                raise DiskFullAfterIssue(f"{exc.strerror}", store=str(self.paths.journal_dir),
                                         folder=str(self.paths.journal_dir), free_mb="0",
                                         needed_mb=f"{MIN_FREE_BYTES / 1_048_576:.0f}") from None
            raise

    def _issued(self, op: Operation, cert: Any, chain: list[Any]) -> None:
        op.cert_pem = cert.public_bytes(Encoding.PEM).decode()
        op.chain_pem = [c.public_bytes(Encoding.PEM).decode() for c in chain]
        if op.entry.get("policy") is None:  # a plain EST issuer: validity from the certificate, R5 from us
            op.entry["policy"] = derived_policy(cert, config.renewal_window(self.paths))
        op.stage = "issued"
        self.journal.save(op)
        self.vault.wipe_pin(op.key_id)  # the certificate is known: the PIN is never needed again
        checkpoint("issued")

    def _finish(self, op: Operation, progress: Progress) -> Entry:
        """Roll forward from ``issued``: install everywhere, read back, record, remove the old one."""
        assert op.cert_pem is not None
        cert = x509.load_pem_x509_certificate(op.cert_pem.encode())
        chain = [x509.load_pem_x509_certificate(p.encode()) for p in op.chain_pem]
        if op.stage == "issued":
            try:
                self._install_issued(op, cert, chain, progress)
            except OSError as exc:  # the journal still says "issued": the next run installs it
                if _is_disk_full(exc):
                    raise DiskFullAfterIssue(f"{exc.strerror}", store=str(self.paths.data_dir),
                                             folder=str(self.paths.data_dir), free_mb="0",
                                             needed_mb=f"{MIN_FREE_BYTES / 1_048_576:.0f}") from None
                raise
        entry = self.wallet.get(op.user_number)
        assert entry is not None
        if op.old_fingerprint and op.old_fingerprint != entry.fingerprint:
            progress("cleanup")
            self.remove_everywhere(op.old_fingerprint)
            self.vault.delete(op.old_fingerprint)
        self.journal.finish(op)
        log.info("%s of %s finished: %s", op.kind, op.user_number, entry.fingerprint[:12])
        return entry

    def _install_issued(self, op: Operation, cert: Any, chain: list[Any], progress: Progress) -> None:
        """From ``issued`` to ``recorded``: every store, the vault under the fingerprint, the wallet."""
        pending = self.vault.get(op.key_id)
        fp = _fingerprint(cert)
        if pending is None:  # already moved by an earlier, interrupted run
            pending = self.vault.get(fp)
        if pending is None:
            raise StoreProblem("the new key is missing from the vault", store="vault")
        key = identity.load_key(pending.key_der)
        ident = identity.make_identity(op.user_number, key, cert, chain)
        progress("install")
        refs = []
        for spec in op.stores:
            store = open_stores(spec, kind=op.entry["kind"], user_number=op.user_number, paths=self.paths)[0]
            try:
                refs.append(store.install(ident))  # the chain goes in without any trust (no website trust)
                drop_website_trust(store, self.issuer_ca_ders(chain))
            except StoreError as exc:
                raise _store_problem(exc, store.location) from None
            checkpoint("installed-one")
        self.vault.put(fp, Sealed(pending.key_der, ident.cert_der, ident.chain_der))
        self.vault.delete(op.key_id)
        old = self.wallet.get(op.user_number)
        issuer_url = op.issuer_url or (self.issuer.url if self.issuer else "")
        entry = _entry_for(op, cert, refs, issuer_url, self.clock.now(), old)
        self.wallet.put(entry)
        op.stage = "recorded"
        self.journal.save(op)
        checkpoint("recorded")

    def issuer_ca_ders(self, chain: list[Any]) -> list[bytes]:
        """The issuer's CA certificates (DER): the pinned CA file and ``chain`` (checked against it)."""
        ders = [c.public_bytes(Encoding.DER) for c in chain]
        if self.issuer is not None:
            from app.enroll.est import load_pinned  # lazy: see the top

            try:
                ders += [c.public_bytes(Encoding.DER) for c in load_pinned(self.issuer.ca_file)]
            except ZorgCertError:
                pass
        return ders

    def remove_everywhere(self, fingerprint: str) -> None:
        """Take an old certificate out of every store that might hold it (after the new one is in)."""
        seen: set[str] = set()
        for entry_store in self._all_store_specs():
            if entry_store in seen:
                continue
            seen.add(entry_store)
            try:
                store = open_stores(entry_store, kind="personal", user_number="", paths=self.paths)[0]
                ref = store.find(fingerprint)
                if ref is not None:
                    store.remove(ref)
            except (StoreError, ZorgCertError) as exc:
                log.warning("could not remove old certificate %s from %s: %s", fingerprint[:12], entry_store, exc)

    def _all_store_specs(self) -> list[str]:
        specs = []
        for entry in self.wallet.entries():
            specs += [self._spec_for_ref(r) for r in entry.stores]
        for op in self.journal.pending():
            specs += op.stores
        return specs

    def complete_repeated(self, op: Operation, cert: Any) -> Entry:
        """A repeated request was answered (``app.lifecycle.deferred``): record it and roll forward."""
        self._issued(op, cert, self.client.cacerts())
        return self._finish(op, lambda _: None)

    def roll_back(self, op: Operation) -> None:
        """A clear no to an interrupted or deferred request: its key, its sealed PIN and its entry go."""
        self._roll_back(op)

    def _roll_back(self, op: Operation) -> None:
        self.vault.wipe_pin(op.key_id)
        self.vault.delete(op.key_id)
        self.journal.finish(op)

    # --- recovery --------------------------------------------------------------------------

    def recover(self) -> list[tuple[str, str, str]]:
        """Finish or roll back whatever a crash interrupted (under the lock)."""
        if not self.journal.pending():
            return []
        with InstanceLock(self.paths.lock_file, wait=30):
            return self.recover_interrupted()

    def recover_interrupted(self) -> list[tuple[str, str, str]]:
        """Finish or roll back every interrupted operation; the caller holds the lock (see ``recover``)."""
        done = []
        for op in self.journal.pending():
            done.append((op.kind, op.user_number, self._recover(op)))
        return done

    def _issuer_asked(self) -> _Asked:
        """What a journal entry records of the issuer it asks: URL and the pinned CA's fingerprint."""
        if self.issuer is None:
            return _Asked(None, None)
        pins = ca_fingerprints(self.issuer.ca_file)
        return _Asked(self.issuer.url, pins[0] if pins else "")

    def _asks_same_issuer(self, op: Operation) -> bool:
        """Is the issuer configured now the one ``op`` was sent to (same URL, same pinned CA)?"""
        if self.issuer is None:
            return False
        if op.issuer_url is None:  # written before entries remembered their issuer: see _recover
            return True
        return self.issuer.url == op.issuer_url and op.issuer_ca in ca_fingerprints(self.issuer.ca_file)

    def waiting_for_issuer(self) -> list[Operation]:
        """Interrupted operations that only their own issuer can settle, which is not the one configured now."""
        return [op for op in self.journal.pending()
                if op.stage in ("key-made", "deferred") and not self._asks_same_issuer(op)]

    def waiting_notes(self, lang: str) -> list[str]:
        """What to tell the user about each operation ``waiting_for_issuer`` returns: what happened, what to do."""
        notes = []
        for op in self.waiting_for_issuer():
            params = {
                "operation": t(f"recovery.op.{op.kind}", lang),
                "user_number": op.user_number,
                "issuer_url": op.issuer_url or t("recovery.unknown_issuer", lang),
                "current": self.issuer.url if self.issuer else t("recovery.no_issuer", lang),
            }
            notes.append(t("recovery.waiting", lang, **params) + "\n" + t("recovery.waiting.next", lang, **params))
        return notes

    @staticmethod
    def recovery_notes(recovered: list[tuple[str, str, str]], lang: str) -> list[str]:
        """What to tell the user about repeated requests that did not complete (refused, or lost at the issuer)."""
        notes = [deferred.note_for(result, kind, number, lang) for kind, number, result in recovered]
        return [n for n in notes if n]

    def _recover(self, op: Operation) -> str:
        """Finish or roll back one interrupted operation (see app.state.journal).

        A ``key-made`` entry is asked about only at its own issuer; under another one (or none)
        it stays pending with its key ("waiting"). Its key is deleted only on that issuer's
        definite "not found". An entry from before issuers were recorded is completed when the
        issuer configured now has its certificate; otherwise its key is kept in the vault (under
        its key id) and the entry closed, because that certificate may exist at another issuer.
        """
        if op.kind not in ("install", "renew"):  # restore, backup, export: see app.backups.restore.resume
            from app.backups.restore import resume  # lazy: see the top (it imports this module)

            return resume(self, op)
        if op.stage in ("key-made", "deferred"):
            if not self._asks_same_issuer(op):
                log.warning("interrupted %s of %s waits for its issuer %s (configured now: %s)", op.kind,
                            op.user_number, op.issuer_url, self.issuer.url if self.issuer else "none")
                return "waiting"
            if op.stage == "deferred":
                return deferred.repeat(self, op)  # once due; RFC 7030 §4.2.3
            cert = self.client.certificate_for_key(op.key_id)  # IssuerUnreachable: decide next time
            if cert is self.client.ABSENT:  # a plain EST server cannot say: the same request again
                return deferred.repeat(self, op, due_only=False)
            if cert is None:
                if op.issuer_url is None:
                    self.journal.finish(op)
                    log.warning("interrupted %s of %s from an older ZorgCert: not found at %s; key kept as %s",
                                op.kind, op.user_number, self.issuer.url if self.issuer else "", op.key_id[:12])
                    return "closed-key-kept"
                self._roll_back(op)
                log.info("rolled back interrupted %s of %s", op.kind, op.user_number)
                return "rolled-back"
            self._issued(op, cert, self.client.cacerts())
        self._finish(op, lambda _: None)
        log.info("completed interrupted %s of %s", op.kind, op.user_number)
        return "completed"

    # --- status ----------------------------------------------------------------------------

    def status(self) -> list[StatusRow]:
        """Every certificate this machine knows, with its state now (``lost`` when a store lost it)."""
        return rows(self.paths, self.clock.now(), self.wallet)


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")
