"""Start the desktop app (``zorgcert gui``) or the tray agent (``zorgcert agent``).

The window and the agent are imported only by the one that starts (the agent at rest holds no
window code), in the one section at the end, "Imported on first use".
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

# isort: off
# What the first window needs besides Qt is imported before PySide6: once PySide6 is loaded,
# its ``__feature__`` import hook reads the source of every module imported after it (about
# a quarter of a millisecond each, some 60 modules on the way to the first painted dashboard).
from app.desk import certview  # noqa: F401 - imported for that reason only
from app.state import journal, preferences  # noqa: F401 - imported for that reason only
from app.lifecycle import status  # noqa: F401 - imported for that reason only
from app.desk.desktop import Desktop
from app.errors import ZorgCertError
from app.state.logfile import log_to_file
from app.state.paths import paths
from app.i18n import t

from PySide6.QtWidgets import QApplication, QSystemTrayIcon  # after the modules above, on purpose

from ui.common import icon

# isort: on

if TYPE_CHECKING:
    from app.desk.reminders import Reminder
    from app.explain import Explanation
    from ui.main_window import MainWindow
    from ui.tray import Agent


def _parse(argv: list[str] | None, prog: str) -> Any:
    """The options; a double-click passes none, and then argparse is not even imported.

    Measured: argparse with one option costs the first painted dashboard 15 million instructions
    (2% of its start; docs/performance.md), on a target with a few per cent of margin.
    """
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        return SimpleNamespace(lang=None, once=False)
    import argparse

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--lang", choices=["nl", "en"], help="language (default nl)")
    if prog.endswith("agent"):
        parser.add_argument("--once", action="store_true", help="check once, print what is due, exit (no tray)")
    return parser.parse_args(argv)


def application() -> QApplication:
    """The one QApplication, made on first use."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qapp = QApplication(sys.argv[:1])
    qapp.setApplicationName("ZorgCert")
    qapp.setOrganizationName("ZorgCert")
    qapp.setDesktopFileName("zorgcert")
    qapp.setWindowIcon(icon("zorgcert"))
    return qapp


def no_display() -> bool:
    """True on Linux without X11, Wayland or an explicit Qt platform: Qt would abort instead of saying so."""
    if not sys.platform.startswith("linux"):
        return False
    return not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    """The main window; returns the exit code."""
    args = _parse(argv, "zorgcert gui")
    log_to_file(paths())  # once per process: after ``zorgcert gui`` set it up, this does nothing
    if no_display():
        print(t("ui.no_display", Desktop(paths()).language(args.lang)), file=sys.stderr)
        return 2
    qapp = application()
    desktop = Desktop(paths())
    lang = desktop.language(args.lang)
    window = _main_window(desktop, lang)
    window.show()
    window.refresh()
    return int(qapp.exec())


def agent_main(argv: list[str] | None = None) -> int:
    """The tray agent; without a system tray it says so (``--once`` checks and prints instead)."""
    args = _parse(argv, "zorgcert agent")
    log_to_file(paths())  # once per process: after ``zorgcert gui`` set it up, this does nothing
    desktop = Desktop(paths())
    lang = desktop.language(args.lang)
    if args.once:
        return _check_once(desktop, lang)
    if no_display():
        print(t("ui.no_display", lang), file=sys.stderr)
        return 2
    qapp = application()
    if not QSystemTrayIcon.isSystemTrayAvailable():
        print(t("ui.agent.no_tray", lang), file=sys.stderr)
        return 2
    qapp.setQuitOnLastWindowClosed(False)  # closing the window leaves the tray running
    agent = _agent(desktop, lang)
    windows: dict[str, MainWindow] = {}

    def open_window(what: str) -> None:
        window = windows.get("main")
        if window is None:  # the agent at rest holds no window code in memory
            window = windows["main"] = _main_window(desktop, lang)
        window.show()
        window.raise_()
        window.activateWindow()
        window.refresh()
        if what == "backup":
            window.open_backup("make")

    agent.open_requested.connect(open_window)
    agent.start()
    return int(qapp.exec())


def _check_once(desktop: Desktop, lang: str) -> int:
    """Headless: the reminders due now, printed (and remembered as told)."""
    try:
        rows = desktop.status()
        due = desktop.due_reminders(rows)
    except ZorgCertError as exc:
        words = _report(exc, lang, "agent --once")
        print(words.message, words.next_step, t("error.reference", lang, reference=words.reference), sep="\n",
              file=sys.stderr)
        return exc.exit_code
    for reminder in due:
        title, text = _reminder_text(reminder, lang)
        print(f"{title}: {text}")
        desktop.mark_told(reminder)
    if not due:
        print(t("ui.agent.nothing_due", lang))
    return 0


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late: the main window's modules only when a window opens (the
# agent at rest never), the tray's only for the agent, ``app.explain`` only when an error is told.


def _main_window(desktop: Desktop, lang: str) -> MainWindow:
    from ui.main_window import MainWindow

    return MainWindow(desktop, lang)


def _agent(desktop: Desktop, lang: str) -> Agent:
    from ui.tray import Agent

    return Agent(desktop, lang)


def _reminder_text(reminder: Reminder, lang: str) -> tuple[str, str]:
    from ui.tray import reminder_text  # dates through QLocale: no QApplication, no display needed

    return reminder_text(reminder, lang)


def _report(error: ZorgCertError, lang: str, where: str) -> Explanation:
    from app.explain import report

    return report(error, lang, where)


if __name__ == "__main__":
    sys.exit(main())
