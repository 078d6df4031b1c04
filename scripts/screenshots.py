"""Render every screen of the desktop app to docs/screenshots/*.png (Qt offscreen, Dutch unless --lang en).

Each wizard page, the dashboard in each state, the tray menu, the support page, the backup
wizard and the settings; then four of them with the application font at 18 pt (24-27, large);
then the contact person's desk (28-37): Gebruikersbeheer with its dialogs and the Berichtenbox,
and both tabs in English too (``-en``), from made-up users and messages (``ui.samples.desk``).
The dashboard only shows data, so it gets made-up status rows (``ui.samples``) at a fixed
moment; nothing talks to an issuer or a certificate store.
Run through ``scripts/screenshots``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QSize  # noqa: E402
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
STRONG = "Kaasschaaf Vlinderdas Molenwiek Sneeuwbal"


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def save(widget: QWidget, out: Path, name: str, size: QSize | None = None) -> Path:
    """Lay the widget out at ``size``, let Qt finish painting, write ``out/name.png``."""
    if size is not None:
        widget.resize(size)
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(_shown(path))
    return path


def entry() -> object:
    from app.state.wallet import Entry
    from keystore.base import StoreRef

    return Entry(user_number="12345678901231", kind="personal", name="Anna de Vries",
                 organisation="Huisartsenpraktijk De Linde", subject="CN=Anna de Vries", serial="5f3a9c",
                 fingerprint="3f" * 32, not_before=NOW.isoformat(), not_after="2028-11-29T10:00:00+00:00",
                 installed_at=NOW.isoformat(), how="install", issuer_url="https://uitgever.example.nl", policy={},
                 stores=[StoreRef("nss", "sql:/home/anna/.pki/nssdb", "ZorgCert 12345678901231", "3f" * 32)])


def install_wizard(desktop: object, lang: str, out: Path) -> None:
    from app.desk.wizard import Page
    from app.errors import IssuerRefused
    from app.explain import explain
    from ui.install_wizard import InstallWizard

    size = QSize(680, 600)
    w = InstallWizard(desktop, lang)
    save(w, out, "01-install-welcome", size)
    w.show_page(Page.KIND.value)
    save(w, out, "02-install-kind", size)
    w.show_page(Page.CREDENTIALS.value)
    w.credentials.number.setText("1234 5678 9012 37")
    w.credentials.pin.setText("12345678")
    save(w, out, "03-install-credentials", size)
    w.credentials.pin.clear()
    w.credentials.explanation.show_explanation(explain(IssuerRefused("pin-invalid", "x", attempts_left=3), lang))
    save(w, out, "04-install-wrong-pin", size)
    w.credentials.explanation.clear()
    w.current = Page.PROGRESS.value  # shown without starting the work: the steps as they look halfway
    w.stack.setCurrentWidget(w.progress)
    w.heading.setText(w.progress.heading)
    w.step.setText(w.step.text().replace("3", "4", 1))
    w.progress.reset()
    w.progress.at("enroll")
    w.state.running = True
    w.refresh_buttons()
    save(w, out, "05-install-progress", size)
    w.progress.failed(IssuerRefused("still-valid", "x", valid_until="30 juni 2027" if lang == "nl" else
                                    "30 June 2027"))
    w.state.running = False
    w.refresh_buttons()
    save(w, out, "06-install-still-valid", size)
    w.state.installed = True
    w.entry = entry()
    w.progress.explanation.clear()
    w.progress.done()
    w.show_page(Page.BACKUP.value)
    w.backup_form.path.setText("/home/anna/Documenten/zorgcert-12345678901231-2026-11-29.zcbackup")
    w.backup_form.passphrase.setText("welkom123")
    save(w, out, "07-install-backup-weak", size)
    w.backup_form.passphrase.setText(STRONG)
    w.backup_form.confirmation.setText(STRONG)
    save(w, out, "08-install-backup-strong", size)
    w.backup_form.passphrase.clear()
    w.backup_form.confirmation.clear()
    w.backup.skip.setChecked(True)
    save(w, out, "09-install-backup-skip", size)
    w.backup.confirm.setChecked(True)
    w.show_page(Page.DONE.value)
    save(w, out, "10-install-done", size)
    w.hide()


def dashboards(desktop: object, lang: str, out: Path) -> None:
    from ui import samples
    from ui.main_window import MainWindow

    states = samples.every_state(NOW)
    window = MainWindow(desktop, lang)
    window.rows = list(states.values())
    window.dashboard.set_rows(window.rows)
    save(window, out, "11-dashboard-all", QSize(900, 1240))
    for i, (state, row) in enumerate(states.items()):
        window.dashboard.set_rows([row])
        save(window, out, f"{12 + i}-dashboard-{state}", QSize(900, 420))
    window.dashboard.set_rows([])
    save(window, out, "17-dashboard-empty", QSize(900, 360))
    window.rows = list(states.values())
    window.support.show_checks(samples.checks(lang))
    window.support.contact.say(
        "De contactpersoon van Huisartsenpraktijk De Linde is Ineke Jansen (ineke@delinde.nl)." if lang == "nl"
        else "The contact person of Huisartsenpraktijk De Linde is Ineke Jansen (ineke@delinde.nl).")
    window.tabs.setCurrentWidget(window.support)
    save(window, out, "18-support", QSize(900, 820))
    window.tabs.setCurrentWidget(window.settings)
    save(window, out, "19-settings", QSize(900, 460))
    window.hide()


def backup_wizard(desktop: object, lang: str, out: Path) -> None:
    from app.desk.wizard import Step
    from ui import samples
    from ui.backup_wizard import BackupWizard

    size = QSize(680, 600)
    rows = list(samples.every_state(NOW).values())
    w = BackupWizard(desktop, lang, rows, mode="make", user_number=rows[0].user_number)
    save(w, out, "20-backup-choose", size)
    w.state.made = True
    w.show_page(Step.TEST.value)
    info = SimpleNamespace(name="Anna de Vries", user_number=rows[0].user_number,
                           not_after=rows[0].valid_until, created_at=NOW.isoformat())
    w.test._passed(info)
    save(w, out, "21-backup-restore-test", size)
    w.hide()
    r = BackupWizard(desktop, lang, rows, mode="restore")
    r.show_page(Step.PICK.value)
    r.pick.path.setText(f"/media/usb/zorgcert-{rows[3].user_number}-2026-07-11.zcbackup")
    r.pick.path.deselect()
    r.pick._inspected(SimpleNamespace(name="Dirk Bakker", user_number=rows[3].user_number,
                                      not_after=rows[3].valid_until, created_at="2026-07-11T09:12:00+00:00"))
    save(r, out, "22-restore-pick", size)
    r.hide()


def large_font(desktop: object, lang: str, out: Path) -> None:
    """The same screens with the application font at 18 pt (WCAG 1.4.4): they wrap and scroll, nothing is cut off."""
    from app.desk.wizard import Page, Step
    from app.errors import IssuerRefused
    from app.explain import explain
    from ui import samples
    from ui.backup_wizard import BackupWizard
    from ui.install_wizard import InstallWizard
    from ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    app.setFont(QFont("DejaVu Sans", 18))
    try:
        states = samples.every_state(NOW)
        window = MainWindow(desktop, lang)
        window.rows = list(states.values())
        window.dashboard.set_rows(window.rows)
        save(window, out, "24-large-dashboard", QSize(900, 1000))
        window.support.show_checks(samples.checks(lang))
        window.tabs.setCurrentWidget(window.support)
        save(window, out, "25-large-support", QSize(900, 1000))
        window.hide()
        w = InstallWizard(desktop, lang)
        w.show_page(Page.CREDENTIALS.value)
        w.credentials.number.setText("1234 5678 9012")
        w.credentials.explanation.show_explanation(explain(IssuerRefused("pin-invalid", "x", attempts_left=3), lang))
        save(w, out, "26-large-install-credentials", QSize(680, 600))
        w.hide()
        rows = list(states.values())
        b = BackupWizard(desktop, lang, rows, mode="make", user_number=rows[0].user_number)
        b.show_page(Step.MAKE.value)
        b.form.passphrase.setText("welkom123")
        save(b, out, "27-large-backup-meter", QSize(680, 600))
        b.hide()
    finally:
        app.setFont(before)


def desk_window(desktop: object, lang: str) -> object:
    """The main window of a contact person: the two tabs in, filled from ``ui.samples`` (no issuer)."""
    from ui import samples
    from ui.desk_tabs import DeskTabs
    from ui.main_window import MainWindow

    window = MainWindow(desktop, lang)
    window.rows = list(samples.every_state(NOW).values())
    window.dashboard.set_rows(window.rows)
    window.desk = DeskTabs(window)
    window.desk.place(True, load=False)
    window.desk.users.set_desk(samples.desk(NOW))
    window.desk.messages.set_messages(list(samples.message_box(NOW).messages))
    return window


def practice(desktop: object, lang: str, out: Path) -> None:
    """Gebruikersbeheer (list, search, each dialog) and the Berichtenbox (PIN hidden, then shown); in English: -en."""
    from ui import samples
    from ui.practice_dialogs import AuthorisationsDialog, RequestDialog, RevokeDialog

    window: Any = desk_window(desktop, lang)
    users, messages = window.desk.users, window.desk.messages
    window.tabs.setCurrentWidget(users)
    save(window, out, "28-users", QSize(900, 1500))
    users.search.setText("jansen")
    save(window, out, "29-users-search", QSize(900, 620))
    users.search.clear()
    users.filter.setCurrentIndex(users.filter.findData("blocked"))
    save(window, out, "30-users-blocked", QSize(900, 760))
    users.filter.setCurrentIndex(0)
    desk = samples.desk(NOW)
    request = RequestDialog(desk.catalogue, lang, parent=window)
    request.name.setText("Gerrit Hoekstra")
    request.email.setText("gerrit@")
    save(request, out, "31-users-request", QSize(620, 640))
    request.hide()
    blocked = desk.users[3]
    revoke = RevokeDialog(blocked, lang, parent=window)
    revoke.reasons.setCurrentIndex(revoke.reasons.findData("affiliation-changed"))
    save(revoke, out, "32-users-revoke", QSize(620, 420))
    revoke.hide()
    authorise = AuthorisationsDialog(blocked, desk.verdicts(blocked), desk.catalogue, lang, parent=window)
    save(authorise, out, "33-users-authorise", QSize(620, 480))
    authorise.hide()
    window.tabs.setCurrentWidget(messages)
    save(window, out, "34-messages", QSize(900, 820))
    messages.rows[0].show_pin(samples.pin())
    save(window, out, "35-messages-pin-shown", QSize(900, 900))
    window.hide()
    if lang == "nl":  # the tabs in English too (the rest of the English screens: scripts/screenshots --lang en)
        english: Any = desk_window(desktop, "en")
        english.tabs.setCurrentWidget(english.desk.users)
        save(english, out, "36-users-en", QSize(900, 1500))
        english.tabs.setCurrentWidget(english.desk.messages)
        save(english, out, "37-messages-en", QSize(900, 820))
        english.hide()


def tray_menu(desktop: object, lang: str, out: Path) -> None:
    """The menu as it opens from the icon, with the four icon colours beside it."""
    from app.desk import certview
    from ui import samples
    from ui.common import icon
    from ui.tray import Agent

    agent = Agent(desktop, lang)
    rows = list(samples.every_state(NOW).values())[:2]
    agent.rows = rows
    agent.set_colour(certview.worst_state(rows, NOW))
    agent.renew_action.setEnabled(True)
    menu = agent.menu
    menu.adjustSize()
    menu_pixmap = menu.grab()
    width, height = max(menu_pixmap.width() + 40, 480), menu_pixmap.height() + 110
    canvas = QPixmap(width, height)
    canvas.fill(QColor("#eef1f4"))
    painter = QPainter(canvas)
    painter.fillRect(0, 0, width, 40, QColor("#2b2f33"))  # a panel with the icon in it
    painter.drawPixmap(width - 40, 6, icon(f"tray-{agent.colour}").pixmap(28, 28))
    painter.drawPixmap(width - 20 - menu_pixmap.width(), 40, menu_pixmap)
    painter.setFont(QFont("DejaVu Sans", 9))
    painter.setPen(QColor("#52606d"))
    legend_y = 52 + menu_pixmap.height()
    for i, colour in enumerate(("green", "orange", "red", "grey")):
        painter.drawPixmap(QPoint(16 + i * 116, legend_y), icon(f"tray-{colour}").pixmap(24, 24))
        words = {"green": ("in orde", "all well"), "orange": ("vernieuwen", "renew"),
                 "red": ("actie nodig", "act now"), "grey": ("geen", "none")}[colour]
        painter.drawText(QPoint(44 + i * 116, legend_y + 17), words[0 if lang == "nl" else 1])
    painter.end()
    path = out / "23-tray-menu.png"
    canvas.save(str(path))
    print(_shown(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/screenshots")
    parser.add_argument("--lang", choices=["nl", "en"], default="nl")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the PNG files (default: docs/screenshots, docs/screenshots/en for --lang en)")
    args = parser.parse_args(argv)
    if args.out is None:  # the English set must not overwrite the Dutch one under the same names
        args.out = ROOT / "docs" / "screenshots" / ("en" if args.lang == "en" else "")
    args.out.mkdir(parents=True, exist_ok=True)

    from app.desk.desktop import Desktop
    from app.state.paths import Paths
    from ui.app import application

    app = application()
    app.setFont(QFont("DejaVu Sans", 10))
    with tempfile.TemporaryDirectory(prefix="zorgcert-screens-") as scratch:
        root = Path(scratch)
        # the settings page names the autostart file of this (made-up) user; nothing is written there
        os.environ["HOME"] = "/home/anna"
        os.environ.pop("XDG_CONFIG_HOME", None)
        desktop = Desktop(Paths(root / "config", root / "data", root / "logs"), clock=FixedClock())
        install_wizard(desktop, args.lang, args.out)
        dashboards(desktop, args.lang, args.out)
        backup_wizard(desktop, args.lang, args.out)
        tray_menu(desktop, args.lang, args.out)
        large_font(desktop, args.lang, args.out)
        practice(desktop, args.lang, args.out)
    count = len(list(args.out.glob("*.png")))
    print(f"{count} screenshots in {_shown(args.out)}")
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
