"""Run by bench/gui.py in a fresh process: show a window and leave at its first paint (offscreen).

``bare``: a QApplication with one QLabel, the least a PySide6 program can show.
``dashboard``: ZorgCert's desktop app started through its own entry point (``ui.app.main``,
what ``zorgcert-app`` and ``zorgcert gui`` run); it leaves when the first certificate card,
filled from the worker thread's status read, is painted.
Both leave with ``os._exit`` at that moment, so teardown is not measured.

The watch sits on the one widget whose paint is awaited, not on the whole application:
an application-wide event filter hands every event of every widget to Python, and PySide
then builds a Python type, with its enums, for each Qt class it meets on the way. That
would charge the measurement, not the app, and more for the window with more widgets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ui/ even before a reinstall lists it


def _leave_at_paint(widget: Any) -> None:
    """Exit the process when ``widget`` gets its first paint event."""
    from PySide6.QtCore import QEvent, QObject

    paint = QEvent.Type.Paint

    class Watch(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:  # Qt's name
            if event.type() == paint:
                sys.stdout.write("painted\n")
                sys.stdout.flush()
                os._exit(0)
            return False

    widget._bench_watch = Watch()  # kept alive by the widget
    widget.installEventFilter(widget._bench_watch)


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    qapp = QApplication(sys.argv[:1])
    label = QLabel("ZorgCert")
    _leave_at_paint(label)
    label.show()
    return int(qapp.exec())


def dashboard() -> int:
    """``ui.app.main`` as it is, with the watch put on the first card the dashboard makes.

    ``ui.app`` is imported first, as the entry point does; ``ui.dashboard`` after it costs
    nothing extra, since ``main`` imports it anyway.
    """
    from ui import app
    from ui import dashboard as dashboard_module

    set_rows = dashboard_module.Dashboard.set_rows

    def rows_arrived(board: Any, rows: Any) -> None:
        set_rows(board, rows)
        if board.cards:
            dashboard_module.Dashboard.set_rows = set_rows  # type: ignore[method-assign]
            _leave_at_paint(board.cards[0])

    dashboard_module.Dashboard.set_rows = rows_arrived  # type: ignore[method-assign]
    return app.main([])


if __name__ == "__main__":
    sys.exit({"bare": bare, "dashboard": dashboard}[sys.argv[1]]())
