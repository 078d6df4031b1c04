"""Gebruikersbeheer (issue 16): the tab only for a contact person, the list with search and filter, each action
on or off with its reason as text, the revocation's final confirmation, a request by keyboard alone.

The pages get made-up desks (``ui.samples.desk``) through the offline user's Desktop, whose issuer calls
are replaced here (as the other page tests do); ``test_practice_real.py`` runs against the real issuer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.desk.desktop import Desktop
from tests.ui.test_accessibility_keyboard import _focus, enter, tab_to
from ui import access, samples
from ui.desk_tabs import DeskTabs
from ui.main_window import MainWindow
from ui.practice_dialogs import AuthorisationsDialog, RequestDialog, RevokeDialog
from ui.users_page import UserRow, UsersPage

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture()
def heard() -> Iterator[list[tuple[str, bool]]]:
    said: list[tuple[str, bool]] = []

    def hook(_widget: object, text: str, assertive: bool) -> None:
        said.append((text, assertive))

    access.listeners.append(hook)
    yield said
    access.listeners.remove(hook)


class Seam:
    """What the issuer would be asked, recorded; the answers are the samples'."""

    def __init__(self, desktop: Desktop, monkeypatch: pytest.MonkeyPatch, *, contact: bool = True):
        self.calls: list[tuple[Any, ...]] = []
        self.contact = contact
        desktop.clock = Clock()
        answers = {
            "is_contact_person": lambda *a, **k: self._record("is_contact_person") or self.contact,
            "org_desk": lambda *a, **k: self._record("org_desk") or samples.desk(NOW),
            "message_box": lambda *a, **k: self._record("message_box") or samples.message_box(NOW),
            "unblock_user": lambda n, **k: self._record("unblock_user", n),
            "revoke_user": lambda n, reason, **k: self._record("revoke_user", n, reason) or ("5f",),
            "authorise": lambda n, s, **k: self._record("authorise", n, s) or (),
            "deauthorise": lambda n, s, **k: self._record("deauthorise", n, s) or (),
            "request_user": lambda **k: self._record("request_user", k) or SimpleNamespace(request_id="77"),
            "make_form": lambda form, out, **k: self._record("make_form", form, Path(out), k.get("lang")) or out,
        }
        for name, answer in answers.items():
            monkeypatch.setattr(desktop, name, answer, raising=False)

    def _record(self, *call: Any) -> None:
        self.calls.append(call)

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


def contact_window(qtbot, desktop: Desktop, seam: Seam, *, shown: bool = False) -> MainWindow:
    """The main window after a status read that found a valid personal certificate."""
    window = MainWindow(desktop, "nl", choosers={"form_file": lambda _s: str(Path("/tmp/unused.pdf"))})
    qtbot.addWidget(window)
    if shown:
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    window._status([samples.every_state(NOW)["valid"]])
    qtbot.waitUntil(lambda: "is_contact_person" in seam.names(), timeout=5_000)
    if seam.contact:
        qtbot.waitUntil(lambda: window.desk is not None and window.desk.users is not None
                        and window.desk.users.desk is not None, timeout=5_000)
        qtbot.waitUntil(lambda: window.desk is not None and window.desk.messages is not None
                        and bool(window.desk.messages.rows), timeout=5_000)
    if shown:  # filling the tabs leaves the window the active one (no row flashes up as a window of its own)
        assert QApplication.activeWindow() is window
    return window


def titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def users_page(qtbot, desktop: Desktop) -> UsersPage:
    desktop.clock = Clock()
    page = UsersPage(desktop, "nl", choose_file=lambda _s: "")
    qtbot.addWidget(page)
    page.set_desk(samples.desk(NOW))
    return page


def row_of(page: UsersPage, name: str) -> UserRow:
    return next(r for r in page.rows if r.user.name == name)


def test_no_tab_for_someone_who_is_not_the_contact_person(qtbot, offline: Desktop, monkeypatch) -> None:
    seam = Seam(offline, monkeypatch, contact=False)
    window = contact_window(qtbot, offline, seam)
    qtbot.wait(50)
    assert "Gebruikersbeheer" not in titles(window) and window.tabs.count() == 3
    assert "org_desk" not in seam.names()


def test_no_question_to_the_issuer_without_a_working_personal_certificate(qtbot, offline: Desktop,
                                                                        monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    window = MainWindow(offline, "nl")
    qtbot.addWidget(window)
    states = samples.every_state(NOW)
    window._status([states["expired"], states["lost"], states["revoked"]])  # the system one is revoked
    qtbot.wait(50)
    assert seam.calls == [] and window.tabs.count() == 3


def test_the_tabs_come_for_the_contact_person_and_go_when_that_ends(qtbot, offline: Desktop, monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    window = contact_window(qtbot, offline, seam)
    assert titles(window)[:3] == ["Mijn certificaten", "Gebruikersbeheer", "Berichtenbox (2 nieuw)"]
    assert titles(window)[3:] == ["Support", "Instellingen"]
    assert window.tabs.currentIndex() == 0  # putting the tabs in does not move the user
    window.tabs.setCurrentIndex(3)  # the lazy Support tab is still found behind the new ones
    assert window.tabs.currentWidget() is window.support
    window._status([samples.every_state(NOW)["valid"]])  # the same certificate: not asked again
    assert seam.names().count("is_contact_person") == 1
    qtbot.waitUntil(lambda: seam.names().count("message_box") == 2, timeout=5_000)  # but the box is read again
    seam.contact = False
    window._status([samples.every_state(NOW)["renewal-open"]])  # another certificate: asked again
    qtbot.waitUntil(lambda: "Gebruikersbeheer" not in titles(window), timeout=5_000)
    assert titles(window) == ["Mijn certificaten", "Support", "Instellingen"]


def test_the_tabs_survive_a_change_of_language(qtbot, offline: Desktop, monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    window = contact_window(qtbot, offline, seam)
    window.change_language("en")
    assert titles(window)[1] == "User management"
    qtbot.waitUntil(lambda: titles(window)[2] == "Message box (2 new)", timeout=5_000)


def test_list_search_and_filter(qtbot, offline: Desktop, heard) -> None:
    page = users_page(qtbot, offline)
    assert len(page.rows) == 8 and len(page.visible_rows()) == 8
    assert page.count.text() == "8 van 8 gebruikers getoond"
    carla = row_of(page, "Carla Smit")
    assert carla.state.text() == "Goedgekeurd, nog niet geïnstalleerd — nog 42 dagen om te installeren"
    assert carla.kind.text() == "persoonlijk certificaat · gebruikersnummer " + carla.user.user_number
    assert row_of(page, "Bas Jansen").state.text() == "Aangevraagd, wacht op goedkeuring"
    assert row_of(page, "Anna de Vries").authorisations.text() == \
        "Autorisaties: Portaal (inloggen op de website), Zorginkoopportaal"
    page.search.setText("JANSEN")
    assert [r.user.name for r in page.visible_rows()] == ["Bas Jansen"]
    assert heard[-1] == ("1 van 8 gebruikers getoond", False)
    page.search.setText(carla.user.user_number[:9])  # part of a user number
    assert [r.user.name for r in page.visible_rows()] == ["Carla Smit"]
    page.search.clear()
    page.filter.setCurrentIndex(page.filter.findData("blocked"))
    assert sorted(r.user.name for r in page.visible_rows()) == ["Dirk Bakker", "HIS-koppeling"]
    page.search.setText("dirk")
    assert [r.user.name for r in page.visible_rows()] == ["Dirk Bakker"]
    page.search.setText("niemand")
    assert page.visible_rows() == [] and page.empty.isVisibleTo(page)
    assert page.empty.text() == "Geen gebruiker past bij uw zoekopdracht of filter."
    states = [page.filter.itemData(i) for i in range(page.filter.count())]
    assert states[0] == "" and {"requested", "approved", "installed", "renewal-open", "expired", "blocked",
                                "revoked"} <= set(states)


# (user, action): None when allowed, else words the reason under the row must hold; "hidden" when not shown
EXPECTED = {
    ("Dirk Bakker", "unblock"): None, ("Dirk Bakker", "revoke"): None, ("Dirk Bakker", "authorise"): None,
    ("HIS-koppeling", "unblock"): "Alleen Support kan de gebruiker van een systeemcertificaat deblokkeren",
    ("HIS-koppeling", "revoke"): None,
    ("Anna de Vries", "revoke"): "eigen certificaat", ("Anna de Vries", "unblock"): "hidden",
    ("Bas Jansen", "revoke"): "wacht op goedkeuring", ("Carla Smit", "revoke"): "nog geen certificaat geïnstalleerd",
    ("Eva Mulder", "revoke"): None, ("Frank de Boer", "revoke"): "verlopen",
    ("Oude koppeling", "revoke"): "definitief", ("Oude koppeling", "authorise"): "definitief",
}


@pytest.mark.parametrize(("name", "action"), list(EXPECTED), ids=[f"{n}-{a}" for n, a in EXPECTED])
def test_each_action_is_on_or_off_with_its_reason_as_text(qtbot, offline: Desktop, name: str, action: str) -> None:
    page = users_page(qtbot, offline)
    page.show()
    row = row_of(page, name)
    button = row.buttons[action]
    expected = EXPECTED[(name, action)]
    if expected == "hidden":
        assert not button.isVisibleTo(page)
        return
    assert button.isVisibleTo(page)
    if expected is None:
        assert button.isEnabled() and not button.accessibleDescription()
        return
    assert not button.isEnabled()
    assert expected in button.accessibleDescription() and expected in button.toolTip()
    # the reason is text under the row that Tab reaches, naming its action
    assert f"{button.text()}: {button.accessibleDescription()}" in row.why.text()
    assert row.why.isVisibleTo(page) and row.why.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_a_system_certificate_says_how_to_reach_support(qtbot, offline: Desktop) -> None:
    page = users_page(qtbot, offline)
    why = row_of(page, "HIS-koppeling").why.text()
    assert "088 123 45 67" in why and "support@uitgever.example.nl" in why


def test_unblock_asks_the_issuer_and_says_so(qtbot, offline: Desktop, monkeypatch, heard) -> None:
    seam = Seam(offline, monkeypatch)
    page = users_page(qtbot, offline)
    dirk = row_of(page, "Dirk Bakker")
    qtbot.mouseClick(dirk.buttons["unblock"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.isVisibleTo(page), timeout=5_000)
    assert ("unblock_user", dirk.user.user_number) in seam.calls
    assert page.result.label.text().startswith("Dirk Bakker is gedeblokkeerd")
    assert any(text.startswith("Dirk Bakker is gedeblokkeerd") for text, _ in heard)
    qtbot.waitUntil(lambda: seam.names().count("org_desk") == 1, timeout=5_000)  # and the list reads again


def test_revoking_needs_a_reason_and_a_confirmation_that_says_it_is_final(qtbot, offline: Desktop,
                                                                           monkeypatch, heard) -> None:
    seam = Seam(offline, monkeypatch)
    page = users_page(qtbot, offline)
    eva = row_of(page, "Eva Mulder")
    qtbot.mouseClick(eva.buttons["revoke"], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, RevokeDialog) and dialog.isVisible()
    final = dialog.findChild(QWidget, "revoke-final")
    assert "definitief" in final.text() and "nooit meer" in final.text() and eva.user.user_number in final.text()
    assert final.property(access.ROLE) == "alert"
    assert dialog.reason() == "" and not dialog.main_button.isEnabled()  # never a default reason
    assert dialog.why.text() == "Kies eerst een reden voor het intrekken."
    assert dialog.cancel_button.isDefault()  # Enter anywhere but on the main button does not revoke
    dialog.reasons.setCurrentIndex(dialog.reasons.findData("affiliation-changed"))
    assert not dialog.main_button.isEnabled() and "definitief" in dialog.why.text()
    dialog.understood.setChecked(True)
    assert dialog.main_button.isEnabled() and not dialog.why.isVisibleTo(dialog)
    assert dialog.main_button.text() == "Definitief intrekken"
    qtbot.mouseClick(dialog.main_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("revoke_user", eva.user.user_number, "affiliation-changed") in seam.calls,
                    timeout=5_000)
    qtbot.waitUntil(lambda: page.result.isVisibleTo(page), timeout=5_000)
    assert "definitief" in page.result.label.text().lower()


def test_cancel_revokes_nothing(qtbot, offline: Desktop, monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    page = users_page(qtbot, offline)
    qtbot.mouseClick(row_of(page, "Eva Mulder").buttons["revoke"], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    dialog.reasons.setCurrentIndex(1)
    dialog.understood.setChecked(True)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.wait(50)
    assert "revoke_user" not in seam.names()


def test_authorisations_only_where_the_rules_allow_them(qtbot, offline: Desktop, monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    page = users_page(qtbot, offline)
    his = row_of(page, "HIS-koppeling")
    qtbot.mouseClick(his.buttons["authorise"], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, AuthorisationsDialog)
    boxes = dialog.services
    assert set(boxes) == {"portal", "cov", "declaratie", "zorginkoopportaal"}
    assert boxes["cov"].isChecked() and boxes["cov"].isEnabled()  # held: may be withdrawn
    assert not boxes["zorginkoopportaal"].isEnabled()  # a personal certificate's service
    assert "Zorginkoopportaal: Deze dienst is alleen voor persoonlijke certificaten." in dialog.reasons.text()
    assert not dialog.main_button.isEnabled() and dialog.why.text() == "U hebt nog niets gewijzigd."
    boxes["cov"].setChecked(False)
    boxes["portal"].setChecked(True)
    assert dialog.main_button.isEnabled()
    qtbot.mouseClick(dialog.main_button, Qt.MouseButton.LeftButton)
    number = his.user.user_number
    qtbot.waitUntil(lambda: ("deauthorise", number, "cov") in seam.calls, timeout=5_000)
    assert ("authorise", number, "portal") in seam.calls


def test_request_dialog_checks_what_is_typed(qtbot, offline: Desktop) -> None:
    dialog = RequestDialog(samples.desk(NOW).catalogue, "nl")
    qtbot.addWidget(dialog)
    assert not dialog.main_button.isEnabled() and dialog.why.text() == "Vul de naam van uw collega in."
    dialog.name.setText("Gerrit Hoekstra")
    dialog.email.setText("gerrit@")
    assert dialog.why.text().startswith("Vul een geldig e-mailadres in")
    dialog.email.setText("gerrit@delinde.nl")
    assert dialog.main_button.isEnabled()
    # a system certificate cannot get the Zorginkoopportaal, a personal one not the claims service
    assert not dialog.services["declaratie"].isEnabled() and dialog.services["zorginkoopportaal"].isEnabled()
    dialog.services["zorginkoopportaal"].setChecked(True)
    dialog.kind_buttons["system"].setChecked(True)
    assert not dialog.services["zorginkoopportaal"].isChecked() and dialog.services["cov"].isEnabled()
    assert "Zorginkoopportaal" in dialog.services_why.text()
    assert dialog.values() == {"name": "Gerrit Hoekstra", "email": "gerrit@delinde.nl", "kind": "system",
                               "authorisations": None}


def test_a_request_by_keyboard_only(qtbot, offline: Desktop, monkeypatch, heard) -> None:
    seam = Seam(offline, monkeypatch)
    window = contact_window(qtbot, offline, seam, shown=True)
    page = window.desk.users
    window.tabs.setCurrentWidget(page)
    bar = window.tabs.tabBar()
    bar.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(bar.hasFocus, timeout=5_000)
    tab_to(page.request_button)
    enter()
    dialog = page.dialog
    assert isinstance(dialog, RequestDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)
    assert _focus() is dialog.name
    QTest.keyClicks(_focus(), "Gerrit Hoekstra")
    tab_to(dialog.email)
    QTest.keyClicks(_focus(), "gerrit@delinde.nl")
    tab_to(dialog.kind_buttons["personal"])
    tab_to(dialog.services["portal"])
    QTest.keyClick(_focus(), Qt.Key.Key_Space)
    assert dialog.services["portal"].isChecked()
    tab_to(dialog.main_button)
    enter()
    qtbot.waitUntil(lambda: "request_user" in seam.names(), timeout=5_000)
    (call,) = [c for c in seam.calls if c[0] == "request_user"]
    assert call[1] == {"name": "Gerrit Hoekstra", "email": "gerrit@delinde.nl", "kind": "personal",
                       "authorisations": ("portal",)}
    qtbot.waitUntil(lambda: page.result.isVisibleTo(page), timeout=5_000)
    assert "aanvraag 77" in page.result.label.text()
    assert any("aanvraag 77" in text for text, _ in heard)


def test_the_paper_forms_are_made_where_the_user_chose(qtbot, offline: Desktop, monkeypatch, tmp_path: Path) -> None:
    seam = Seam(offline, monkeypatch)
    page = users_page(qtbot, offline)
    target = tmp_path / "formulier.pdf"
    page.choose_file = lambda _suggestion: str(target)
    qtbot.mouseClick(page.zip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.isVisibleTo(page), timeout=5_000)
    assert ("make_form", "zorginkoopportaal", target, "nl") in seam.calls
    assert str(target) in page.result.label.text()
    page.choose_file = lambda _suggestion: ""  # the user cancelled the file dialog: nothing is made
    qtbot.mouseClick(page.form_button, Qt.MouseButton.LeftButton)
    qtbot.wait(50)
    assert [c for c in seam.calls if c[0] == "make_form"] == [("make_form", "zorginkoopportaal", target, "nl")]


def test_desk_tabs_know_nothing_before_asked(qtbot, offline: Desktop) -> None:
    window = MainWindow(offline, "nl")
    qtbot.addWidget(window)
    tabs = DeskTabs(window)
    assert tabs.pages() == [] and not tabs.contact


def test_after_an_action_by_keyboard_the_focus_lands_on_the_named_count(qtbot, offline: Desktop,
                                                                        monkeypatch) -> None:
    seam = Seam(offline, monkeypatch)
    window = contact_window(qtbot, offline, seam, shown=True)
    page = window.desk.users
    window.tabs.setCurrentWidget(page)
    dirk = row_of(page, "Dirk Bakker")
    dirk.buttons["unblock"].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(dirk.buttons["unblock"].hasFocus, timeout=5_000)
    enter()
    qtbot.waitUntil(lambda: seam.names().count("org_desk") == 2, timeout=5_000)  # done, and read again
    qtbot.waitUntil(lambda: dirk not in page.rows, timeout=5_000)
    assert _focus() is page.count and page.count.accessibleName() == "8 van 8 gebruikers getoond"
