"""What the dashboard and the tray show of a certificate, without Qt: live state, countdown, allowed actions.

Works on the rows of ``ZorgCert.status()`` and a ``now``, so a card can count down every
minute without asking the stores again, and the rules for which button is enabled live
here, next to the policy, not in the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.i18n import amount, t
from app.lifecycle.status import Placement, StatusRow
from keystore.base import StoreRef

# Worst first: the tray takes the colour of the worst certificate.
SEVERITY = {"lost": 4, "expired": 3, "revoked": 3, "renewal-open": 2, "valid": 1}
ACTIONS = ("renew", "reinstall", "backup", "restore", "support")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def live_state(row: StatusRow, now: datetime) -> str:
    """The row's state at ``now``: time moves valid -> renewal-open -> expired between two status calls."""
    state = row.state
    if state == "revoked":
        return state
    if now >= _at(row.valid_until):
        return "expired"
    if state == "lost":
        return state
    if row.renewal_opens and now >= _at(row.renewal_opens):
        return "renewal-open"
    return "valid"


@dataclass(frozen=True)
class Countdown:
    """How long is left (or since when it expired): an i18n key and its parameters.

    ``span`` is an amount and its unit (``(412, "day")``), put into words by ``text``:
    'nog 412 dagen geldig', 'nog 5 uur geldig', 'nog 12 minuten geldig', '3 dagen geleden verlopen'.
    """

    key: str
    params: dict[str, Any]

    def text(self, lang: str) -> str:
        params = dict(self.params)
        if "span" in params:
            n, unit = params["span"]
            params["span"] = amount(n, unit, lang)
        return t(self.key, lang, **params)


def _span(delta: timedelta) -> tuple[int, str]:
    """The largest whole unit of ``delta``: days from one day, hours from one hour, else minutes (rounded down)."""
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return seconds // 86400, "day"
    if seconds >= 3600:
        return seconds // 3600, "hour"
    return seconds // 60, "minute"


def countdown(row: StatusRow, now: datetime) -> Countdown:
    """'nog 412 dagen geldig', 'nog 5 uur geldig', 'nog 12 minuten geldig', or '3 dagen geleden verlopen'."""
    if row.state == "revoked":
        return Countdown("ui.left.revoked", {})  # days left mean nothing for a certificate that no longer works
    left = _at(row.valid_until) - now
    if left.total_seconds() <= 0:
        ago = _span(-left)
        return Countdown("ui.left.expired_ago", {"span": ago}) if ago[0] else Countdown("ui.left.expired_now", {})
    n, unit = _span(left)
    return Countdown("ui.left.span", {"span": (max(n, 1), unit) if unit == "minute" else (n, unit)})


@dataclass(frozen=True)
class Action:
    """One button on a card: whether the rules allow it now, and if not, the key that says why."""

    name: str
    enabled: bool
    why_not: str = ""
    params: dict[str, Any] | None = None


def actions(row: StatusRow, now: datetime) -> dict[str, Action]:
    """Which of renew, reinstall, backup, restore and Support the rules allow for this certificate now."""
    state = live_state(row, now)
    opens = {"opens_at": row.renewal_opens}
    out = {
        "renew": Action("renew", state == "renewal-open",
                        "" if state == "renewal-open" else _why_not_renew(state), opens),
        "reinstall": Action("reinstall", state == "expired", "" if state == "expired" else "ui.why.reinstall"),
        "backup": Action("backup", state in ("valid", "renewal-open"),
                         "" if state in ("valid", "renewal-open") else "ui.why.backup"),
        "restore": Action("restore", state == "lost", "" if state == "lost" else "ui.why.restore"),
        "support": Action("support", state in ("lost", "revoked"), "" if state in ("lost", "revoked") else
                          "ui.why.support"),
    }
    return out


def _why_not_renew(state: str) -> str:
    return {
        "valid": "ui.why.renew_not_open",
        "expired": "ui.why.renew_expired",
        "lost": "ui.why.renew_lost",
        "revoked": "ui.why.renew_revoked",
    }[state]


def worst_state(rows: list[StatusRow], now: datetime) -> str | None:
    """The state the tray shows: the worst of all certificates, None when there are none."""
    states = [live_state(r, now) for r in rows]
    return max(states, key=lambda s: SEVERITY[s]) if states else None


def tray_colour(state: str | None) -> str:
    """The icon colour for a state: green all well, orange act soon, red act now, grey nothing installed."""
    if state is None:
        return "grey"
    return {1: "green", 2: "orange"}.get(SEVERITY[state], "red")


def needs_backup(row: StatusRow) -> bool:
    """R8: no backup since the last install, reinstall or renewal."""
    return not row.backup_current


def store_label(ref: Placement | StoreRef) -> tuple[str, dict[str, Any]]:
    """How to name a store a certificate sits in: an i18n key and its parameters."""
    store, location = ref.store, ref.location
    if store == "nss":
        if location.rstrip("/").endswith(".pki/nssdb"):
            return "ui.where.chromium", {}
        if "firefox" in location.lower():
            return "ui.where.firefox", {}
        return "ui.where.nss", {"location": location.removeprefix("sql:")}
    if store == "file":
        return "ui.where.folder", {"location": location}
    if store == "windows":
        return ("ui.where.windows_machine" if location.startswith("LocalMachine") else "ui.where.windows_user"), {}
    if store == "macos":
        return "ui.where.macos", {}
    return "ui.where.other", {"store": store, "location": location}
