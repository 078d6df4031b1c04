"""A step-by-step dialog: header, one page at a time, Back / Next / Cancel; the map of steps is the subclass's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import t
from ui.access import install, mark
from ui.common import FocusLabel, icon, styled, title_label, use_language


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
        styled(self)
        install()
        self.setMinimumSize(640, 520)
        self.pages: dict[str, WizardPage] = {}
        self.order: list[str] = []
        self.current = ""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        header = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(icon("zorgcert").pixmap(40, 40))
        mark(logo, "decorative")
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
        # a page taller than the window (a large font) scrolls; it never scrolls sideways, text wraps
        self.page_scroll = QScrollArea()
        self.page_scroll.setObjectName("wizard-scroll")
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.page_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a tab stop of its own: its fields are
        self.page_scroll.setWidget(self.stack)
        outer.addWidget(self.page_scroll, 1)
        # why Next (or Back) is off, as text the keyboard reaches (Tab), not only a tooltip
        self.why = FocusLabel("wizard-why", "warning")
        outer.addWidget(self.why)

        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(t("ui.button.cancel", lang))
        self.back_button = QPushButton(t("ui.button.back", lang))
        self.next_button = QPushButton(t("ui.button.next", lang))
        for button, name in ((self.cancel_button, "cancel"), (self.back_button, "back"), (self.next_button, "next")):
            button.setObjectName(f"wizard-{name}")
            button.setAccessibleName(button.text())
            # Enter presses the button that has the keyboard (a focused auto-default button is the default
            # while it has focus); in a field Enter presses Next, the default
            button.setAutoDefault(True)
        self.next_button.setDefault(True)
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
        for other in self.pages.values():  # only the shown page sets the width (a wide hidden one would clip it)
            ignored = QSizePolicy.Policy.Ignored
            other.setSizePolicy(QSizePolicy.Policy.Preferred if other is page else ignored,
                                QSizePolicy.Policy.Preferred if other is page else ignored)
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

    def next_reason(self, name: str) -> str:
        """Why Next is off on this page, in words ('' when the page itself says it)."""
        return ""

    def busy_reason(self) -> str:
        """What runs now, while Back and Next wait for it ('' when nothing runs)."""
        return ""

    def finish(self) -> None:
        self.accept()

    def cancel_clicked(self) -> None:
        self.reject()

    # --- buttons ----------------------------------------------------------------------------

    def refresh_buttons(self) -> None:
        if not self.current:  # still being built
            return
        busy = self.busy_reason()
        back = self.back_of(self.current) is not None
        self.back_button.setEnabled(back)
        self.back_button.setVisible(back or bool(busy))  # no Back on a first page: nothing to explain
        self.back_button.setAccessibleDescription("" if back else busy)
        self.back_button.setToolTip("" if back else busy)
        last = self.is_last(self.current)
        self.next_button.setText(t("ui.button.finish", self.lang) if last else self.next_text(self.current))
        self.next_button.setAccessibleName(self.next_button.text())
        allowed = last or self.next_allowed(self.current)
        self.next_button.setEnabled(allowed)
        why = "" if allowed else (busy or self.next_reason(self.current))
        self.next_button.setAccessibleDescription(why)
        self.next_button.setToolTip(why)
        self.why.say(why)

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
