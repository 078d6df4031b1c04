"""Run the real ``zorgcert`` CLI as a user would: own HOME, own ZORGCERT_HOME, a real issuer."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from issuer_harness import RunningIssuer

ZORGCERT = [sys.executable, "-m", "app.commands.cli"]
# Variables a run can only be given in a process of its own: a crash point (it kills the process), and what
# keyring reads once per process to pick its backend.
PROCESS_WIDE = ("ZORGCERT_CRASH_AT", "DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "XDG_RUNTIME_DIR")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Desk:
    """One user's machine: a home folder, ZorgCert's state, the issuer it is pointed at."""

    home: Path
    issuer: RunningIssuer
    # run ``main()`` in the test's process (same argv, stdin, environment; output captured) instead of a new
    # Python: for modules whose subject is not the process (docs/performance.md, "Suite time"). A run that
    # asks for a crash (ZORGCERT_CRASH_AT) or runs while an ArgvWatch looks at the command lines is still
    # a real process, and so is one whose environment changes what a process sets up once (its keyring).
    in_process: bool = False

    @property
    def zorgcert_home(self) -> Path:
        return self.home / "zorgcert"

    @property
    def nssdb(self) -> Path:
        return self.home / ".pki" / "nssdb"

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "HOME": str(self.home), "ZORGCERT_HOME": str(self.zorgcert_home),
               "ZORGCERT_ISSUER_URL": self.issuer.url, "ZORGCERT_ISSUER_CA": self.issuer.ca,
               "ZORGCERT_LANG": "nl"}
        env.update(extra)
        return env

    def run(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> Result:
        env = env or self.env()
        if self.in_process and not ArgvWatch.watching and all(env.get(k) == os.environ.get(k) for k in PROCESS_WIDE):
            return run_in_process(list(args), stdin, env)
        proc = subprocess.run([*ZORGCERT, *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def install(self, user_number: str, pin: str, *extra: str, env: dict[str, str] | None = None) -> Result:
        return self.run("install", "--user-number", user_number, "--pin-stdin", "--json", *extra,
                        stdin=pin + "\n", env=env)

    def status(self) -> list[dict[str, Any]]:
        r = self.run("status", "--json")
        assert r.code == 0, r.err
        return list(r.json)

    def state(self, user_number: str) -> str:
        return next(row["state"] for row in self.status() if row["user_number"] == user_number)


def new_desk(issuer: RunningIssuer, tmp_path: Path, *, in_process: bool = True) -> Desk:
    """A practice's computer for one test: an empty home folder under ``tmp_path``, talking to ``issuer``."""
    home = tmp_path / "home"
    home.mkdir()
    return Desk(home, issuer, in_process=in_process)


def run_in_process(argv: list[str], stdin: str | None, env: dict[str, str]) -> Result:
    """``zorgcert ARGV`` as ``main()`` in this process, with ``env`` as the whole environment and ``stdin`` as
    standard input; what it changed in the process (environment, the log handler it opened, notices not
    yet told) is undone afterwards, and what the test's process had set up (its log handlers, notices) is out
    of the way meanwhile, so every run starts as a new process would."""
    from app.commands.cli import main
    from app.state.files import take_notices

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_stdin, saved_argv = dict(os.environ), sys.stdin, sys.argv
    log = logging.getLogger("zorgcert")
    saved_handlers, saved_level = list(log.handlers), log.level
    for handler in saved_handlers:  # e.g. a log file another test's in-process work opened: a new process has none
        log.removeHandler(handler)
    os.environ.clear()
    os.environ.update(env)
    sys.stdin, sys.argv = io.StringIO(stdin or ""), ["zorgcert", *argv]
    take_notices()  # a new process has none yet (the test's own in-process work may have left some)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    err.write(exc.code + "\n")
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.stdin, sys.argv = saved_stdin, saved_argv
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        for handler in saved_handlers:
            log.addHandler(handler)
        log.setLevel(saved_level)
        take_notices()
    return Result(code, out.getvalue(), err.getvalue())


def certutil_list(db: Path) -> str:
    return subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True, text=True).stdout


def certutil_keys(db: Path) -> str:
    return subprocess.run(["certutil", "-K", "-d", f"sql:{db}"], capture_output=True, text=True).stdout


def _read_all(path: str) -> bytes | None:
    """The whole file, or None when it is gone (the process ended) or unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


class ArgvWatch:
    """Samples every process's command line while a test runs: no PIN or passphrase may show up there."""

    watching = 0  # how many are looking now: meanwhile Desk.run starts real processes, whose argv they see

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        raw: set[bytes] = set()  # os calls, not pathlib: a sweep of /proc every 10 ms costs a fifth of the CPU
        while not self._stop.is_set():
            for name in os.listdir("/proc"):
                if name.isdigit():
                    cmdline = _read_all(f"/proc/{name}/cmdline")
                    if cmdline and cmdline not in raw:
                        raw.add(cmdline)
                        self.seen.add(cmdline.replace(b"\0", b" ").decode(errors="replace"))
            time.sleep(0.01)

    def __enter__(self) -> ArgvWatch:
        ArgvWatch.watching += 1
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        ArgvWatch.watching -= 1
        self._stop.set()
        self._thread.join()
