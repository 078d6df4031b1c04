"""What this machine holds and in what state now: the one place status is worked out (CLI, app, tray agent).

Light on purpose: ``zorgcert status`` is a new interpreter every time (target: under
150 ms with 50 certificates), so this module needs only the wallet and the policy, and
asks each store once, the quickest way it can (NSS: its database files, no certutil).
Requests the issuer accepted and answers later (RFC 7030 §4.2.3, stage ``deferred``) are read
from the journal alone (``waiting``): a line of their own in the CLI, the dashboard and doctor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from app import policy
from app.clock import utcnow
from app.errors import ZorgCertError
from app.i18n import t
from app.lifecycle.trustfix import drop_stale_website_trust
from app.state import stores
from app.state.journal import Journal
from app.state.paths import Paths
from app.state.wallet import Wallet, load
from keystore.base import StoreError, StoreRef


@dataclass(frozen=True)
class Placement:
    """One store a certificate was installed in, and whether it is still there with its key."""

    store: str
    location: str
    nickname: str
    fingerprint: str
    present: bool


@dataclass(frozen=True)
class StatusRow:
    """One certificate with its state at a moment: what ``zorgcert status`` prints, the dashboard and the tray show.

    Dates are ISO 8601 strings, as in the wallet. ``as_dict()`` is the JSON of ``status --json``.
    """

    user_number: str
    kind: str
    name: str
    organisation: str
    subject: str
    serial: str
    fingerprint: str
    valid_from: str
    valid_until: str
    days_left: int
    state: str  # an app.policy.CertState value
    renewal_opens: str
    installed_in: tuple[Placement, ...]
    installed_at: str
    last_backup: str | None
    backup_current: bool

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["installed_in"] = list(out["installed_in"])
        return out


def rows(paths: Paths, now: datetime, wallet: Wallet | None = None) -> list[StatusRow]:
    """Every certificate in the wallet with its state at ``now`` (``lost`` when a store lost it)."""
    wallet = wallet or load(paths)  # rebuilt from the vault and the stores if it was damaged
    listing: dict[str, set[str]] = {}
    out: list[StatusRow] = []
    for entry in wallet.entries():
        durations = policy.Durations.from_iso(
            **{k: entry.policy[k] for k in ("validity", "renewal_window", "install_window")}
        )
        state = policy.certificate_state(
            not_after=entry.not_after_dt, revoked=entry.revoked, durations=durations, now=now
        )
        present = {i for i, r in enumerate(entry.stores) if entry.fingerprint in held(r, paths, listing)}
        if state in (policy.CertState.VALID, policy.CertState.RENEWAL_OPEN) and len(present) < len(entry.stores):
            state = policy.CertState.LOST
        out.append(StatusRow(
            user_number=entry.user_number,
            kind=entry.kind,
            name=entry.name,
            organisation=entry.organisation,
            subject=entry.subject,
            serial=entry.serial,
            fingerprint=entry.fingerprint,
            valid_from=entry.not_before,
            valid_until=entry.not_after,
            days_left=max((entry.not_after_dt - now).days, 0),
            state=state.value,
            renewal_opens=policy.renewal_opens_at(entry.not_after_dt, durations).isoformat(),
            installed_in=tuple(Placement(r.store, r.location, r.nickname, r.fingerprint, i in present)
                               for i, r in enumerate(entry.stores)),
            installed_at=entry.installed_at,
            last_backup=entry.last_backup_at,
            backup_current=entry.backup_is_current,
        ))
    drop_stale_website_trust(paths, wallet)  # issue 11: no process unless an older version's trust is there
    return out


def held(ref: StoreRef, paths: Paths, cache: dict[str, set[str]]) -> set[str]:
    """Fingerprints the store of ``ref`` holds with their keys (one listing per store, kept in ``cache``)."""
    key = f"{ref.store}:{ref.location}"
    if key not in cache:
        try:  # the quick way when the store has one (NSS: its database files), else the store itself
            found = stores.quick_listing(ref)
            if found is None:
                store = stores.store_for(ref, paths)
                found = {r.fingerprint for r in store.list_ours()} if store.available().ok else set()
        except (StoreError, ZorgCertError):
            found = set()
        cache[key] = found
    return cache[key]


def at_text(moment: datetime, now: datetime | None = None) -> str:
    """``14:05`` in local time; with the date (``1-12 14:05``) when it is not the day of ``now``."""
    local = moment.astimezone()
    today = (now or utcnow()).astimezone().date()
    return local.strftime("%H:%M") if local.date() == today else f"{local.day}-{local.month} {local:%H:%M}"


# --- requests the issuer accepted and answers later (issue 14): light, the journal only --------------


@dataclass(frozen=True)
class Waiting:
    """A deferred request: whose, when it is sent again, and the words for it."""

    user_number: str
    kind: str
    next_attempt: str
    retry_after: int

    def text(self, lang: str) -> str:
        when = datetime.fromisoformat(self.next_attempt)
        return t("error.deferred", lang, user_number=self.user_number, at=at_text(when))

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {"user_number": self.user_number, "kind": self.kind, "state": "deferred",
                "next_attempt": self.next_attempt, "retry_after": self.retry_after, "next": self.text(lang)}


def moment(text: object) -> datetime | None:
    """An aware ISO 8601 moment from a journal entry, or None (the journal is read as hostile: no crash on it)."""
    try:
        when = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return when if when is not None and when.tzinfo is not None else None


def waiting(paths: Paths) -> list[Waiting]:
    """Every deferred request this machine has journaled, soonest first."""
    out = []
    for op in Journal(paths.journal_dir).pending():
        when = moment(op.next_attempt) if op.stage == "deferred" else None
        if when is None:
            continue
        wait = op.retry_after if isinstance(op.retry_after, int) else 0
        out.append(Waiting(op.user_number, str(op.entry.get("kind", "personal")), when.isoformat(), wait))
    return sorted(out, key=lambda w: w.next_attempt)


