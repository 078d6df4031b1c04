"""Cancel while the issuer is silent (issue 12, point 5): the window goes at once, nothing is left behind."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from silent_server import SilentServer

from app.desk.wizard import Page
from ui.install_wizard import InstallWizard

from .conftest import User


def test_cancel_while_a_silent_issuer_keeps_the_request_waiting(qtbot, user: User, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(user.issuer.data / "tls" / "server.pem", user.issuer.data / "tls" / "server.key")
    silent = SilentServer(tls)  # completes TLS with the issuer's own certificate, then never answers
    try:
        monkeypatch.setenv("ZORGCERT_ISSUER_URL", silent.url)
        monkeypatch.setenv("ZORGCERT_ISSUER_TIMEOUT", "3")
        number, pin = user.new_holder("Stijn Stil")
        wizard = InstallWizard(user.desktop, "nl", choose_backup_file=lambda _s: str(tmp_path / "b.zcbackup"))
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        problems: list[object] = []
        wizard.failed_in_background.connect(problems.append)
        wizard.show_page(Page.CREDENTIALS.value)
        qtbot.keyClicks(wizard.credentials.number, number)
        qtbot.keyClicks(wizard.credentials.pin, pin)
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        task = wizard.task
        assert task is not None
        qtbot.waitUntil(lambda: silent.received.startswith(b"GET "), timeout=10_000)  # the request is in flight
        assert wizard.current == Page.PROGRESS.value and wizard.cancel_button.isEnabled()

        clicked = time.monotonic()
        qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)
        assert not wizard.isVisible()  # at once, not when the issuer's wait runs out
        assert time.monotonic() - clicked < 1.0
        qtbot.waitUntil(lambda: not task.running, timeout=15_000)  # the work ends too, within the bound
        assert not problems  # the user cancelled: a late timeout is not shown as a failure
        assert not task.committed and pin.encode() not in silent.received  # the PIN never went out
        assert not any(user.desktop.paths.journal_dir.glob("*.json"))
        assert not any(user.desktop.paths.vault_dir.glob("*.zcv"))
    finally:
        silent.close()
