"""Gebruikersbeheer: the organisation's users with their state, search and filter, and the actions the rules allow.

Shown only to a contact person. Every rule (which state, which action, why not) is
``app.practice.users``; every call goes through the Desktop seam in a worker thread. The
dialogs for a request, a revocation and the authorisations are in ``ui.practice_dialogs``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import t, tn
from app.practice import users as rules
from ui.access import mark
from ui.common import ExplanationBox, FlowLayout, FocusLabel, Notice, allow, scrolling_page, title_label
from ui.worker import run_task

if TYPE_CHECKING:
    from app.desk.desktop import Desktop
    from app.errors import ZorgCertError
    from app.explain import Explanation
    from app.practice.users import Desk, OrgUser, Service, Verdict

ROW_ACTIONS = ("unblock", "revoke", "authorise")  # the buttons on each user's row, in this order


def state_text(user: OrgUser, lang: str) -> str:
    """The user's state in words, with the days left of the install window when approved (R3)."""
    words = t(f"practice.state.{user.state.value}", lang)
    if user.days_left is not None:
        words += " — " + tn("practice.days_left", user.days_left, lang, n=user.days_left)
    return words[:1].upper() + words[1:]


def authorise_verdict(verdicts: tuple[Verdict, ...], lang: str) -> str:
    """Why 'change authorisations' is off ("" when some service may be granted or withdrawn): the first reason."""
    about = [v for v in verdicts if v.action in (rules.Action.AUTHORISE, rules.Action.DEAUTHORISE)]
    if any(v.allowed for v in about):
        return ""
    reasons = [v.words(lang) for v in about if v.reason]
    if not about:
        return t("ui.why.users.no_catalogue", lang)
    final = [r for r in reasons if r and all(r == x for x in reasons)]
    return final[0] if final else reasons[0]


def _explain(error: ZorgCertError, lang: str) -> Explanation:
    from app.explain import report

    return report(error, lang, "users")


class UserRow(QFrame):
    """One user: name (a heading), kind and user number, state in words, authorisations, the allowed actions."""

    action = Signal(str, object)  # action name, the OrgUser

    def __init__(self, user: OrgUser, verdicts: tuple[Verdict, ...], lang: str, titles: dict[str, str] | None = None):
        super().__init__()
        self.user = user
        self.verdicts = verdicts
        self.lang = lang
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        self.holder = title_label(user.name or user.user_number, "holder")
        outer.addWidget(self.holder)
        kind = t(f"kind.{user.kind}", lang)
        number = user.user_number or t("ui.users.no_number", lang)
        self.kind = QLabel(t("ui.users.kind_number", lang, kind=kind, number=number))
        self.kind.setObjectName("user-kind")
        self.kind.setProperty("role", "subtitle")
        self.kind.setWordWrap(True)
        self.kind.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.kind)
        self.state = QLabel(state_text(user, lang))
        self.state.setObjectName("user-state")
        self.state.setWordWrap(True)
        attention = (rules.UserState.BLOCKED, rules.UserState.EXPIRED, rules.UserState.APPROVED,
                     rules.UserState.RENEWAL_OPEN, rules.UserState.LAPSED)
        self.state.setProperty("role", "warning" if user.state in attention else "")
        outer.addWidget(self.state)
        titles = titles or {}
        services = ", ".join(titles.get(a, a) for a in user.authorisations) or t("ui.users.no_authorisations", lang)
        self.authorisations = QLabel(t("ui.users.authorisations", lang, services=services))
        self.authorisations.setObjectName("user-authorisations")
        self.authorisations.setProperty("role", "field")
        self.authorisations.setWordWrap(True)
        outer.addWidget(self.authorisations)
        buttons = FlowLayout()
        self.buttons: dict[str, QPushButton] = {}
        reasons = []
        who = user.name or user.user_number
        by_action = {v.action.value: v for v in verdicts if v.action in (rules.Action.UNBLOCK, rules.Action.REVOKE)}
        for name in ROW_ACTIONS:
            button = QPushButton(t(f"ui.users.action.{name}", lang))
            button.setObjectName(f"user-{name}")
            button.setAccessibleName(f"{button.text()} — {who}")
            button.setAutoDefault(True)  # Enter presses the focused button
            if name == "authorise":
                why = authorise_verdict(verdicts, lang)
            else:
                why = by_action[name].words(lang) if not by_action[name].allowed else ""
            allow(button, why)
            # unblocking can never apply to a user who is not blocked: not shown (like the dashboard's buttons)
            applies = not (name == "unblock" and not user.blocked)
            if not applies:
                button.hide()  # hide only: showing a widget that has no parent yet makes it a window
            if why and applies:
                reasons.append(f"{button.text()}: {why}")  # each reason names its action
            button.clicked.connect(lambda _=False, n=name: self.action.emit(n, self.user))
            buttons.addWidget(button)
            self.buttons[name] = button
        outer.addLayout(buttons)
        # why a button is off, as text the keyboard reaches (Tab skips disabled buttons)
        self.why = FocusLabel("user-why")
        outer.addWidget(self.why)
        self.why.say("\n".join(reasons))
        self.setAccessibleName(t("ui.users.row", lang, name=who, state=self.state.text()))

    def matches(self, text: str, state: str) -> bool:
        """Whether the row passes the search ``text`` (name, user number, e-mail) and the filter ``state``."""
        return rules.matches(self.user, text, states=[rules.UserState(state)] if state else None)


class UsersPage(QWidget):
    """The whole tab: heading, request and form buttons, search and filter, the list, a line for results."""

    changed = Signal()  # something the issuer holds changed (the message box may have news)

    def __init__(self, desktop: Desktop, lang: str, *, choose_file: Callable[[str], str] | None = None):
        super().__init__()
        self.desktop = desktop
        self.lang = lang
        self.choose_file = choose_file or self._ask_file
        self.desk: Desk | None = None
        self.rows: list[UserRow] = []
        self.dialog: QWidget | None = None
        outer = scrolling_page(self, "users", t("ui.tab.users", lang), t("ui.users.heading", lang),
                               t("ui.users.intro", lang))

        actions = FlowLayout()
        self.request_button = QPushButton(t("ui.users.request", lang))
        self.request_button.setObjectName("users-request")
        self.form_button = QPushButton(t("ui.users.form.request", lang))
        self.form_button.setObjectName("users-form-request")
        self.zip_button = QPushButton(t("ui.users.form.zorginkoopportaal", lang))
        self.zip_button.setObjectName("users-form-zorginkoopportaal")
        self.refresh_button = QPushButton(t("ui.users.refresh", lang))
        self.refresh_button.setObjectName("users-refresh")
        for button in (self.request_button, self.form_button, self.zip_button, self.refresh_button):
            button.setAccessibleName(button.text())
            button.setAutoDefault(True)  # Enter presses the focused button, as Space does
            actions.addWidget(button)
        outer.addLayout(actions)
        self.request_why = FocusLabel("users-request-why")
        outer.addWidget(self.request_why)

        filters = QHBoxLayout()
        search_label = QLabel(t("ui.users.search", lang))
        self.search = QLineEdit()
        self.search.setObjectName("users-search")
        self.search.setAccessibleName(t("ui.users.search", lang))
        self.search.setPlaceholderText(t("ui.users.search.placeholder", lang))
        self.search.setClearButtonEnabled(True)
        search_label.setBuddy(self.search)
        filter_label = QLabel(t("ui.users.filter", lang))
        self.filter = QComboBox()
        self.filter.setObjectName("users-filter")
        self.filter.setAccessibleName(t("ui.users.filter", lang))
        self.filter.addItem(t("ui.users.filter.all", lang), "")
        for state in rules.UserState:
            self.filter.addItem(state_text_of(state, lang), state.value)
        filter_label.setBuddy(self.filter)
        filters.addWidget(search_label)
        filters.addWidget(self.search, 2)
        filters.addWidget(filter_label)
        filters.addWidget(self.filter, 1)
        outer.addLayout(filters)
        self.count = FocusLabel("users-count", "")  # "3 of 7 users": a status the keyboard reaches
        mark(self.count, "status")
        outer.addWidget(self.count)
        self.result = Notice("", "success")
        self.result.setObjectName("users-result")
        self.result.hide()
        outer.addWidget(self.result)
        self.explanation = ExplanationBox(lang)
        self.explanation.setObjectName("users-explanation")
        outer.addWidget(self.explanation)
        self.list = QWidget()
        self.list.setAccessibleName(t("ui.users.list", lang))
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(10)
        outer.addWidget(self.list)
        self.empty = QLabel(t("ui.users.empty", lang))
        self.empty.setObjectName("users-empty")
        self.empty.setWordWrap(True)
        self.list_layout.addWidget(self.empty)
        outer.addStretch(1)

        self.request_button.clicked.connect(self.open_request)
        self.form_button.clicked.connect(lambda: self.make_form("request"))
        self.zip_button.clicked.connect(lambda: self.make_form("zorginkoopportaal"))
        self.refresh_button.clicked.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self.apply_filter())
        self.filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self._request_allowed(t("ui.why.users.loading", lang))

    def _request_allowed(self, why: str) -> None:
        allow(self.request_button, why)
        self.request_why.say(why)

    @property
    def catalogue(self) -> tuple[Service, ...]:
        return self.desk.catalogue if self.desk is not None else ()

    @property
    def users(self) -> tuple[OrgUser, ...]:
        return self.desk.users if self.desk is not None else ()

    # --- the list -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask the issuer for the users and the catalogue of services (off the GUI thread)."""
        allow(self.refresh_button, t("ui.why.busy", self.lang))
        self.count.say(t("ui.users.loading", self.lang), announce_it=True)
        desktop = self.desktop
        run_task(lambda _r, _t: desktop.org_desk(), on_success=self.set_desk, on_failure=self._failed,
                 what="org-users")

    def set_desk(self, desk: Desk) -> None:
        """Show this desk's users (replaces the rows), then the search and filter as they stand."""
        allow(self.refresh_button, "")
        self.desk = desk
        verdict = desk.can_request()
        self._request_allowed("" if verdict.allowed else verdict.words(self.lang))
        focus = QApplication.focusWidget()
        had_focus = focus is not None and any(r.isAncestorOf(focus) for r in self.rows)
        for row in self.rows:
            row.hide()  # not setParent(None): that makes it a window for a moment, and the app loses focus
            self.list_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        titles = {s.name: s.title(self.lang) for s in desk.catalogue}
        for user in sorted(desk.users, key=lambda u: (u.name.casefold(), u.user_number)):
            row = UserRow(user, desk.verdicts(user), self.lang, titles)
            row.action.connect(self.on_action)
            self.rows.append(row)
            self.list_layout.addWidget(row)
        self.apply_filter(announce_it=False)
        if had_focus:  # the keyboard was on a row that is gone: to the line that says what the list holds
            self.count.setFocus()

    def apply_filter(self, *, announce_it: bool = True) -> None:
        text, state = self.search.text(), str(self.filter.currentData() or "")
        shown = 0
        for row in self.rows:
            visible = row.matches(text, state)
            row.setVisible(visible)
            shown += visible
        self.empty.setVisible(shown == 0)
        self.empty.setText(t("ui.users.empty" if not self.rows else "ui.users.none_match", self.lang))
        total = len(self.rows)
        self.count.say(tn("ui.users.count", total, self.lang, n=total, shown=shown), announce_it=announce_it)

    def visible_rows(self) -> list[UserRow]:
        return [r for r in self.rows if not r.isHidden()]

    # --- actions ---------------------------------------------------------------------------------

    def on_action(self, name: str, user: OrgUser) -> None:
        from ui import practice_dialogs as dialogs

        if name == "unblock":
            self.run(lambda: self.desktop.unblock_user(user.user_number),
                     t("ui.users.done.unblock", self.lang, name=user.name), "unblock")
        elif name == "revoke":
            self._open(dialogs.RevokeDialog(user, self.lang, parent=self), self._revoke)
        elif name == "authorise":
            self._open(dialogs.AuthorisationsDialog(user, self._verdicts(user), self.catalogue, self.lang, parent=self),
                       self._authorise)

    def _verdicts(self, user: OrgUser) -> tuple[Verdict, ...]:
        return self.desk.verdicts(user) if self.desk is not None else ()

    def open_request(self) -> Any:
        from ui import practice_dialogs as dialogs

        return self._open(dialogs.RequestDialog(self.catalogue, self.lang, parent=self), self._request)

    def _open(self, dialog: Any, then: Callable[[Any], None]) -> Any:
        self.dialog = dialog
        dialog.accepted.connect(lambda: then(dialog))
        dialog.finished.connect(lambda _c: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def _request(self, dialog: Any) -> None:
        values = dialog.values()
        self.run(lambda: self.desktop.request_user(**values), "", "request",
                 done=lambda answer: t("ui.users.done.request", self.lang, name=values["name"],
                                       request_id=_request_id(answer)))

    def _revoke(self, dialog: Any) -> None:
        user, reason = dialog.user, dialog.reason()
        self.run(lambda: self.desktop.revoke_user(user.user_number, reason),
                 t("ui.users.done.revoke", self.lang, name=user.name), "revoke")

    def _authorise(self, dialog: Any) -> None:
        user, grant, take = dialog.user, dialog.granted(), dialog.withdrawn()
        if not grant and not take:
            return
        desktop = self.desktop

        def work() -> None:
            for service in grant:
                desktop.authorise(user.user_number, service)
            for service in take:
                desktop.deauthorise(user.user_number, service)

        self.run(work, t("ui.users.done.authorise", self.lang, name=user.name), "authorise")

    def run(self, call: Callable[[], Any], text: str, what: str, *,
            done: Callable[[Any], str] | None = None) -> None:
        """Run one action off the GUI thread; its result is announced, then the list reads again."""
        self.explanation.clear()
        self.result.hide()
        self.count.say(t("ui.users.busy", self.lang), announce_it=True)
        focus = QApplication.focusWidget()
        if focus is not None and any(r.isAncestorOf(focus) for r in self.rows):
            self.count.setFocus()  # the rows wait: the keyboard goes to the line that says what runs
        for row in self.rows:
            row.setEnabled(False)

        def succeeded(answer: Any) -> None:
            self._told(done(answer) if done else text)

        run_task(lambda _r, _t: call(), on_success=succeeded, on_failure=self._failed, what=what)

    def _told(self, text: str) -> None:
        self.result.set_text(text)
        self.result.show()
        self.changed.emit()
        self.refresh()

    def _failed(self, error: ZorgCertError) -> None:
        allow(self.refresh_button, "")
        for row in self.rows:
            row.setEnabled(True)
        self.count.say("")
        self.explanation.show_explanation(_explain(error, self.lang), ["retry"] if not self.rows else [])

    # --- paper forms ----------------------------------------------------------------------------

    def _ask_file(self, suggestion: str) -> str:
        chosen, _ = QFileDialog.getSaveFileName(self, t("ui.users.form.save", self.lang), suggestion,
                                                t("ui.users.form.filter", self.lang))
        return chosen

    def make_form(self, which: str) -> None:
        target = self.choose_file(str(self.desktop.suggested_form_path(which)))
        if not target:
            return
        lang, desktop = self.lang, self.desktop
        self.run(lambda: desktop.make_form(which, Path(target), lang=lang), "", f"form-{which}",
                 done=lambda path: t("ui.users.form.made", lang, path=str(path)))


def _request_id(answer: Any) -> str:
    return str(getattr(answer, "request_id", "") or "")


def state_text_of(state: rules.UserState, lang: str) -> str:
    words = t(f"practice.state.{state.value}", lang)
    return words[:1].upper() + words[1:]
