"""What a screen reader gets, read through Qt's accessibility interface (QAccessible, offscreen).

WCAG 1.1.1 (images), 1.3.1 (headings, labels), 4.1.2 (every focusable element named), 4.1.3 and
3.3.1 (errors and results announced, with an alert or status role), 3.3.2 and 2.1.1 (why a control
is off, as text the keyboard reaches). Every page gets made-up rows (``ui.samples``), no issuer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from app.desk.desktop import Desktop
from app.desk.wizard import Page, Step
from app.errors import IssuerRefused
from app.policy import make_user_number
from ui import access, samples
from ui.backup_wizard import BackupWizard
from ui.common import ExplanationBox, FocusLabel, Notice
from ui.install_wizard import InstallWizard
from ui.main_window import MainWindow

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
ROLE = QAccessible.Role


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture()
def desktop(offline: Desktop) -> Desktop:
    offline.clock = Clock()
    return offline


@pytest.fixture()
def heard() -> Iterator[list[tuple[str, bool]]]:
    """Every announcement made while the test runs: (text, assertive)."""
    said: list[tuple[str, bool]] = []

    def hook(_widget: object, text: str, assertive: bool) -> None:
        said.append((text, assertive))

    access.listeners.append(hook)
    yield said
    access.listeners.remove(hook)


def name_of(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


def description_of(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Description) if interface is not None else ""


def main_window(qtbot, desktop: Desktop) -> MainWindow:
    w = MainWindow(desktop, "nl")
    qtbot.addWidget(w)
    w.rows = list(samples.every_state(NOW).values())
    w.dashboard.set_rows(w.rows)
    w.support.show_checks(samples.checks("nl"))
    w.settings  # noqa: B018 (built)
    w.show()
    qtbot.waitUntil(access.installed)  # the main window puts the roles in place right after its first paint
    return w


def install_pages(qtbot, desktop: Desktop) -> Iterator[InstallWizard]:
    """The install wizard on each of its pages in turn (the work is not started)."""
    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.show()
    for page in (Page.WELCOME, Page.KIND, Page.CREDENTIALS):
        wizard.show_page(page.value)
        yield wizard
    wizard.state.running = True
    wizard.current = Page.PROGRESS.value
    wizard.stack.setCurrentWidget(wizard.progress)
    wizard.progress.reset()
    wizard.progress.at("enroll")
    wizard.refresh_buttons()
    yield wizard
    wizard.state.running, wizard.state.installed = False, True
    wizard.entry = SimpleNamespace(user_number=make_user_number("1234567890123"), name="Anna de Vries",
                                   not_after="2028-11-29T10:00:00+00:00", stores=[])
    for page in (Page.BACKUP, Page.DONE):
        wizard.show_page(page.value)
        yield wizard


def backup_pages(qtbot, desktop: Desktop) -> Iterator[BackupWizard]:
    rows = list(samples.every_state(NOW).values())
    for mode, steps in (("make", (Step.CHOOSE, Step.MAKE, Step.TEST)), ("restore", (Step.CHOOSE, Step.PICK,
                                                                                  Step.RESTORE, Step.FINISHED))):
        wizard = BackupWizard(desktop, "nl", rows, mode=mode, user_number=rows[0].user_number)
        qtbot.addWidget(wizard)
        wizard.show()
        for step in steps:
            wizard.show_page(step.value)
            yield wizard


def every_screen(qtbot, desktop: Desktop) -> Iterator[QWidget]:
    w = main_window(qtbot, desktop)
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        yield w
    yield from install_pages(qtbot, desktop)
    yield from backup_pages(qtbot, desktop)


def shown_widgets(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if w.isVisible() and not w.isWindow()]


def test_every_focusable_element_is_named(qtbot, desktop: Desktop) -> None:
    seen = 0
    for window in every_screen(qtbot, desktop):
        for widget in shown_widgets(window):
            if widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                seen += 1
                where = f"{type(widget).__name__} {widget.objectName()!r} in {window.objectName()}"
                assert name_of(widget).strip(), f"{where} has no accessible name"
    assert seen > 60


def test_titles_are_headings_and_pictures_are_named_or_hidden(qtbot, desktop: Desktop) -> None:
    headings: set[str] = set()
    for window in every_screen(qtbot, desktop):
        for widget in shown_widgets(window):
            if not isinstance(widget, QLabel):
                continue
            interface = QAccessible.queryAccessibleInterface(widget)
            if widget.property("role") in ("title", "holder"):
                assert interface.role() == ROLE.Heading and interface.text(QAccessible.Text.Name) == widget.text()
                headings.add(widget.text())
            pixmap = widget.pixmap()
            if pixmap is not None and not pixmap.isNull():  # a picture: says something, or hidden
                hidden = interface.state().invisible
                assert hidden or name_of(widget), f"unnamed picture {widget.objectName()!r}"
                if hidden:
                    assert not name_of(widget)
    assert {"Mijn certificaten", "Welkom", "Support", "Anna de Vries"} <= headings


def test_progress_marks_say_their_state(qtbot, desktop: Desktop) -> None:
    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.progress.reset()
    wizard.progress.at("enroll")
    marks = {stage: name_of(sign) for stage, (sign, _text) in wizard.progress.rows.items()}
    stages = list(marks)
    busy = stages.index("enroll")
    assert all(marks[s].endswith(": klaar") for s in stages[:busy])
    assert marks["enroll"].endswith(": bezig")
    assert all(marks[s].endswith(": wacht") for s in stages[busy + 1:])
    wizard.progress.done()
    assert all(name_of(sign).endswith(": klaar") for sign, _ in wizard.progress.rows.values())


def test_errors_and_results_have_an_alert_or_status_role(qtbot, desktop: Desktop) -> None:
    roles: dict[str, set[QAccessible.Role]] = {"alert": set(), "status": set()}
    for window in every_screen(qtbot, desktop):
        for box in window.findChildren(ExplanationBox):
            roles["alert"].add(access.role_of(box))
        for notice in window.findChildren(Notice):
            if not notice.accessibleName() or notice.objectName() in ("success",):
                roles["status"].add(access.role_of(notice))
    assert roles["alert"] == {ROLE.AlertMessage}
    assert roles["status"] == {ROLE.Notification}


def test_wrong_pin_number_check_and_caps_lock_are_announced_and_tied_to_their_field(qtbot, desktop: Desktop,
                                                                                  heard) -> None:
    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.show_page(Page.CREDENTIALS.value)
    page = wizard.credentials
    qtbot.keyClicks(page.number, "12345")
    assert heard == [("Nog 13 cijfer(s) te gaan.", False)]  # once, not at every digit
    assert description_of(page.number) == "Nog 9 cijfer(s) te gaan."  # read with the field, always current
    qtbot.keyClicks(page.number, "678901239")
    assert heard[-1][0].startswith("Het controlecijfer") and description_of(page.number) == heard[-1][0]
    qtbot.keyClicks(page.pin, "A")
    assert heard[-1] == ("Let op: Caps Lock staat aan.", True)
    assert "Caps Lock staat aan" in description_of(page.pin)
    wizard._failed(IssuerRefused("pin-invalid", "x", attempts_left=3))
    said, assertive = heard[-1]
    assert said.startswith("Het gebruikersnummer of de pincode klopt niet.") and "nog 3 keer" in said and assertive
    assert "nog 3 keer" in description_of(page.pin)


def test_install_status_line_is_announced(qtbot, desktop: Desktop, heard) -> None:
    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.progress.reset()
    wizard.progress.at("enroll")
    wizard.progress.done()
    texts = [text for text, _ in heard]
    assert texts[0] == wizard.progress.status.text() or "Het certificaat is geïnstalleerd en teruggelezen." in texts
    assert len(texts) == 3 and texts[-1] == "Het certificaat is geïnstalleerd en teruggelezen."
    assert access.role_of(wizard.progress.status) == ROLE.Notification


def test_backup_made_restore_test_and_restore_are_announced(qtbot, desktop: Desktop, heard) -> None:
    rows = list(samples.every_state(NOW).values())
    make = BackupWizard(desktop, "nl", rows, mode="make", user_number=rows[0].user_number)
    qtbot.addWidget(make)
    make.show_page(Step.MAKE.value)
    make.form._made(SimpleNamespace())
    assert heard[-1][0].startswith("De back-up is gemaakt") or "back-up" in heard[-1][0].lower()
    assert heard[-1][0] == make.form.result.label.text()
    make.show_page(Step.TEST.value)
    make.test._passed(SimpleNamespace(name="Anna de Vries", user_number=rows[0].user_number,
                                      not_after=rows[0].valid_until))
    assert heard[-1][0] == make.test.result.label.text() != ""
    restore = BackupWizard(desktop, "nl", rows, mode="restore")
    qtbot.addWidget(restore)
    restore.restore._restored(SimpleNamespace(entry=SimpleNamespace(name="Dirk Bakker",
                                                                    not_after=rows[3].valid_until)))
    assert heard[-1][0] == restore.restore.result.label.text() != ""
    restore.restore._failed(IssuerRefused("pin-invalid", "x", attempts_left=3))
    assert heard[-1][1] is True  # a failure is said at once


def _reasons(window: QWidget) -> str:
    return "\n".join(label.text() for label in window.findChildren(FocusLabel) if label.isVisible())


def test_why_a_control_is_off_is_text_the_keyboard_reaches(qtbot, desktop: Desktop) -> None:
    checked = 0
    for window in every_screen(qtbot, desktop):
        for widget in shown_widgets(window):
            if widget.isEnabled() or isinstance(widget, QLabel) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                continue
            where = f"{type(widget).__name__} {widget.objectName()!r} in {window.objectName()}"
            own = widget.accessibleDescription()
            holder = widget.parentWidget()
            while not own and holder is not None and not holder.accessibleDescription():
                holder = holder.parentWidget()
            assert own or holder is not None, f"{where} is off without a reason"
            if own and isinstance(widget, QAbstractButton):  # also as text that Tab reaches
                assert own in _reasons(window), where
            checked += 1
    assert checked >= 10
    for label in main_window(qtbot, desktop).findChildren(FocusLabel):
        assert label.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_decorative_pictures_are_hidden(qtbot, desktop: Desktop) -> None:
    w = InstallWizard(desktop, "nl")
    qtbot.addWidget(w)
    w.show()
    hidden = [label for label in w.findChildren(QLabel) if label.property(access.ROLE) == "decorative"]
    assert len(hidden) >= 3
    for label in hidden:
        assert QAccessible.queryAccessibleInterface(label).state().invisible


def test_while_work_runs_the_waiting_controls_say_why(qtbot, desktop: Desktop, monkeypatch) -> None:
    import threading

    gate = threading.Event()
    renewed = SimpleNamespace(name="Bas Jansen", not_after="2028-11-29T10:00:00+00:00")
    monkeypatch.setattr(desktop, "renew", lambda *_a, **_k: (gate.wait(10), renewed)[1], raising=False)
    w = main_window(qtbot, desktop)
    w.renew(w.rows[1])
    board = w.dashboard
    assert board.cards and all(not c.isEnabled() and c.accessibleDescription() for c in board.cards)
    assert board.busy.isVisible() and board.busy.text() and board.busy.focusPolicy() & Qt.FocusPolicy.TabFocus
    gate.set()
    qtbot.waitUntil(lambda: w.renewing is None, timeout=10_000)
    w.support.run_checks()
    assert not w.support.run_button.isEnabled() and w.support.run_button.accessibleDescription()
    qtbot.waitUntil(lambda: w.support.run_button.isEnabled(), timeout=30_000)
    assert w.support.run_button.accessibleDescription() == ""
