"""The demo's child processes: each in its own process group, none outliving the demo.

Ctrl+C, SIGTERM, SIGHUP and normal exit stop them (:meth:`Children.stop_all`); on Linux each
child also gets SIGTERM from the kernel when the demo dies (``PR_SET_PDEATHSIG``), so not
even ``kill -9`` of the demo leaves one running.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1
_KILL = getattr(signal, "SIGKILL", 9)  # Windows has none: _signal_group kills the process there


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks the kernel to SIGTERM the child when the demo dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here, in the parent: no dlopen after fork
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the demo died before prctl took effect
            os._exit(1)

    return preexec


class Children:
    """The demo's child processes: each in its own process group, stopped in reverse order."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self._preexec = _die_with_parent()

    def start(self, argv: list[str], *, env: dict[str, str], log: Path,
              stdin: bytes | None = None) -> subprocess.Popen[bytes]:
        """Start ``argv`` with its output in ``log`` (and ``stdin`` written to it through a pipe, then closed)."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            kwargs: dict[str, Any] = {"stdin": subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                      "stdout": out, "stderr": subprocess.STDOUT, "env": env}
            if os.name == "posix":
                kwargs.update(start_new_session=True, preexec_fn=self._preexec)
            else:
                kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
            proc = subprocess.Popen(argv, **kwargs)  # our own executable, or a system tool by name
        self.procs.append(proc)
        if stdin is not None:
            assert proc.stdin is not None
            try:
                proc.stdin.write(stdin)
            except BrokenPipeError:
                pass
            finally:
                proc.stdin.close()
        return proc

    def stop_all(self, timeout: float = 10.0) -> None:
        """SIGTERM each child's process group, wait, then SIGKILL what is left."""
        for proc in reversed(self.procs):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(proc, _KILL)
                proc.wait()
        for proc in self.procs:  # grandchildren (certutil, a dialog) that outlived their parent
            _signal_group(proc, _KILL)
        self.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, sig)
        elif proc.poll() is None:
            proc.terminate() if sig == signal.SIGTERM else proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass



def child_env(**extra: str) -> dict[str, str]:
    """The environment of the demo's children: this one, without an issuer override, output unbuffered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGCERT_ISSUER_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def last_line(log: Path, offset: int = 0) -> str:
    """The last non-empty line of ``log`` past ``offset``, or ``""``."""
    try:
        with open(log, "rb") as fh:
            fh.seek(offset)
            lines = fh.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""
