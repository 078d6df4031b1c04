"""The install wizard's user number and PIN page: the live number check, Caps Lock, errors read with the field.

The PIN lives only in its masked field until ``take_pin`` hands it to the one call that sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.desk import wizard
from app.desk.wizard import InstallState
from app.i18n import t
from ui.access import announce
from ui.common import ExplanationBox, Notice, in_widget
from ui.wizard_frame import WizardPage


class CapsLockWatch(QObject):
    """Guesses Caps Lock from the letters typed into the PIN field (Qt has no portable way to ask)."""

    def __init__(self, hint: QLabel, changed: Callable[[], None]):
        super().__init__()
        self.hint = hint
        self.changed = changed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.KeyPress:
            key = cast(QKeyEvent, event)  # PySide6 hands a key press over as a QKeyEvent
            shift = bool(key.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            caps = wizard.caps_lock_likely(key.text(), shift)
            if caps is not None and caps == self.hint.isHidden():
                self.hint.setVisible(caps)
                self.changed()
        return False


class CredentialsPage(WizardPage):
    changed = Signal()

    def __init__(self, lang: str, state: InstallState):
        super().__init__(lang, t("ui.credentials.heading", lang), t("ui.credentials.intro", lang))
        self.state = state
        form = QFormLayout()
        self.number = QLineEdit()
        self.number.setObjectName("user-number")
        self.number.setAccessibleName(t("ui.credentials.number", lang))
        self.number.setPlaceholderText(t("ui.credentials.number.placeholder", lang))
        self.number.setMaxLength(24)
        self.number.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        number_label = QLabel(t("ui.credentials.number", lang))
        number_label.setBuddy(self.number)
        form.addRow(number_label, self.number)
        self.number_feedback = QLabel()
        self.number_feedback.setObjectName("number-feedback")
        self.number_feedback.setProperty("role", "warning")
        self.number_feedback.setWordWrap(True)
        self._number_key = ""
        form.addRow("", self.number_feedback)

        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName(t("ui.credentials.pin", lang))
        self.pin.setPlaceholderText(t("ui.credentials.pin.placeholder", lang))
        self.pin.setMaxLength(64)
        # no copy out of the field, no input method history for a secret
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
                                     | Qt.InputMethodHint.ImhNoPredictiveText)
        pin_label = QLabel(t("ui.credentials.pin", lang))
        pin_label.setBuddy(self.pin)
        form.addRow(pin_label, self.pin)
        self.caps = QLabel(t("ui.credentials.caps_lock", lang))
        self.caps.setObjectName("caps-lock")
        self.caps.setProperty("role", "warning")
        self.caps.setWordWrap(True)
        self.caps.hide()
        form.addRow("", self.caps)
        self.show_pin = QCheckBox(t("ui.credentials.show_pin", lang))
        self.show_pin.setAccessibleName(self.show_pin.text())
        form.addRow("", self.show_pin)
        self.add(in_widget(form))
        self.add(Notice(t("ui.credentials.pin_safety", lang)))
        self.explanation = ExplanationBox(lang)
        self.explanation.setObjectName("explanation")
        self.add(self.explanation)
        self.finish_layout()
        self.tie_pin()

        self._caps_watch = CapsLockWatch(self.caps, self._caps_changed)
        self.pin.installEventFilter(self._caps_watch)
        self.number.textChanged.connect(self._number_changed)
        self.pin.textChanged.connect(self._pin_changed)
        self.show_pin.toggled.connect(
            lambda on: self.pin.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))

    def first_focus(self) -> QWidget | None:
        return self.pin if wizard.check_user_number(self.number.text()).ok else self.number

    def _number_changed(self, text: str) -> None:
        self.state.user_number = text
        verdict = wizard.check_user_number(text)
        feedback = "" if verdict.ok or not verdict.key else t(verdict.key, self.lang, **verdict.params)
        self.number_feedback.setText(feedback)
        self.number.setAccessibleDescription(feedback)  # read with the field
        if verdict.key != self._number_key and feedback:  # a new kind of remark, not every digit
            announce(self.number, feedback)
        self._number_key = verdict.key or ""
        self.changed.emit()

    def _caps_changed(self) -> None:
        self.tie_pin()
        if self.caps.isVisibleTo(self):
            announce(self.pin, self.caps.text(), assertive=True)

    def tie_pin(self) -> None:
        """The PIN field's description: the hint, Caps Lock, and the last error with the attempts left."""
        parts = [t("ui.credentials.pin.description", self.lang)]
        if self.caps.isVisibleTo(self):
            parts.append(self.caps.text())
        if self.explanation.isVisibleTo(self):
            parts += [self.explanation.message.text(), self.explanation.next_step.text()]
        self.pin.setAccessibleDescription(" ".join(p for p in parts if p))

    def _pin_changed(self, text: str) -> None:
        self.state.pin_typed = bool(text.strip())
        self.changed.emit()

    def take_pin(self) -> str:
        """The PIN, once: the field is cleared so it does not stay on screen or in the widget."""
        pin = self.pin.text().strip()
        self.pin.clear()
        return pin
