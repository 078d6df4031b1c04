"""The contact person's desk for screen readers, keyboards and large fonts (issue 18's rules on issue 16's screens).

The same checks and helpers as ``test_accessibility_tree.py`` and ``test_accessibility_fonts.py``, on
Gebruikersbeheer, the Berichtenbox and the three dialogs, filled from ``ui.samples`` (no issuer).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget

from app.desk.desktop import Desktop
from tests.ui.test_accessibility_fonts import POINTS, clipped, large, settle, sideways  # noqa: F401 (a fixture)
from tests.ui.test_accessibility_tree import ROLE, _reasons, name_of, shown_widgets
from tests.ui.test_practice_users import NOW, Clock
from ui import access, samples
from ui.common import ExplanationBox, FocusLabel, Notice
from ui.desk_tabs import DeskTabs
from ui.main_window import MainWindow
from ui.practice_dialogs import AuthorisationsDialog, RequestDialog, RevokeDialog


def desk_window(qtbot, desktop: Desktop) -> MainWindow:
    desktop.clock = Clock()
    window = MainWindow(desktop, "nl")
    qtbot.addWidget(window)
    window.desk = DeskTabs(window)
    window.desk.place(True, load=False)
    assert window.desk.users is not None and window.desk.messages is not None
    window.desk.users.set_desk(samples.desk(NOW))
    window.desk.messages.set_messages(list(samples.message_box(NOW).messages))
    window.show()
    qtbot.waitUntil(access.installed)
    return window


def dialogs(qtbot, window: MainWindow) -> Iterator[QWidget]:
    desk = samples.desk(NOW)
    dirk, his = desk.users[3], desk.users[6]
    for dialog in (RequestDialog(desk.catalogue, "nl", parent=window), RevokeDialog(dirk, "nl", parent=window),
                   AuthorisationsDialog(his, desk.verdicts(his), desk.catalogue, "nl", parent=window)):
        qtbot.addWidget(dialog)
        dialog.show()
        yield dialog
        dialog.hide()


def every_desk_screen(qtbot, desktop: Desktop) -> Iterator[QWidget]:
    window = desk_window(qtbot, desktop)
    assert window.desk is not None
    for page in window.desk.pages():
        window.tabs.setCurrentWidget(page)
        yield window
    assert window.desk.messages is not None
    window.desk.messages.rows[0].show_pin(samples.pin())
    yield window
    yield from dialogs(qtbot, window)


def test_every_focusable_element_is_named(qtbot, offline: Desktop) -> None:
    seen = 0
    for window in every_desk_screen(qtbot, offline):
        for widget in shown_widgets(window):
            if widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                seen += 1
                assert name_of(widget).strip(), f"{type(widget).__name__} {widget.objectName()!r} has no name"
    assert seen > 40


def test_titles_are_headings(qtbot, offline: Desktop) -> None:
    headings: set[str] = set()
    for window in every_desk_screen(qtbot, offline):
        for widget in shown_widgets(window):
            if isinstance(widget, QLabel) and widget.property("role") in ("title", "holder"):
                interface = QAccessible.queryAccessibleInterface(widget)
                assert interface.role() == ROLE.Heading
                headings.add(widget.text())
    assert {"Gebruikersbeheer", "Berichtenbox", "Anna de Vries", "HIS-koppeling", "Pincode voor Carla Smit",
            "Certificaat aanvragen voor een collega", "Certificaat van Dirk Bakker intrekken",
            "Autorisaties van HIS-koppeling"} <= headings


def test_why_a_control_is_off_is_text_the_keyboard_reaches(qtbot, offline: Desktop) -> None:
    checked = 0
    for window in every_desk_screen(qtbot, offline):
        reasons = _reasons(window)
        for widget in shown_widgets(window):
            if widget.isEnabled() or isinstance(widget, QLabel) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                continue
            why = widget.accessibleDescription()
            assert why, f"{type(widget).__name__} {widget.objectName()!r} is off without a reason"
            if isinstance(widget, QAbstractButton):
                assert why in reasons, widget.objectName()
            checked += 1
    assert checked >= 10
    for window in every_desk_screen(qtbot, offline):
        for label in window.findChildren(FocusLabel):
            assert label.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_errors_are_alerts_and_results_are_status(qtbot, offline: Desktop) -> None:
    window = desk_window(qtbot, offline)
    assert window.desk is not None
    for page in window.desk.pages():
        assert {access.role_of(box) for box in page.findChildren(ExplanationBox)} == {ROLE.AlertMessage}
        assert access.role_of(page.count) == ROLE.Notification
        results = [n for n in page.findChildren(Notice) if n.objectName().endswith("-result")]
        assert results and {access.role_of(n) for n in results} == {ROLE.Notification}


@pytest.mark.usefixtures("large")
def test_the_desk_at_18_pt(qtbot, offline: Desktop) -> None:
    """Nothing cut off on the two tabs (the PIN shown) and in the dialogs; the tabs never scroll sideways."""
    for window in every_desk_screen(qtbot, offline):
        settle(qtbot, window)
        assert clipped(window) == [], window.objectName()
        for area in window.findChildren(QScrollArea):
            if area.objectName() in ("users-scroll", "messages-scroll") and area.isVisible():
                assert not sideways(area), area.objectName()
        if isinstance(window, MainWindow):
            assert window.width() <= 900, window.width()
    row = desk_window(qtbot, offline).desk.users.rows[0]  # type: ignore[union-attr]
    assert row.holder.font().pointSizeF() > POINTS
