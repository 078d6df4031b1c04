"""``zorgcert agent``: the tray icon that watches the certificates and speaks only when it matters.

Colour by the worst state; menu: open, renew now, make a backup, quit. It looks again when
the next reminder could be due (at most hourly, ``app.desk.reminders.next_check``) and right
after the machine wakes: a once-a-minute heartbeat compares the wall clock with the
monotonic clock (which stands still during suspend), and where logind is on the system
bus its ``PrepareForSleep(false)`` signal triggers a check too. No busy polling.

The agent stays resident (docs/performance.md, its memory beside a bare tray icon): the
explanation of an error and the renewal's rules are imported when first needed, in the one
section at the end, "Imported on first use"; QtDBus where the platform has it.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.desk import certview
from app.errors import ZorgCertError
from app.i18n import t
from app.lifecycle.status import StatusRow
from ui.common import fmt_date, icon, use_language
from ui.worker import run_task

if TYPE_CHECKING:
    from app.explain import Explanation

HEARTBEAT_MS = 60_000
WAKE_JUMP_SECONDS = 120  # wall clock ahead of the monotonic clock by this much: the machine slept


def reminder_text(reminder: Any, lang: str) -> tuple[str, str]:
    """Title and body of a notification."""
    name = reminder.name or reminder.user_number
    until = fmt_date(reminder.valid_until, lang)
    if reminder.key == "renewal-failed":
        words = _explain_code(reminder.code, reminder.params, lang)
        text = t("ui.notify.failed", lang, name=name, message=words.message, next=words.next_step)
        if words.reference:  # the reference logged when the renewal failed (app.explain.logged)
            text += " " + t("error.reference", lang, reference=words.reference)
        return t("ui.notify.failed.title", lang), text
    if reminder.key == "expired":
        return t("ui.notify.expired.title", lang), t("ui.notify.expired", lang, name=name, until=until)
    days = reminder.days_left  # the real count: a machine that was off may hear the 14-day reminder at 9 days
    key = "ui.notify.one_day" if reminder.key == "expiry-1" or days < 2 else "ui.notify.days"
    return t("ui.notify.soon.title", lang), t(key, lang, name=name, days=days, until=until)


class Agent(QObject):
    """The tray icon and its timers."""

    notified = Signal(str, str)  # title, text: every notification also goes out here
    checked = Signal(list)  # the rows after each check
    open_requested = Signal(str)  # "" | "backup": the app opens the main window (and the backup wizard)
    _wall: float  # the wall clock and the monotonic clock at the last heartbeat (see ``beat``)
    _mono: float

    def __init__(self, desktop: Any, lang: str, *, monotonic: Any = time.monotonic):
        super().__init__()
        self.desktop = desktop
        self.lang = lang
        use_language(lang)
        self.monotonic = monotonic
        self.rows: list[StatusRow] = []
        self.checking = False
        self.tray = QSystemTrayIcon()
        self.tray.setToolTip(t("ui.agent.tooltip.none", lang))
        self.menu = QMenu()
        self.menu.setObjectName("tray-menu")
        self.open_action = QAction(icon("zorgcert"), t("ui.agent.open", lang), self.menu)
        self.renew_action = QAction(t("ui.agent.renew", lang), self.menu)
        self.backup_action = QAction(t("ui.agent.backup", lang), self.menu)
        self.quit_action = QAction(t("ui.agent.quit", lang), self.menu)
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        self.menu.addAction(self.renew_action)
        self.menu.addAction(self.backup_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.tray.setContextMenu(self.menu)
        self.open_action.triggered.connect(lambda: self.open_requested.emit(""))
        self.backup_action.triggered.connect(lambda: self.open_requested.emit("backup"))
        self.renew_action.triggered.connect(self.renew_now)
        self.quit_action.triggered.connect(QApplication.quit)
        self.tray.activated.connect(self._activated)
        self.set_colour(None)

        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.check_timer.timeout.connect(self.check)
        self.heartbeat = QTimer(self)
        self.heartbeat.setInterval(HEARTBEAT_MS)
        self.heartbeat.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.heartbeat.timeout.connect(self.beat)
        self._mark_time()
        self._watch_logind()

    def start(self) -> None:
        self.tray.show()
        self.heartbeat.start()
        self.check()

    # --- looking ------------------------------------------------------------------------------

    def check(self) -> None:
        """Read the certificates and say what is due (in the background)."""
        if self.checking:
            return
        self.checking = True
        desktop = self.desktop

        def work(_report: Any, _token: Any) -> tuple[list[StatusRow], list[Any]]:
            rows = desktop.status()
            due = desktop.due_reminders(rows)
            for reminder in due:  # said once, even if the agent restarts right after
                desktop.mark_told(reminder)
            return rows, due

        run_task(work, on_success=self._checked, on_failure=self._check_failed, what="agent-check")

    def _checked(self, result: tuple[list[StatusRow], list[Any]]) -> None:
        self.checking = False
        rows, due = result
        self.rows = rows
        now = self.desktop.now()
        self.set_colour(certview.worst_state(rows, now))
        self.renew_action.setEnabled(any(certview.actions(r, now)["renew"].enabled for r in rows))
        self.backup_action.setEnabled(any(certview.actions(r, now)["backup"].enabled for r in rows))
        for reminder in due:
            self.notify(*reminder_text(reminder, self.lang), urgent=reminder.urgent)
        self.schedule(self.desktop.next_check(rows))
        self.checked.emit(rows)

    def _check_failed(self, error: ZorgCertError) -> None:
        self.checking = False
        words = _report(error, self.lang, "agent-check")
        self.tray.setToolTip(f"{words.message} ({t('error.reference', self.lang, reference=words.reference)})")
        self.schedule(None)

    def schedule(self, at: datetime | None) -> None:
        """Sleep until ``at`` (an hour when unknown); Qt's timer runs on the monotonic clock."""
        now = self.desktop.now()
        seconds = 3600.0 if at is None else max((at - now).total_seconds(), 1.0)
        self.check_timer.start(int(min(seconds, 3600.0) * 1000))

    def beat(self) -> None:
        """The heartbeat: a check when the wall clock jumped ahead of the monotonic one (suspend, resume)."""
        wall, mono = self.desktop.now().timestamp(), self.monotonic()
        jump = (wall - self._wall) - (mono - self._mono)
        self._wall, self._mono = wall, mono
        if jump > WAKE_JUMP_SECONDS:
            self.check()

    def _mark_time(self) -> None:
        self._wall, self._mono = self.desktop.now().timestamp(), self.monotonic()

    def _watch_logind(self) -> None:
        """Listen for logind's PrepareForSleep where there is a system bus (not in tests, not on Windows/macOS)."""
        if not sys.platform.startswith("linux"):
            return
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        bus = QDBusConnection.systemBus()
        if bus.isConnected():
            # PySide6's stub wants the slot as bytes; at run time only a str is taken (checked with 6.12)
            bus.connect("org.freedesktop.login1", "/org/freedesktop/login1",  # type: ignore[call-overload]
                        "org.freedesktop.login1.Manager", "PrepareForSleep", self, "1_prepare_for_sleep(bool)")

    @Slot(bool)
    def _prepare_for_sleep(self, going: bool) -> None:
        if not going:
            self._mark_time()
            self.check()

    # --- showing ------------------------------------------------------------------------------

    def set_colour(self, state: str | None) -> None:
        colour = certview.tray_colour(state)
        self.colour = colour
        self.tray.setIcon(icon(f"tray-{colour}"))
        tip = t("ui.agent.tooltip.none", self.lang) if state is None else t(
            "ui.agent.tooltip", self.lang, state=t(f"state.{state}", self.lang))
        self.tray.setToolTip(tip)

    def notify(self, title: str, text: str, *, urgent: bool = False) -> None:
        kind = QSystemTrayIcon.MessageIcon.Warning if urgent else QSystemTrayIcon.MessageIcon.Information
        if self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text, kind, 15_000)
        self.notified.emit(title, text)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.open_requested.emit("")

    # --- renew now ----------------------------------------------------------------------------

    def renew_now(self) -> None:
        """Renew every certificate whose window is open, one after the other; a failure is told once."""
        now = self.desktop.now()
        due = [r for r in self.rows if certview.actions(r, now)["renew"].enabled]
        if not due:
            return
        desktop = self.desktop

        def work(report: Any, _token: Any) -> tuple[list[Any], int]:
            renewed, failed = [], 0
            for row in due:  # in turn: they share the one lock
                try:
                    renewed.append(desktop.renew(row.user_number, progress=report))
                except ZorgCertError as exc:  # in the log with its reference; the notification names it
                    desktop.record_renewal_failure(row, _logged(exc, "renew"))
                    failed += 1
            return renewed, failed

        self.renew_action.setEnabled(False)
        run_task(work, on_success=self._renewed, on_failure=lambda _e: self.check(), what="renew",
                 cancel_points=_renew_cancel_points())

    def _renewed(self, result: tuple[list[Any], int]) -> None:
        # the answer to the user's own click, not an unasked notification; failures come through check()
        for entry in result[0]:
            self.notify(t("ui.agent.renewed.title", self.lang),
                        t("ui.renew.done", self.lang, name=entry.name, until=fmt_date(entry.not_after, self.lang)))
        self.check()


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late (besides QtDBus in ``_watch_logind``, which not every
# platform has): the agent at rest never explains an error or renews, and keeps neither
# ``app.explain`` nor the wizard's rules (``app.desk.wizard``) in memory until it does.


def _explain_code(code: str, params: dict[str, Any], lang: str) -> Explanation:
    from app.explain import error_from, explain

    return explain(error_from(code, params), lang)


def _report(error: ZorgCertError, lang: str, where: str) -> Explanation:
    from app.explain import report

    return report(error, lang, where)


def _logged(error: ZorgCertError, where: str) -> ZorgCertError:
    from app.explain import logged

    return logged(error, where)


def _renew_cancel_points() -> tuple[str, ...]:
    from app.desk.wizard import RENEW_CANCEL_POINTS

    return RENEW_CANCEL_POINTS
