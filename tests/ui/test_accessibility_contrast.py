"""Contrast (WCAG 1.4.3 text 4.5:1, 1.4.11 focus rings, borders and meaningful graphics 3:1), computed.

Every colour the app paints with is in ``ui.common.COLOURS`` (or the passphrase meter's
``METER_COLOURS``, or an icon): the pairs in ``ui.common.CONTRAST`` are computed with WCAG 2.1's
relative luminance, no colour literal in ``ui/`` escapes the table, and the focus rings the style
sheet promises are really painted (grabbed offscreen).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QVBoxLayout, QWidget

from ui.backup_form import METER_COLOURS
from ui.common import COLOURS, CONTRAST, ICONS, STATE_COLOURS, styled

UI = Path(__file__).resolve().parents[2] / "ui"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def ratio(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula() -> None:
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#d9822b", "#ffffff") == pytest.approx(2.93, abs=0.01)  # the orange issue 18 measured
    assert ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("fg", "bg", "minimum"), CONTRAST, ids=[f"{f}-on-{b}" for f, b, _ in CONTRAST])
def test_every_pair_meets_its_minimum(fg: str, bg: str, minimum: float) -> None:
    assert ratio(COLOURS[fg], COLOURS[bg]) >= minimum, (COLOURS[fg], COLOURS[bg], round(ratio(COLOURS[fg],
                                                                                               COLOURS[bg]), 2))


def test_every_text_and_focus_colour_is_checked() -> None:
    checked = {f for f, _b, _m in CONTRAST} | {b for _f, b, _m in CONTRAST}
    borders = {"card-border", "explanation-border", "notice-border", "success-border", "disabled-border"}
    assert set(COLOURS) - borders <= checked, sorted(set(COLOURS) - borders - checked)
    for fg in ("text", "title", "subtle", "warning", "placeholder", "focus", "default-text", "badge-text"):
        assert any(f == fg for f, _b, _m in CONTRAST), fg
    known = {c.lower() for c in [*COLOURS.values(), *METER_COLOURS, *STATE_COLOURS.values()]}
    for path in UI.glob("*.py"):
        for found in HEX.findall(path.read_text()):
            assert found.lower() in known, f"{path.name}: {found} is not in ui.common.COLOURS"


def test_passphrase_meter_and_progress_marks_stand_out() -> None:
    for colour in METER_COLOURS:  # the bar's chunk on its white groove
        assert ratio(colour, COLOURS["base"]) >= 3.0, colour
    for name in ("step-wait", "step-busy", "check-pass", "check-fail", "check-warn", "info"):
        strongest = max(ratio(c, COLOURS["window"]) for c in HEX.findall((ICONS / f"{name}.svg").read_text()))
        assert strongest >= 3.0, name


def _edge(widget: QWidget, x: int, y: int) -> str:
    """The colour at (x, y) of ``widget`` as its window paints it: the 2-pixel ring round a focused control."""
    window = widget.window()
    at = widget.mapTo(window, QPoint(x, y))
    return window.grab().toImage().pixelColor(at.x(), at.y()).name()


def test_focus_rings_and_placeholder_are_painted_as_defined(qtbot) -> None:
    window = QWidget()
    styled(window)
    layout = QVBoxLayout(window)
    box, line, tabs_host = QCheckBox("Vink"), QLineEdit(), QWidget()
    line.setPlaceholderText("bijvoorbeeld")
    layout.addWidget(box)
    layout.addWidget(line)
    layout.addWidget(tabs_host)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    middle = box.height() // 2
    assert _edge(box, 0, middle) != COLOURS["focus"]
    box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(box.hasFocus)
    assert _edge(box, 0, middle) == _edge(box, box.width() - 1, middle) == COLOURS["focus"]  # was 1.65:1
    assert line.palette().color(QPalette.ColorRole.PlaceholderText).name() == COLOURS["placeholder"]


def test_tab_bar_focus_is_a_ring(qtbot, offline) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(offline, "nl")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    bar = window.tabs.tabBar()
    window.dashboard.install_button.setFocus()
    qtbot.waitUntil(window.dashboard.install_button.hasFocus)
    tab = bar.tabRect(bar.currentIndex())
    assert _edge(bar, tab.left(), tab.center().y()) != COLOURS["focus"]
    bar.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(bar.hasFocus)
    assert _edge(bar, tab.left(), tab.center().y()) == COLOURS["focus"]  # was a 1.08:1 tint
