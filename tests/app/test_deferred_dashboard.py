"""A deferred request (RFC 7030 §4.2.3) is said on the dashboard, through the Desktop seam (issue 14)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.clock import utcnow
from app.desk.desktop import Desktop
from app.lifecycle.status import at_text
from app.state import files
from app.state.journal import Journal, Operation
from app.state.paths import Paths

WAIT = 30_000


@pytest.fixture()
def desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desktop:
    root = tmp_path / "zorgcert"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    for var in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA"):
        monkeypatch.delenv(var, raising=False)
    return Desktop(Paths(root / "config", root / "data", root / "logs"))


def _deferred(desktop: Desktop, at: datetime) -> None:
    op = Operation(kind="install", user_number="10000000000006", key_id="ab" * 32, stores=["auto"],
                   stage="deferred", entry={"kind": "personal", "policy": None},
                   issuer_url="https://issuer.example", issuer_ca="cd" * 32, csr="MAA=",
                   next_attempt=at.isoformat(), retry_after=3600)
    desktop.paths.journal_dir.mkdir(parents=True, exist_ok=True)
    Journal(desktop.paths.journal_dir).save(op)


def test_the_dashboard_says_a_request_waits_for_approval_and_when_it_is_asked_again(qtbot, desktop: Desktop) -> None:
    from ui.main_window import MainWindow

    files.take_notices()
    at = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    _deferred(desktop, at)
    window = MainWindow(desktop, "nl")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window.refresh()
    notice = window.dashboard.state_notice
    assert not notice.isHidden()
    text = notice.label.text()
    assert "10000000000006" in text and "aanvraag ontvangen, wacht op goedkeuring" in text
    assert f"volgende poging om {at_text(at)}" in text
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):  # said for as long as it waits
        window.refresh()
    assert not notice.isHidden()
    assert desktop.next_check([]) == at  # the tray agent looks again exactly then
    english = Desktop(desktop.paths).notices("en")
    assert english == [f"User number 10000000000006: request received, waiting for approval; "
                       f"next attempt at {at_text(at)}."]
