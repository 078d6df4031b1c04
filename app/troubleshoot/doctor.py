"""``zorgcert doctor``: one pass/fail line per check, each failure with a next step."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime

from cryptography import x509

from app.clock import SystemClock
from app.enroll.identity import load_key
from app.errors import DiskFull, IssuerUnreachable, IssuerUntrusted, KeyringUnavailable, ZorgCertError
from app.i18n import t
from app.lifecycle.services import ZorgCert, check_room, drop_website_trust, store_folder
from app.lifecycle.status import at_text, rows
from app.state import config
from app.state.paths import Paths
from app.state.statefiles import doctor_check
from app.state.stores import chromium_db, machine_stores, platform_stores, store_for
from app.state.wallet import Entry
from keystore.base import StoreError


@dataclass(frozen=True)
class Check:
    """One line of ``zorgcert doctor``: what was checked, pass/warn/fail, what was seen, and the next step.

    ``as_dict()`` is the JSON of ``doctor --json`` and of the support file's ``checks.json``.
    """

    check: str
    result: str  # "pass" | "warn" | "fail"
    detail: str = ""
    next: str = ""  # empty when the check passed

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

CLOCK_TOLERANCE = 120  # seconds
KEYRING_WAIT = 10.0  # seconds: a keyring that does not answer (a locked one waiting for a prompt) fails the check


def _check(check: str, result: str, detail: str = "", next_step: str = "") -> Check:
    return Check(check, result, detail, next_step if result != "pass" else "")


def _explain(exc: ZorgCertError, lang: str) -> tuple[str, str]:
    params = {"details": exc.details, **exc.params}
    return t(exc.key, lang, **params), t(exc.key + ".next", lang, **params)


def run_checks(paths: Paths, lang: str) -> list[Check]:
    """Every check, in the order ``zorgcert doctor`` prints them."""
    checks: list[Check] = []
    try:
        settings = config.issuer(paths)
        checks.append(_check(t("doctor.issuer", lang), "pass", settings.url))
    except ZorgCertError as exc:
        checks.append(_check(t("doctor.issuer", lang), "fail", *_explain(exc, lang)))
        settings = None

    core = ZorgCert(paths, settings)
    chain: list[x509.Certificate] | None = None  # the issuer's CA chain, checked against the pin
    if settings is not None:
        try:
            extensions = core.client.policy() is not None  # None: a plain EST server (issue 14), not a failure
            checks.append(_check(t("doctor.reachable", lang), "pass", settings.url))
            checks.append(_check(t("doctor.trust", lang), "pass", str(settings.ca_file)))
            issuer_time = core.client.last_date
            if issuer_time is not None:
                offset = abs((SystemClock().now() - issuer_time).total_seconds())
                checks.append(
                    _check(
                        t("doctor.clock", lang),
                        "pass" if offset <= CLOCK_TOLERANCE else "fail",
                        t("doctor.clock.detail", lang, seconds=int(offset)),
                        t("doctor.clock.next", lang),
                    )
                )
        except IssuerUntrusted as exc:
            checks.append(_check(t("doctor.reachable", lang), "pass", settings.url))
            checks.append(_check(t("doctor.trust", lang), "fail", *_explain(exc, lang)))
        except ZorgCertError as exc:
            checks.append(_check(t("doctor.reachable", lang), "fail", *_explain(exc, lang)))
        else:
            try:
                chain = core.client.cacerts()
                checks.append(_check(t("doctor.chain", lang), "pass", ", ".join(
                    c.subject.rfc4514_string() for c in chain)))
            except ZorgCertError as exc:
                checks.append(_check(t("doctor.chain", lang), "fail", *_explain(exc, lang)))
            checks.append(_extensions_check(paths, lang, extensions))

    keyring = _keyring_check(core, lang)
    checks.append(keyring)
    checks += _room_checks(core, paths, lang)
    keyring_ok = keyring.result == "pass"
    cas = _issuer_cas(core, chain) if keyring_ok else list(core.issuer_ca_ders(chain or []))
    checks += _store_checks(core, paths, lang, cas, keyring_ok=keyring_ok)
    checks += _certificate_checks(core, paths, lang)
    if chain is not None and keyring_ok:
        checks += _accepted_checks(core, lang)
    checks += _pending_checks(core, lang)
    checks += _state_file_checks(paths, lang)
    return checks


def _extensions_check(paths: Paths, lang: str, present: bool) -> Check:
    """Whether the issuer serves ZorgCert's JSON API; without it the standard alone is used (docs/est.md)."""
    if present:
        return _check(t("doctor.extensions", lang), "pass", t("doctor.extensions.present", lang))
    try:
        window = config.renewal_window(paths)
    except ZorgCertError as exc:
        return _check(t("doctor.extensions", lang), "fail", *_explain(exc, lang))
    return _check(t("doctor.extensions", lang), "pass", t("doctor.extensions.absent", lang, renewal_window=window))


def _keyring_check(core: ZorgCert, lang: str) -> Check:
    """Can the vault key be read from the OS keyring, within ``KEYRING_WAIT`` seconds?"""
    name = t("doctor.keyring", lang)
    outcome: dict[str, ZorgCertError] = {}
    found: list[bool] = []

    def probe() -> None:
        try:
            found.append(core.vault.open_key())  # the vault's own way to the key, whatever backs it
        except ZorgCertError as exc:
            outcome["error"] = exc
        except Exception as exc:  # noqa: BLE001 - a keyring backend's own failure is a failed check
            outcome["error"] = KeyringUnavailable(type(exc).__name__)

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(KEYRING_WAIT)
    if worker.is_alive():
        return _check(name, "fail", t("doctor.keyring.slow", lang, seconds=f"{KEYRING_WAIT:g}"),
                      t("error.keyring.next", lang))
    error = outcome.get("error")
    if error is None and found == [True]:
        return _check(name, "pass", t("doctor.keyring.ok", lang))
    if isinstance(error, KeyringUnavailable):
        return _check(name, "fail", *_explain(error, lang))
    if not core.vault.ids():  # no vault key yet and nothing sealed with one: the first install makes it
        return _check(name, "pass", t("doctor.keyring.empty", lang))
    return _check(name, "fail", t("doctor.keyring.missing", lang), t("doctor.keyring.missing.next", lang))


def _room_checks(core: ZorgCert, paths: Paths, lang: str) -> list[Check]:
    """Free space in the data folder and each store folder (an install needs ``MIN_FREE_BYTES`` in each)."""
    folders = [paths.data_dir]
    for entry in core.wallet.entries():
        for ref in entry.stores:
            try:
                folder = store_folder(store_for(ref, paths))
            except ZorgCertError:
                continue
            if folder is not None:
                folders.append(folder)
    if platform_stores().nss:
        folders.append(chromium_db())
    try:
        check_room(folders)
    except DiskFull as exc:
        return [_check(t("doctor.room", lang), "fail", t("doctor.room.low", lang, **exc.params),
                       t("error.disk_full.next", lang))]
    return [_check(t("doctor.room", lang), "pass", "")]


def _certificate_checks(core: ZorgCert, paths: Paths, lang: str) -> list[Check]:
    """Per certificate: its state now (R3-R9) and whether the last backup holds it (R8), each with the next step."""
    checks = []
    for row in rows(paths, SystemClock().now(), core.wallet):
        number, state = row.user_number, row.state
        name = t("doctor.certificate", lang, user_number=number)
        detail = t("doctor.certificate.detail", lang, state=t(f"state.{state}", lang), until=row.valid_until[:10])
        result = {"valid": "pass", "renewal-open": "warn"}.get(state, "fail")
        checks.append(_check(name, result, detail, t(f"doctor.certificate.{state}.next", lang, user_number=number)))
        if state in ("valid", "renewal-open") and not row.backup_current:
            checks.append(_check(t("doctor.backup", lang, user_number=number), "warn",
                                 t("doctor.backup.detail", lang),
                                 t("doctor.backup.next", lang, user_number=number)))
    return checks


def _pending_checks(core: ZorgCert, lang: str) -> list[Check]:
    """Interrupted operations, each with what really happens to it (and what the user must do)."""
    pending = core.journal.pending()
    if not pending:
        return [_check(t("doctor.pending", lang), "pass", "")]
    waiting = {op.key_id for op in core.waiting_for_issuer()}
    notes = iter(core.waiting_notes(lang))
    checks = []
    for op in pending:
        what = f"{op.kind} {op.user_number}"
        if op.key_id in waiting:
            message, _, next_step = next(notes).partition("\n")
            checks.append(_check(t("doctor.pending", lang), "fail", f"{what}: {message}", next_step))
        elif op.stage == "deferred" and op.next_attempt:
            at = at_text(datetime.fromisoformat(op.next_attempt))
            checks.append(_check(t("doctor.pending", lang), "warn",
                                 f"{what}: {t('doctor.pending.deferred', lang, at=at)}",
                                 t("doctor.pending.deferred.next", lang)))
        elif op.stage == "key-made":
            checks.append(_check(t("doctor.pending", lang), "fail", f"{what}: {t('doctor.pending.ask', lang)}",
                                 t("doctor.pending.ask.next", lang)))
        else:
            checks.append(_check(t("doctor.pending", lang), "fail", f"{what}: {t('doctor.pending.issued', lang)}",
                                 t("doctor.pending.issued.next", lang)))
    return checks


def _state_file_checks(paths: Paths, lang: str) -> list[Check]:
    """ZorgCert's own files: damaged ones set aside (issue 12, point 3; the words in app.state.statefiles)."""
    return [Check(**doctor_check(paths, lang))]


def _issuer_cas(core: ZorgCert, chain: list[x509.Certificate] | None) -> list[bytes]:
    """DER of the issuer's CA certificates: the pinned file, the checked ``/cacerts``, our certificates' chains."""
    ders = list(core.issuer_ca_ders(chain or []))
    for entry in core.wallet.entries():
        try:
            sealed = core.vault.get(entry.fingerprint)
        except ZorgCertError:
            continue
        if sealed is not None:
            ders += list(sealed.chain_der)
    return ders


def _accepted_checks(core: ZorgCert, lang: str) -> list[Check]:
    """Per valid certificate: does the issuer accept it for TLS client authentication (``/api/v1/me``)?"""
    checks: list[Check] = []
    now = SystemClock().now()
    if not core.client.has_json_api():  # /api/v1/me is an extension: the standard cannot say (issue 14)
        return checks
    for entry in core.wallet.entries():
        if entry.revoked or now >= entry.not_after_dt:
            continue
        try:
            sealed = core.vault.get(entry.fingerprint)
        except ZorgCertError:
            continue  # the key check says so
        if sealed is None or sealed.cert_der is None:
            continue
        name = t("doctor.accepted", lang, user_number=entry.user_number)
        try:
            core.client.me(x509.load_der_x509_certificate(sealed.cert_der), load_key(sealed.key_der))
        except IssuerUnreachable:
            continue  # reported above
        except ZorgCertError as exc:
            checks.append(_check(name, "fail", *_explain(exc, lang)))
        else:
            checks.append(_check(name, "pass", entry.fingerprint[:16]))
    return checks


def _store_checks(core: ZorgCert, paths: Paths, lang: str, issuer_cas: list[bytes], *,
                  keyring_ok: bool = True) -> list[Check]:
    checks = []
    stores = machine_stores()
    for entry in core.wallet.entries():
        for ref in entry.stores:
            if ref.store != "nss":
                stores.append(store_for(ref, paths))
    seen = set()
    for store in stores:
        if (store.name, store.location) in seen:
            continue
        seen.add((store.name, store.location))
        label = f"{store.name} {getattr(store, 'label', '') or store.location}".strip()
        avail = store.available()
        fix = t("error.store_tools.next", lang) if avail.reason == "tool-missing" else avail.fix or ""
        detail = avail.detail
        if avail.reason == "corrupt-database":  # the folder and the way out, in the user's words
            folder = str(getattr(store, "db_dir", store.location))
            detail = t("error.nss_corrupt", lang, folder=folder, details=avail.detail.rsplit("(", 1)[-1].rstrip(")"))
            fix = t("error.nss_corrupt.next", lang, folder=folder)
        checks.append(_check(t("doctor.store", lang, store=label), "pass" if avail.ok else "fail", detail, fix))
        if not avail.ok:
            continue
        if store.name == "nss":
            trust_name = t("doctor.website_trust", lang, store=label)
            try:
                removed = drop_website_trust(store, issuer_cas)
            except StoreError as exc:
                checks.append(_check(trust_name, "fail", exc.detail, t("doctor.website_trust.next", lang)))
            else:
                detail = t("doctor.website_trust.removed", lang, names=", ".join(removed)) if removed else ""
                checks.append(_check(trust_name, "pass", detail or store.location))
        for entry in core.wallet.entries():
            if entry.kind != "personal" and store.name == "nss":
                continue
            if store.name != "nss" and not any(r.location == store.location for r in entry.stores):
                continue
            try:
                present = store.find(entry.fingerprint) is not None
            except StoreError as exc:
                present, detail = False, exc.detail
            else:
                detail = store.location
            checks.append(
                _check(
                    t("doctor.visible", lang, user_number=entry.user_number, store=label),
                    "pass" if present else "fail",
                    detail,
                    t("doctor.visible.next", lang),
                )
            )

    for entry in core.wallet.entries():
        if keyring_ok:
            checks.append(_key_check(core, entry, lang))
        else:  # the vault cannot be opened without the keyring: say so once per certificate, do not wait again
            checks.append(_check(t("doctor.keymatch", lang, user_number=entry.user_number), "fail",
                                 t("doctor.keyring.needed", lang), t("error.keyring.next", lang)))
    return checks


def _key_check(core: ZorgCert, entry: Entry, lang: str) -> Check:
    name = t("doctor.keymatch", lang, user_number=entry.user_number)
    try:
        sealed = core.vault.get(entry.fingerprint)
    except ZorgCertError as exc:
        return _check(name, "fail", *_explain(exc, lang))
    if sealed is None or sealed.cert_der is None:
        return _check(name, "fail", "no key in the vault", t("doctor.keymatch.next", lang))
    cert = x509.load_der_x509_certificate(sealed.cert_der)
    ok = load_key(sealed.key_der).public_key() == cert.public_key()
    return _check(name, "pass" if ok else "fail", entry.fingerprint[:16], t("doctor.keymatch.next", lang))
