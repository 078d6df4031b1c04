"""The contact person's dialogs: request a certificate for a colleague (R1), revoke one (R9), authorisations (R10).

Each only gathers and checks what the user chose (the checks are ``app.practice.users``); the
users page sends it through the Desktop seam once the dialog is accepted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import t
from app.practice import REVOKE_REASONS
from ui.access import install, mark
from ui.common import FocusLabel, allow, in_widget, styled, title_label
from ui.wrapping import wrapping

if TYPE_CHECKING:
    from app.practice.users import OrgUser, Service, Verdict

NOT_FOR = {"personal": "practice.why.service_not_for_personal", "system": "practice.why.service_not_for_system"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # enough to catch a slip; the issuer checks it for real


class PracticeDialog(QDialog):
    """A heading, a scrolling body, why the main button is off, and Cancel + the main button (Cancel left)."""

    def __init__(self, lang: str, title: str, main: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.setWindowTitle(title)
        styled(self)
        install()
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        outer.addWidget(title_label(title))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.body = QVBoxLayout()
        scroll.setWidget(in_widget(self.body))
        outer.addWidget(scroll, 1)
        self.why = FocusLabel("dialog-why", "warning")
        outer.addWidget(self.why)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(t("ui.button.cancel", lang))
        self.cancel_button.setObjectName("dialog-cancel")
        self.main_button = QPushButton(main)
        self.main_button.setObjectName("dialog-main")
        for button in (self.cancel_button, self.main_button):
            button.setAccessibleName(button.text())
            button.setAutoDefault(True)  # Enter presses the button that has the keyboard
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.main_button)
        outer.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.main_button.clicked.connect(self.accept)

    def text(self, key: str, **params: Any) -> QLabel:
        label = QLabel(t(key, self.lang, **params))
        label.setWordWrap(True)
        self.body.addWidget(label)
        return label

    def judge(self, why: str) -> None:
        """The main button on, or off with ``why`` as text the keyboard reaches."""
        allow(self.main_button, why)
        self.why.say(why)


class RequestDialog(PracticeDialog):
    """R1: a personal or system certificate for a colleague; Support approves, the PIN comes to the message box."""

    def __init__(self, catalogue: tuple[Service, ...], lang: str, parent: QWidget | None = None):
        super().__init__(lang, t("ui.request.heading", lang), t("ui.request.send", lang), parent)
        self.catalogue = catalogue
        self.setObjectName("request-dialog")
        self.text("ui.request.intro")
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("request-name")
        self.email = QLineEdit()
        self.email.setObjectName("request-email")
        self.email.setPlaceholderText(t("ui.request.email.placeholder", lang))
        for field, key in ((self.name, "ui.request.name"), (self.email, "ui.request.email")):
            field.setAccessibleName(t(key, lang))
            label = QLabel(t(key, lang))
            label.setBuddy(field)
            form.addRow(label, field)
        self.body.addLayout(form)
        kinds = QGroupBox(t("ui.request.kind", lang))
        kinds_layout = QVBoxLayout(kinds)
        self.kinds = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for kind in ("personal", "system"):
            button = QRadioButton(t(f"ui.request.kind.{kind}", lang))
            button.setObjectName(f"request-kind-{kind}")
            self.kinds.addButton(button)
            self.kind_buttons[kind] = button
            kinds_layout.addWidget(wrapping(button))
        self.kind_buttons["personal"].setChecked(True)
        self.body.addWidget(kinds)
        services = QGroupBox(t("ui.request.authorisations", lang))
        services_layout = QVBoxLayout(services)
        self.services: dict[str, QCheckBox] = {}
        for service in catalogue:
            box = QCheckBox(service.title(lang))
            box.setObjectName(f"request-service-{service.name}")
            self.services[service.name] = box
            services_layout.addWidget(wrapping(box))
        self.services_why = FocusLabel("request-services-why")  # why a service cannot be ticked for this kind
        services_layout.addWidget(self.services_why)
        if not catalogue:
            services_layout.addWidget(QLabel(t("ui.request.no_catalogue", lang)))
        self.body.addWidget(services)
        self.text("ui.request.after")
        self.name.textChanged.connect(lambda _t: self.check())
        self.email.textChanged.connect(lambda _t: self.check())
        self.kinds.buttonToggled.connect(lambda _b, _on: self.check())
        self.check()
        self.name.setFocus()

    def kind(self) -> str:
        return "system" if self.kind_buttons["system"].isChecked() else "personal"

    def check(self) -> None:
        kind, reasons = self.kind(), []
        for service in self.catalogue:  # a service not for this kind of certificate cannot be ticked
            box = self.services[service.name]
            why = "" if kind in service.kinds else t(NOT_FOR[kind], self.lang)
            if why:
                box.setChecked(False)
                reasons.append(f"{service.title(self.lang)}: {why}")
            allow(box, why)
        self.services_why.say("\n".join(reasons))
        if not self.name.text().strip():
            self.judge(t("ui.why.request.name", self.lang))
        elif not EMAIL.match(self.email.text().strip()):
            self.judge(t("ui.why.request.email", self.lang))
        else:
            self.judge("")

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(), "email": self.email.text().strip(), "kind": self.kind(),
                "authorisations": tuple(s for s, box in self.services.items() if box.isChecked()) or None}


class RevokeDialog(PracticeDialog):
    """R9: revoke with a reason, after a confirmation that says it is final; Cancel is where Enter starts."""

    def __init__(self, user: OrgUser, lang: str, parent: QWidget | None = None):
        who = user.name or user.user_number
        super().__init__(lang, t("ui.revoke.heading", lang, name=who), t("ui.revoke.confirm", lang), parent)
        self.setObjectName("revoke-dialog")
        self.user = user
        final = self.text("practice.revoke.final", name=user.name or "-", user_number=user.user_number)
        final.setObjectName("revoke-final")
        final.setProperty("role", "warning")
        mark(final, "alert")
        form = QFormLayout()
        self.reasons = QComboBox()
        self.reasons.setObjectName("revoke-reason")
        self.reasons.setAccessibleName(t("ui.revoke.reason", lang))
        self.reasons.addItem(t("ui.revoke.reason.choose", lang), "")  # never a default reason
        for reason in REVOKE_REASONS:
            self.reasons.addItem(t(f"practice.reason.{reason}", lang), reason)
        label = QLabel(t("ui.revoke.reason", lang))
        label.setBuddy(self.reasons)
        form.addRow(label, self.reasons)
        self.body.addLayout(form)
        self.understood = QCheckBox(t("ui.revoke.understood", lang))
        self.understood.setObjectName("revoke-understood")
        self.body.addWidget(wrapping(self.understood))
        self.body.addStretch(1)
        self.reasons.currentIndexChanged.connect(lambda _i: self.check())
        self.understood.toggled.connect(lambda _on: self.check())
        self.main_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.check()
        self.reasons.setFocus()

    def reason(self) -> str:
        return str(self.reasons.currentData() or "")

    def check(self) -> None:
        if not self.reason():
            self.judge(t("ui.why.revoke.reason", self.lang))
        elif not self.understood.isChecked():
            self.judge(t("ui.why.revoke.understood", self.lang))
        else:
            self.judge("")


class AuthorisationsDialog(PracticeDialog):
    """R10: the issuer's catalogue as check boxes, ticked where the user holds the service; Save sends the change."""

    def __init__(self, user: OrgUser, verdicts: tuple[Verdict, ...], catalogue: tuple[Service, ...], lang: str,
                 parent: QWidget | None = None):
        who = user.name or user.user_number
        super().__init__(lang, t("ui.authorise.heading", lang, name=who), t("ui.authorise.save", lang), parent)
        self.setObjectName("authorise-dialog")
        self.user = user
        self.text("ui.authorise.intro")
        self.held = set(user.authorisations)
        self.services: dict[str, QCheckBox] = {}
        allowed = {(v.action.value, v.service): v for v in verdicts if v.service}
        titles = {s.name: s.title(lang) for s in catalogue}
        reasons = []
        for sid in [*titles, *[a for a in user.authorisations if a not in titles]]:  # and held ones no longer listed
            box = QCheckBox(titles.get(sid, sid))
            box.setObjectName(f"authorise-{sid}")
            box.setChecked(sid in self.held)
            # a tick may change only where the rules allow it: grant an unheld service, withdraw a held one
            verdict = allowed.get(("deauthorise" if sid in self.held else "authorise", sid))
            why = "" if verdict is not None and verdict.allowed else (verdict.words(lang) if verdict else "")
            allow(box, why)
            if why:
                reasons.append(f"{box.text()}: {why}")
            box.toggled.connect(lambda _on: self.check())
            self.services[sid] = box
            self.body.addWidget(wrapping(box))
        if not self.services:
            self.text("ui.request.no_catalogue")
        self.reasons = FocusLabel("authorise-why")  # why a service cannot be changed, as text Tab reaches
        self.body.addWidget(self.reasons)
        self.reasons.say("\n".join(reasons))
        self.body.addStretch(1)
        self.check()
        enabled = [b for b in self.services.values() if b.isEnabled()]
        if enabled:
            enabled[0].setFocus()

    def chosen(self) -> set[str]:
        return {s for s, box in self.services.items() if box.isChecked()}

    def granted(self) -> list[str]:
        return sorted(self.chosen() - self.held)

    def withdrawn(self) -> list[str]:
        return sorted((self.held - self.chosen()) & set(self.services))

    def check(self) -> None:
        self.judge("" if self.granted() or self.withdrawn() else t("ui.why.authorise.unchanged", self.lang))
