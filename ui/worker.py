"""Long work off the GUI thread: a core call runs in the thread pool and reports back through Qt signals.

A task gets ``report(stage)`` to announce progress and a ``CancelToken``. Cancelling is
safe by construction: the token is only honoured at stages the caller marks as
cancellable (before anything reaches the issuer); after that the work finishes in the
background and its result is still reported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import Cancelled, ZorgCertError


class CancelToken:
    """Set from the GUI thread, read by the worker at safe points."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()


class TaskSignals(QObject):
    """Emitted from the worker thread."""

    progress = Signal(str)
    succeeded = Signal(object)
    failed = Signal(object)  # a ZorgCertError (bugs become the generic error with a reference)
    finished = Signal()


class TaskEvents(QObject):
    """The same signals, re-emitted on the GUI thread: connect widgets and plain functions here."""

    progress = Signal(str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, source: TaskSignals):
        super().__init__()
        # the source emits on a pool thread and this object lives on the GUI thread, so Qt's
        # automatic connection queues every signal onto the GUI thread's event loop
        source.progress.connect(self._progress)
        source.succeeded.connect(self._succeeded)
        source.failed.connect(self._failed)
        source.finished.connect(self._finished)

    @Slot(str)
    def _progress(self, stage: str) -> None:
        self.progress.emit(stage)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self.succeeded.emit(result)

    @Slot(object)
    def _failed(self, error: Any) -> None:
        self.failed.emit(error)

    @Slot()
    def _finished(self) -> None:
        self.finished.emit()


Work = Callable[[Callable[[str], None], CancelToken], Any]
T = TypeVar("T")


class Task(QRunnable):
    """One piece of work; connect to ``events`` (GUI thread) before ``start()``."""

    def __init__(self, work: Work, *, cancel_points: tuple[str, ...] = (), what: str = ""):
        super().__init__()
        self.what = what  # names the work in zorgcert.log ("install", "renew", ...)
        self.setAutoDelete(False)  # the GUI keeps a reference until ``finished``
        self.work = work
        self.cancel_points = cancel_points  # stages at which a pending cancel stops; the last one commits
        self.committed = False
        self.token = CancelToken()
        self.signals = TaskSignals()
        self.events = TaskEvents(self.signals)  # made on the GUI thread, so it lives there
        self.stage = ""
        self.running = False

    def report(self, stage: str) -> None:
        """Called by the core before each stage; stops here when a cancel was asked and it is still safe."""
        if self.token.requested and not self.committed and stage in self.cancel_points:
            raise Cancelled(f"cancelled before {stage}")
        if self.cancel_points and stage == self.cancel_points[-1]:
            self.committed = True  # from here the request goes out: finish whatever the user asks
        self.stage = stage
        self.signals.progress.emit(stage)

    def cancel(self) -> bool:
        """Ask to stop; True when it will stop, False when it is past the point of no return and finishes."""
        self.token.cancel()
        return bool(self.cancel_points) and not self.committed

    def run(self) -> None:
        try:
            result = self.work(self.report, self.token)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI as words
            from app.explain import logged  # only on failure: keeps it off the start-up path

            # every failure is in zorgcert.log with the reference the GUI shows beside it (bugs with traceback)
            error: ZorgCertError = logged(exc, self.what or getattr(self.work, "__name__", ""))
            self.signals.failed.emit(error)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.running = False
            self.signals.finished.emit()

    def start(self, pool: QThreadPool | None = None) -> Task:
        self.running = True
        (pool or QThreadPool.globalInstance()).start(self)
        return self


_alive: set[Task] = set()


def run_task(
    work: Callable[[Callable[[str], None], CancelToken], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[ZorgCertError], None] | None = None,
    on_progress: Callable[[str], None] | None = None,
    cancel_points: tuple[str, ...] = (),
    what: str = "",
) -> Task:
    """Start ``work`` in the background with these callbacks (called on the GUI thread).

    ``on_success`` gets what ``work`` returns: the type checker holds the two together.
    """
    task = Task(work, cancel_points=cancel_points, what=what)
    if on_success:
        task.events.succeeded.connect(on_success)
    if on_failure:
        task.events.failed.connect(on_failure)
    if on_progress:
        task.events.progress.connect(on_progress)
    _alive.add(task)
    task.events.finished.connect(lambda: _alive.discard(task))
    return task.start()
