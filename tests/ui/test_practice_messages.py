"""Berichtenbox (issue 16): the unread count on the tab, the PIN only after a deliberate click, no copy unless
chosen, a copied PIN gone from the clipboard after the delay (milliseconds here), deleting a message.

The page gets the sample message box (``ui.samples.message_box``) through the offline user's Desktop, whose
issuer calls are replaced (``test_practice_users.Seam``); the PIN is never announced.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app.desk.desktop import Desktop
from tests.ui.test_pages import texts
from tests.ui.test_practice_users import NOW, Seam, contact_window
from ui import access, messages_page, samples
from ui.messages_page import MessagesPage

PIN = samples.pin().reveal()


@pytest.fixture()
def heard() -> Iterator[list[tuple[str, bool]]]:
    """Every announcement made while the test runs: (text, assertive)."""
    said: list[tuple[str, bool]] = []

    def hook(_widget: object, text: str, assertive: bool) -> None:
        said.append((text, assertive))

    access.listeners.append(hook)
    yield said
    access.listeners.remove(hook)


def page_with_box(qtbot, desktop: Desktop, monkeypatch, *, clear_after_ms: int = 30_000) -> tuple[MessagesPage, Seam]:
    seam = Seam(desktop, monkeypatch)
    monkeypatch.setattr(desktop, "reveal_pin", lambda message_id, **k: seam._record("reveal_pin", message_id)
                        or samples.pin(), raising=False)
    monkeypatch.setattr(desktop, "open_message", lambda message_id, **k: seam._record("open_message", message_id),
                        raising=False)
    monkeypatch.setattr(desktop, "delete_message", lambda message_id, **k: seam._record("delete_message", message_id),
                        raising=False)
    page = MessagesPage(desktop, "nl", clear_after_ms=clear_after_ms)
    qtbot.addWidget(page)
    page.show()
    page.set_messages(list(samples.message_box(NOW).messages))
    qtbot.waitUntil(lambda: all(r.isVisible() for r in page.rows), timeout=5_000)  # rows are shown queued
    return page, seam


def everything_said(widget: QWidget) -> str:
    return "\n".join(texts(widget))


def test_the_unread_count_is_on_the_tab(qtbot, offline: Desktop, monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    window = contact_window(qtbot, offline, seam)
    box = window.desk.messages
    index = window.tabs.indexOf(box)
    assert window.tabs.tabText(index) == "Berichtenbox (2 nieuw)" == box.accessibleName()
    assert box.count.text() == "2 nieuwe berichten, 3 in totaal"
    assert [not r.new.isHidden() for r in box.rows] == [True, True, False]  # each new one says so in words
    box.set_messages([m for m in samples.message_box(NOW).messages if m.read])
    assert window.tabs.tabText(index) == "Berichtenbox"


def test_the_pin_shows_only_after_the_deliberate_click(qtbot, offline: Desktop, monkeypatch, heard) -> None:
    page, seam = page_with_box(qtbot, offline, monkeypatch)
    row = page.rows[0]
    assert row.message.has_pin and "******" in row.body.text()
    assert PIN not in everything_said(page)  # not in any text, tooltip or accessible name
    assert not row.pin.isVisibleTo(page) and not row.copy_button.isVisibleTo(page)
    assert row.pin_note.text().startswith("De pincode is verborgen")
    assert "reveal_pin" not in seam.names()  # not even fetched
    qtbot.mouseClick(row.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(row.pin_shown, timeout=5_000)
    assert ("reveal_pin", 3) in seam.calls
    assert row.pin.text() == PIN and row.pin.accessibleName() == "Pincode: " + " ".join(PIN)
    assert row.pin.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction  # no copy by selection
    assert row.pin.hasFocus() or not page.isActiveWindow()  # the keyboard (and a screen reader) goes to it
    assert row.copy_button.isVisibleTo(page) and "30 seconden" in row.copy_note.text()
    assert QGuiApplication.clipboard().text() != PIN  # shown, not copied
    assert page.unread == 1 and not row.new.isVisibleTo(page)  # opened: no longer new
    assert all(PIN not in text for text, _ in heard)  # never announced
    qtbot.mouseClick(row.show_button, Qt.MouseButton.LeftButton)  # hide again: the PIN is forgotten
    assert not row.pin_shown() and row.pin.text() == "" and row.secret is None
    assert not row.copy_button.isVisibleTo(page)


def test_a_copied_pin_leaves_the_clipboard_after_the_delay(qtbot, offline: Desktop, monkeypatch) -> None:
    page, _seam = page_with_box(qtbot, offline, monkeypatch, clear_after_ms=40)
    assert messages_page.CLEAR_AFTER_MS == 30_000  # the delay the app uses; the test takes milliseconds
    row = page.rows[0]
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("iets anders")
    qtbot.mouseClick(row.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(row.pin_shown, timeout=5_000)
    qtbot.mouseClick(row.copy_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == PIN
    assert clipboard.mimeData().data("x-kde-passwordManagerHint").data() == b"secret"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=2_000)


def test_the_clipboard_is_left_alone_once_the_user_copied_something_else(qtbot, offline: Desktop,
                                                                          monkeypatch) -> None:
    page, _seam = page_with_box(qtbot, offline, monkeypatch, clear_after_ms=40)
    row = page.rows[0]
    qtbot.mouseClick(row.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(row.pin_shown, timeout=5_000)
    qtbot.mouseClick(row.copy_button, Qt.MouseButton.LeftButton)
    QGuiApplication.clipboard().setText("een adres")
    qtbot.wait(120)
    assert QGuiApplication.clipboard().text() == "een adres"


def test_a_message_is_deleted(qtbot, offline: Desktop, monkeypatch, heard) -> None:
    page, seam = page_with_box(qtbot, offline, monkeypatch)
    qtbot.mouseClick(page.rows[0].delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.rows) == 2, timeout=5_000)
    assert ("delete_message", 3) in seam.calls
    assert page.result.label.text() == "Het bericht 'Pincode voor Carla Smit' is verwijderd."
    assert heard[-1][0] == page.result.label.text()
    assert page.unread == 1 and page.count.text() == "1 nieuw bericht, 2 in totaal"


def test_messages_without_a_pin_offer_no_pin_buttons(qtbot, offline: Desktop, monkeypatch) -> None:
    page, _seam = page_with_box(qtbot, offline, monkeypatch)
    for row in page.rows[1:]:
        assert row.show_button is None and row.copy_button is None and not row.pin_note.isVisibleTo(page)
        assert row.delete_button.isVisibleTo(page)


def test_a_message_is_marked_read_on_request(qtbot, offline: Desktop, monkeypatch) -> None:
    page, seam = page_with_box(qtbot, offline, monkeypatch)
    notice, old = page.rows[1], page.rows[2]
    assert notice.read_button is not None and old.read_button is None  # only for an unread one without a PIN
    assert page.rows[0].read_button is None  # a PIN message is read when its PIN is shown
    qtbot.mouseClick(notice.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.unread == 1, timeout=5_000)
    assert ("open_message", 2) in seam.calls and notice.new.isHidden() and notice.read_button.isHidden()
    assert page.count.text() == "1 nieuw bericht, 3 in totaal"


def test_deleting_the_pin_message_takes_a_copied_pin_off_the_clipboard_at_once(qtbot, offline: Desktop,
                                                                               monkeypatch) -> None:
    page, _seam = page_with_box(qtbot, offline, monkeypatch)  # the real 30 s delay
    row = page.rows[0]
    qtbot.mouseClick(row.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(row.pin_shown, timeout=5_000)
    qtbot.mouseClick(row.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == PIN
    page.set_messages(list(samples.message_box(NOW).messages))  # reading the box again keeps the copy
    assert QGuiApplication.clipboard().text() == PIN
    qtbot.mouseClick(page.rows[0].delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.rows) == 2, timeout=5_000)
    assert QGuiApplication.clipboard().text() == ""
