"""The contact person's tabs in the main window: Gebruikersbeheer and Berichtenbox, there only for a contact person.

After each status read the window asks here; when the personal certificates on this machine
changed, the issuer is asked (off the GUI thread) whether one of them belongs to the
organisation's contact person. Only then are the two tabs put in, right after 'Mijn
certificaten'; when that is no longer so, they go. The unread count is in the tab's title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from app.i18n import t, tn
from ui.common import icon
from ui.worker import run_task

if TYPE_CHECKING:
    from app.errors import ZorgCertError
    from app.lifecycle.status import StatusRow
    from ui.main_window import MainWindow
    from ui.messages_page import MessagesPage
    from ui.users_page import UsersPage


class DeskTabs(QObject):
    """Puts the two tabs in or takes them out; remembers what the issuer said for which certificates.

    A child of the window: an answer that arrives after the window is gone reaches nobody.
    """

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.asked_for: tuple[str, ...] | None = None  # the certificates the last answer was about
        self.contact = False
        self.users: UsersPage | None = None
        self.messages: MessagesPage | None = None

    def check(self, rows: list[StatusRow]) -> None:
        """After a status read: ask the issuer again only if this machine's usable personal certificates changed
        (else read the message box again, for the unread count)."""
        mine = tuple(sorted(r.user_number for r in rows  # personal certificates that work
                            if (r.kind or "personal") == "personal" and r.state in ("valid", "renewal-open")))
        if mine == self.asked_for:
            if self.messages is not None:  # the same contact person: only the message box may have news
                self.messages.refresh()
            return
        self.asked_for = mine
        if not mine:
            self.place(False)
            return
        desktop = self.window.desktop
        run_task(lambda _r, _t: desktop.is_contact_person(), on_success=self.place, on_failure=self._unknown,
                 what="contact-person")

    def _unknown(self, _error: ZorgCertError) -> None:
        """The issuer did not answer: keep the tabs as they are, ask again at the next status read."""
        self.asked_for = None

    def place(self, contact: bool, *, load: bool = True) -> None:
        """Put the tabs in (``contact``) and, with ``load``, fill them from the issuer; or take them out."""
        self.contact = bool(contact)
        tabs = self.window.tabs
        if not self.contact:
            for page in (self.users, self.messages):
                if page is not None and tabs.indexOf(page) >= 0:
                    tabs.removeTab(tabs.indexOf(page))
                    page.deleteLater()
            self.users = self.messages = None
            return
        if self.users is not None and tabs.indexOf(self.users) >= 0:
            return
        from ui.messages_page import MessagesPage
        from ui.users_page import UsersPage

        window, lang = self.window, self.window.lang
        self.users = UsersPage(window.desktop, lang, choose_file=window.choosers.get("form_file"))
        self.messages = MessagesPage(window.desktop, lang)
        window.swapping_tabs = True  # inserting before the shown tab moves the selection: no lazy build for it
        try:
            current = tabs.currentWidget()
            tabs.insertTab(1, self.users, icon("zorgcert"), t("ui.tab.users", lang))
            tabs.insertTab(2, self.messages, icon("info"), t("ui.tab.messages", lang))
            if current is not None:
                tabs.setCurrentWidget(current)
        finally:
            window.swapping_tabs = False
        self.users.setAccessibleName(t("ui.tab.users", lang))
        self.messages.unread_changed.connect(self.set_unread)
        self.users.changed.connect(self.messages.refresh)
        self.set_unread(0)
        if load:
            self.users.refresh()
            self.messages.refresh()

    def rebuilt(self) -> None:
        """The window was built again (a new language): put the tabs back if they were there."""
        self.users = self.messages = None
        if self.contact:
            self.place(True)

    def set_unread(self, count: int) -> None:
        if self.messages is None:
            return
        lang, tabs = self.window.lang, self.window.tabs
        title = tn("ui.tab.messages.unread", count, lang, n=count) if count else t("ui.tab.messages", lang)
        tabs.setTabText(tabs.indexOf(self.messages), title)
        self.messages.setAccessibleName(title)

    def pages(self) -> list[Any]:
        return [p for p in (self.users, self.messages) if p is not None]
