"""A damaged state file is said on the dashboard too (issue 12, point 3), in the user's language."""

from __future__ import annotations

from app.desk.desktop import Desktop
from app.state import files
from ui.main_window import MainWindow

WAIT = 30_000


def test_a_damaged_wallet_is_said_on_the_dashboard(qtbot, offline: Desktop) -> None:
    files.take_notices()
    wallet = offline.paths.wallet_file
    wallet.parent.mkdir(parents=True)
    wallet.write_bytes(b"\xff\xfe garbage")
    window = MainWindow(offline, "nl")
    qtbot.addWidget(window)
    notice = window.dashboard.state_notice
    assert notice.isHidden()
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window.refresh()
    text = notice.label.text()
    assert not notice.isHidden()
    (kept,) = wallet.parent.glob("wallet.json.bad-*")
    assert "apart gezet" in text and str(kept) in text and "opnieuw opgebouwd" in text
    assert kept.read_bytes() == b"\xff\xfe garbage"
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):  # said once: the next look is quiet again
        window.refresh()
    assert notice.isHidden()
