"""Berichtenbox: the contact person's messages, the unread count on the tab, a PIN shown only on a deliberate click.

A PIN message shows its words without the PIN; 'Pincode tonen' shows it (not selectable, no
copy offered by default). Only after the PIN is shown may the user choose 'Kopiëren': the
clipboard is then cleared after ``CLEAR_AFTER_MS`` (30 s) if it still holds the PIN, and the
copy is marked as a secret for clipboard managers that honour that. Every call goes through
the Desktop seam in a worker thread; the PIN is never logged or announced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import t, tn
from app.practice.messages import CLIPBOARD_CLEAR_SECONDS
from ui.access import announce, mark
from ui.common import (
    ExplanationBox,
    FlowLayout,
    FocusLabel,
    Notice,
    allow,
    fmt_datetime,
    scrolling_page,
    sized,
    title_label,
)
from ui.worker import run_task

if TYPE_CHECKING:
    from app.desk.desktop import Desktop
    from app.errors import ZorgCertError
    from app.practice.messages import Message, MessageBox, Pin

CLEAR_AFTER_MS = CLIPBOARD_CLEAR_SECONDS * 1000  # a copied PIN leaves the clipboard after this long
# formats that ask clipboard managers not to keep the copy (KDE Klipper; Windows clipboard history)
SECRET_HINTS = {"x-kde-passwordManagerHint": b"secret", "ExcludeClipboardContentFromMonitorProcessing": b"1"}


class PinClipboard:
    """Puts a PIN on the clipboard and takes it off again after ``delay_ms``, unless something else replaced it."""

    def __init__(self, delay_ms: int = CLEAR_AFTER_MS):
        self.delay_ms = delay_ms
        self._pending: set[QTimer] = set()

    def copy(self, pin: Pin) -> None:
        data = QMimeData()
        data.setText(pin.reveal())
        for kind, value in SECRET_HINTS.items():
            data.setData(kind, value)
        QGuiApplication.clipboard().setMimeData(data)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.setInterval(self.delay_ms)
        timer.timeout.connect(lambda: self._clear(pin, timer))
        self._pending.add(timer)
        timer.start()

    def _clear(self, pin: Pin, timer: QTimer) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard.text() == pin.reveal():
            clipboard.clear()
        self._pending.discard(timer)

    def clear_now(self) -> None:
        """Take a PIN this app put there off the clipboard at once (the app quits, the message goes)."""
        for timer in list(self._pending):
            timer.stop()
            timer.timeout.emit()


class MessageRow(QFrame):
    """One message: subject (a heading), date, unread mark, its words; a PIN behind 'Pincode tonen'; Delete."""

    reveal_requested = Signal(object)  # the Message whose PIN the user asked to see
    read_requested = Signal(object)  # the Message the user marked as read

    def __init__(self, message: Message, lang: str, clipboard: PinClipboard):
        super().__init__()
        self.message = message
        self.secret: Pin | None = None  # the PIN, only after the deliberate click
        self.lang = lang
        self.clipboard = clipboard
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        top = QHBoxLayout()
        self.subject = title_label(message.subject or t("ui.messages.no_subject", lang), "holder")
        top.addWidget(self.subject, 1)
        self.new = QLabel(t("ui.messages.new", lang))
        self.new.setObjectName("message-new")
        self.new.setProperty("role", "warning")
        if message.read:
            self.new.hide()  # hide only: showing a widget that has no parent yet makes it a window
        top.addWidget(self.new)
        outer.addLayout(top)
        self.when = QLabel(t("ui.messages.received", lang, when=fmt_datetime(message.created_at, lang) or "-"))
        self.when.setObjectName("message-when")
        self.when.setProperty("role", "field")
        self.when.setWordWrap(True)
        outer.addWidget(self.when)
        self.body = QLabel(message.body)
        self.body.setObjectName("message-body")
        self.body.setWordWrap(True)
        outer.addWidget(self.body)
        buttons = FlowLayout()
        self.show_button: QPushButton | None = None
        self.copy_button: QPushButton | None = None
        self.pin = QLabel()
        self.pin.setObjectName("message-pin")
        sized(self.pin, 1.4)
        # shown on purpose only: not selectable (no copy offered by default), a tab stop a reader reads
        self.pin.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.pin.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.pin.setProperty("focusable", True)
        self.pin.hide()
        outer.addWidget(self.pin)
        self.copy_note = QLabel(t("ui.messages.copy_note", lang, seconds=clipboard.delay_ms // 1000))
        self.copy_note.setObjectName("message-copy-note")
        self.copy_note.setProperty("role", "field")
        self.copy_note.setWordWrap(True)
        self.copy_note.hide()
        outer.addWidget(self.copy_note)
        self.pin_note = QLabel(t("practice.message.pin_hidden", lang))
        self.pin_note.setObjectName("message-pin-note")
        self.pin_note.setWordWrap(True)
        if not message.has_pin:
            self.pin_note.hide()
        outer.insertWidget(outer.indexOf(self.pin), self.pin_note)
        if message.has_pin:
            self.show_button = QPushButton(t("ui.messages.show_pin", lang))
            self.show_button.setObjectName("message-show-pin")
            self.show_button.clicked.connect(self.toggle_pin)
            buttons.addWidget(self.show_button)
            self.copy_button = QPushButton(t("ui.messages.copy", lang))
            self.copy_button.setObjectName("message-copy")
            self.copy_button.clicked.connect(self.copy_pin)
            self.copy_button.hide()  # only once the PIN is shown, and only if chosen
            buttons.addWidget(self.copy_button)
        self.read_button: QPushButton | None = None
        if not message.read and not message.has_pin:  # a PIN message is read when its PIN is shown
            self.read_button = QPushButton(t("ui.messages.mark_read", lang))
            self.read_button.setObjectName("message-read")
            self.read_button.clicked.connect(lambda: self.read_requested.emit(self.message))
            buttons.addWidget(self.read_button)
        self.delete_button = QPushButton(t("ui.messages.delete", lang))
        self.delete_button.setObjectName("message-delete")
        buttons.addWidget(self.delete_button)
        for button in (self.show_button, self.copy_button, self.read_button, self.delete_button):
            if button is not None:
                button.setAccessibleName(f"{button.text()} — {self.subject.text()}")
                button.setAutoDefault(True)  # Enter presses the focused button
        outer.addLayout(buttons)
        self.setAccessibleName(t("ui.messages.row", lang, subject=self.subject.text(), when=self.when.text()))

    def pin_shown(self) -> bool:
        return not self.pin.isHidden()

    def toggle_pin(self) -> None:
        """The deliberate click: ask for the PIN (the page fetches it), or hide it again and forget it."""
        if self.show_button is None:
            return
        if not self.pin_shown():
            self.reveal_requested.emit(self.message)
            return
        # hide it again, and forget it
        self.secret = None
        self.pin.clear()
        self.pin.setAccessibleName("")
        self.pin.hide()
        if self.copy_button is not None:
            self.copy_button.hide()
        self.copy_note.hide()
        self.pin_note.show()
        self.show_button.setText(t("ui.messages.show_pin", self.lang))
        self.show_button.setAccessibleName(f"{self.show_button.text()} — {self.subject.text()}")

    def show_pin(self, pin: Pin) -> None:
        """Show the PIN the user asked for; the keyboard goes to it, so a screen reader reads it (digit by digit)."""
        if self.show_button is None:
            return
        self.secret = pin
        digits = pin.reveal()
        self.pin.setText(digits)
        self.pin.setAccessibleName(t("ui.messages.pin", self.lang, pin=" ".join(digits)))
        self.pin.show()
        self.pin_note.hide()
        if self.copy_button is not None:
            self.copy_button.show()
        self.copy_note.show()
        self.mark_read()
        self.show_button.setText(t("ui.messages.hide_pin", self.lang))
        self.show_button.setAccessibleName(f"{self.show_button.text()} — {self.subject.text()}")
        self.pin.setFocus()

    def mark_read(self) -> None:
        self.new.hide()
        if self.read_button is not None:
            self.read_button.hide()

    def copy_pin(self) -> None:
        if self.secret is None or not self.pin_shown():
            return
        self.clipboard.copy(self.secret)
        announce(self.copy_note, t("ui.messages.copied", self.lang, seconds=self.clipboard.delay_ms // 1000))


class MessagesPage(QWidget):
    """The tab: heading, refresh, the unread count, the messages newest first, a line for results."""

    unread_changed = Signal(int)

    def __init__(self, desktop: Desktop, lang: str, *, clear_after_ms: int = CLEAR_AFTER_MS):
        super().__init__()
        self.desktop = desktop
        self.lang = lang
        self.clipboard = PinClipboard(clear_after_ms)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.aboutToQuit.connect(self.clipboard.clear_now)  # a copied PIN does not outlive the app
        self.messages: list[Message] = []
        self.rows: list[MessageRow] = []
        self.unread = 0
        outer = scrolling_page(self, "messages", t("ui.tab.messages", lang), t("ui.messages.heading", lang),
                               t("ui.messages.intro", lang))
        row = QHBoxLayout()
        self.refresh_button = QPushButton(t("ui.messages.refresh", lang))
        self.refresh_button.setObjectName("messages-refresh")
        self.refresh_button.setAccessibleName(self.refresh_button.text())
        self.refresh_button.setAutoDefault(True)
        row.addWidget(self.refresh_button)
        self.count = FocusLabel("messages-count", "")
        mark(self.count, "status")
        row.addWidget(self.count, 1)
        outer.addLayout(row)
        self.result = Notice("", "success")
        self.result.setObjectName("messages-result")
        self.result.hide()
        outer.addWidget(self.result)
        self.explanation = ExplanationBox(lang)
        self.explanation.setObjectName("messages-explanation")
        outer.addWidget(self.explanation)
        self.list = QWidget()
        self.list.setAccessibleName(t("ui.messages.list", lang))
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(10)
        outer.addWidget(self.list)
        self.empty = QLabel(t("ui.messages.empty", lang))
        self.empty.setObjectName("messages-empty")
        self.empty.setWordWrap(True)
        self.list_layout.addWidget(self.empty)
        outer.addStretch(1)
        self.refresh_button.clicked.connect(self.refresh)

    def refresh(self) -> None:
        allow(self.refresh_button, t("ui.why.busy", self.lang))
        self.count.say(t("ui.messages.loading", self.lang), announce_it=True)
        desktop = self.desktop
        run_task(lambda _r, _t: desktop.message_box(), on_success=self._loaded, on_failure=self._failed,
                 what="messages")

    def _loaded(self, box: MessageBox) -> None:
        allow(self.refresh_button, "")
        self.set_messages(list(box.messages))

    def set_messages(self, messages: list[Message]) -> None:
        """Show these messages (a PIN shown before is hidden again; a copied one still leaves on time)."""
        self.messages = list(messages)
        for old in self.rows:
            old.hide()  # not setParent(None): that makes it a window for a moment, and the app loses focus
            self.list_layout.removeWidget(old)
            old.deleteLater()
        self.rows = []
        for message in self.messages:
            row = MessageRow(message, self.lang, self.clipboard)
            row.delete_button.clicked.connect(lambda _=False, m=message: self.delete(m))
            row.reveal_requested.connect(lambda m, r=row: self.reveal(m, r))
            row.read_requested.connect(lambda m, r=row: self.mark_read(m, r))
            self.rows.append(row)
            self.list_layout.addWidget(row)
        self.empty.setVisible(not self.rows)
        self.unread = sum(1 for m in self.messages if not m.read)
        self.count.say(tn("ui.messages.count", self.unread, self.lang, n=self.unread, total=len(self.messages)))
        self.unread_changed.emit(self.unread)

    def reveal(self, message: Message, row: MessageRow) -> None:
        """Fetch the PIN of ``message`` for ``row`` (the user clicked 'Pincode tonen'); never logged or announced."""
        self.explanation.clear()
        if row.show_button is not None:
            allow(row.show_button, t("ui.why.busy", self.lang))
        desktop = self.desktop

        def shown(pin: Pin) -> None:
            if row.show_button is not None:
                allow(row.show_button, "")
            if row in self.rows:
                row.show_pin(pin)
                self._recount()

        def failed(error: ZorgCertError) -> None:
            if row.show_button is not None:
                allow(row.show_button, "")
            self._failed(error)

        run_task(lambda _r, _t: desktop.reveal_pin(message.id), on_success=shown, on_failure=failed,
                 what="reveal-pin")

    def mark_read(self, message: Message, row: MessageRow) -> None:
        """Open ``message`` at the issuer (which marks it read); the count goes down."""
        self.explanation.clear()
        desktop = self.desktop

        def done(_opened: Message) -> None:
            if row in self.rows:
                row.mark_read()
                self._recount()

        run_task(lambda _r, _t: desktop.open_message(message.id), on_success=done, on_failure=self._failed,
                 what="open-message")

    def _recount(self) -> None:
        """The unread count after a message was opened here (the issuer marks it read)."""
        self.unread = sum(1 for r in self.rows if not r.new.isHidden())
        self.count.say(tn("ui.messages.count", self.unread, self.lang, n=self.unread, total=len(self.rows)))
        self.unread_changed.emit(self.unread)

    def delete(self, message: Message) -> None:
        self.explanation.clear()
        self.result.hide()
        for row in self.rows:
            row.setEnabled(False)
        desktop = self.desktop
        run_task(lambda _r, _t: desktop.delete_message(message.id), on_success=lambda _x: self._deleted(message),
                 on_failure=self._failed, what="delete-message")

    def _deleted(self, message: Message) -> None:
        if message.has_pin:
            self.clipboard.clear_now()  # the message is gone: so is a PIN copied from it
        self.result.set_text(t("ui.messages.deleted", self.lang, subject=message.subject))
        self.result.show()
        self.set_messages([m for m in self.messages if m.id != message.id])

    def _failed(self, error: ZorgCertError) -> None:
        from app.explain import report

        allow(self.refresh_button, "")
        for row in self.rows:
            row.setEnabled(True)
        self.count.say("")
        self.explanation.show_explanation(report(error, self.lang, "messages"))
