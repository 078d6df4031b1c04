"""Issue 12 points 8 and 11 in the desktop app: every error it shows is in zorgcert.log under the reference shown
beside it (no PIN there); countdowns in hours; old banners go; a certificate installed here is refused before the PIN.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from words_harness import KEY

from app import i18n
from app.desk.desktop import Desktop
from app.desk.wizard import Page
from app.state.logfile import log_to_file
from ui import samples
from ui.dashboard import Dashboard
from ui.install_wizard import InstallWizard
from ui.main_window import MainWindow

from .conftest import User

WAIT = 60_000


@pytest.fixture()
def log_file(request: pytest.FixtureRequest) -> Iterator[Path]:
    """zorgcert.log of this test's user, as ``zorgcert gui`` sets it up (and taken down again after)."""
    desktop: Desktop = request.getfixturevalue("user").desktop if "user" in request.fixturenames else \
        request.getfixturevalue("offline")
    if isinstance(desktop, User):
        desktop = desktop.desktop
    root = logging.getLogger("zorgcert")
    before = list(root.handlers)
    for h in before:  # another test's file: this test logs to its own
        root.removeHandler(h)
    log_to_file(desktop.paths)
    yield desktop.paths.log_dir / "zorgcert.log"
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    for h in before:
        root.addHandler(h)


def _reference(box) -> str:
    assert box.reference.isVisibleTo(box), "no reference on screen"
    found = re.search(r"Referentie voor Support: ([0-9a-f]{8})$", box.reference.text())
    assert found, box.reference.text()
    return found.group(1)


def _wizard(qtbot, user: User, **kw) -> InstallWizard:
    wizard = InstallWizard(user.desktop, "nl", **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.show_page(Page.CREDENTIALS.value)
    return wizard


def test_a_wrong_pin_is_logged_under_the_reference_on_screen(qtbot, user: User, log_file: Path) -> None:
    number, pin = user.new_holder("Fenna Fout")
    wrong = "73519864" if pin != "73519864" else "64297315"
    wizard = _wizard(qtbot, user)
    qtbot.keyClicks(wizard.credentials.number, number)
    qtbot.keyClicks(wizard.credentials.pin, wrong)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    box = wizard.credentials.explanation
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    reference = _reference(box)
    log = log_file.read_text()
    line = next(x for x in log.splitlines() if f"reference {reference}" in x)
    assert "INFO" in line and "install failed: pin-invalid" in line  # a refusal by the rules: told, not broken
    assert wrong not in log and pin not in log


def test_an_unreachable_issuer_is_logged_under_the_reference_on_screen(
        qtbot, user: User, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", f"https://127.0.0.1:{port}")
    number, pin = user.new_holder("Gijs Geenverbinding")
    wizard = _wizard(qtbot, user)
    qtbot.keyClicks(wizard.credentials.number, number)
    qtbot.keyClicks(wizard.credentials.pin, pin)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    box = wizard.progress.explanation
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    assert "niet bereikbaar" in box.message.text()
    reference = _reference(box)
    line = next(x for x in log_file.read_text().splitlines() if f"reference {reference}" in x)
    assert "WARNING" in line and "error.unreachable" in line
    assert pin not in log_file.read_text()


def test_a_bug_is_logged_with_its_traceback_under_the_reference(
        qtbot, offline: Desktop, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> list[dict[str, object]]:
        raise RuntimeError("a bug in status")

    monkeypatch.setattr(offline, "status", broken)
    window = MainWindow(offline, "nl")
    qtbot.addWidget(window)
    window.refresh()
    box = window.dashboard.explanation
    qtbot.waitUntil(lambda: not box.isHidden(), timeout=WAIT)
    assert box.message.text().startswith("Er ging iets mis")
    reference = _reference(box)
    log = log_file.read_text()
    assert f"reference {reference}" in log and "Traceback" in log and "a bug in status" in log
    assert "RuntimeError" not in box.message.text() + box.next_step.text()  # no Python on screen


def test_the_countdown_shows_hours_on_the_last_day(qtbot, offline: Desktop) -> None:
    now = offline.now()
    board = Dashboard("nl", lambda: now)
    qtbot.addWidget(board)
    board.set_rows([samples.row(now, name="Anna", state="renewal-open", days_left=5.5 / 24, body="1234567890123"),
                    samples.row(now, name="Bas", state="expired", days_left=-2, body="2234567890123")])
    assert board.cards[0].fields["left"].text() == "nog 5 uur geldig"
    assert board.cards[1].fields["left"].text() == "2 dagen geleden verlopen"


def test_old_banners_go_when_their_state_is_over(qtbot, offline: Desktop,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app.errors import IssuerRefused, IssuerUnreachable

    now = offline.now()
    open_row = samples.row(now, name="Anna", state="renewal-open", days_left=10, body="1234567890123")
    renewed_row = samples.row(now, name="Anna", state="valid", days_left=700, body="1234567890123")
    held = {"rows": [open_row]}
    monkeypatch.setattr(offline, "status", lambda: list(held["rows"]))
    window = MainWindow(offline, "nl")
    qtbot.addWidget(window)
    board = window.dashboard
    # a failed status read goes when status reads again
    window._status_failed(IssuerUnreachable("down"))
    assert not board.explanation.isHidden()
    window._status([])
    assert board.explanation.isHidden()
    # a failed renewal stays while it can still be renewed, and goes once that is over (renewed elsewhere)
    window.start_action("renew", open_row.user_number)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window._renew_failed(IssuerRefused("not-authorised"))
    assert not board.explanation.isHidden()
    held["rows"] = [renewed_row]
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window.refresh()
    assert board.explanation.isHidden()
    # the news of a renewal says to make a new backup (R8), and goes when the next action starts
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window._renewed(SimpleNamespace(name="Anna", not_after=(now + timedelta(days=700)).isoformat(),
                                        user_number=open_row.user_number))
    assert not board.notice.isHidden() and "Maak nu een nieuwe back-up" in board.notice.label.text()
    window.open_backup("make", open_row.user_number)
    assert board.notice.isHidden() and board.explanation.isHidden()
    window.wizard.reject()


def test_an_installed_valid_certificate_is_refused_before_the_pin(qtbot, user: User) -> None:
    number, pin = user.new_holder("Hanna Heeftal")
    user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    wizard = _wizard(qtbot, user, user_number=number)
    box = wizard.credentials.explanation
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    assert "staat al op deze computer en is nog geldig" in box.message.text()
    assert box.next_step.text().startswith("Vernieuw het nu")
    qtbot.keyClicks(wizard.credentials.pin, "0000000")
    assert not wizard.next_button.isEnabled()  # the PIN is never sent
    wizard.credentials.number.setText(number[:-1])  # another number: the refusal is gone
    assert box.isHidden()


# --- issue 13 point 4: no key ever reaches the screen ------------------------------------------------


def _looks_like_a_key(text: str) -> bool:
    lines = re.sub(r"<br>|<[^>]+>", "\n", text).splitlines()
    return any(i18n.has(x.strip()) or KEY.match(x.strip(" .:•\u00a0")) for x in [text, *lines])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_text_on_any_screen_is_a_key(qtbot, offline: Desktop, lang: str) -> None:
    """The main window (every certificate state, the support checks), every install and backup page and the tray
    menu: every text, tooltip, accessible name and description; none is, or looks like, a key."""
    from ui.tray import Agent

    from .test_pages import NOW, Clock, every_backup_page, every_install_page, texts, window

    offline.clock = Clock(NOW)
    agent = Agent(offline, lang)
    qtbot.addWidget(agent.menu)
    screens = {"main window": window(qtbot, offline, lang), "install": every_install_page(qtbot, offline, lang),
               "backup": every_backup_page(qtbot, offline, lang, "make"),
               "restore": every_backup_page(qtbot, offline, lang, "restore"), "tray": agent.menu}
    for name, screen in screens.items():
        shown = [x for x in texts(screen) if x]
        assert len(shown) >= 4, name  # the tray menu has four
        keys = [x for x in shown if _looks_like_a_key(x)]
        assert not keys, f"{name} shows keys: {keys}"
