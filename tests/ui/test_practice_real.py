"""The desk's tabs against the real seam: the real issuer over TLS, a real install, the real Desktop (no stand-ins).

One contact person installs in a scratch home; after the window's status read the tabs come, the list
holds the contact person (installed, not revocable by themselves) and a colleague approved but not
installed (with the days left of the 60), and the message box is read.
"""

from __future__ import annotations

from tests.ui.conftest import User
from ui.main_window import MainWindow

WAIT = 60_000


def test_the_real_issuer_says_who_gets_the_tabs_and_the_list_shows_the_users(qtbot, user: User) -> None:
    org = user.issuer.organisation("Praktijk Ineke Jansen")
    number, pin = user.issuer.user(org, name="Ineke Jansen", contact_person=True)
    colleague, _pin = user.issuer.user(org, name="Joost Colleman")
    user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    window = MainWindow(user.desktop, "nl")
    qtbot.addWidget(window)
    window.refresh()
    qtbot.waitUntil(lambda: window.desk is not None and window.desk.users is not None
                    and window.desk.users.desk is not None, timeout=WAIT)
    assert [window.tabs.tabText(i) for i in range(3)][:2] == ["Mijn certificaten", "Gebruikersbeheer"]
    page = window.desk.users
    rows = {r.user.user_number: r for r in page.rows}
    me, other = rows[number], rows[colleague]
    # the UI tests' issuer makes every certificate renewable at once (tests/ui/conftest.py: 20 days, window 1 month)
    assert me.state.text() == "Te vernieuwen" and not me.buttons["revoke"].isEnabled()
    assert "eigen certificaat" in me.why.text()
    assert other.state.text().startswith("Goedgekeurd, nog niet geïnstalleerd — nog 60 dagen")
    assert page.request_button.isEnabled()
    box = window.desk.messages
    assert box is not None
    qtbot.waitUntil(lambda: box.count.text() != "" and "opgehaald" not in box.count.text(), timeout=WAIT)
    assert box.explanation.isHidden(), box.explanation.message.text()
