"""Check boxes and radio buttons whose text wraps under a large font (Qt's own never wrap).

Kept out of ``ui.common``: the dashboard, on the start path, has none, and ``QEvent`` costs
PySide some 12 ms to build the first time.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QLabel, QWidget

from ui.common import at_top


class _Mirror(QObject):
    """Shows, hides, enables the label beside a button as the button is."""

    def __init__(self, button: QAbstractButton, label: QLabel):
        super().__init__(button)
        self.label = label

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        kind = event.type()
        if kind in (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.EnabledChange):
            button = self.parent()
            if isinstance(button, QAbstractButton):
                self.label.setVisible(not button.isHidden())
                self.label.setEnabled(button.isEnabled())
        return False


class _ClickLabel(QLabel):
    def __init__(self, text: str, button: QAbstractButton):
        super().__init__(text)
        self.button = button

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt's name: like clicking the button's own text
        if self.button.isEnabled():
            self.button.setFocus()
            self.button.click()


def wrapping(button: QAbstractButton) -> QWidget:
    """A check box or radio button whose text wraps (Qt's own never does): the text moves to a label beside it.

    The button keeps the text as its accessible name; the label follows its visibility and state,
    and a click on it is a click on the button.
    """
    text = button.text()
    if not button.accessibleName():
        button.setAccessibleName(text)
    button.setText("")
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    label = _ClickLabel(text, button)
    label.setWordWrap(True)
    layout.addLayout(at_top(button))
    layout.addWidget(label, 1)
    button.installEventFilter(_Mirror(button, label))
    label.setVisible(not button.isHidden())
    button.text_label = label  # type: ignore[attr-defined]
    return row
