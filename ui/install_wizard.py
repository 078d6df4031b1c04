"""The install wizard: welcome, kind and place, user number and PIN, progress, backup, done.

The order and every Next/Back rule come from ``app.desk.wizard``; the work runs in a worker
thread through ``app.desk.desktop``. The PIN lives only in its masked field and in the one
call that sends it; it is cleared as soon as that call is under way.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import policy
from app.desk import certview, wizard
from app.desk.wizard import InstallState, Page
from app.errors import Cancelled, ZorgCertError
from app.explain import report
from app.i18n import t
from app.lifecycle.preflight import before_pin
from app.state.wallet import Entry
from ui.access import mark
from ui.backup_form import BackupForm
from ui.common import ExplanationBox, FocusLabel, Notice, fmt_date, fmt_datetime, icon
from ui.credentials_page import CredentialsPage
from ui.wizard_frame import WizardFrame, WizardPage
from ui.worker import Task, run_task
from ui.wrapping import wrapping

if TYPE_CHECKING:
    from app.desk.desktop import Desktop


class WelcomePage(WizardPage):
    def __init__(self, lang: str):
        super().__init__(lang, t("ui.welcome.heading", lang), t("ui.welcome.intro", lang))
        need = QLabel(t("ui.welcome.need", lang))
        need.setWordWrap(True)
        need.setTextFormat(Qt.TextFormat.RichText)
        self.add(need)
        self.add(Notice(t("ui.welcome.never_asks", lang)))
        time = QLabel(t("ui.welcome.time", lang))
        time.setWordWrap(True)
        self.add(time)
        self.finish_layout()


class KindPage(WizardPage):
    changed = Signal()

    def __init__(self, lang: str, state: InstallState, choose_folder: Callable[[], str]):
        super().__init__(lang, t("ui.kind.heading", lang), t("ui.kind.intro", lang))
        self.state = state
        self.choose_folder = choose_folder
        self.kinds = QButtonGroup(self)
        for kind in ("personal", "system"):
            radio = QRadioButton(t(f"ui.kind.{kind}", lang))
            radio.setObjectName(f"kind-{kind}")
            radio.setAccessibleName(t(f"ui.kind.{kind}", lang))
            explain_ = QLabel(t(f"ui.kind.{kind}.explain", lang))
            explain_.setWordWrap(True)
            explain_.setProperty("role", "field")
            explain_.setContentsMargins(24, 0, 0, 6)
            self.kinds.addButton(radio)
            radio.setProperty("kind", kind)
            self.add(wrapping(radio))
            self.add(explain_)
        self.where_box = QGroupBox(t("ui.kind.where", lang))
        self.where_layout = QVBoxLayout(self.where_box)
        self.add(self.where_box)
        self.explanation = ExplanationBox(lang)
        self.add(self.explanation)
        self.finish_layout()
        self.kinds.buttonToggled.connect(self._kind_toggled)
        self.stores = QButtonGroup(self)
        self.stores.buttonToggled.connect(self._store_toggled)
        self.folder = QLineEdit()
        self.folder.setObjectName("folder")
        self.folder.setAccessibleName(t("ui.kind.folder", lang))
        self.folder_label = QLabel(t("ui.kind.folder", lang))
        self.folder_label.setBuddy(self.folder)
        self.folder.setPlaceholderText(t("ui.kind.folder.placeholder", lang))
        self.folder.textChanged.connect(self._folder_changed)
        self.browse = QPushButton(t("ui.button.browse", lang))
        self.browse.setAccessibleName(t("ui.kind.browse.name", lang))
        self.browse.clicked.connect(self._browse)
        self.set_kind(state.kind)

    def set_kind(self, kind: str) -> None:
        for button in self.kinds.buttons():
            if button.property("kind") == kind:
                button.setChecked(True)
        self._rebuild_where()

    def first_focus(self) -> QWidget | None:
        return self.kinds.checkedButton()

    def _kind_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            self.state.kind = str(button.property("kind"))
            self._rebuild_where()

    def _rebuild_where(self) -> None:
        for button in self.stores.buttons():
            self.stores.removeButton(button)
        while self.where_layout.count():
            item = self.where_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in (self.folder, self.browse, self.folder_label):
                widget.hide()  # gone at once, also before the event loop deletes it
                widget.deleteLater()
        choices = wizard.store_choices(self.state.kind)
        for i, choice in enumerate(choices):
            radio = QRadioButton(t(choice.label_key, self.lang))
            radio.setAccessibleName(radio.text())
            radio.setProperty("spec", choice.spec)
            radio.setObjectName(f"store-{i}")
            self.stores.addButton(radio)
            self.where_layout.addWidget(wrapping(radio))
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(24, 0, 0, 0)
        row_layout.addWidget(self.folder_label)
        row_layout.addWidget(self.folder, 1)
        row_layout.addWidget(self.browse)
        self.where_layout.addWidget(row)
        self.folder_row = row
        keep = self.state.store if self.state.store in [c.spec for c in choices] else choices[0].spec
        for button in self.stores.buttons():
            if button.property("spec") == keep:
                button.setChecked(True)
        checked = self.stores.checkedButton()
        self._store_toggled(checked if isinstance(checked, QRadioButton) else None, True)

    def _store_toggled(self, button: QRadioButton | None, checked: bool) -> None:
        if button is None or not checked:
            return
        self.state.store = str(button.property("spec"))
        # the folder is asked only for the choice 'in a file': hidden, not disabled without a reason, otherwise
        self.folder_row.setVisible(self.state.store == "file:")
        self._validate()

    def _folder_changed(self, text: str) -> None:
        self.state.folder = text.strip()
        self._validate()

    def _browse(self) -> None:
        chosen = self.choose_folder()
        if chosen:
            self.folder.setText(chosen)

    def _validate(self) -> None:
        self.changed.emit()  # the wizard's line above the buttons says what is missing


STAGE_ORDER = wizard.STAGES


class ProgressPage(WizardPage):
    action = Signal(str)

    def __init__(self, lang: str):
        super().__init__(lang, t("ui.progress.heading", lang), t("ui.progress.intro", lang))
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        self.marks: dict[str, str] = {}
        steps = QWidget()
        steps_layout = QVBoxLayout(steps)
        steps_layout.setContentsMargins(8, 0, 0, 0)
        for stage in STAGE_ORDER:
            row = QHBoxLayout()
            sign = QLabel()
            sign.setObjectName(f"step-{stage}")
            text = QLabel(t(f"ui.stage.{stage}", lang))
            text.setAccessibleName(text.text())
            text.setWordWrap(True)
            row.addWidget(sign)
            row.addWidget(text, 1)
            steps_layout.addLayout(row)
            self.rows[stage] = (sign, text)
            self._mark(stage, "wait")
        self.add(steps)
        self.bar = QProgressBar()
        self.bar.setRange(0, len(STAGE_ORDER))
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(t("ui.progress.bar", lang))
        self.add(self.bar)
        self.status = FocusLabel("progress-status", "")  # the keyboard is here while the work runs
        mark(self.status, "status")
        self.add(self.status)
        self.explanation = ExplanationBox(lang)
        self.explanation.action.connect(self.action.emit)
        self.add(self.explanation)
        self.finish_layout()

    def first_focus(self) -> QWidget | None:
        return self.status if self.status.text() else None

    def _mark(self, stage: str, step_state: str) -> None:
        """The step's mark (waiting, busy, done) as a picture and, for a screen reader, in words."""
        sign, text = self.rows[stage]
        self.marks[stage] = step_state
        sign.setPixmap(icon({"wait": "step-wait", "busy": "step-busy", "done": "check-pass"}[step_state])
                       .pixmap(20, 20))
        said = t(f"ui.step.{step_state}", self.lang)
        sign.setAccessibleName(f"{text.text()}: {said}")
        text.setAccessibleDescription(said)

    def _say(self, text: str) -> None:
        self.status.say(text, announce_it=True)
        self.status.setAccessibleDescription(t("ui.progress.bar", self.lang))

    def reset(self) -> None:
        for stage in self.rows:
            self._mark(stage, "wait")
        self.bar.setValue(0)
        self._say(t("ui.progress.starting", self.lang))
        self.explanation.clear()

    def at(self, stage: str) -> None:
        if stage not in self.rows:
            return
        index = STAGE_ORDER.index(stage)
        for i, name in enumerate(STAGE_ORDER):
            if i < index:
                self._mark(name, "done")
            elif i == index:
                self._mark(name, "busy")
        self.bar.setValue(index)
        self._say(t(f"ui.stage.{stage}.busy", self.lang))

    def done(self) -> None:
        for stage in self.rows:
            self._mark(stage, "done")
        self.bar.setValue(len(STAGE_ORDER))
        self._say(t("ui.progress.done", self.lang))

    def failed(self, error: ZorgCertError) -> None:
        words = report(error, self.lang, "install")
        self.status.say("")
        offers = wizard.failure_offers(words.code)
        if not isinstance(error, Cancelled):
            offers = ["retry", *offers]
        self.explanation.show_explanation(words, offers)


class BackupPage(WizardPage):
    changed = Signal()
    made_and_ready = Signal()  # the backup is made: the keyboard goes to Next

    def __init__(self, lang: str, state: InstallState, form: BackupForm):
        super().__init__(lang, t("ui.ibackup.heading", lang), t("ui.ibackup.intro", lang))
        self.state = state
        self.form = form
        self.add(form)
        self.skip = QCheckBox(t("ui.ibackup.skip", lang))
        self.skip.setObjectName("skip-backup")
        self.skip.setAccessibleName(self.skip.text())
        self.add(wrapping(self.skip))
        self.warning = QLabel(t("ui.ibackup.skip_warning", lang))
        self.warning.setObjectName("skip-warning")
        self.warning.setWordWrap(True)
        self.warning.setProperty("role", "warning")
        self.warning.hide()
        self.add(self.warning)
        self.confirm = QCheckBox(t("ui.ibackup.skip_confirm", lang))
        self.confirm.setObjectName("skip-confirm")
        self.confirm.setAccessibleName(self.confirm.text())
        self.add(wrapping(self.confirm))
        self.confirm.hide()
        self.finish_layout()
        self.skip.toggled.connect(self._skip_toggled)
        self.confirm.toggled.connect(self._confirm_toggled)
        form.made.connect(self._made)

    def first_focus(self) -> QWidget | None:
        return self.form.first_focus()

    def _skip_toggled(self, on: bool) -> None:
        self.warning.setVisible(on)
        self.confirm.setVisible(on)
        self.form.setEnabled(not on)
        self.form.setAccessibleDescription(t("ui.why.skipped", self.lang) if on else "")
        if not on:
            self.confirm.setChecked(False)
        self.changed.emit()

    def _confirm_toggled(self, on: bool) -> None:
        self.state.skip_backup_confirmed = on
        self.changed.emit()

    def _made(self, _report: object) -> None:
        self.state.backup_made = True
        self.skip.setEnabled(False)
        self.skip.setAccessibleDescription(t("ui.why.made", self.lang))
        self.skip.setToolTip(t("ui.why.made", self.lang))
        self.changed.emit()
        self.made_and_ready.emit()


class DonePage(WizardPage):
    def __init__(self, lang: str):
        super().__init__(lang, t("ui.done.heading", lang))
        self.notice = Notice("", "success")
        self.notice.setObjectName("done-notice")
        self.add(self.notice)
        self.details = QLabel()
        self.details.setObjectName("done-details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.add(self.details)
        self.backup_note = QLabel()
        self.backup_note.setWordWrap(True)
        self.add(self.backup_note)
        self.finish_layout()

    def show_entry(self, entry: Entry, state: InstallState) -> None:
        lang = self.lang
        self.notice.set_text(t("ui.done.installed", lang, name=entry.name, until=fmt_date(entry.not_after, lang)))
        where = "<br>".join(f"&nbsp;&nbsp;• {html.escape(t(key, lang, **params))}"
                            for key, params in (certview.store_label(ref) for ref in entry.stores))
        self.details.setText(t("ui.done.details", lang, until=fmt_datetime(entry.not_after, lang), where=where,
                               number=entry.user_number))
        self.backup_note.setText(t("ui.done.backup_made" if state.backup_made else "ui.done.backup_skipped", lang))


class InstallWizard(WizardFrame):
    """The whole install, from 'what you need' to 'valid until'."""

    installed = Signal(object)  # the wallet entry, also when it finished after the wizard was closed
    failed_in_background = Signal(object)
    wants = Signal(str)  # "restore" | "support" | "doctor": the main window opens that

    def __init__(self, desktop: Desktop, lang: str, *, user_number: str = "", kind: str = "personal",
                 parent: QWidget | None = None,
                 choose_folder: Callable[[], str] | None = None,
                 choose_backup_file: Callable[[str], str] | None = None):
        super().__init__(lang, t("ui.install.title", lang), parent)
        self.setObjectName("install-wizard")
        self.desktop = desktop
        self.state = InstallState(kind=kind, user_number=user_number)
        self.task: Task | None = None
        self.entry: Entry | None = None
        self.dismissed = False
        self.cancelled_early = False  # cancelled before the PIN went out: later news of the work is not shown
        pick_folder = choose_folder or (lambda: QFileDialog.getExistingDirectory(self, t("ui.kind.folder", lang)))
        self.welcome = WelcomePage(lang)
        self.kind_page = KindPage(lang, self.state, pick_folder)
        self.credentials = CredentialsPage(lang, self.state)
        self.progress = ProgressPage(lang)
        self.backup_form = BackupForm(desktop, lang, choose_file=choose_backup_file, embedded=True)
        self.backup = BackupPage(lang, self.state, self.backup_form)
        self.done_page = DonePage(lang)
        for page in (self.welcome, self.kind_page, self.credentials, self.progress, self.backup, self.done_page):
            self.add_page(Page(self._name_of(page)).value, page)
        for page in (self.kind_page, self.credentials, self.backup):
            page.changed.connect(self.refresh_buttons)
        self.credentials.number.textChanged.connect(self._check_number)
        self.progress.action.connect(self._offer)
        self.backup.made_and_ready.connect(self.next_button.setFocus)
        if user_number:
            self.credentials.number.setText(user_number)
        self.show_page(Page.WELCOME.value)

    # --- before the PIN: a certificate installed here and still valid is refused at once --------

    def _check_number(self, text: str) -> None:
        """A complete, well-formed number: ask this machine (off the GUI thread) whether installing it makes sense."""
        refused = bool(self.state.refused_number)
        self.state.refused_number = ""
        if refused:
            self.credentials.explanation.clear()
        if not wizard.check_user_number(text).ok:
            return
        paths, now = self.desktop.paths, self.desktop.now()
        run_task(lambda _r, _t: before_pin(paths, text, now), on_failure=lambda e: self._number_refused(text, e),
                 what="install-check")

    def _number_refused(self, text: str, error: ZorgCertError) -> None:
        if self.credentials.number.text() != text:
            return  # typed on meanwhile
        self.state.refused_number = policy.normalise_user_number(text)
        words = report(error, self.lang, "install-check")
        self.credentials.explanation.show_explanation(words)
        self.credentials.number.setAccessibleDescription(f"{words.message} {words.next_step}".strip())
        self.refresh_buttons()

    def _name_of(self, page: WizardPage) -> str:
        return {self.welcome: Page.WELCOME, self.kind_page: Page.KIND, self.credentials: Page.CREDENTIALS,
                self.progress: Page.PROGRESS, self.backup: Page.BACKUP, self.done_page: Page.DONE}[page].value

    # --- the map, from app.desk.wizard -------------------------------------------------------------

    def next_of(self, name: str) -> str | None:
        page = wizard.next_page(Page(name), self.state)
        return page.value if page else None

    def back_of(self, name: str) -> str | None:
        page = wizard.previous_page(Page(name), self.state)
        return page.value if page else None

    def next_allowed(self, name: str) -> bool:
        return wizard.can_go_next(Page(name), self.state).ok

    def next_reason(self, name: str) -> str:
        verdict = wizard.can_go_next(Page(name), self.state)
        return t(verdict.key, self.lang, **verdict.params) if verdict.key else ""

    def busy_reason(self) -> str:
        return t("ui.why.busy", self.lang) if self.state.running else ""

    def next_text(self, name: str) -> str:
        if name == Page.CREDENTIALS.value:
            return t("ui.button.install", self.lang)
        return t("ui.button.next", self.lang)

    def entered(self, name: str) -> None:
        if name == Page.PROGRESS.value and not self.state.installed and not self.state.running:
            self.start_install()
        if name == Page.BACKUP.value and self.entry is not None:
            self.backup_form.set_certificate(self.entry.user_number, self.entry.name)
        if name == Page.DONE.value and self.entry is not None:
            self.done_page.show_entry(self.entry, self.state)
        self.cancel_button.setVisible(name not in (Page.DONE.value,))

    # --- the work -----------------------------------------------------------------------------

    def start_install(self) -> None:
        pin = self.credentials.take_pin()
        self.state.pin_typed = False
        self.state.running = True
        self.state.failure = ""
        self.progress.reset()
        number, kind, store = self.state.user_number, self.state.kind, wizard.store_spec(self.state)
        desktop = self.desktop

        def work(report: Callable[[str], None], _token: object) -> Entry:
            return desktop.install(number, pin, kind=kind, store=store, progress=report)

        self.task = run_task(work, on_success=self._succeeded, on_failure=self._failed, what="install",
                             on_progress=self.progress.at, cancel_points=wizard.CANCEL_POINTS)
        self.refresh_buttons()
        self.progress.status.setFocus()  # named and visible, while Back and Next wait

    def _succeeded(self, entry: Entry) -> None:
        self.task = None
        self.entry = entry
        self.state.running = False
        self.state.installed = True
        self.state.valid_until = entry.not_after
        self.installed.emit(entry)
        if self.dismissed:
            return
        self.progress.done()
        self.cancel_button.setEnabled(True)
        self.refresh_buttons()
        self.next_button.setFocus()

    def _failed(self, error: ZorgCertError) -> None:
        task, self.task = self.task, None
        self.state.running = False
        if self.dismissed:
            # after a cancel before the PIN went out, whatever the work says later (a timeout) is not news
            if not isinstance(error, Cancelled) and not (self.cancelled_early and task is not None
                                                         and not task.committed):
                self.failed_in_background.emit(error)
            return
        if isinstance(error, Cancelled):
            self.reject()
            return
        words = report(error, self.lang, "install")
        self.state.failure = words.code
        self.cancel_button.setEnabled(True)
        target = wizard.page_after_failure(words.code)
        if target is Page.CREDENTIALS:
            self.show_page(Page.CREDENTIALS.value)
            self.credentials.explanation.show_explanation(words)
            self.credentials.tie_pin()  # the error and the attempts left are read with the PIN field
            self.credentials.pin.setFocus()
        elif target is Page.KIND:
            self.show_page(Page.KIND.value)
            self.kind_page.explanation.show_explanation(words)
        else:
            self.progress.failed(error)
            self.refresh_buttons()

    def _offer(self, offer: str) -> None:
        if offer == "retry":  # the PIN is never kept: type it again
            self.show_page(Page.CREDENTIALS.value)
            self.credentials.pin.setFocus()
            return
        self.wants.emit(offer)
        self.reject()

    def cancel_clicked(self) -> None:
        if self.task is None:
            self.reject()
            return
        if self.task.cancel():
            # Before the PIN goes out: the window goes now, also while a request waits for the issuer (a
            # silent one is given up within est.TOTAL_WAIT). The work stops at its next safe point, before
            # the enrollment request, and rolls its key back; nothing of it is shown any more.
            self.cancelled_early = True
            self.dismissed = True
            self.reject()
            return
        # the request is out: finish in the background and tell the main window
        self.dismissed = True
        self.reject()

    def finish(self) -> None:
        self.accept()
