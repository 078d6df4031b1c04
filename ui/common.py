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
    QTimeZone,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QPushButton, QVBoxLayout, QWidget

from app.i18n import t

if TYPE_CHECKING:  # app.explain (with secrets, hmac) is imported when something goes wrong, not at start
    from app.explain import Explanation

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"

STATE_COLOURS = {
    "valid": "#2e8540",
    "renewal-open": "#d9822b",
    "expired": "#c0392b",
    "lost": "#8e44ad",
    "revoked": "#5d6d7e",
}

STYLE = """
QWidget#card { background: #ffffff; border: 1px solid #d5dde3; border-radius: 8px; }
QLabel[role="title"] { font-size: 16pt; font-weight: 600; color: #1f3b4d; }
QLabel[role="subtitle"] { color: #52606d; }
QLabel[role="holder"] { font-size: 13pt; font-weight: 600; color: #1f3b4d; }
QLabel[role="countdown"] { font-size: 12pt; font-weight: 600; }
QLabel[role="field"] { color: #52606d; }
QLabel[role="warning"] { color: #a04000; }
QFrame#explanation { background: #fdf2f0; border: 1px solid #e6b0a8; border-radius: 6px; }
QFrame#notice { background: #eef6fb; border: 1px solid #b5d4e8; border-radius: 6px; }
QFrame#success { background: #eef8f0; border: 1px solid #a9d5b3; border-radius: 6px; }
"""


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
    label = QLabel(text)
    label.setProperty("role", role)
    label.setWordWrap(True)
    return label


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
            f"background: {colour}; color: white; border-radius: 10px; padding: 3px 12px; font-weight: 600;"
        )
        self.setAccessibleName(t("ui.card.state", lang, state=self.text()))


class ExplanationBox(QFrame):
    """What went wrong and what to do next, with buttons for the ways forward this failure offers."""

    action = Signal(str)  # "restore" | "support" | "doctor" | "retry"

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.setObjectName("explanation")
        self.code = ""
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.symbol = QLabel()
        self.symbol.setPixmap(icon("check-fail").pixmap(22, 22))
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

    def clear(self) -> None:
        self.code = ""
        self.hide()


class Notice(QFrame):
    """A calm information or success box."""

    def __init__(self, text: str = "", kind: str = "notice", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(kind)
        layout = QHBoxLayout(self)
        self.symbol = QLabel()
        self.symbol.setPixmap(icon("check-pass" if kind == "success" else "info").pixmap(20, 20))
        layout.addLayout(at_top(self.symbol))
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.setAccessibleName(text)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
