"""What keeps the desktop app's start light (issue 6: the painted dashboard within 1.5x a bare PySide6 window).

``bench/gui.py`` measures the start; these tests hold the two choices behind its figure,
so that a change that undoes one fails here instead of silently in the next benchmark:

- the widgets on the start path set Qt enums by name (``ui.common.qt_enums``), because
  PySide builds all 94 enums of the ``Qt`` namespace the first time anything touches it;
- ``ui.app`` imports its non-Qt modules before PySide6, whose import hook reads the
  source of every module imported after it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ui import samples
from ui.common import qt_enums
from ui.dashboard import Dashboard

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

# A fresh interpreter, as a double-click starts one: the entry module first, then the window
# with a card for every state, shown and painted, all without the ``Qt`` namespace.
PROBE = """
import sys
from datetime import UTC, datetime

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

from ui import app
order = list(sys.modules)
late = [m for m in ("app.lifecycle.status", "app.desk.desktop", "app.desk.certview", "app.state.journal",
                    "app.state.preferences", "app.state.logfile")
        if order.index(m) > order.index("PySide6")]
assert not late, f"imported after PySide6: {late}"

import PySide6.QtCore
from app.desk.desktop import Desktop
from app.state.paths import paths
from ui import samples
from ui.main_window import MainWindow

qapp = app.application()
window = MainWindow(Desktop(paths()), "nl")
window.show()
window.dashboard.set_rows(list(samples.every_state(NOW).values()))
window.repaint()
qapp.processEvents()
assert len(window.dashboard.cards) == 5
assert "Qt" not in vars(PySide6.QtCore), "the start path built the Qt namespace"
print("light")
"""


def test_the_start_path_builds_no_qt_namespace_and_imports_its_own_modules_before_pyside(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGCERT_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), ZORGCERT_HOME=str(tmp_path / "zorgcert"),
               XDG_CONFIG_HOME=str(tmp_path / ".config"))
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    # the probe's verdict is its last line. Once in CI a 24-byte TLS 1.3 record came before it: written by
    # something else in the test process to a descriptor number the pipe had just taken over (see
    # tests/silent_server.py); this test is about the start path, so it reads only the probe's line
    assert run.stdout.splitlines()[-1:] == [b"light"], run.stdout


def test_enums_set_by_name_take_effect_on_the_card(qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    board = Dashboard("nl", lambda: NOW)
    qtbot.addWidget(board)
    board.set_rows([samples.every_state(NOW)["valid"]])
    (card,) = board.cards
    (label,) = [w for w in card.findChildren(QLabel) if w.buddy() is card.fields["number"]]
    assert label.alignment() == Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    for value in card.fields.values():
        assert value.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert card.fields["where"].textFormat() == Qt.TextFormat.RichText
    assert card.badge.alignment() == Qt.AlignmentFlag.AlignCenter
    assert board.timer.timerType() == Qt.TimerType.VeryCoarseTimer
    assert board.empty.alignment() == Qt.AlignmentFlag.AlignCenter


def test_an_enum_name_qt_does_not_know_is_refused(qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel("x")
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match="QLabel.alignment cannot be 'AlignMiddle'"):
        qt_enums(label, alignment="AlignMiddle")
    with pytest.raises(ValueError, match="QLabel.noSuchProperty"):
        qt_enums(label, noSuchProperty="AlignTop")
