"""Small shared pieces of the desktop app: icons, dates in the user's language, badges, explanations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QLibraryInfo,
    QLocale,
    QObject,
    QPoint,
    QRect,
    QSize,
    QTimeZone,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import t
from ui.access import announce, mark

if TYPE_CHECKING:  # app.explain (with secrets, hmac) is imported when something goes wrong, not at start
    from app.explain import Explanation

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"

STATE_COLOURS = {
    "valid": "#2e8540",
    "renewal-open": "#b35c00",  # 4.72:1 with white (the orange before was 2.93:1)
    "expired": "#c0392b",
    "lost": "#8e44ad",
    "revoked": "#5d6d7e",
}

# Every colour the app paints with, by what it is for. tests/ui/test_accessibility_contrast.py computes
# each pair in CONTRAST (WCAG 2.1 relative luminance) and finds no colour in ui/ outside this table.
COLOURS = {
    "window": "#efefef", "card": "#ffffff", "base": "#ffffff", "text": "#1f2933",
    "title": "#1f3b4d", "subtle": "#52606d", "warning": "#a04000", "placeholder": "#5f6b77",
    "card-border": "#d5dde3", "input-border": "#6b7785",
    "button-bg": "#f4f6f8", "button-border": "#6b7785", "button-hover": "#e6ebf0",
    "default-bg": "#2b6a99", "default-text": "#ffffff",
    "disabled-bg": "#e4e8ec", "disabled-text": "#545f6a", "disabled-border": "#c3cbd3",
    "focus": "#000000",
    "explanation-bg": "#fdf2f0", "explanation-border": "#e6b0a8",
    "notice-bg": "#eef6fb", "notice-border": "#b5d4e8",
    "success-bg": "#eef8f0", "success-border": "#a9d5b3",
    "badge-text": "#ffffff",
    **{f"state-{k}": v for k, v in STATE_COLOURS.items()},
}

# (foreground, background, minimum): 4.5 for text, 3 for focus rings, input borders and meaningful graphics
CONTRAST = [
    *[(fg, bg, 4.5) for fg in ("text", "title", "subtle", "warning") for bg in ("window", "card")],
    *[(fg, bg, 4.5) for fg in ("text", "subtle", "warning")
      for bg in ("explanation-bg", "notice-bg", "success-bg")],
    ("placeholder", "base", 4.5), ("text", "base", 4.5), ("text", "button-bg", 4.5),
    ("text", "button-hover", 4.5), ("default-text", "default-bg", 4.5), ("disabled-text", "disabled-bg", 4.5),
    *[("badge-text", f"state-{k}", 4.5) for k in STATE_COLOURS],
    *[(f"state-{k}", "card", 4.5) for k in STATE_COLOURS],  # the countdown in the state's colour
    *[("focus", bg, 3.0) for bg in ("window", "card", "button-bg", "default-bg", "base")],
    ("input-border", "window", 3.0), ("input-border", "base", 3.0), ("button-border", "window", 3.0),
    ("default-bg", "window", 3.0),
]

C = COLOURS
STYLE = f"""
QWidget#card {{ background: {C['card']}; border: 1px solid {C['card-border']}; border-radius: 8px; }}
QLabel[role="title"] {{ color: {C['title']}; }}
QLabel[role="subtitle"] {{ color: {C['subtle']}; }}
QLabel[role="holder"] {{ color: {C['title']}; }}
QLabel[role="field"] {{ color: {C['subtle']}; }}
QLabel[role="warning"] {{ color: {C['warning']}; }}
QFrame#explanation {{ background: {C['explanation-bg']}; border: 1px solid {C['explanation-border']};
    border-radius: 6px; }}
QFrame#notice {{ background: {C['notice-bg']}; border: 1px solid {C['notice-border']}; border-radius: 6px; }}
QFrame#success {{ background: {C['success-bg']}; border: 1px solid {C['success-border']}; border-radius: 6px; }}
QPushButton {{ color: {C['text']}; background: {C['button-bg']}; border: 1px solid {C['button-border']};
    border-radius: 4px; padding: 5px 15px; }}
QPushButton:hover {{ background: {C['button-hover']}; }}
QPushButton:default {{ color: {C['default-text']}; background: {C['default-bg']}; border-color: {C['default-bg']}; }}
QPushButton:disabled {{ color: {C['disabled-text']}; background: {C['disabled-bg']};
    border: 1px solid {C['disabled-border']}; }}
QPushButton:focus {{ border: 2px solid {C['focus']}; padding: 4px 14px; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px 3px; }}
QCheckBox:focus, QRadioButton:focus {{ border-color: {C['focus']}; }}
QLineEdit {{ color: {C['text']}; background: {C['base']}; border: 1px solid {C['input-border']};
    border-radius: 3px; padding: 4px; placeholder-text-color: {C['placeholder']}; }}
QLineEdit:focus {{ border: 2px solid {C['focus']}; padding: 3px; }}
QLineEdit:disabled {{ color: {C['disabled-text']}; background: {C['disabled-bg']};
    border-color: {C['disabled-border']}; }}
QLabel[focusable="true"] {{ border: 2px solid transparent; border-radius: 3px; padding: 1px; }}
QLabel[focusable="true"]:focus {{ border-color: {C['focus']}; }}
QWidget#check-row {{ border: 2px solid transparent; border-radius: 3px; }}
QWidget#check-row:focus {{ border-color: {C['focus']}; }}
QTabBar::tab {{ color: {C['text']}; padding: 6px 14px; border: 2px solid transparent; }}
QTabBar::tab:selected {{ border-bottom: 3px solid {C['default-bg']}; }}
QTabBar::tab:focus {{ border: 2px solid {C['focus']}; }}
"""


def palette_for(widget: QWidget) -> None:
    """The window's colours (those Qt paints without a style sheet: placeholders, backgrounds) from COLOURS."""
    palette = widget.palette()
    roles = QPalette.ColorRole
    for role, name in ((roles.Window, "window"), (roles.WindowText, "text"), (roles.Base, "base"),
                       (roles.Text, "text"), (roles.Button, "button-bg"), (roles.ButtonText, "text"),
                       (roles.PlaceholderText, "placeholder"), (roles.Highlight, "default-bg"),
                       (roles.HighlightedText, "default-text"), (roles.ToolTipText, "text")):
        palette.setColor(role, QColor(COLOURS[name]))
    widget.setPalette(palette)


def styled(widget: QWidget) -> None:
    """The app's colours, focus rings and button looks on a top-level window."""
    palette_for(widget)
    widget.setStyleSheet(STYLE)


def sized(widget: QWidget, factor: float, *, bold: bool = True) -> QWidget:
    """A font ``factor`` times the application's (so a larger system font makes this larger too)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    widget.setFont(font)
    return widget


_translators: dict[str, QTranslator] = {}


def use_language(lang: str) -> None:
    """Qt's own texts (file dialogs, scroll buttons, context menus) in ``lang``, before widgets are made."""
    app = QCoreApplication.instance()
    if app is None:
        return
    for translator in _translators.values():
        app.removeTranslator(translator)
    if lang not in _translators:
        translator = QTranslator()
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator.load(f"qtbase_{lang}", folder)
        _translators[lang] = translator
    app.installTranslator(_translators[lang])


def icon(name: str) -> QIcon:
    """An SVG icon from ``resources/icons`` (sharp at every scale factor)."""
    return QIcon(str(ICONS / f"{name}.svg"))


def locale(lang: str) -> QLocale:
    if lang == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    return QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands)


def _local(moment: str | datetime) -> QDateTime:
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    utc = QDateTime.fromSecsSinceEpoch(int(when.timestamp()), QTimeZone.utc())
    return utc.toLocalTime()


def fmt_date(moment: str | datetime | None, lang: str) -> str:
    """'28 november 2027' in the user's language and time zone."""
    if not moment:
        return ""
    return locale(lang).toString(_local(moment).date(), "d MMMM yyyy")


def fmt_datetime(moment: str | datetime | None, lang: str) -> str:
    """'28 november 2027, 14:05' in the user's language and time zone."""
    if not moment:
        return ""
    local = _local(moment)
    return f"{locale(lang).toString(local.date(), 'd MMMM yyyy')}, {local.time().toString('HH:mm')}"


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def qt_enums(obj: QObject, **properties: str) -> None:
    """Set Qt enum properties by the names of their values: ``qt_enums(label, alignment="AlignLeft|AlignTop")``.

    The same as ``label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)``,
    for the widgets on the way to the first painted dashboard: PySide builds every one of the
    94 enums of the ``Qt`` namespace the first time a module touches ``Qt`` (about 30 ms, a
    fifth of a bare PySide window's whole start). A name Qt does not know raises.
    """
    for name, keys in properties.items():
        if not obj.setProperty(name, keys):
            raise ValueError(f"{type(obj).__name__}.{name} cannot be {keys!r}")


class FlowLayout(QLayout):
    """A row of buttons that wraps to the next line when the window is too narrow (a large font), never clips.

    Qt has no such layout of its own (only the example in its documentation); this is the least of it:
    items left to right, a new line when the next one does not fit, height for the width.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._heights: dict[int, int] = {}  # height for width, until the layout changes
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def hasHeightForWidth(self) -> bool:  # Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # Qt's name
        if width not in self._heights:
            self._heights[width] = self._place(QRect(0, 0, width, 0), move=False)
        return self._heights[width]

    def invalidate(self) -> None:  # Qt's name
        self._heights.clear()
        super().invalidate()

    def setGeometry(self, rect: QRect) -> None:  # Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # Qt's name: everything on one line
        shown = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in shown) + self.spacing() * max(len(shown) - 1, 0)
        return QSize(width, max((i.sizeHint().height() for i in shown), default=0))

    def minimumSize(self) -> QSize:  # Qt's name: the widest item alone
        shown = [i for i in self._items if not i.isEmpty()]
        return QSize(max((i.minimumSize().width() for i in shown), default=0),
                     max((i.minimumSize().height() for i in shown), default=0))

    def _place(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self.spacing()
            line = max(line, hint.height())
        return y + line - rect.y()


def at_top(widget: QWidget) -> QVBoxLayout:
    """``widget`` in a column of its own, kept at the top (for a row whose other side grows taller)."""
    column = QVBoxLayout()
    column.addWidget(widget)
    column.addStretch(1)
    return column


def in_widget(layout: QLayout) -> QWidget:
    """A plain widget holding ``layout`` (for containers that take widgets only)."""
    holder = QWidget()
    holder.setLayout(layout)
    return holder


def escape(text: str) -> str:
    """``text`` safe inside Qt rich text (what ``html.escape`` does, without its 2,000-entity table at start)."""
    return text.translate(_ESCAPES)


def title_label(text: str, role: str = "title") -> QLabel:
    """A page title (a heading for screen readers) or a card's holder name, larger than body text."""
    label = QLabel(text)
    label.setProperty("role", role)
    label.setWordWrap(True)
    sized(label, 1.45 if role == "title" else 1.2)
    mark(label, "heading")
    return label


def scrolling_page(owner: QWidget, name: str, title: str, heading: str, intro: str) -> QVBoxLayout:
    """Fill ``owner`` with a page that scrolls down (a large font), never sideways, and is no tab stop itself;
    return the layout of its content, which starts with ``heading`` (a heading) and ``intro`` (wrapped)."""
    from PySide6.QtCore import Qt  # here, not at the top: the start path must not build the Qt namespace

    frame = QVBoxLayout(owner)
    frame.setContentsMargins(0, 0, 0, 0)
    page = QScrollArea()
    page.setObjectName(f"{name}-scroll")
    page.setWidgetResizable(True)
    page.setFrameShape(QFrame.Shape.NoFrame)
    page.setAccessibleName(title)
    page.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    content = QWidget()
    page.setWidget(content)
    frame.addWidget(page)
    outer = QVBoxLayout(content)
    outer.addWidget(title_label(heading))
    text = QLabel(intro)
    text.setWordWrap(True)
    outer.addWidget(text)
    return outer


class Badge(QLabel):
    """The state of a certificate as a coloured pill."""

    def __init__(self, state: str, lang: str):
        super().__init__()
        self.set_state(state, lang)
        qt_enums(self, alignment="AlignCenter")

    def set_state(self, state: str, lang: str) -> None:
        self.state = state
        self.setText(t(f"state.{state}", lang))
        colour = STATE_COLOURS.get(state, "#5d6d7e")
        self.setStyleSheet(
            f"background: {colour}; color: {COLOURS['badge-text']}; border-radius: 10px; padding: 3px 12px;"
            " font-weight: 600;"
        )
        self.setAccessibleName(t("ui.card.state", lang, state=self.text()))


class ExplanationBox(QFrame):
    """What went wrong and what to do next, with buttons for the ways forward this failure offers."""

    action = Signal(str)  # "restore" | "support" | "doctor" | "retry"

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.setObjectName("explanation")
        mark(self, "alert")
        self.code = ""
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.symbol = QLabel()
        self.symbol.setPixmap(icon("check-fail").pixmap(22, 22))
        mark(self.symbol, "decorative")
        row.addLayout(at_top(self.symbol))
        texts = QVBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-weight: 600;")
        qt_enums(self.message, textInteractionFlags="TextSelectableByMouse")
        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        qt_enums(self.next_step, textInteractionFlags="TextSelectableByMouse")
        self.reference = QLabel()
        self.reference.setObjectName("error-reference")
        self.reference.setProperty("role", "field")
        qt_enums(self.reference, textInteractionFlags="TextSelectableByMouse")
        texts.addWidget(self.message)
        texts.addWidget(self.next_step)
        texts.addWidget(self.reference)
        row.addLayout(texts, 1)
        layout.addLayout(row)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout.addLayout(self.buttons)
        self.hide()

    def show_explanation(self, words: Explanation, offers: list[str] | None = None) -> None:
        """Show ``words``; ``offers`` adds buttons (restore, support, doctor, retry)."""
        self.code = words.code
        self.message.setText(words.message)
        self.next_step.setText(words.next_step)
        self.next_step.setVisible(bool(words.next_step))
        # the reference that is also in zorgcert.log beside this error (app.explain.report), for Support
        self.reference.setText(t("error.reference", self.lang, reference=words.reference) if words.reference else "")
        self.reference.setVisible(bool(words.reference))
        self.setAccessibleName(words.message)
        self.setAccessibleDescription(" ".join(x for x in (words.next_step, self.reference.text()) if x))
        while self.buttons.count() > 1:
            item = self.buttons.takeAt(1)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for offer in offers or []:
            button = QPushButton(t(f"ui.offer.{offer}", self.lang))
            button.setAccessibleName(button.text())
            button.setObjectName(f"offer-{offer}")
            button.clicked.connect(lambda _=False, o=offer: self.action.emit(o))
            self.buttons.addWidget(button)
        self.show()
        announce(self, f"{words.message} {words.next_step}", assertive=True)

    def clear(self) -> None:
        self.code = ""
        self.hide()


class Notice(QFrame):
    """A calm information or success box; one made empty is a result: a status for screen readers, announced."""

    def __init__(self, text: str = "", kind: str = "notice", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(kind)
        if not text:
            mark(self, "status")
        layout = QHBoxLayout(self)
        self.symbol = QLabel()
        self.symbol.setPixmap(icon("check-pass" if kind == "success" else "info").pixmap(20, 20))
        mark(self.symbol, "decorative")
        layout.addLayout(at_top(self.symbol))
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.setAccessibleName(text)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
        announce(self, text)


def reachable(label: QLabel) -> QLabel:
    """``label`` as a tab stop with a focus ring (its text selectable by keys): a status or reason to read."""
    label.setProperty("focusable", True)
    qt_enums(label, textInteractionFlags="TextSelectableByMouse|TextSelectableByKeyboard")
    qt_enums(label, focusPolicy="TabFocus")  # after the flags, which set a policy of their own
    return label


def allow(widget: QWidget, why: str) -> None:
    """Enable ``widget``, or disable it with ``why`` as its accessible description and tooltip."""
    widget.setEnabled(not why)
    widget.setAccessibleDescription(why)
    widget.setToolTip(why)


class FocusLabel(QLabel):
    """A line of text the keyboard reaches (Tab), with a visible focus ring: a status, or why something is off.

    Hidden while empty; its accessible name is its text, so a screen reader reads it on focus.
    """

    def __init__(self, object_name: str, role: str = "field"):
        super().__init__()
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setProperty("role", role)
        reachable(self)
        self.hide()

    def say(self, text: str, *, announce_it: bool = False) -> None:
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))
        if announce_it:
            announce(self, text)
