"""Support: the doctor's checks with what to do, 'who is my contact person', and 'make a support file'."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ZorgCertError
from app.explain import report
from app.i18n import t
from ui.access import announce, mark
from ui.common import ExplanationBox, FocusLabel, Notice, allow, icon, reachable, scrolling_page
from ui.worker import run_task

if TYPE_CHECKING:
    from app.desk.desktop import Desktop
    from app.lifecycle.contact import ContactPerson
    from app.troubleshoot.doctor import Check


class CheckRow(QWidget):
    """One check: pass/fail/warn mark, the check, its detail and, when it failed, the next step."""

    def __init__(self, check: Check, lang: str):
        super().__init__()
        self.setObjectName("check-row")
        # a tab stop with a visible ring: keyboard users step through the results, screen readers read each
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        result = check.result or "fail"
        sign = QLabel()
        sign.setPixmap(icon(f"check-{result}").pixmap(20, 20))
        sign.setAccessibleName(t(f"doctor.{result}", lang))
        layout.addWidget(sign, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        detail = f" — {_escape(check.detail)}" if check.detail else ""
        name = QLabel(f"<b>{_escape(check.check)}</b>{detail}")
        name.setWordWrap(True)
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(name)
        self.next_step = None
        if check.next:
            self.next_step = QLabel(t("ui.support.next", lang, next=check.next))
            self.next_step.setWordWrap(True)
            self.next_step.setProperty("role", "warning")
            texts.addWidget(self.next_step)
        layout.addLayout(texts, 1)
        self.result = result
        detail_ = f" — {check.detail}" if check.detail else ""
        self.setAccessibleName(f"{t(f'doctor.{result}', lang)}: {check.check}{detail_}")
        self.setAccessibleDescription(self.next_step.text() if self.next_step else "")


def _escape(text: str) -> str:
    return html.escape(str(text))


class SupportPage(QWidget):
    def __init__(self, desktop: Desktop, lang: str, *, choose_file: Callable[[str], str] | None = None):
        super().__init__()
        self.desktop = desktop
        self.lang = lang
        self.checks: list[Check] | None = None
        self.choose_file = choose_file or self._ask_file
        # the whole page scrolls (a large font), never sideways; every part of it is a tab stop
        outer = scrolling_page(self, "support", t("ui.tab.support", lang), t("ui.support.heading", lang),
                               t("ui.support.intro", lang))

        checks_box = QGroupBox(t("ui.support.checks", lang))
        checks_layout = QVBoxLayout(checks_box)
        row = QHBoxLayout()
        self.run_button = QPushButton(t("ui.support.run", lang))
        self.run_button.setObjectName("run-checks")
        self.run_button.setAccessibleName(self.run_button.text())
        row.addWidget(self.run_button)
        self.summary = QLabel()
        self.summary.setObjectName("checks-summary")
        self.summary.setWordWrap(True)
        mark(self.summary, "status")
        reachable(self.summary)
        row.addWidget(self.summary, 1)
        checks_layout.addLayout(row)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName(t("ui.support.busy", lang))
        self.busy.hide()
        checks_layout.addWidget(self.busy)
        self.results = QWidget()
        self.results_layout = QVBoxLayout(self.results)
        self.results_layout.setContentsMargins(0, 0, 0, 0)
        self.results.setAccessibleName(t("ui.support.list", lang))
        checks_layout.addWidget(self.results, 1)
        outer.addWidget(checks_box)

        contact_box = QGroupBox(t("ui.support.contact", lang))
        contact_layout = QVBoxLayout(contact_box)
        contact_intro = QLabel(t("ui.support.contact.intro", lang))
        contact_intro.setWordWrap(True)
        contact_layout.addWidget(contact_intro)
        row = QHBoxLayout()
        self.contact_button = QPushButton(t("ui.support.contact.ask", lang))
        self.contact_button.setObjectName("ask-contact")
        self.contact_button.setAccessibleName(self.contact_button.text())
        row.addWidget(self.contact_button)
        self.contact = FocusLabel("contact-person", "")  # the answer, reachable with Tab
        mark(self.contact, "status")
        row.addWidget(self.contact, 1)
        contact_layout.addLayout(row)
        outer.addWidget(contact_box)

        file_box = QGroupBox(t("ui.support.file", lang))
        file_layout = QVBoxLayout(file_box)
        file_intro = QLabel(t("ui.support.file.intro", lang))
        file_intro.setWordWrap(True)
        file_layout.addWidget(file_intro)
        row = QHBoxLayout()
        self.file_button = QPushButton(t("ui.support.file.make", lang))
        self.file_button.setObjectName("make-support-file")
        self.file_button.setAccessibleName(self.file_button.text())
        row.addWidget(self.file_button)
        row.addStretch(1)
        file_layout.addLayout(row)
        self.file_result = Notice("", "success")
        self.file_result.setObjectName("support-file-result")
        self.file_result.hide()
        file_layout.addWidget(self.file_result)
        outer.addWidget(file_box)
        self.explanation = ExplanationBox(lang)
        outer.addWidget(self.explanation)
        outer.addStretch(1)

        self.run_button.clicked.connect(self.run_checks)
        self.contact_button.clicked.connect(self.ask_contact)
        self.file_button.clicked.connect(self.make_file)

    # --- checks -------------------------------------------------------------------------------

    def run_checks(self) -> None:
        allow(self.run_button, t("ui.why.busy", self.lang))
        self.busy.show()
        self.summary.setText(t("ui.support.running", self.lang))
        lang, desktop = self.lang, self.desktop
        run_task(lambda _r, _t: desktop.checks(lang), on_success=self.show_checks, on_failure=self._checks_failed,
                 what="checks")

    def show_checks(self, checks: list[Check]) -> None:
        self.checks = checks
        self.busy.hide()
        allow(self.run_button, "")
        while self.results_layout.count():
            item = self.results_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for check in checks:
            self.results_layout.addWidget(CheckRow(check, self.lang))
        self.results_layout.addStretch(1)
        failed = sum(1 for c in checks if c.result == "fail")
        self.summary.setText(t("ui.support.all_pass", self.lang) if not failed else
                             t("ui.support.some_fail", self.lang, count=failed, total=len(checks)))
        announce(self.summary, self.summary.text())

    def _checks_failed(self, error: ZorgCertError) -> None:
        self.busy.hide()
        allow(self.run_button, "")
        self.summary.setText("")
        self.explanation.show_explanation(report(error, self.lang))

    # --- contact person (R11) -------------------------------------------------------------------

    def ask_contact(self) -> None:
        allow(self.contact_button, t("ui.why.busy", self.lang))
        self.contact.say(t("ui.support.contact.asking", self.lang))
        desktop = self.desktop
        run_task(lambda _r, _t: desktop.contact_person(), on_success=self._contact, on_failure=self._contact_failed,
                 what="contact-person")

    def _contact(self, person: ContactPerson) -> None:
        allow(self.contact_button, "")
        if person.you_are_it:
            text = t("ui.support.contact.you", self.lang, organisation=person.organisation)
        elif person.name:
            text = t("ui.support.contact.is", self.lang, name=person.name, email=person.email or "-",
                     organisation=person.organisation)
        else:
            text = t("ui.support.contact.none", self.lang, organisation=person.organisation)
        self.contact.say(text, announce_it=True)

    def _contact_failed(self, error: ZorgCertError) -> None:
        allow(self.contact_button, "")
        words = report(error, self.lang)
        self.contact.say(f"{words.message} {words.next_step}".strip())
        announce(self.contact, self.contact.text(), assertive=True)

    # --- support file ---------------------------------------------------------------------------

    def _ask_file(self, suggestion: str) -> str:
        chosen, _ = QFileDialog.getSaveFileName(self, t("ui.support.file", self.lang), suggestion,
                                                t("ui.support.file.filter", self.lang))
        return chosen

    def make_file(self) -> None:
        target = self.choose_file(str(self.desktop.suggested_support_path()))
        if not target:
            return
        allow(self.file_button, t("ui.why.busy", self.lang))
        self.file_result.hide()
        lang, desktop, checks = self.lang, self.desktop, self.checks
        run_task(lambda _r, _t: desktop.support_file(Path(target), lang=lang, checks=checks),
                 on_success=self._file_made, on_failure=self._file_failed, what="support-file")

    def _file_made(self, path: Path) -> None:
        allow(self.file_button, "")
        self.file_result.set_text(t("ui.support.file.made", self.lang, path=str(path)))
        self.file_result.show()

    def _file_failed(self, error: ZorgCertError) -> None:
        allow(self.file_button, "")
        self.explanation.show_explanation(report(error, self.lang))
