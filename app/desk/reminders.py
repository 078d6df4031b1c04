"""When the tray agent speaks: 30, 14, 7 and 1 days before expiry, at expiry, after a failed renewal; else silence.

Pure decisions over ``ZorgCert.status()`` rows and ``now``, plus a small log of what was
already said (``reminders.json`` beside the wallet), so a restart or a second agent does
not say it again. A machine that was off past a milestone gets only the latest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.state.files import read_json, write_json

if TYPE_CHECKING:
    from app.lifecycle.status import StatusRow

MILESTONES = (30, 14, 7, 1)  # days before expiry
CHECK_AT_MOST_EVERY = timedelta(hours=1)  # the agent's timer never sleeps longer than this
CHECK_AT_LEAST_EVERY = timedelta(seconds=30)  # and never wakes more often than this (no busy polling)
KEEP_SENT = 50  # certificates remembered in the log; older ones are dropped


@dataclass(frozen=True)
class Reminder:
    """One notification: ``key`` is ``expiry-30`` .. ``expiry-1``, ``expired`` or ``renewal-failed``."""

    key: str
    user_number: str
    fingerprint: str
    name: str
    valid_until: str
    days_left: int
    code: str = ""  # for renewal-failed: the error's code, explained by app.explain
    params: dict[str, Any] | None = None  # and its plain parameters

    @property
    def urgent(self) -> bool:
        return self.key in ("expired", "renewal-failed", "expiry-1")


def milestone(row: StatusRow, now: datetime) -> str | None:
    """The latest milestone this certificate has passed at ``now``, or None when none is due yet."""
    left = datetime.fromisoformat(row.valid_until) - now
    if left <= timedelta(0):
        return "expired"
    for days in sorted(MILESTONES):
        if left <= timedelta(days=days):
            return f"expiry-{days}"
    return None


class ReminderLog:
    """What was already said, per certificate fingerprint, and renewal failures not yet told."""

    def __init__(self, path: Path):
        self.path = path
        data = read_json(path, {})
        self.sent: dict[str, list[str]] = {k: list(v) for k, v in data.get("sent", {}).items()}
        self.failures: list[dict[str, Any]] = list(data.get("failures", []))

    @classmethod
    def for_paths(cls, paths: Any) -> ReminderLog:
        """The log beside the wallet of ``paths`` (an ``app.state.paths.Paths``)."""
        return cls(paths.data_dir / "reminders.json")

    def save(self) -> None:
        if len(self.sent) > KEEP_SENT:
            self.sent = dict(list(self.sent.items())[-KEEP_SENT:])
        write_json(self.path, {"sent": self.sent, "failures": self.failures})

    def record_failure(self, row: StatusRow, code: str, now: datetime,
                       params: dict[str, Any] | None = None) -> None:
        """A renewal of this certificate failed with ``code``: the agent will say so once."""
        self.failures.append({"user_number": row.user_number, "fingerprint": row.fingerprint,
                              "name": row.name, "valid_until": row.valid_until,
                              "code": code, "params": params or {}, "at": now.isoformat(), "told": False})
        self.save()

    def mark_told(self, reminder: Reminder) -> None:
        """Remember that ``reminder`` was shown, so it is never shown again."""
        if reminder.key == "renewal-failed":
            for f in self.failures:
                if f["fingerprint"] == reminder.fingerprint and f["code"] == reminder.code:
                    f["told"] = True
            self.failures = [f for f in self.failures if not f["told"]]
        else:
            said = self.sent.setdefault(reminder.fingerprint, [])
            if reminder.key not in said:
                said.append(reminder.key)
        self.save()


def due(rows: list[StatusRow], now: datetime, log: ReminderLog) -> list[Reminder]:
    """The notifications to show now: at most one expiry milestone per certificate, plus untold failures."""
    out = []
    for f in log.failures:
        if not f.get("told"):
            left = max((datetime.fromisoformat(f["valid_until"]) - now).days, 0)
            out.append(Reminder("renewal-failed", f["user_number"], f["fingerprint"], f.get("name", ""),
                                f["valid_until"], left, f["code"], f.get("params") or {}))
    for row in rows:
        if row.state == "revoked":
            continue  # revoked certificates do not expire in any way that matters: silence
        key = milestone(row, now)
        if key is None or key in log.sent.get(row.fingerprint, []):
            continue
        # a later milestone already told (e.g. "expired") makes an earlier one moot
        if _later_told(key, log.sent.get(row.fingerprint, [])):
            continue
        left = max((datetime.fromisoformat(row.valid_until) - now).days, 0)
        out.append(Reminder(key, row.user_number, row.fingerprint, row.name, row.valid_until, left))
    return out


def _rank(key: str) -> int:
    return 0 if key == "expired" else int(key.split("-")[1])


def _later_told(key: str, told: list[str]) -> bool:
    return any(_rank(k) < _rank(key) for k in told if k.startswith("expir"))


def next_check(rows: list[StatusRow], now: datetime) -> datetime:
    """When the agent should look again: the next milestone of any certificate, at most an hour away."""
    soonest = now + CHECK_AT_MOST_EVERY
    for row in rows:
        if row.state == "revoked":
            continue
        end = datetime.fromisoformat(row.valid_until)
        for moment in [end - timedelta(days=d) for d in MILESTONES] + [end]:
            if moment > now:
                soonest = min(soonest, moment)
        if row.renewal_opens:
            opens = datetime.fromisoformat(row.renewal_opens)
            if opens > now:
                soonest = min(soonest, opens)
    return max(soonest, now + CHECK_AT_LEAST_EVERY)
