"""The backup form asks before it replaces an existing file; the decision that the file exists is the app's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.desk.desktop import Desktop
from app.lifecycle.services import ZorgCert
from tests.backup.test_service import hold
from tests.keystore.identities import make_identity
from ui.backup_form import BackupForm

from .conftest import STRONG

WAIT = 30_000


class Answer:
    """Clicks one button of the overwrite dialog whenever it is open; remembers what it asked."""

    def __init__(self, qtbot, button: str) -> None:
        self.qtbot, self.button, self.asked = qtbot, button, []  # type: ignore[var-annotated]
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)
        self.timer.start(20)

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "overwrite-dialog":
            self.asked.append(box.text())
            box.findChild(QPushButton, self.button).click()


def test_the_backup_form_asks_before_replacing_a_file(qtbot, offline: Desktop, tmp_path: Path,
                                                      secret_service: dict[str, str]) -> None:
    ident = make_identity()
    hold(ZorgCert(offline.paths, None), ident)
    target = tmp_path / "anna.zcbackup"
    target.write_text("an older file\n")
    form = BackupForm(offline, "nl")
    qtbot.addWidget(form)
    form.set_certificate(ident.user_number, "Anna de Vries")
    form.path.setText(str(target))
    form.passphrase.setText(STRONG)
    form.confirmation.setText(STRONG)

    no = Answer(qtbot, "overwrite-no")
    qtbot.mouseClick(form.make, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.task is None and not form.explanation.isHidden(), timeout=WAIT)
    no.timer.stop()
    assert len(no.asked) == 1 and str(target) in no.asked[0] and "bestaat al" in no.asked[0]
    assert target.read_text() == "an older file\n" and form.report is None
    assert "bestaat al" in form.explanation.message.text()

    yes = Answer(qtbot, "overwrite-yes")
    qtbot.mouseClick(form.make, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.report is not None, timeout=WAIT)
    yes.timer.stop()
    assert len(yes.asked) == 1
    assert target.read_bytes() != b"an older file\n" and offline.inspect_backup(target).user_number == ident.user_number
    assert datetime.fromisoformat(form.report.created_at)
