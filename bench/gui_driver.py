"""Run by bench/gui.py in a fresh process: show a window and leave at its first paint (offscreen).

``bare``: a QApplication with one QLabel, the least a PySide6 program can show.
``dashboard``: ZorgCert's main window as ``zorgcert gui`` builds it; it leaves at the
first paint of the dashboard after the certificate rows arrived from the worker thread.
Both leave with ``os._exit`` at that moment, so teardown is not measured.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ui/ even before a reinstall lists it


def _leave_at_paint(qapp: Any, ready: Any) -> None:
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and ready(obj):
                sys.stdout.write("painted\n")
                sys.stdout.flush()
                os._exit(0)
            return False

    qapp._bench_watch = Watch()  # kept alive by the application
    qapp.installEventFilter(qapp._bench_watch)


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    qapp = QApplication(sys.argv[:1])
    label = QLabel("ZorgCert")
    _leave_at_paint(qapp, lambda obj: obj is label)
    label.show()
    return int(qapp.exec())


def dashboard() -> int:
    from app.desktop import Desktop
    from app.paths import paths
    from ui.app import application
    from ui.main_window import MainWindow

    qapp = application()
    desktop = Desktop(paths())
    window = MainWindow(desktop, desktop.language(None))
    shown = {"rows": False}
    set_rows = window.dashboard.set_rows

    def rows_arrived(rows: Any) -> None:
        set_rows(rows)
        shown["rows"] = bool(rows)

    window.dashboard.set_rows = rows_arrived  # type: ignore[method-assign]

    def in_dashboard(obj: Any) -> bool:
        if not shown["rows"]:
            return False
        while obj is not None:
            if obj is window.dashboard:
                return True
            obj = obj.parent() if hasattr(obj, "parent") else None
        return False

    _leave_at_paint(qapp, in_dashboard)
    window.show()
    window.refresh()
    return int(qapp.exec())


if __name__ == "__main__":
    sys.exit({"bare": bare, "dashboard": dashboard}[sys.argv[1]]())
