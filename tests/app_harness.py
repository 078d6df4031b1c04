"""Run the real ``zorgcert`` CLI as a user would: own HOME, own ZORGCERT_HOME, a real issuer."""

from __future__ import annotations

import json
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
        proc = subprocess.run([*ZORGCERT, *args], input=stdin, capture_output=True, text=True,
                              env=env or self.env(), timeout=timeout)
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
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
