"""The tray agent's schedule: 30/14/7/1 days, at expiry, after a failed renewal; silence otherwise; said once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.desk import certview, reminders
from app.desk.reminders import ReminderLog
from app.lifecycle.status import StatusRow

END = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)


def row(end: datetime = END, *, fingerprint: str = "f" * 64, state: str = "valid", number: str = "12345678901234",
        opens: datetime | None = None) -> StatusRow:
    return StatusRow(user_number=number, kind="personal", name="Anna de Vries", organisation="", subject="",
                     serial="", fingerprint=fingerprint, valid_from=(end - timedelta(days=730)).isoformat(),
                     valid_until=end.isoformat(), days_left=0, state=state,
                     renewal_opens=(opens or end - timedelta(days=30)).isoformat(), installed_in=(),
                     installed_at=(end - timedelta(days=730)).isoformat(), last_backup=None, backup_current=False)


@pytest.mark.parametrize(
    ("before", "key"),
    [(timedelta(days=40), None), (timedelta(days=30, seconds=1), None), (timedelta(days=30), "expiry-30"),
     (timedelta(days=20), "expiry-30"), (timedelta(days=14), "expiry-14"), (timedelta(days=8), "expiry-14"),
     (timedelta(days=7), "expiry-7"), (timedelta(days=2), "expiry-7"), (timedelta(hours=23), "expiry-1"),
     (timedelta(seconds=1), "expiry-1"), (timedelta(0), "expired"), (-timedelta(days=3), "expired")],
)
def test_milestone(before: timedelta, key: str | None) -> None:
    assert reminders.milestone(row(), END - before) == key


def test_each_milestone_is_said_once_and_silence_between(tmp_path: Path) -> None:
    log = ReminderLog(tmp_path / "reminders.json")
    rows = [row()]
    said = []
    # walk the clock hour by hour through the last 35 days, as the agent's timer would
    moment = END - timedelta(days=35)
    while moment <= END + timedelta(days=2):
        for r in reminders.due(rows, moment, log):
            said.append((r.key, moment))
            ReminderLog(log.path).mark_told(r)  # a fresh instance: what is on disk counts
            log = ReminderLog(log.path)
        moment += timedelta(hours=1)
    assert [k for k, _ in said] == ["expiry-30", "expiry-14", "expiry-7", "expiry-1", "expired"]
    assert said[0][1] == END - timedelta(days=30)
    assert said[-1][1] == END


def test_machine_off_past_several_milestones_hears_only_the_latest(tmp_path: Path) -> None:
    log = ReminderLog(tmp_path / "r.json")
    due = reminders.due([row()], END - timedelta(days=5), log)
    assert [r.key for r in due] == ["expiry-7"]
    log.mark_told(due[0])
    assert reminders.due([row()], END - timedelta(days=4), log) == []
    # an earlier milestone is moot once a later one was said
    assert reminders.due([row()], END - timedelta(days=3), ReminderLog(log.path)) == []


def test_a_renewed_certificate_starts_afresh_and_revoked_ones_are_silent(tmp_path: Path) -> None:
    log = ReminderLog(tmp_path / "r.json")
    old = row()
    for r in reminders.due([old], END - timedelta(days=10), log):
        log.mark_told(r)
    renewed = row(END + timedelta(days=730), fingerprint="e" * 64)
    assert reminders.due([renewed], END - timedelta(days=9), log) == []
    revoked = row(fingerprint="d" * 64, state="revoked")
    assert reminders.due([revoked], END - timedelta(days=1), log) == []


def test_renewal_failure_is_told_once_with_its_code(tmp_path: Path) -> None:
    log = ReminderLog(tmp_path / "r.json")
    r = row()
    now = END - timedelta(days=40)
    log.record_failure(r, "error.unreachable", now, {"details": "no connection"})
    due = reminders.due([r], now, ReminderLog(log.path))
    assert [(d.key, d.code, d.params) for d in due] == [("renewal-failed", "error.unreachable",
                                                        {"details": "no connection"})]
    assert due[0].urgent
    log = ReminderLog(log.path)
    log.mark_told(due[0])
    assert reminders.due([r], now, ReminderLog(log.path)) == []


def test_next_check_is_the_next_milestone_at_most_an_hour_away_never_busy() -> None:
    rows = [row()]
    assert reminders.next_check(rows, END - timedelta(days=100)) == END - timedelta(days=100) + timedelta(hours=1)
    just_before = END - timedelta(days=14, minutes=10)
    assert reminders.next_check(rows, just_before) == END - timedelta(days=14)
    at = END - timedelta(seconds=5)
    assert reminders.next_check(rows, at) == at + reminders.CHECK_AT_LEAST_EVERY
    assert reminders.next_check([], END) == END + timedelta(hours=1)


def test_the_log_survives_a_restart_and_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "reminders.json"
    log = ReminderLog(path)
    (due,) = reminders.due([row()], END - timedelta(days=6), log)
    log.mark_told(due)
    assert path.stat().st_mode & 0o077 == 0
    assert ReminderLog(path).sent == {"f" * 64: ["expiry-7"]}


def test_tray_colour_is_the_worst_state() -> None:
    now = END - timedelta(days=100)
    fine = row()
    soon = row(END - timedelta(days=90), fingerprint="a" * 64)
    lost = row(fingerprint="b" * 64, state="lost")
    assert certview.tray_colour(certview.worst_state([], now)) == "grey"
    assert certview.tray_colour(certview.worst_state([fine], now)) == "green"
    assert certview.tray_colour(certview.worst_state([fine, soon], now)) == "orange"
    assert certview.tray_colour(certview.worst_state([fine, soon, lost], now)) == "red"
