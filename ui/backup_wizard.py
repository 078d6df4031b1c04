"""The backup wizard: make a backup (with the passphrase meter and a restore test) or restore one.

The steps and their rules come from ``app.desk.wizard`` (``Step``, ``backup_next``,
``backup_back``); the work is ``app.desk.desktop`` in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.desk import certview, wizard
from app.desk.wizard import BackupState, Step
from app.errors import ZorgCertError
from app.explain import report
from app.i18n import has, t
from ui.access import mark
from ui.backup_form import BackupForm, busy_bar, masked_row, start_button
from ui.common import ExplanationBox, FocusLabel, Notice, fmt_date, fmt_datetime, in_widget
from ui.wizard_frame import WizardFrame, WizardPage
from ui.worker import run_task
from ui.wrapping import wrapping

if TYPE_CHECKING:
    from app.backups.backup import BackupReport
    from app.backups.fileinfo import BackupInfo
    from app.backups.restore import RestoreOutcome
    from app.desk.desktop import Desktop
    from app.lifecycle.status import StatusRow


class ChoosePage(WizardPage):
    changed = Signal()

    def __init__(self, lang: str, state: BackupState, rows: list[StatusRow], now: datetime):
        super().__init__(lang, t("ui.bwiz.choose.heading", lang), t("ui.bwiz.choose.intro", lang))
        self.state = state
        self.modes = QButtonGroup(self)
        self.make_radio = QRadioButton(t("ui.bwiz.mode.make", lang))
        self.make_radio.setObjectName("mode-make")
        self.restore_radio = QRadioButton(t("ui.bwiz.mode.restore", lang))
        self.restore_radio.setObjectName("mode-restore")
        for radio, mode in ((self.make_radio, "make"), (self.restore_radio, "restore")):
            radio.setProperty("mode", mode)
            radio.setAccessibleName(radio.text())
            self.modes.addButton(radio)
            self.add(wrapping(radio))
        self.certificate = QComboBox()
        self.certificate.setObjectName("backup-certificate")
        self.certificate.setAccessibleName(t("ui.bwiz.certificate", lang))
        self.usable = [r for r in rows if certview.actions(r, now)["backup"].enabled]
        for row in self.usable:
            self.certificate.addItem(t("ui.bwiz.certificate.item", lang, name=row.name,
                                       number=row.user_number), row.user_number)
        form = QFormLayout()
        label = QLabel(t("ui.bwiz.certificate", lang))
        label.setBuddy(self.certificate)
        form.addRow(label, self.certificate)
        self.add(in_widget(form))
        self.none = QLabel(t("ui.bwiz.nothing_to_back_up", lang))
        self.none.setWordWrap(True)
        self.none.setProperty("role", "warning")
        self.none.setVisible(not self.usable)
        self.add(self.none)
        self.add(Notice(t("ui.bwiz.why", lang)))
        self.finish_layout()
        self.modes.buttonToggled.connect(self._mode)
        self.certificate.currentIndexChanged.connect(self._certificate)
        if state.user_number:
            index = self.certificate.findData(state.user_number)
            if index >= 0:
                self.certificate.setCurrentIndex(index)
        (self.make_radio if state.mode == "make" else self.restore_radio).setChecked(True)
        self._certificate()

    def first_focus(self) -> QWidget | None:
        return self.modes.checkedButton()

    def _mode(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            self.state.mode = str(button.property("mode"))
            self.certificate.setEnabled(self.state.mode == "make" and bool(self.usable))
            why = "" if self.certificate.isEnabled() else t(
                "ui.why.restore_mode" if self.state.mode == "restore" else "ui.bwiz.nothing_to_back_up", self.lang)
            self.certificate.setAccessibleDescription(why)
            self.certificate.setToolTip(why)
            self.changed.emit()

    def _certificate(self) -> None:
        self.state.user_number = str(self.certificate.currentData() or "")
        self.changed.emit()


class MakePage(WizardPage):
    def __init__(self, lang: str, form: BackupForm):
        super().__init__(lang, t("ui.bwiz.make.heading", lang), t("ui.bwiz.make.intro", lang))
        self.form = form
        self.add(form)
        self.finish_layout()

    def first_focus(self) -> QWidget | None:
        return self.form.first_focus()


class TestPage(WizardPage):
    """The restore test: the file just written opens with the passphrase typed once more."""

    changed = Signal()

    def __init__(self, lang: str, desktop: Desktop, state: BackupState):
        super().__init__(lang, t("ui.bwiz.test.heading", lang), t("ui.bwiz.test.intro", lang))
        self.desktop, self.state = desktop, state
        self.path = ""
        form = QFormLayout()
        self.passphrase = masked_row(form, "test-passphrase", t("ui.bwiz.test.passphrase", lang))
        self.add(in_widget(form))
        row = QHBoxLayout()
        self.test_button = start_button("run-restore-test", t("ui.bwiz.test.run", lang))
        row.addWidget(self.test_button)
        self.why = FocusLabel("test-why")
        row.addWidget(self.why, 1)
        self.add(in_widget(row))
        self.busy = self.add(busy_bar(t("ui.bwiz.test.busy", lang)))
        self.result = Notice("", "success")
        self.result.setObjectName("restore-test-result")
        self.result.hide()
        self.add(self.result)
        self.explanation = ExplanationBox(lang)
        self.add(self.explanation)
        self.finish_layout()
        self.passphrase.textChanged.connect(self._typed)
        self.passphrase.returnPressed.connect(self.run_test)
        self._typed("")
        self.test_button.clicked.connect(self.run_test)

    def first_focus(self) -> QWidget | None:
        return self.passphrase

    def _typed(self, text: str) -> None:
        self.test_button.setEnabled(bool(text))
        why = "" if text else t("ui.why.open_passphrase", self.lang)
        self.test_button.setAccessibleDescription(why)
        self.test_button.setToolTip(why)
        self.why.say(why)

    def run_test(self) -> None:
        if not self.passphrase.text():
            return
        passphrase, path, desktop = self.passphrase.text(), self.path, self.desktop
        self.passphrase.clear()
        self.explanation.clear()
        self.result.hide()
        self.busy.show()
        self.state.running = True
        self.changed.emit()
        run_task(lambda _r, _t: desktop.test_backup(path, passphrase), on_success=self._passed, what="restore-test",
                 on_failure=self._failed)

    def _passed(self, info: BackupInfo) -> None:
        self.busy.hide()
        self.state.running = False
        self.state.tested = True
        self.result.set_text(t("ui.bwiz.test.passed", self.lang, name=info.name, number=info.user_number,
                               until=fmt_date(info.not_after, self.lang)))
        self.result.show()
        self.changed.emit()

    def _failed(self, error: ZorgCertError) -> None:
        self.busy.hide()
        self.state.running = False
        self.explanation.show_explanation(report(error, self.lang))
        self.changed.emit()


class PickPage(WizardPage):
    changed = Signal()
    go_on = Signal()  # Enter in the path field: move on once the file is read

    def __init__(self, lang: str, desktop: Desktop, state: BackupState, choose_file: Callable[[], str]):
        super().__init__(lang, t("ui.bwiz.pick.heading", lang), t("ui.bwiz.pick.intro", lang))
        self.desktop, self.state, self.choose_file = desktop, state, choose_file
        self.info: BackupInfo | None = None
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("restore-path")
        self.path.setAccessibleName(t("ui.bwiz.pick.file", lang))
        self.path.setPlaceholderText(t("ui.bwiz.pick.placeholder", lang))
        path_label = QLabel(t("ui.bwiz.pick.file", lang))
        path_label.setBuddy(self.path)
        row.addWidget(path_label)
        self.browse_button = QPushButton(t("ui.button.browse", lang))
        self.browse_button.setAccessibleName(t("ui.bwiz.pick.browse.name", lang))
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        self.add(in_widget(row))
        self.about = QLabel()
        self.about.setObjectName("backup-info")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.RichText)
        self.add(self.about)
        self.explanation = ExplanationBox(lang)
        self.add(self.explanation)
        self.finish_layout()
        self.path.editingFinished.connect(self.inspect)
        self.path.returnPressed.connect(self._enter)
        self.wants_on = False

    def first_focus(self) -> QWidget | None:
        return self.path

    def _browse(self) -> None:
        chosen = self.choose_file()
        if chosen:
            self.path.setText(chosen)
            self.inspect()

    def _enter(self) -> None:
        """Enter in the field: the file is read (editingFinished) and, when it can be opened, on to the passphrase."""
        self.wants_on = True

    def inspect(self) -> None:
        path = self.path.text().strip()
        self.state.picked = False
        self.info = None
        self.about.setText("")
        self.explanation.clear()
        self.changed.emit()
        if not path:
            return
        desktop = self.desktop
        run_task(lambda _r, _t: desktop.inspect_backup(path), on_success=self._inspected, on_failure=self._failed,
                 what="inspect-backup")

    def _inspected(self, info: BackupInfo) -> None:
        self.info = info
        self.state.picked = True
        self.about.setText(t("ui.bwiz.pick.info", self.lang, name=info.name, number=info.user_number,
                             until=fmt_datetime(info.not_after, self.lang),
                             made=fmt_datetime(info.created_at, self.lang)))
        self.changed.emit()
        if self.wants_on:
            self.wants_on = False
            self.go_on.emit()

    def _failed(self, error: ZorgCertError) -> None:
        self.wants_on = False
        words = report(error, self.lang)
        self.explanation.show_explanation(words)
        self.path.setAccessibleDescription(f"{words.message} {words.next_step}".strip())
        self.changed.emit()


class RestorePage(WizardPage):
    changed = Signal()

    def __init__(self, lang: str, desktop: Desktop, state: BackupState):
        super().__init__(lang, t("ui.bwiz.restore.heading", lang), t("ui.bwiz.restore.intro", lang))
        self.desktop, self.state = desktop, state
        self.path = ""
        self.outcome: RestoreOutcome | None = None
        form = QFormLayout()
        self.passphrase = masked_row(form, "restore-passphrase", t("ui.bwiz.restore.passphrase", lang))
        self.add(in_widget(form))
        row = QHBoxLayout()
        self.restore_button = start_button("run-restore", t("ui.bwiz.restore.run", lang))
        row.addWidget(self.restore_button)
        self.why = FocusLabel("restore-why")
        row.addWidget(self.why, 1)
        self.add(in_widget(row))
        self.busy = self.add(busy_bar(t("ui.bwiz.restore.busy", lang)))
        self.status = FocusLabel("restore-status", "")
        mark(self.status, "status")
        self.add(self.status)
        self.result = Notice("", "success")
        self.result.setObjectName("restore-result")
        self.result.hide()
        self.add(self.result)
        self.explanation = ExplanationBox(lang)
        self.add(self.explanation)
        self.finish_layout()
        self.passphrase.textChanged.connect(lambda _text: self._update())
        self.passphrase.returnPressed.connect(self.run_restore)
        self._update()
        self.restore_button.clicked.connect(self.run_restore)

    def first_focus(self) -> QWidget | None:
        return self.passphrase

    def _update(self) -> None:
        """The restore button: on when a passphrase is typed, with why it is off as text otherwise."""
        if self.state.restored:
            why = "ui.why.restored"
        elif self.state.running:
            why = "ui.why.busy"
        elif not self.passphrase.text():
            why = "ui.why.open_passphrase"
        else:
            why = ""
        said = t(why, self.lang) if why else ""
        self.restore_button.setEnabled(not why)
        self.restore_button.setAccessibleDescription(said)
        self.restore_button.setToolTip(said)
        self.why.say(said)
        if self.state.restored:
            self.passphrase.setAccessibleDescription(said)
            self.passphrase.setToolTip(said)

    def run_restore(self) -> None:
        if not self.passphrase.text() or self.state.restored or self.state.running:
            return
        passphrase, path, desktop = self.passphrase.text(), self.path, self.desktop
        self.passphrase.clear()
        self.explanation.clear()
        self.busy.show()
        self.state.running = True
        self._update()
        self.status.setFocus()  # the keyboard waits on the named status line, not on a disabled field
        self.changed.emit()

        def work(report: Callable[[str], None], _token: object) -> RestoreOutcome:
            return desktop.restore_backup(path, passphrase, progress=report)

        run_task(work, on_success=self._restored, on_failure=self._failed, on_progress=self._stage,
                 what="restore")

    def _stage(self, stage: str) -> None:
        key = f"ui.restore.stage.{stage}" if has(f"ui.restore.stage.{stage}") else "ui.restore.stage.busy"
        self.status.say(t(key, self.lang), announce_it=True)

    def _restored(self, outcome: RestoreOutcome) -> None:
        self.outcome = outcome
        self.busy.hide()
        self.status.say("")
        self.state.running = False
        self.state.restored = True
        entry = outcome.entry
        self.result.show()
        self.result.set_text(t("ui.bwiz.restore.done", self.lang, name=entry.name,
                               until=fmt_date(entry.not_after, self.lang)))  # announced
        self.passphrase.setEnabled(False)
        self._update()
        self.changed.emit()  # the wizard then puts the keyboard on Next

    def _failed(self, error: ZorgCertError) -> None:
        self.busy.hide()
        self.status.say("")
        self.state.running = False
        words = report(error, self.lang)
        self.explanation.show_explanation(words)
        self.passphrase.setAccessibleDescription(f"{words.message} {words.next_step}".strip())
        self._update()
        self.passphrase.setFocus()
        self.changed.emit()


class FinishedPage(WizardPage):
    def __init__(self, lang: str):
        super().__init__(lang, t("ui.bwiz.finished.heading", lang))
        self.notice = Notice("", "success")
        self.notice.setObjectName("finished-notice")
        self.add(self.notice)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.add(self.advice)
        self.finish_layout()


class BackupWizard(WizardFrame):
    """Make a backup or restore one."""

    restored = Signal(object)
    made = Signal(object)

    def __init__(self, desktop: Desktop, lang: str, rows: list[StatusRow], *, mode: str = "make",
                 user_number: str = "", parent: QWidget | None = None,
                 choose_backup_file: Callable[[str], str] | None = None,
                 choose_restore_file: Callable[[], str] | None = None):
        super().__init__(lang, t("ui.bwiz.title", lang), parent)
        self.setObjectName("backup-wizard")
        self.desktop = desktop
        self.rows = rows
        self.state = BackupState(mode=mode, user_number=user_number)
        pick = choose_restore_file or (lambda: QFileDialog.getOpenFileName(
            self, t("ui.bwiz.pick.file", lang), str(desktop.default_folder()), t("ui.bform.filter", lang))[0])
        self.choose = ChoosePage(lang, self.state, rows, desktop.now())
        self.form = BackupForm(desktop, lang, choose_file=choose_backup_file)
        self.make = MakePage(lang, self.form)
        self.test = TestPage(lang, desktop, self.state)
        self.pick = PickPage(lang, desktop, self.state, pick)
        self.restore = RestorePage(lang, desktop, self.state)
        self.finished_page = FinishedPage(lang)
        for step, page in ((Step.CHOOSE, self.choose), (Step.MAKE, self.make), (Step.TEST, self.test),
                           (Step.PICK, self.pick), (Step.RESTORE, self.restore),
                           (Step.FINISHED, self.finished_page)):
            self.add_page(step.value, page)
        for page in (self.choose, self.test, self.pick, self.restore):
            page.changed.connect(self.refresh_buttons)
        self.form.made.connect(self._made)
        self.pick.go_on.connect(self.go_next)
        self.restore.changed.connect(self._after_restore)
        self.form.failed.connect(lambda _e: self.refresh_buttons())
        self.show_page(Step.CHOOSE.value)

    def step_info(self, name: str) -> tuple[int, int]:
        steps = wizard.steps_for(self.state)
        return steps.index(Step(name)) + 1, len(steps)

    def next_of(self, name: str) -> str | None:
        step = wizard.backup_next(Step(name), self.state)
        return step.value if step else None

    def back_of(self, name: str) -> str | None:
        step = wizard.backup_back(Step(name), self.state)
        return step.value if step else None

    def next_allowed(self, name: str) -> bool:
        return wizard.backup_can_go_next(Step(name), self.state).ok

    def next_reason(self, name: str) -> str:
        step = Step(name)
        verdict = wizard.backup_can_go_next(step, self.state)
        if verdict.key:
            return t(verdict.key, self.lang, **verdict.params)
        return {Step.MAKE: t("ui.why.backup_first", self.lang), Step.PICK: t("ui.why.pick_first", self.lang),
                Step.RESTORE: t("ui.why.restore_first", self.lang)}.get(step, "")

    def busy_reason(self) -> str:
        return t("ui.why.busy", self.lang) if self.state.running or self.form.task is not None else ""

    def next_text(self, name: str) -> str:
        if name == Step.TEST.value and not self.state.tested:
            return t("ui.bwiz.test.skip", self.lang)
        return t("ui.button.next", self.lang)

    def is_last(self, name: str) -> bool:
        return name == Step.FINISHED.value

    def entered(self, name: str) -> None:
        step = Step(name)
        if step is Step.MAKE:
            row = next((r for r in self.rows if r.user_number == self.state.user_number), None)
            self.form.set_certificate(self.state.user_number, row.name if row is not None else "")
        if step is Step.TEST:
            self.test.path = self.form.path.text()
        if step is Step.RESTORE:
            self.restore.path = self.pick.path.text().strip()
        if step is Step.FINISHED:
            if self.state.mode == "make":
                self.finished_page.notice.set_text(t("ui.bwiz.finished.made", self.lang, path=self.form.path.text()))
                self.finished_page.advice.setText(t("ui.bwiz.finished.made.advice", self.lang))
            else:
                self.finished_page.notice.set_text(t("ui.bwiz.finished.restored", self.lang))
                self.finished_page.advice.setText(t("ui.bwiz.finished.restored.advice", self.lang))
        self.cancel_button.setVisible(step is not Step.FINISHED)

    def _made(self, report: BackupReport) -> None:
        self.state.made = True
        self.made.emit(report)
        self.refresh_buttons()
        self.next_button.setFocus()  # on to the restore test; not left on a field that was just switched off

    def _after_restore(self) -> None:
        if self.state.restored and self.current == Step.RESTORE.value:
            self.next_button.setFocus()

    def cancel_clicked(self) -> None:
        if self.state.running or self.form.task is not None:
            return  # a backup or restore under way finishes first; it takes seconds
        if self.state.restored:
            self.restored.emit(self.restore.outcome)
        self.reject()

    def finish(self) -> None:
        if self.state.restored:
            self.restored.emit(self.restore.outcome)
        self.accept()
