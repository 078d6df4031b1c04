"""Large fonts (WCAG 1.4.4 resize text, 1.4.10 reflow, 1.4.12 text spacing): at 18 pt nothing is cut off.

The application font is set to 18 pt before the windows are built (as a user's desktop setting
does); every shown label must get the room its text needs (its height for its width when it
wraps, its full width when it does not), the dashboard and Support never scroll sideways, and
the style sheet has no fixed point sizes that would stay small.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget

from app.desk.desktop import Desktop
from app.desk.wizard import Page, Step
from ui import samples
from ui.common import STYLE

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
POINTS = 18


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture()
def large(qapp: QApplication) -> Iterator[None]:
    before = QApplication.font()
    font = QFont(before)
    font.setPointSize(POINTS)
    QApplication.setFont(font)
    yield
    QApplication.setFont(before)


@pytest.fixture()
def desktop(offline: Desktop) -> Desktop:
    offline.clock = Clock()
    return offline


def settle(qtbot, window: QWidget) -> None:
    window.show()
    qtbot.waitExposed(window)
    for _ in range(3):
        QApplication.processEvents()


def clipped(window: QWidget) -> list[str]:
    """Every shown label that has less room than its text needs."""
    out = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text() or label.pixmap() is not None and not label.pixmap().isNull():
            continue
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + 1:
                out.append(f"{label.objectName() or label.text()[:40]!r}: {label.height()} < {need} px high")
        elif label.sizeHint().width() > label.width() + 1:
            out.append(f"{label.objectName() or label.text()[:40]!r}: {label.width()} < "
                       f"{label.sizeHint().width()} px wide")
    return out


def sideways(area: QScrollArea) -> bool:
    inner = area.widget()
    return inner is not None and inner.minimumSizeHint().width() > area.viewport().width() + 1


def test_no_fixed_point_sizes_in_the_style_sheet() -> None:
    assert not re.search(r"font-size\s*:", STYLE)


def test_titles_and_countdown_grow_with_the_font(qtbot, large, desktop: Desktop) -> None:
    from ui.dashboard import Dashboard

    board = Dashboard("nl", lambda: NOW)
    qtbot.addWidget(board)
    board.set_rows([samples.every_state(NOW)["valid"]])
    card = board.cards[0]
    assert card.holder.font().pointSizeF() > POINTS and card.fields["left"].font().pointSizeF() >= POINTS


def test_main_window_at_18_pt(qtbot, large, desktop: Desktop) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(desktop, "nl")
    qtbot.addWidget(window)
    window.rows = list(samples.every_state(NOW).values())
    window.dashboard.set_rows(window.rows)
    settle(qtbot, window)
    assert window.width() <= 900, window.width()
    assert not sideways(window.dashboard.scroll_area)
    assert clipped(window) == []
    window.support.show_checks(samples.checks("nl"))
    window.tabs.setCurrentWidget(window.support)
    settle(qtbot, window)
    assert clipped(window) == []
    from ui.support_page import CheckRow

    rows = window.support.results.findChildren(CheckRow)
    assert len(rows) == 8 and all(r.height() >= r.minimumSizeHint().height() for r in rows)
    window.tabs.setCurrentWidget(window.settings)
    settle(qtbot, window)
    assert clipped(window) == []


def test_install_wizard_at_18_pt(qtbot, large, desktop: Desktop) -> None:
    from app.errors import IssuerRefused
    from app.explain import explain
    from ui.install_wizard import InstallWizard

    wizard = InstallWizard(desktop, "nl")
    qtbot.addWidget(wizard)
    wizard.resize(680, 600)
    for page in (Page.WELCOME, Page.KIND, Page.CREDENTIALS):
        wizard.show_page(page.value)
        settle(qtbot, wizard)
        assert clipped(wizard) == [], page
        assert not sideways(wizard.page_scroll), page
    wizard.credentials.number.setText("1234567890123")
    wizard.credentials.explanation.show_explanation(explain(IssuerRefused("pin-invalid", "x", attempts_left=3), "nl"))
    settle(qtbot, wizard)
    assert clipped(wizard) == [] and not sideways(wizard.page_scroll)
    assert wizard.width() <= 700
    wizard.state.installed = True
    wizard.entry = entry = SimpleNamespace(user_number="12345678901231", name="Anna de Vries",
                                           not_after="2028-11-29T10:00:00+00:00", stores=[])
    wizard.show_page(Page.BACKUP.value)
    wizard.backup.skip.setChecked(True)
    settle(qtbot, wizard)
    assert clipped(wizard) == [] and not sideways(wizard.page_scroll)
    assert entry


def test_backup_form_at_18_pt(qtbot, large, desktop: Desktop) -> None:
    from ui.backup_wizard import BackupWizard

    rows = list(samples.every_state(NOW).values())
    wizard = BackupWizard(desktop, "nl", rows, mode="make", user_number=rows[0].user_number)
    qtbot.addWidget(wizard)
    wizard.resize(680, 600)
    wizard.show_page(Step.MAKE.value)
    wizard.form.passphrase.setText("welkom123")
    settle(qtbot, wizard)
    assert clipped(wizard) == [] and not sideways(wizard.page_scroll)
    meter = wizard.form.meter
    # the verdict sits under its bar, not over it
    assert meter.verdict.geometry().top() >= meter.bar.geometry().bottom()
