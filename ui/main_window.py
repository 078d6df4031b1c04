"""The main window: the certificates, Support and Settings tabs; opens the wizards; runs the work off the GUI thread.

The Support and Settings tabs, the wizards and the explanation of an error are built when first
needed; their modules are imported then, in the one section at the end, "Imported on first use".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from app.desk.certview import live_state
from app.i18n import t
from ui import access
from ui.common import fmt_date, icon, styled, use_language
from ui.dashboard import Dashboard
from ui.worker import Task, run_task

if TYPE_CHECKING:
    from app.errors import ZorgCertError
    from app.explain import Explanation
    from app.lifecycle.status import StatusRow
    from ui.backup_wizard import BackupWizard
    from ui.desk_tabs import DeskTabs
    from ui.install_wizard import InstallWizard
    from ui.settings_page import SettingsPage
    from ui.support_page import SupportPage

# the tabs after the dashboard, built when first shown or asked for: (attribute, icon or "", tab title key)
LAZY_TABS = (("support", "info", "ui.tab.support"), ("settings", "", "ui.tab.settings"))


class MainWindow(QMainWindow):
    """One window; tests and the screenshot script pass ``choosers`` instead of native file dialogs."""

    refreshed = Signal()
    renewed = Signal(object)

    def __init__(self, desktop: Any, lang: str, *, choosers: dict[str, Callable[..., str]] | None = None):
        super().__init__()
        self.desktop = desktop
        self.choosers = choosers or {}
        self.rows: list[StatusRow] = []
        self.wizard: InstallWizard | BackupWizard | None = None
        self.renewing: Task | None = None
        # what the dashboard's banner (notice or explanation) is about: ("status" | "renew" | "install", number)
        self.banner: tuple[str, str] | None = None
        self.desk: DeskTabs | None = None  # Gebruikersbeheer and Berichtenbox, for a contact person (ui.desk_tabs)
        self.setWindowIcon(icon("zorgcert"))
        styled(self)
        self.resize(860, 680)
        self.build(lang)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)
        # roles for screen readers, just after the first paint (QAccessible costs PySide ~12 ms to build)
        QTimer.singleShot(300, access.install)

    def build(self, lang: str) -> None:
        """(Re)build every tab in ``lang``; used again when the language changes."""
        self.lang = lang
        use_language(lang)
        self.setWindowTitle(t("ui.window.title", lang))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName(t("ui.tabs.name", lang))
        self.tabs.tabBar().setAccessibleName(t("ui.tabs.name", lang))
        self.tabs.setDocumentMode(True)
        self.dashboard = Dashboard(lang, self.desktop.now)
        self.tabs.addTab(self.dashboard, icon("zorgcert"), t("ui.tab.certificates", lang))
        self._pages: dict[str, QWidget] = {}
        self._stand_ins: dict[str, QWidget] = {}
        self.swapping_tabs = False
        for name, symbol, title in LAZY_TABS:  # an empty stand-in until the page is first needed
            self._stand_ins[name] = QWidget()
            if symbol:
                self.tabs.addTab(self._stand_ins[name], icon(symbol), t(title, lang))
            else:
                self.tabs.addTab(self._stand_ins[name], t(title, lang))
        for i in range(self.tabs.count()):
            if (page := self.tabs.widget(i)) is not None:
                page.setAccessibleName(self.tabs.tabText(i))
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.dashboard.action.connect(self.on_action)
        self.dashboard.offer.connect(self.on_offer)
        self.dashboard.install_requested.connect(lambda: self.open_install())
        self.dashboard.restore_requested.connect(lambda: self.open_backup("restore"))
        self.dashboard.refresh_requested.connect(self.refresh)
        if self.rows:
            self.dashboard.set_rows(self.rows)
        if self.desk is not None:
            self.desk.rebuilt()

    @property
    def support(self) -> SupportPage:
        """The Support tab (built now if it was not yet)."""
        return self._page("support")  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsPage:
        """The Settings tab (built now if it was not yet)."""
        return self._page("settings")  # type: ignore[return-value]

    def _tab_shown(self, index: int) -> None:
        if self.swapping_tabs:
            return
        for name, stand_in in self._stand_ins.items():
            if self.tabs.widget(index) is stand_in:
                self._page(name)

    def _page(self, name: str) -> QWidget:
        """The page of a lazy tab, put in place of its stand-in the first time it is asked for."""
        page = self._pages.get(name)
        if page is not None:
            return page
        if name == "support":
            page = _support_page(self.desktop, self.lang, self.choosers.get("support_file"))
        else:
            settings = _settings_page(self.desktop, self.lang)
            settings.language_changed.connect(self.change_language)
            page = settings
        self._pages[name] = page
        stand_in = self._stand_ins[name]
        index = self.tabs.indexOf(stand_in)
        current = self.tabs.currentIndex()
        tab_icon, title = self.tabs.tabIcon(index), self.tabs.tabText(index)
        self.swapping_tabs = True  # removing the shown tab moves the selection: put it back without re-entering
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, tab_icon, title)
            self.tabs.setCurrentIndex(current)
        finally:
            self.swapping_tabs = False
        page.setAccessibleName(title)
        if stand_in is not None:
            stand_in.deleteLater()
        return page

    def change_language(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.desktop.set_language(lang)
        old = self.centralWidget()
        self.build(lang)
        self.tabs.setCurrentWidget(self.settings)
        if old is not None:
            old.deleteLater()
        # the keyboard stays on the language box, and a screen reader hears the change
        self.settings.language.setFocus()
        self.settings.announce_language()

    # --- status -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the certificates again (stores are listed: off the GUI thread)."""
        self.dashboard.set_busy(t("ui.dashboard.loading", self.lang))
        desktop = self.desktop
        run_task(lambda _r, _t: desktop.status(), on_success=self._status, on_failure=self._status_failed,
                 what="status")

    def _status(self, rows: list[StatusRow]) -> None:
        self.rows = rows
        self.dashboard.set_busy("")
        self.dashboard.set_rows(rows)
        self.dashboard.show_notices(self.desktop.notices(self.lang))
        if self.desk is None:
            self.desk = _desk_tabs(self)
        self.desk.check(rows)
        if self.banner is not None and self._banner_over(rows):
            self.dashboard.clear_banners()
            self.banner = None
        self.refreshed.emit()

    def _banner_over(self, rows: list[StatusRow]) -> bool:
        """Whether the state the banner describes is over: status reads again, a failed renewal is done since."""
        source, number = self.banner or ("", "")
        if source == "status":
            return True
        if source == "renew" and not self.dashboard.explanation.isHidden():
            now = self.desktop.now()
            return not any(r.user_number == number and live_state(r, now) == "renewal-open" for r in rows)
        return False

    def _status_failed(self, error: ZorgCertError) -> None:
        self.dashboard.set_busy("")
        self.dashboard.explanation.show_explanation(explain(error, self.lang, "status"), ["support"])
        self.banner = ("status", "")
        self.refreshed.emit()

    def start_action(self, source: str = "", number: str = "") -> None:
        """Another action starts: what the last one said is over."""
        self.dashboard.clear_banners()
        self.banner = (source, number) if source else None

    # --- card actions ---------------------------------------------------------------------------

    def on_action(self, name: str, row: StatusRow) -> None:
        if name == "renew":
            self.renew(row)
        elif name == "reinstall":
            self.open_install(user_number=row.user_number, kind=row.kind or "personal")
        else:
            self.on_offer(name, row.user_number)

    def on_offer(self, name: str, user_number: str = "") -> None:
        """A card's or a wizard's action that needs only the user number: backup, restore, Support, retry."""
        if name == "backup":
            self.open_backup("make", user_number)
        elif name == "restore":
            self.open_backup("restore", user_number)
        elif name in ("support", "doctor"):
            self.tabs.setCurrentWidget(self.support)
            if name == "doctor":
                self.support.run_checks()
        elif name == "retry":
            self.start_action()
            self.refresh()

    def renew(self, row: StatusRow) -> None:
        if self.renewing is not None:
            return
        number, desktop = row.user_number, self.desktop
        self.start_action("renew", number)
        self.dashboard.set_busy(t("ui.renew.busy", self.lang, name=row.name or number))
        for card in self.dashboard.cards:
            card.setEnabled(False)
            card.setAccessibleDescription(t("ui.why.busy", self.lang))  # the busy line above says what runs

        def work(report: Callable[[str], None], _token: object) -> Any:
            return desktop.renew(number, progress=report)

        self.renewing = run_task(
            work,
            on_success=self._renewed,
            on_failure=self._renew_failed,
            on_progress=lambda stage: self.dashboard.set_busy(t(f"ui.stage.{stage}.busy", self.lang)),
            cancel_points=_renew_cancel_points(),
            what="renew",
        )

    def _renewed(self, entry: Any) -> None:
        self.renewing = None
        self.dashboard.set_busy("")
        self.dashboard.tell(t("ui.renew.done", self.lang, name=entry.name, until=fmt_date(entry.not_after, self.lang)))
        self.renewed.emit(entry)
        self.refresh()

    def _renew_failed(self, error: ZorgCertError) -> None:
        self.renewing = None
        self.dashboard.set_busy("")
        for card in self.dashboard.cards:
            card.setEnabled(True)
            card.setAccessibleDescription("")
        words = explain(error, self.lang, "renew")
        self.dashboard.explanation.show_explanation(words, _failure_offers(words.code))
        self.refresh()

    # --- wizards --------------------------------------------------------------------------------

    def open_install(self, *, user_number: str = "", kind: str = "personal") -> InstallWizard:
        self.start_action()

        dialog = _install_wizard()(self.desktop, self.lang, user_number=user_number, kind=kind, parent=self,
                               choose_folder=self.choosers.get("folder"),
                               choose_backup_file=self.choosers.get("backup_file"))
        dialog.installed.connect(lambda _e: self.refresh())
        dialog.failed_in_background.connect(self._install_failed_in_background)
        dialog.wants.connect(lambda offer: self.on_offer(offer, user_number))
        return self._open(dialog)

    def _install_failed_in_background(self, error: ZorgCertError) -> None:
        self.dashboard.explanation.show_explanation(explain(error, self.lang, "install"), ["support"])
        self.banner = ("install", "")

    def open_backup(self, mode: str = "make", user_number: str = "") -> BackupWizard:
        self.start_action()

        dialog = _backup_wizard()(self.desktop, self.lang, self.rows, mode=mode, user_number=user_number, parent=self,
                              choose_backup_file=self.choosers.get("backup_file"),
                              choose_restore_file=self.choosers.get("restore_file"))
        dialog.made.connect(lambda _r: self.refresh())
        dialog.restored.connect(lambda _o: self.refresh())
        return self._open(dialog)

    def _open(self, dialog: Any) -> Any:
        self.wizard = dialog
        dialog.finished.connect(lambda _code: self._closed(dialog))
        dialog.open()  # window-modal, but the event loop keeps running
        return dialog

    def _closed(self, dialog: QWidget) -> None:
        if self.wizard is dialog:
            self.wizard = None
        self.refresh()


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late. The first painted dashboard is measured against a bare
# window (docs/performance.md, within 1.5x): the Support and Settings tabs, the wizards with their
# rules (``app.desk.wizard``) and ``app.explain`` are not on screen then, so their modules are imported
# when they are first shown or asked for.


def explain(error: ZorgCertError, lang: str, where: str = "") -> Explanation:
    """``app.explain.report``: logged with a reference (shown too)."""
    from app.explain import report

    return report(error, lang, where)


def _support_page(desktop: Any, lang: str, choose_file: Callable[..., str] | None) -> SupportPage:
    from ui.support_page import SupportPage

    return SupportPage(desktop, lang, choose_file=choose_file)


def _settings_page(desktop: Any, lang: str) -> SettingsPage:
    from ui.settings_page import SettingsPage

    return SettingsPage(desktop, lang)


def _desk_tabs(window: MainWindow) -> DeskTabs:
    from ui.desk_tabs import DeskTabs

    return DeskTabs(window)


def _install_wizard() -> type[InstallWizard]:
    from ui.install_wizard import InstallWizard

    return InstallWizard


def _backup_wizard() -> type[BackupWizard]:
    from ui.backup_wizard import BackupWizard

    return BackupWizard


def _renew_cancel_points() -> tuple[str, ...]:
    from app.desk.wizard import RENEW_CANCEL_POINTS

    return RENEW_CANCEL_POINTS


def _failure_offers(code: str) -> list[str]:
    from app.desk.wizard import failure_offers

    return failure_offers(code)
