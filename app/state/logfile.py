"""``zorgcert.log`` in the log folder, set up once per process by the CLI, the app and the agent.

One line per operation and error, never a PIN, passphrase or key (docs/app.md); the file
is opened at the first record, so a command that logs nothing leaves no file behind.
When the log cannot be written (a full disk), one line says so on stderr, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from app.i18n import current_lang, t
from app.state.paths import Paths

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFile(logging.Handler):
    """Writes to a rotating ``zorgcert.log``, opened at the first record; a failure is said once on stderr."""

    zorgcert_log_file = True

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None
        self._warned = False

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._file = _rotating(self.path, self.failed)
            except OSError as exc:
                self.failed(exc)
                self._file = logging.NullHandler()
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def failed(self, exc: BaseException | None) -> None:
        """The log cannot be written (a full disk, no permission): one clear line on stderr, then quiet."""
        if self._warned:
            return
        self._warned = True
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        try:
            print(t("log.unwritable", current_lang(), path=str(self.path), reason=reason), file=sys.stderr)
        except Exception:  # noqa: BLE001 - stderr itself may be gone; the log must never break the app
            pass

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def log_to_file(p: Paths) -> None:
    """Log the "zorgcert" logger to ``zorgcert.log`` (rotating; the file is opened at the first record). Once per
    process."""
    root = logging.getLogger("zorgcert")
    if any(getattr(h, "zorgcert_log_file", False) for h in root.handlers):
        return
    handler = LogFile(p.log_dir / "zorgcert.log")
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late: ``logging.handlers`` (sockets, queues, pickling) costs as
# much to import as ``logging`` itself (docs/performance.md), and only a process that really logs
# something opens the file.


def _rotating(path: Path, failed: Callable[[BaseException | None], None]) -> logging.Handler:
    """A ``RotatingFileHandler`` on ``path`` (1 MB, three old files) that calls ``failed`` instead of printing
    logging's traceback when a record cannot be written."""
    import logging.handlers

    class Rotating(logging.handlers.RotatingFileHandler):
        def handleError(self, record: logging.LogRecord) -> None:
            failed(sys.exc_info()[1])

    return Rotating(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
