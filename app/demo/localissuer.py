"""One way to start a local reference issuer: ``zorgcert-issuer serve`` as a child process on a free port.

The issuer says where it listens in a ready file (``serve --ready-file``, docs/issuer.md,
"Ready file"): no log line is read to find the address. ``zorgcert demo`` is the first user;
the benchmarks and the test harnesses start their issuers the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.demo.children import last_line

START_TIMEOUT = 60.0
"""Seconds for the issuer to listen (a cold start on a slow machine)."""
STOP_TIMEOUT = 15.0
"""Seconds the issuer has to stop after SIGTERM before it is killed."""

Spawn = Callable[[list[str], dict[str, str], Path], "subprocess.Popen[bytes]"]
"""Starts ``argv`` with ``env``, its output appended to the log: (argv, env, log) -> process."""


class IssuerDidNotStart(RuntimeError):
    """The issuer exited, or did not listen in time; ``reason`` is the last line it logged (or why)."""

    def __init__(self, reason: str, log: Path, returncode: int | None) -> None:
        super().__init__(f"the issuer did not start: {reason} (log: {log})")
        self.reason, self.log, self.returncode = reason, log, returncode


def issuer_command() -> list[str]:
    """How to run ``zorgcert-issuer`` from this installation: the frozen bundle carries it as ``zorgcert issuer``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "issuer"]
    return [sys.executable, "-m", "issuer.cli"]


@dataclass
class LocalIssuer:
    """A running local issuer, as its ready file describes it."""

    url: str
    """``https://127.0.0.1:PORT``, without a trailing slash."""
    port: int
    ca: Path
    """The root CA certificate clients pin (``DATA/root-ca.pem``)."""
    process: subprocess.Popen[bytes]
    log: Path
    log_offset: int
    """Where this run's output starts in ``log`` (a log may be appended to by several runs)."""

    def running(self) -> bool:
        return self.process.poll() is None

    def last_line(self) -> str:
        """The last line this run logged, or ``""``."""
        return last_line(self.log, self.log_offset)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (TerminateProcess on Windows), wait, kill if it will not stop; its exit code."""
        return _stop(self.process, timeout)


def start(
    data: Path,
    *,
    log: Path,
    args: Sequence[str] = (),
    host: str = "127.0.0.1",
    port: int = 0,
    env: Mapping[str, str] | None = None,
    command: Sequence[str] | None = None,
    spawn: Spawn | None = None,
    timeout: float = START_TIMEOUT,
) -> LocalIssuer:
    """``serve`` the issuer data folder ``data``; returns once it listens.

    Its output is appended to ``log``. ``args`` are more ``serve`` options; ``command`` replaces
    :func:`issuer_command` (e.g. to run it under ``prlimit``); ``spawn`` starts the process
    (default: a plain child; the demo's supervisor passes its own). Raises
    :class:`IssuerDidNotStart` when the issuer exits first or is not listening within ``timeout``
    (then it is stopped).
    """
    folder = Path(tempfile.mkdtemp(prefix="zorgcert-issuer-"))
    ready = folder / "ready.json"
    argv = [*(command or issuer_command()), "serve", "--data", str(data), "--host", host, "--port", str(port),
            *args, "--ready-file", str(ready)]
    child_env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
    offset = log.stat().st_size if log.exists() else 0
    try:
        proc = (spawn or _spawn)(argv, child_env, log)
        deadline = time.monotonic() + timeout
        while (doc := _read_ready(ready)) is None:
            if proc.poll() is not None:
                raise IssuerDidNotStart(last_line(log, offset) or f"exit code {proc.returncode}", log,
                                        proc.returncode)
            if time.monotonic() > deadline:
                _stop(proc, STOP_TIMEOUT)
                raise IssuerDidNotStart(last_line(log, offset) or "timeout", log, None)
            time.sleep(0.05)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return LocalIssuer(url=str(doc["url"]), port=int(doc["port"]), ca=Path(doc["ca"]), process=proc, log=log,
                       log_offset=offset)


def _read_ready(path: Path) -> dict[str, Any] | None:
    """The ready file's document once it is there (it is written whole, by rename), else None."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)


def _stop(proc: subprocess.Popen[bytes], timeout: float) -> int:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
