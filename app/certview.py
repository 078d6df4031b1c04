"""What the dashboard and the tray show of a certificate, without Qt: live state, countdown, allowed actions.

Works on the rows of ``ZorgCert.status()`` and a ``now``, so a card can count down every
minute without asking the stores again, and the rules for which button is enabled live
here, next to the policy, not in the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Worst first: the tray takes the colour of the worst certificate.
SEVERITY = {"lost": 4, "expired": 3, "revoked": 3, "renewal-open": 2, "valid": 1}
ACTIONS = ("renew", "reinstall", "backup", "restore", "support")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def live_state(row: dict[str, Any], now: datetime) -> str:
    """The row's state at ``now``: time moves valid -> renewal-open -> expired between two status calls."""
    state = str(row["state"])
    if state == "revoked":
        return state
    if now >= _at(row["valid_until"]):
        return "expired"
    if state == "lost":
        return state
    if row.get("renewal_opens") and now >= _at(row["renewal_opens"]):
        return "renewal-open"
    return "valid"


@dataclass(frozen=True)
class Countdown:
    """How long is left, as an i18n key and its parameters (``ui.left.days`` with ``days=412``)."""

    key: str
    params: dict[str, Any]


def countdown(row: dict[str, Any], now: datetime) -> Countdown:
    """'nog 412 dagen geldig', 'nog 5 uur geldig', or 'verlopen': whole units, rounded down."""
    if row.get("state") == "revoked":
        return Countdown("ui.left.revoked", {})  # days left mean nothing for a certificate that no longer works
    left = _at(row["valid_until"]) - now
    if left.total_seconds() <= 0:
        return Countdown("ui.left.expired", {})
    if left.days >= 2:
        return Countdown("ui.left.days", {"days": left.days})
    if left.days == 1:
        return Countdown("ui.left.one_day", {})
    hours = int(left.total_seconds() // 3600)
    if hours >= 1:
        return Countdown("ui.left.hours", {"hours": hours})
    return Countdown("ui.left.under_hour", {})


@dataclass(frozen=True)
class Action:
    """One button on a card: whether the rules allow it now, and if not, the key that says why."""

    name: str
    enabled: bool
    why_not: str = ""
    params: dict[str, Any] | None = None


def actions(row: dict[str, Any], now: datetime) -> dict[str, Action]:
    """Which of renew, reinstall, backup, restore and Support the rules allow for this certificate now."""
    state = live_state(row, now)
    opens = {"opens_at": row.get("renewal_opens", "")}
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


def worst_state(rows: list[dict[str, Any]], now: datetime) -> str | None:
    """The state the tray shows: the worst of all certificates, None when there are none."""
    states = [live_state(r, now) for r in rows]
    return max(states, key=lambda s: SEVERITY[s]) if states else None


def tray_colour(state: str | None) -> str:
    """The icon colour for a state: green all well, orange act soon, red act now, grey nothing installed."""
    if state is None:
        return "grey"
    return {1: "green", 2: "orange"}.get(SEVERITY[state], "red")


def needs_backup(row: dict[str, Any]) -> bool:
    """R8: no backup since the last install, reinstall or renewal."""
    return not row.get("backup_current")


def store_label(ref: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """How to name a store a certificate sits in: an i18n key and its parameters."""
    store, location = ref.get("store", ""), str(ref.get("location", ""))
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
