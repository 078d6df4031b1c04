"""Settings: the language, and whether the tray agent starts at login."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from app import __version__
from app.errors import ZorgCertError
from app.explain import report
from app.i18n import t
from ui.access import announce
from ui.common import ExplanationBox, allow, title_label
from ui.wrapping import wrapping

if TYPE_CHECKING:
    from app.desk.desktop import Desktop

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}  # each in its own language, on purpose
OPENING_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home,
                Qt.Key.Key_End}


class ChoiceBox(QComboBox):
    """A list that changes only by a choice made in its open list (WCAG 3.2.2: no change of context on input).

    A closed QComboBox switches on Arrow Down or a typed letter; here such a key opens the list
    instead, and the wheel does nothing, so the language (which rebuilds the window) is chosen on purpose.
    """

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt's name
        if event.key() in OPENING_KEYS or (event.text().isprintable() and event.text().strip()):
            self.showPopup()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # Qt's name
        event.ignore()



class SettingsPage(QWidget):
    language_changed = Signal(str)

    def __init__(self, desktop: Desktop, lang: str):
        super().__init__()
        self.desktop = desktop
        self.lang = lang
        outer = QVBoxLayout(self)
        outer.addWidget(title_label(t("ui.settings.heading", lang)))
        box = QGroupBox(t("ui.settings.general", lang))
        form = QFormLayout(box)
        self.language = ChoiceBox()
        self.language.setObjectName("language")
        self.language.setAccessibleName(t("ui.settings.language", lang))
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(list(LANGUAGE_NAMES).index(lang))
        label = QLabel(t("ui.settings.language", lang))
        label.setBuddy(self.language)
        form.addRow(label, self.language)
        outer.addWidget(box)

        agent = QGroupBox(t("ui.settings.agent", lang))
        agent_layout = QVBoxLayout(agent)
        explain_ = QLabel(t("ui.settings.agent.explain", lang))
        explain_.setWordWrap(True)
        agent_layout.addWidget(explain_)
        self.autostart = QCheckBox(t("ui.settings.autostart", lang))
        self.autostart.setObjectName("autostart")
        self.autostart.setAccessibleName(self.autostart.text())
        agent_layout.addWidget(wrapping(self.autostart))
        self.where = QLabel()
        self.where.setObjectName("autostart-where")
        self.where.setWordWrap(True)
        self.where.setProperty("role", "field")
        agent_layout.addWidget(self.where)
        self.explanation = ExplanationBox(lang)
        agent_layout.addWidget(self.explanation)
        outer.addWidget(agent)
        about = QLabel(t("ui.settings.about", lang, version=__version__))
        about.setProperty("role", "field")
        outer.addWidget(about)
        outer.addStretch(1)

        try:
            mechanism = desktop.autostart()
            self.autostart.setChecked(mechanism.is_enabled())
            self.where.setText(t("ui.settings.autostart.where", lang, where=mechanism.where))
        except (OSError, ImportError):
            allow(self.autostart, t("ui.settings.autostart.unavailable", lang))
            self.where.setText(t("ui.settings.autostart.unavailable", lang))
        self.autostart.toggled.connect(self._autostart_toggled)
        self.language.currentIndexChanged.connect(
            lambda _i: self.language_changed.emit(str(self.language.currentData())))

    def announce_language(self) -> None:
        announce(self.language, t("ui.settings.language.now", self.lang))

    def _autostart_toggled(self, on: bool) -> None:
        try:
            self.desktop.set_autostart(on)
            self.explanation.clear()
        except ZorgCertError as exc:
            self.explanation.show_explanation(report(exc, self.lang, "settings"))
        except OSError as exc:
            self.explanation.show_explanation(report(exc, self.lang, "settings"))
