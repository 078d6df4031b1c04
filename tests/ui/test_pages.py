"""Every page, offscreen, in Dutch and in English: no key shows, nothing is missing, widgets have names.

The flows against the real issuer are in ``test_flows.py``; here the pages get made-up
status rows (``ui.samples``) so every state and every wizard page can be reached at once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from app import i18n
from app.desk.desktop import Desktop
from app.desk.wizard import Page, Step
from app.state.wallet import Entry
from keystore.base import StoreRef
from ui import samples
from ui.backup_wizard import BackupWizard
from ui.dashboard import TICK_MS, Dashboard
from ui.install_wizard import InstallWizard
from ui.main_window import MainWindow
from ui.tray import Agent

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
KEYISH = re.compile(r"\b(ui|state|kind|refusal|error|doctor|passphrase|restore|backup|who|cli)\.[a-z_][\w.-]*\b")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# words that are the same in both languages on purpose (names of things, data)
SAME_IN_BOTH = {"Support", "Firefox", "ZorgCert 0.1.0", "Nederlands", "English", "OK", "macOS", "FOUT", "FAIL"}


class Clock:
    def __init__(self, now: datetime):
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def texts(root: QWidget) -> list[str]:
    """Every text a person can see or hear (screen reader) in ``root``, in a stable order."""
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.isWindow():
            out.append(w.windowTitle())
        if isinstance(w, QLabel):
            out.append(w.text())
        elif isinstance(w, QAbstractButton):
            out.append(w.text())
        elif isinstance(w, QGroupBox):
            out.append(w.title())
        elif isinstance(w, QLineEdit):
            out.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            out += [w.tabText(i) for i in range(w.count())]
        out += [w.toolTip(), w.accessibleName(), w.accessibleDescription()]
    out += [a.text() for a in root.findChildren(QAction)]
    return out


def check_texts(nl: list[str], en: list[str]) -> None:
    """No key, no unfilled placeholder, and each Dutch text has its English counterpart."""
    assert len(nl) == len(en)
    for text in nl + en:
        assert not i18n.has(text), f"a key shows: {text!r}"
        assert not KEYISH.search(re.sub(r"<[^>]+>", "", text)), f"looks like a key: {text!r}"
        assert not PLACEHOLDER.search(text), f"placeholder not filled: {text!r}"
    for a, b in zip(nl, en, strict=True):
        assert bool(a) == bool(b), f"only in one language: {a!r} / {b!r}"
    same = {_without_data(a) for a, b in zip(nl, en, strict=True) if a and a == b and not any(c.isdigit() for c in a)}
    same.discard("")
    assert same <= SAME_IN_BOTH | DATA, f"not translated: {sorted(same - SAME_IN_BOTH - DATA)}"


DATA = {r.name for r in samples.every_state(NOW).values()} | {
    r.organisation for r in samples.every_state(NOW).values()}


def _without_data(text: str) -> str:
    """The text with the made-up names taken out: what is left must be translated."""
    for item in sorted(DATA, key=len, reverse=True):
        text = text.replace(item, "")
    return text.strip(" —-:,()")


def accessible(root: QWidget) -> None:
    """Every control can be found by a screen reader: it has text or an accessible name."""
    for w in root.findChildren(QWidget):
        if isinstance(w, QAbstractButton | QLineEdit | QComboBox):
            name = w.accessibleName() or (w.text() if isinstance(w, QAbstractButton) else "")
            assert name, f"{type(w).__name__} {w.objectName()!r} has no accessible name"


def both(make: Any) -> tuple[list[str], list[str]]:
    return texts(make("nl")), texts(make("en"))


# --- the main window and dashboard ------------------------------------------------------------------


@pytest.fixture()
def desktop(offline: Desktop) -> Desktop:
    offline.clock = Clock(NOW)
    return offline


def window(qtbot, desktop: Desktop, lang: str) -> MainWindow:
    w = MainWindow(desktop, lang)
    qtbot.addWidget(w)
    w.rows = list(samples.every_state(NOW).values())
    w.dashboard.set_rows(w.rows)
    w.support.show_checks(samples.checks(lang))
    return w


def test_main_window_in_both_languages(qtbot, desktop: Desktop) -> None:
    nl, en = both(lambda lang: window(qtbot, desktop, lang))
    check_texts(nl, en)
    assert "nog 412 dagen geldig" in nl and "412 days left" in en
    assert {"geldig", "vernieuwen mogelijk", "verlopen", "verloren", "ingetrokken"} <= set(nl)
    accessible(window(qtbot, desktop, "nl"))


@pytest.mark.parametrize(
    ("state", "badge", "enabled"),
    [("valid", "geldig", {"backup"}), ("renewal-open", "vernieuwen mogelijk", {"renew", "backup"}),
     ("expired", "verlopen", {"reinstall"}), ("lost", "verloren", {"restore", "support"}),
     ("revoked", "ingetrokken", {"support"})],
)
def test_card_per_state(qtbot, state: str, badge: str, enabled: set[str]) -> None:
    board = Dashboard("nl", lambda: NOW)
    qtbot.addWidget(board)
    board.set_rows([samples.every_state(NOW)[state]])
    (card,) = board.cards
    assert card.badge.text() == badge
    assert {n for n, b in card.buttons.items() if b.isEnabled()} == enabled
    for name, button in card.buttons.items():
        if not button.isEnabled():
            assert button.toolTip() and button.accessibleDescription() == button.toolTip(), name


def test_countdown_ticks_once_a_minute_and_moves_the_state(qtbot) -> None:
    clock = Clock(NOW)
    board = Dashboard("nl", clock.now)
    qtbot.addWidget(board)
    assert board.timer.interval() == TICK_MS == 60_000 and board.timer.isActive()
    row = samples.every_state(NOW)["renewal-open"]
    board.set_rows([row])
    card = board.cards[0]
    assert card.fields["left"].text() == "nog 19 dagen geldig"
    clock.moment = datetime.fromisoformat(row.valid_until) - (datetime.fromisoformat(row.valid_until) - NOW) / 40
    board.tick()
    assert card.fields["left"].text() == "nog 11 uur geldig"
    clock.moment = datetime.fromisoformat(row.valid_until)
    board.tick()
    assert card.badge.text() == "verlopen" and card.buttons["reinstall"].isEnabled()
    assert not card.buttons["renew"].isEnabled()


def test_empty_dashboard_invites_an_install(qtbot, desktop: Desktop) -> None:
    w = MainWindow(desktop, "nl")
    qtbot.addWidget(w)
    w.show()
    assert w.dashboard.empty.isVisible() and "gebruikersnummer en pincode" in w.dashboard.empty.text()
    with qtbot.waitSignal(w.refreshed, timeout=30_000):
        w.refresh()
    assert w.rows == [] and w.dashboard.empty.isVisible()


def test_language_switch_rebuilds_in_english_and_is_remembered(qtbot, desktop: Desktop) -> None:
    w = window(qtbot, desktop, "nl")
    w.settings.language.setCurrentIndex(w.settings.language.findData("en"))
    assert w.lang == "en" and w.tabs.tabText(0) == "My certificates"
    assert w.dashboard.cards[0].badge.text() in ("valid", "renewal open", "expired", "lost", "revoked")
    assert desktop.language() == "en"


def test_autostart_toggle_writes_the_xdg_file(qtbot, desktop: Desktop, tmp_path) -> None:
    w = window(qtbot, desktop, "nl")
    assert not w.settings.autostart.isChecked()
    w.settings.autostart.setChecked(True)
    desktop_file = tmp_path / ".config" / "autostart" / "zorgcert-agent.desktop"
    assert desktop_file.is_file() and "app.commands.cli agent" in desktop_file.read_text()
    assert str(desktop_file) in w.settings.where.text()
    w.settings.autostart.setChecked(False)
    assert not desktop_file.exists()


# --- the install wizard -----------------------------------------------------------------------------


def entry() -> Entry:
    return Entry(user_number="12345678901231", kind="personal", name="Anna de Vries",
                 organisation="Huisartsenpraktijk De Linde", subject="CN=Anna de Vries", serial="5f",
                 fingerprint="3f" * 32, not_before=NOW.isoformat(), not_after="2028-11-29T10:00:00+00:00",
                 installed_at=NOW.isoformat(), how="install", issuer_url="https://uitgever.example.nl",
                 policy={}, stores=[StoreRef("nss", "sql:/home/anna/.pki/nssdb", "ZorgCert 1234", "3f" * 32)])


def every_install_page(qtbot, desktop: Desktop, lang: str) -> InstallWizard:
    """One wizard whose pages have all been shown, with a failure and a done page filled in."""
    wizard = InstallWizard(desktop, lang, user_number="1234 5678 9012")
    qtbot.addWidget(wizard)
    for page in (Page.WELCOME, Page.KIND, Page.CREDENTIALS):
        wizard.show_page(page.value)
    from app.errors import IssuerRefused

    wizard.credentials.explanation.show_explanation(__import__("app.explain").explain.explain(
        IssuerRefused("pin-invalid", attempts_left=3), lang))
    wizard.progress.failed(IssuerRefused("still-valid", valid_until="2027-06-30"))
    wizard.state.installed = True
    wizard.entry = entry()
    wizard.backup_form.set_certificate("12345678901231", "Anna de Vries")
    wizard.backup.skip.setChecked(True)
    for page in (Page.BACKUP, Page.DONE):
        wizard.show_page(page.value)
    return wizard


def test_install_wizard_pages_in_both_languages(qtbot, desktop: Desktop) -> None:
    nl, en = both(lambda lang: every_install_page(qtbot, desktop, lang))
    check_texts(nl, en)
    joined = "\n".join(nl)
    assert "de uitgever en Support vragen nooit naar uw pincode".lower() in joined.lower()
    assert "U kunt het nog 3 keer proberen" in joined
    assert "Het certificaat van Anna de Vries is geïnstalleerd. Het is geldig tot 29 november 2028." in joined
    accessible(every_install_page(qtbot, desktop, "nl"))


def test_user_number_feedback_and_caps_lock_hint(qtbot, desktop: Desktop) -> None:
    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.show_page(Page.CREDENTIALS.value)
    page = wizard.credentials
    qtbot.keyClicks(page.number, "1234")
    assert page.number_feedback.text() == "Nog 10 cijfer(s) te gaan."
    qtbot.keyClicks(page.number, "5678901239")
    assert page.number_feedback.text().startswith("Het controlecijfer (het laatste cijfer) klopt niet")
    assert not wizard.next_button.isEnabled()
    assert page.pin.echoMode() == QLineEdit.EchoMode.Password
    assert not page.caps.isVisible()
    qtbot.keyClicks(page.pin, "A")  # an upper-case letter without Shift: Caps Lock is on
    assert page.caps.isVisible() and page.caps.text() == "Let op: Caps Lock staat aan."
    qtbot.keyClicks(page.pin, "a")
    assert not page.caps.isVisible()


def test_install_wizard_by_keyboard_only(qtbot, desktop: Desktop) -> None:
    from app.policy import make_user_number

    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)

    def keys(*sequence: Any) -> None:
        for key in sequence:
            qtbot.keyClick(QApplication.focusWidget(), key)

    keys(Qt.Key.Key_Return)  # welcome: Next has the focus
    assert wizard.current == Page.KIND.value
    assert QApplication.focusWidget() is wizard.kind_page.kinds.checkedButton()
    keys(Qt.Key.Key_Down)  # arrow keys move between the radio buttons
    assert wizard.state.kind == "system"
    keys(Qt.Key.Key_Up, Qt.Key.Key_Return)
    assert wizard.state.kind == "personal" and wizard.current == Page.CREDENTIALS.value
    assert QApplication.focusWidget() is wizard.credentials.number
    qtbot.keyClicks(QApplication.focusWidget(), make_user_number("1234567890123"))
    keys(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is wizard.credentials.pin
    qtbot.keyClicks(QApplication.focusWidget(), "12345678")
    keys(Qt.Key.Key_Return)  # Enter presses Install
    assert wizard.current == Page.PROGRESS.value
    # no issuer is configured here: the failure is explained on the page, and Back leads to the PIN again
    qtbot.waitUntil(lambda: wizard.progress.explanation.isVisible(), timeout=30_000)
    assert "Er is geen uitgever ingesteld." == wizard.progress.explanation.message.text()
    QApplication.focusWidget() or wizard.setFocus()
    qtbot.keyClick(wizard, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert wizard.current == Page.CREDENTIALS.value


# --- the backup wizard ------------------------------------------------------------------------------


def every_backup_page(qtbot, desktop: Desktop, lang: str, mode: str) -> BackupWizard:
    rows = list(samples.every_state(NOW).values())
    wizard = BackupWizard(desktop, lang, rows, mode=mode, user_number=rows[0].user_number)
    qtbot.addWidget(wizard)
    steps = [Step.CHOOSE, Step.MAKE, Step.TEST, Step.FINISHED] if mode == "make" else [
        Step.CHOOSE, Step.PICK, Step.RESTORE, Step.FINISHED]
    for step in steps:
        wizard.show_page(step.value)
    if mode == "make":
        wizard.form.passphrase.setText("welkom123")  # the meter shows why that is weak
    return wizard


@pytest.mark.parametrize("mode", ["make", "restore"])
def test_backup_wizard_pages_in_both_languages(qtbot, desktop: Desktop, mode: str) -> None:
    nl, en = both(lambda lang: every_backup_page(qtbot, desktop, lang, mode))
    check_texts(nl, en)
    accessible(every_backup_page(qtbot, desktop, "nl", mode))


def test_passphrase_meter(qtbot, desktop: Desktop) -> None:
    wizard = every_backup_page(qtbot, desktop, "nl", "make")
    form = wizard.form
    assert form.meter.bar.value() <= 2 and "te makkelijk te raden" in form.meter.verdict.text()
    assert "Hoe lang raden duurt" in form.meter.verdict.text()
    form.passphrase.setText("Kaasschaaf Vlinderdas Molenwiek Sneeuwbal")
    form.confirmation.setText("Kaasschaaf Vlinderdas Molenwiek Sneeuwbal")
    assert form.meter.bar.value() == 4 and "Sterk genoeg." in form.meter.verdict.text()
    assert form.make.isEnabled()


# --- the support page -------------------------------------------------------------------------------


def test_support_page_shows_pass_fail_and_next_steps(qtbot, desktop: Desktop) -> None:
    w = window(qtbot, desktop, "nl")
    from ui.support_page import CheckRow

    rows = w.support.results.findChildren(CheckRow)
    assert [r.result for r in rows].count("fail") == 2
    failed = [r for r in rows if r.result == "fail"]
    assert all(r.next_step is not None and r.next_step.text().startswith("Wat nu: ") for r in failed)
    assert w.support.summary.text() == "2 van de 8 controles gaven een fout; zie hieronder wat u kunt doen."


# --- the tray menu ----------------------------------------------------------------------------------


def test_tray_menu_in_both_languages(qtbot, desktop: Desktop) -> None:
    def menu(lang: str) -> QWidget:
        agent = Agent(desktop, lang)
        qtbot.addWidget(agent.menu)
        return agent.menu

    nl, en = both(menu)
    check_texts(nl, en)
    assert [a for a in nl if a] [:4] == ["ZorgCert openen", "Nu vernieuwen", "Back-up maken…", "Afsluiten"]


def test_icons_are_vector_and_sharp_at_every_scale(qapp) -> None:
    from PySide6.QtCore import QSize

    from ui.common import ICONS, icon

    names = sorted(p.stem for p in ICONS.glob("*.svg"))
    assert {"zorgcert", "tray-green", "tray-orange", "tray-red", "tray-grey", "check-pass", "check-fail"} <= set(names)
    assert not list(ICONS.glob("*.png"))  # no bitmaps that blur on a high-DPI screen
    for name in names:
        for ratio in (1.0, 2.0, 3.0):
            pixmap = icon(name).pixmap(QSize(32, 32), ratio)
            assert not pixmap.isNull(), name
            assert pixmap.width() == int(32 * ratio), (name, ratio, pixmap.width())
