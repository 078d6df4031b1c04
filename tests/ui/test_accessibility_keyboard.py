"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7, 3.2.2): Enter presses the focused button, focus lands on something named.

No issuer: the wizards get the offline user (``conftest.offline``) and the work they would
start is replaced where a test needs it to finish; what is asserted is where the keyboard
takes the user and that nothing runs that the user did not ask for.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from app.desk.desktop import Desktop
from app.desk.wizard import Page, Step
from app.policy import make_user_number
from ui.install_wizard import InstallWizard

NUMBER = make_user_number("1234567890123")


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "the keyboard focus is nowhere"
    return widget


def tab_to(target: QWidget, *, limit: int = 30) -> None:
    """Press Tab until ``target`` has the keyboard (as a person would), failing if it is never reached."""
    for _ in range(limit):
        if _focus() is target:
            return
        QTest.keyClick(_focus(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName() or target}")


def enter() -> None:
    QTest.keyClick(_focus(), Qt.Key.Key_Return)


def shown(qtbot, window: QWidget) -> None:
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


def _install_wizard(qtbot, desktop: Desktop) -> InstallWizard:
    wizard = InstallWizard(desktop, "nl")
    shown(qtbot, wizard)
    return wizard


def _on_pin_page(qtbot, wizard: InstallWizard) -> None:
    enter()  # welcome -> kind (Enter on Next)
    assert wizard.current == Page.KIND.value
    enter()  # kind: the checked radio has focus; Enter presses the default, Next
    assert wizard.current == Page.CREDENTIALS.value
    assert _focus() is wizard.credentials.number
    QTest.keyClicks(wizard.credentials.number, NUMBER)
    tab_to(wizard.credentials.pin)
    QTest.keyClicks(wizard.credentials.pin, "12345")
    assert wizard.next_button.isEnabled()


def test_enter_on_cancel_cancels_and_sends_no_pin(qtbot, offline: Desktop) -> None:
    wizard = _install_wizard(qtbot, offline)
    _on_pin_page(qtbot, wizard)
    started = []
    wizard.start_install = lambda: started.append(True)  # type: ignore[method-assign]
    tab_to(wizard.cancel_button)
    enter()
    assert started == [] and wizard.task is None and not wizard.state.running
    assert wizard.current == Page.CREDENTIALS.value and not wizard.isVisible()
    assert wizard.result() == wizard.DialogCode.Rejected


def test_enter_on_back_goes_back_and_enter_in_the_pin_field_installs(qtbot, offline: Desktop) -> None:
    wizard = _install_wizard(qtbot, offline)
    _on_pin_page(qtbot, wizard)
    started = []
    wizard.start_install = lambda: started.append(True)  # type: ignore[method-assign]
    tab_to(wizard.back_button)
    enter()
    assert wizard.current == Page.KIND.value and started == []
    enter()
    assert wizard.current == Page.CREDENTIALS.value
    tab_to(wizard.credentials.pin)
    QTest.keyClicks(wizard.credentials.pin, "12345")
    enter()  # Enter in a field presses the default button: Installeren
    assert wizard.current == Page.PROGRESS.value and started == [True]


def _pixel(button: QPushButton, x: int, y: int) -> QColor:
    return button.grab().toImage().pixelColor(x, y)


def test_the_default_button_looks_different_from_the_focused_one(qtbot, offline: Desktop) -> None:
    from ui.common import COLOURS

    wizard = _install_wizard(qtbot, offline)
    _on_pin_page(qtbot, wizard)
    nxt, cancel = wizard.next_button, wizard.cancel_button
    middle = nxt.rect().center()
    assert nxt.isDefault() and _pixel(nxt, middle.x(), 3).name() == COLOURS["default-bg"]
    assert _pixel(cancel, middle.x(), 1).name() != COLOURS["focus"]
    tab_to(cancel)
    # the focused button now answers Enter and carries the focus ring; Next no longer looks like the default
    assert cancel.isDefault() and not nxt.isDefault()
    assert _pixel(cancel, cancel.width() // 2, 0).name() == COLOURS["focus"]
    assert _pixel(nxt, middle.x(), 3).name() != COLOURS["default-bg"]


def test_focus_during_install_is_on_the_named_status_line(qtbot, offline: Desktop) -> None:
    wizard = _install_wizard(qtbot, offline)
    _on_pin_page(qtbot, wizard)
    gate = threading.Event()
    entry = SimpleNamespace(not_after="2027-01-01T00:00:00+00:00")
    wizard.desktop = SimpleNamespace(install=lambda *a, **k: (gate.wait(10), entry)[1], paths=offline.paths,
                                     now=offline.now)
    enter()
    assert wizard.current == Page.PROGRESS.value
    focus = _focus()
    assert focus is wizard.progress.status and focus.isVisible() and focus.accessibleName()
    assert wizard.why.isVisible() and wizard.why.text() == wizard.next_button.accessibleDescription() != ""
    gate.set()
    qtbot.waitUntil(lambda: wizard.task is None, timeout=10_000)
    assert _focus() is wizard.next_button


def test_restore_file_page_moves_on_with_enter(qtbot, offline: Desktop, tmp_path: Path) -> None:
    from ui.backup_wizard import BackupWizard

    wizard = BackupWizard(offline, "nl", [], mode="restore")
    shown(qtbot, wizard)
    info = SimpleNamespace(name="Anna", user_number=NUMBER, not_after="2027-01-01T00:00:00+00:00",
                           created_at="2026-01-01T00:00:00+00:00")
    wizard.desktop = SimpleNamespace(inspect_backup=lambda _p: info)
    wizard.pick.desktop = wizard.desktop
    enter()  # choose: restore is checked; Next
    assert wizard.current == Step.PICK.value and _focus() is wizard.pick.path
    QTest.keyClicks(wizard.pick.path, str(tmp_path / "a.zcbackup"))
    enter()
    qtbot.waitUntil(lambda: wizard.current == Step.RESTORE.value, timeout=10_000)
    assert _focus() is wizard.restore.passphrase


STRONG = "Kaasschaaf Vlinderdas Molenwiek Sneeuwbal"


def test_backup_by_keyboard_only(qtbot, offline: Desktop, tmp_path: Path, monkeypatch) -> None:
    from ui import samples
    from ui.backup_wizard import BackupWizard

    rows = list(samples.every_state(datetime(2026, 11, 29, 10, 0, tzinfo=UTC)).values())
    info = SimpleNamespace(name=rows[0].name, user_number=rows[0].user_number, not_after=rows[0].valid_until)
    monkeypatch.setattr(offline, "make_backup", lambda *a, **k: SimpleNamespace(path=str(tmp_path / "b")),
                        raising=False)
    monkeypatch.setattr(offline, "test_backup", lambda *a: info, raising=False)
    wizard = BackupWizard(offline, "nl", rows, mode="make", user_number=rows[0].user_number)
    shown(qtbot, wizard)
    enter()  # choose: 'make' is checked, the certificate chosen
    assert wizard.current == Step.MAKE.value and _focus() is wizard.form.passphrase
    QTest.keyClicks(_focus(), STRONG)
    tab_to(wizard.form.confirmation)
    QTest.keyClicks(_focus(), STRONG)
    tab_to(wizard.form.make)
    enter()  # Enter on the focused 'Back-up maken', not on Next
    qtbot.waitUntil(lambda: wizard.state.made, timeout=10_000)
    assert _focus() is wizard.next_button and wizard.next_button.isEnabled()  # not on Annuleren
    enter()
    assert wizard.current == Step.TEST.value and _focus() is wizard.test.passphrase
    QTest.keyClicks(_focus(), STRONG)
    enter()  # in the field: runs the test
    qtbot.waitUntil(lambda: wizard.state.tested, timeout=10_000)
    enter()
    assert wizard.current == Step.FINISHED.value
    enter()
    assert not wizard.isVisible() and wizard.result() == wizard.DialogCode.Accepted


def test_restore_by_keyboard_only(qtbot, offline: Desktop, tmp_path: Path, monkeypatch) -> None:
    from ui.backup_wizard import BackupWizard

    info = SimpleNamespace(name="Anna", user_number=NUMBER, not_after="2027-01-01T00:00:00+00:00",
                           created_at="2026-01-01T00:00:00+00:00")
    outcome = SimpleNamespace(entry=SimpleNamespace(name="Anna", not_after="2027-01-01T00:00:00+00:00"))
    monkeypatch.setattr(offline, "inspect_backup", lambda _p: info, raising=False)
    monkeypatch.setattr(offline, "restore_backup", lambda *a, **k: outcome, raising=False)
    wizard = BackupWizard(offline, "nl", [], mode="restore")
    shown(qtbot, wizard)
    restored = []
    wizard.restored.connect(restored.append)
    enter()
    QTest.keyClicks(_focus(), str(tmp_path / "a.zcbackup"))
    enter()
    qtbot.waitUntil(lambda: wizard.current == Step.RESTORE.value, timeout=10_000)
    QTest.keyClicks(_focus(), STRONG)
    enter()
    qtbot.waitUntil(lambda: wizard.state.restored, timeout=10_000)
    assert _focus() is wizard.next_button  # not on Annuleren
    enter()
    assert wizard.current == Step.FINISHED.value
    enter()
    assert restored == [outcome] and not wizard.isVisible()


def test_language_box_does_not_switch_on_arrow_down_and_keeps_the_focus(qtbot, offline: Desktop) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(offline, "nl")
    shown(qtbot, window)
    window.tabs.setCurrentWidget(window.settings)
    box = window.settings.language
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClick(box, Qt.Key.Key_Down)
    assert window.lang == "nl" and box.view().isVisible()  # the list opens; nothing is chosen yet
    box.hidePopup()
    box.setCurrentIndex(box.findData("en"))  # a choice made in the list
    assert window.lang == "en"
    assert _focus() is window.settings.language and window.tabs.currentWidget() is window.settings


def test_no_unnamed_scroll_area_is_a_tab_stop(qtbot, offline: Desktop) -> None:
    from PySide6.QtWidgets import QAbstractScrollArea

    from ui.main_window import MainWindow

    window = MainWindow(offline, "nl")
    shown(qtbot, window)
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        for area in window.findChildren(QAbstractScrollArea):
            if area.window() is not window:  # a combo box's own popup list
                continue
            assert area.focusPolicy() == Qt.FocusPolicy.NoFocus or area.accessibleName(), area.objectName()
    window.tabs.setCurrentIndex(0)
    window.dashboard.install_button.setFocus()
    seen = set()
    for _ in range(40):  # Tab round the dashboard: every stop is a named control
        QTest.keyClick(_focus(), Qt.Key.Key_Tab)
        assert not isinstance(_focus(), QAbstractScrollArea)
        seen.add(_focus().objectName())
    assert "dashboard-install" in seen


def test_after_the_backup_in_the_install_wizard_the_keyboard_is_on_next(qtbot, offline: Desktop) -> None:
    wizard = _install_wizard(qtbot, offline)
    wizard.state.installed = True
    wizard.entry = SimpleNamespace(user_number=NUMBER, name="Anna de Vries", not_after="2028-11-29T10:00:00+00:00",
                                   stores=[])
    wizard.show_page(Page.BACKUP.value)
    assert _focus() is wizard.backup_form.passphrase
    wizard.backup_form._made(SimpleNamespace())
    assert _focus() is wizard.next_button and wizard.next_button.isEnabled()
    assert not wizard.backup.skip.isEnabled() and wizard.backup.skip.accessibleDescription()
