"""Make a backup: where to save it, a passphrase with its meter, and the button. Used in both wizards."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import FileExists, ZorgCertError
from app.explain import report
from app.i18n import t
from ui.common import ExplanationBox, FocusLabel, Notice
from ui.worker import Task, run_task

if TYPE_CHECKING:
    from app.backups.backup import BackupReport
    from app.backups.passphrase import Strength
    from app.desk.desktop import Desktop

# score 0-4; each at least 3:1 against the bar's white groove (tests/ui/test_accessibility_contrast.py)
METER_COLOURS = ["#c0392b", "#c0392b", "#b35c00", "#8a6d00", "#2e8540"]


def masked_row(form: QFormLayout, object_name: str, label_text: str) -> QLineEdit:
    """A passphrase line (what is typed stays hidden), added to ``form`` with its label."""
    line = QLineEdit()
    line.setObjectName(object_name)
    line.setEchoMode(QLineEdit.EchoMode.Password)
    line.setAccessibleName(label_text)
    label = QLabel(label_text)
    label.setBuddy(line)
    form.addRow(label, line)
    return line


def start_button(object_name: str, text: str) -> QPushButton:
    """The button that starts a page's work: off until what is typed allows it."""
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setAccessibleName(text)
    button.setEnabled(False)
    return button


def busy_bar(accessible_name: str) -> QProgressBar:
    """A progress bar without an end, hidden until work runs."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setAccessibleName(accessible_name)
    bar.hide()
    return bar


class PassphraseMeter(QWidget):
    """Score bar (0-4), the reason in words, and the suggestions of ``check_passphrase``."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setObjectName("passphrase-meter")
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setAccessibleName(t("ui.meter.name", lang))
        layout.addWidget(self.bar)
        self.verdict = QLabel()
        self.verdict.setObjectName("passphrase-verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setMinimumHeight(0)
        layout.addWidget(self.verdict)

    def show_strength(self, strength: Strength) -> None:
        score = int(strength.score)
        self.bar.setValue(score)
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {METER_COLOURS[score]}; }}")
        params = getattr(strength, "params", {}) or {}
        parts = [t(strength.reason_key, self.lang, **params)] if strength.reason_key else []
        if strength.ok:
            parts.append(t("ui.meter.strong", self.lang))
        if strength.crack_time:
            parts.append(t("ui.meter.crack_time", self.lang, time=strength.crack_time))
        parts += [t(s, self.lang) for s in strength.suggestions]
        self.verdict.setText("\n".join(p for p in parts if p))
        self.bar.setAccessibleDescription(self.verdict.text())


class BackupForm(QWidget):
    """Folder and file, passphrase twice, meter, 'make the backup'; emits ``made`` with the core's report."""

    made = Signal(object)
    failed = Signal(object)

    def __init__(self, desktop: Desktop, lang: str, *, choose_file: Callable[[str], str] | None = None,
                 embedded: bool = False, confirm_overwrite: Callable[[str], bool] | None = None):
        super().__init__()
        self.desktop = desktop
        self.lang = lang
        self.user_number = ""
        self.holder = ""
        self.task: Task | None = None
        self.report: BackupReport | None = None
        self.choose_file = choose_file or self._ask_file
        self.confirm_overwrite = confirm_overwrite or self._ask_overwrite
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.which = QLabel()
        self.which.setObjectName("backup-which")
        self.which.setWordWrap(True)
        layout.addWidget(self.which)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setObjectName("backup-path")
        self.path.setAccessibleName(t("ui.bform.file", lang))
        self.browse = QPushButton(t("ui.button.browse", lang))
        self.browse.setAccessibleName(t("ui.bform.browse.name", lang))
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        file_label = QLabel(t("ui.bform.file", lang))
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        self.passphrase = masked_row(form, "passphrase", t("ui.bform.passphrase", lang))
        self.passphrase.setPlaceholderText(t("ui.bform.passphrase.placeholder", lang))
        self.confirmation = masked_row(form, "passphrase-again", t("ui.bform.again", lang))
        self.meter = PassphraseMeter(lang)
        form.addRow("", self.meter)
        layout.addLayout(form)
        hint = QLabel(t("ui.bform.hint", lang))
        hint.setWordWrap(True)
        hint.setProperty("role", "field")
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        self.why = FocusLabel("make-why")  # why 'make the backup' is still off, reachable with Tab
        buttons.addWidget(self.why, 1)
        self.make = start_button("make-backup", t("ui.bform.make", lang))
        self.make.clicked.connect(self.start)
        buttons.addWidget(self.make)
        layout.addLayout(buttons)
        self.busy = busy_bar(t("ui.bform.busy", lang))
        layout.addWidget(self.busy)
        self.result = Notice("", "success")
        self.result.setObjectName("backup-result")
        self.result.hide()
        layout.addWidget(self.result)
        self.explanation = ExplanationBox(lang)
        layout.addWidget(self.explanation)
        self.passphrase.textChanged.connect(self._check)
        self.confirmation.textChanged.connect(self._check)
        self.path.textChanged.connect(self._check)
        self.confirmation.returnPressed.connect(self.start)  # Enter after typing it twice: make the backup
        self.strength: Strength | None = None

    def first_focus(self) -> QWidget:
        return self.passphrase

    def set_certificate(self, user_number: str, holder: str) -> None:
        """Which certificate this backup is of; offers a file name in the usual folder."""
        self.user_number, self.holder = user_number, holder
        self.which.setText(t("ui.bform.which", self.lang, name=holder, number=user_number))
        if not self.path.text():
            self.path.setText(str(self.desktop.suggested_backup_path(user_number)))
        self._check()

    def _ask_file(self, suggestion: str) -> str:
        chosen, _ = QFileDialog.getSaveFileName(self, t("ui.bform.file", self.lang), suggestion,
                                                t("ui.bform.filter", self.lang))
        return chosen

    def _browse(self) -> None:
        chosen = self.choose_file(self.path.text())
        if chosen:
            self.path.setText(chosen)

    def _check(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.meter.bar.setValue(0)
            self.meter.verdict.setText("")
            self.strength = None
        else:
            self.strength = self.desktop.passphrase_strength(
                text, self.confirmation.text() or None, [self.holder, self.user_number], self.lang)
            self.meter.show_strength(self.strength)
        same = self.confirmation.text() == text
        if self.report is not None:
            why = "ui.why.made"
        elif self.task is not None:
            why = "ui.why.busy"
        elif not self.path.text().strip():
            why = "ui.why.need_file"
        elif not text or not self.confirmation.text():
            why = "ui.why.passphrase"
        elif not same:
            why = "ui.why.mismatch"
        elif not (self.strength and self.strength.ok):
            why = "ui.why.weak"
        else:
            why = ""
        self.make.setEnabled(not why and bool(self.user_number))
        said = t(why, self.lang) if why else ""
        self.make.setAccessibleDescription(said)
        self.make.setToolTip(said)
        self.why.say(said)
        self.passphrase.setAccessibleDescription(self.meter.verdict.text())  # the meter, read with the field

    def _ask_overwrite(self, path: str) -> bool:
        """The confirmation dialog: replace the existing file? ('Do not replace' is the default)."""
        box = QMessageBox(QMessageBox.Icon.Question, t("ui.bform.overwrite.title", self.lang),
                          t("ui.bform.overwrite.question", self.lang, path=path), parent=self)
        box.setObjectName("overwrite-dialog")
        replace = box.addButton(t("ui.bform.overwrite.yes", self.lang), QMessageBox.ButtonRole.AcceptRole)
        replace.setObjectName("overwrite-yes")
        keep = box.addButton(t("ui.bform.overwrite.no", self.lang), QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("overwrite-no")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is replace

    def start(self, *, overwrite: bool = False) -> None:
        if not self.make.isEnabled() and not overwrite:
            return
        passphrase = self.passphrase.text()
        number, out, desktop = self.user_number, self.path.text().strip(), self.desktop
        self.explanation.clear()
        self.busy.show()
        self.make.setEnabled(False)
        self.why.say(t("ui.why.busy", self.lang))

        def work(report: Callable[[str], None], _token: object) -> BackupReport:
            # the app decides whether the file exists (FileExists); the form only asks the user
            return desktop.make_backup(number, out, passphrase, progress=report, overwrite=overwrite)

        self.task = run_task(work, on_success=self._made, on_failure=self._failed, what="backup")

    def _made(self, report: BackupReport) -> None:
        self.task = None
        self.report = report
        self.busy.hide()
        self.passphrase.clear()  # the secret does not stay in the window
        self.confirmation.clear()
        for field in (self.passphrase, self.confirmation, self.path, self.browse):
            field.setEnabled(False)
            field.setAccessibleDescription(t("ui.why.made", self.lang))
            field.setToolTip(t("ui.why.made", self.lang))
        self.result.show()
        self.result.set_text(t("ui.bform.made", self.lang, path=self.path.text()))  # announced
        self._check()
        self.made.emit(report)  # the wizard then puts the keyboard on Next

    def _failed(self, error: ZorgCertError) -> None:
        self.task = None
        self.busy.hide()
        if isinstance(error, FileExists) and self.confirm_overwrite(str(error.params.get("path", ""))):
            self.start(overwrite=True)
            return
        self.explanation.show_explanation(report(error, self.lang, "backup"))
        self._check()
        self.failed.emit(error)
