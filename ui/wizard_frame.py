"""A step-by-step dialog: header, one page at a time, Back / Next / Cancel; the map of steps is the subclass's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import t
from ui.common import STYLE, icon, title_label, use_language


class WizardPage(QWidget):
    """One step: a heading, an intro line, and whatever the step needs."""

    def __init__(self, lang: str, heading: str, intro: str = ""):
        super().__init__()
        self.lang = lang
        self.heading = heading
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(10)
        if intro:
            self.intro = QLabel(intro)
            self.intro.setWordWrap(True)
            self.layout_.addWidget(self.intro)

    def add(self, widget: QWidget, stretch: int = 0) -> QWidget:
        self.layout_.addWidget(widget, stretch)
        return widget

    def finish_layout(self) -> None:
        self.layout_.addStretch(1)

    def first_focus(self) -> QWidget | None:
        """The widget that gets the keyboard when the page opens."""
        return None


class WizardFrame(QDialog):
    """The frame; subclasses decide which page follows which and when the buttons are enabled."""

    def __init__(self, lang: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        use_language(lang)
        self.setWindowTitle(title)
        self.setWindowIcon(icon("zorgcert"))
        self.setStyleSheet(STYLE)
        self.setMinimumSize(640, 520)
        self.pages: dict[str, WizardPage] = {}
        self.order: list[str] = []
        self.current = ""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        header = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(icon("zorgcert").pixmap(40, 40))
        header.addWidget(logo)
        heads = QVBoxLayout()
        self.heading = title_label("")
        self.step = QLabel("")
        self.step.setProperty("role", "subtitle")
        heads.addWidget(self.heading)
        heads.addWidget(self.step)
        header.addLayout(heads, 1)
        outer.addLayout(header)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(t("ui.button.cancel", lang))
        self.back_button = QPushButton(t("ui.button.back", lang))
        self.next_button = QPushButton(t("ui.button.next", lang))
        for button, name in ((self.cancel_button, "cancel"), (self.back_button, "back"), (self.next_button, "next")):
            button.setObjectName(f"wizard-{name}")
            button.setAccessibleName(button.text())
            button.setAutoDefault(False)
        self.next_button.setDefault(True)  # Enter moves on
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        outer.addLayout(buttons)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        QShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left), self, self.go_back)

    def add_page(self, name: str, page: WizardPage) -> None:
        self.pages[name] = page
        self.order.append(name)
        self.stack.addWidget(page)

    def show_page(self, name: str) -> None:
        """Switch to ``name`` and let the subclass prepare it."""
        self.current = name
        page = self.pages[name]
        self.stack.setCurrentWidget(page)
        self.heading.setText(page.heading)
        n, total = self.step_info(name)
        self.step.setText(t("ui.wizard.step", self.lang, n=n, total=total))
        self.entered(name)
        self.refresh_buttons()
        focus = page.first_focus()
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- for subclasses ---------------------------------------------------------------------

    def entered(self, name: str) -> None:
        """A page was shown."""

    def step_info(self, name: str) -> tuple[int, int]:
        """'Step n of total' for this page."""
        return self.order.index(name) + 1, len(self.order)

    def is_last(self, name: str) -> bool:
        return name == self.order[-1]

    def next_of(self, name: str) -> str | None:
        return None

    def back_of(self, name: str) -> str | None:
        return None

    def next_text(self, name: str) -> str:
        return t("ui.button.next", self.lang)

    def next_allowed(self, name: str) -> bool:
        return self.next_of(name) is not None

    def finish(self) -> None:
        self.accept()

    def cancel_clicked(self) -> None:
        self.reject()

    # --- buttons ----------------------------------------------------------------------------

    def refresh_buttons(self) -> None:
        if not self.current:  # still being built
            return
        self.back_button.setEnabled(self.back_of(self.current) is not None)
        last = self.is_last(self.current)
        self.next_button.setText(t("ui.button.finish", self.lang) if last else self.next_text(self.current))
        self.next_button.setAccessibleName(self.next_button.text())
        self.next_button.setEnabled(last or self.next_allowed(self.current))

    def go_next(self) -> None:
        if not self.next_button.isEnabled():
            return
        if self.is_last(self.current):
            self.finish()
            return
        target = self.next_of(self.current)
        if target is not None:
            self.show_page(target)

    def go_back(self) -> None:
        target = self.back_of(self.current)
        if target is not None:
            self.show_page(target)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt's name
        # the window's close button means Cancel, with the same care for running work
        event.ignore()
        self.cancel_clicked()

    def keyPressEvent(self, event) -> None:  # Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.cancel_clicked()
            return
        super().keyPressEvent(event)
