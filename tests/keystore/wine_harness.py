"""Run the cached Windows CPython under Wine from the Linux tests, in a fresh prefix.

The Windows Python is built once per machine by ``scripts/wine-python`` (cached); the Wine
prefix (the fake Windows: registry, key containers, ``CurrentUser\\My``) is new for each test
session and thrown away after it. Wine's rule that matters here: a Windows ``python.exe``
dies at start-up when its stdin, stdout or stderr is a regular file, so every child gets
``/dev/null`` or a pipe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# mscoree/mshtml: no Mono or Gecko installer dialogs; winemenubuilder: no desktop menu entries
DLL_OVERRIDES = "mscoree,mshtml=;winemenubuilder.exe=d"
WINE_MISSING = 3  # scripts/wine-python's exit code when Wine is not installed


class WineUnavailable(Exception):
    """Wine is not installed here; the message says how to get it."""


def windows_python() -> Path:
    """The cached Windows python.exe, built first if this machine has none (``scripts/wine-python``)."""
    if shutil.which("wine") is None or shutil.which("wineserver") is None:
        raise WineUnavailable("Wine is not installed (scripts/setup installs it when apt can: "
                              "apt-get install --no-install-recommends wine wine64)")
    result = subprocess.run([str(REPO / "scripts" / "wine-python")], capture_output=True, text=True,
                            env={**os.environ, "PYTHON": sys.executable}, stdin=subprocess.DEVNULL,
                            check=False, timeout=600)
    if result.returncode == WINE_MISSING:
        raise WineUnavailable(result.stderr.strip())
    if result.returncode != 0:
        raise RuntimeError(f"scripts/wine-python failed ({result.returncode}):\n{result.stderr}")
    return Path(result.stdout.strip().splitlines()[-1])


def win_path(path: Path) -> str:
    """The Windows name of a Linux path: Wine maps Z: to /."""
    return "Z:" + str(path).replace("/", "\\")


@dataclass(frozen=True)
class WinePrefix:
    """A running Wine prefix; ``run`` starts a Windows program in it."""

    path: Path
    env: dict[str, str]

    def run(self, program: Path, args: list[str], *, extra_env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ``program`` with stdout and stderr on one pipe, stdin on /dev/null, in the repository."""
        return subprocess.run(["wine", str(program), *args], cwd=REPO, env={**self.env, **(extra_env or {})},
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, encoding="utf-8", errors="replace", timeout=timeout, check=False)


def _quiet(args: list[str], env: dict[str, str], timeout: float) -> None:
    subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=timeout, check=True)


@contextmanager
def wine_prefix(folder: Path) -> Iterator[WinePrefix]:
    """A new prefix under ``folder`` with a persistent wineserver; the server is stopped at the end."""
    prefix = folder / "prefix"
    prefix.mkdir()  # wineserver -p needs the folder to exist, or it leaves the start to wineboot
    env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": DLL_OVERRIDES,
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUTF8": "1"}
    _quiet(["wineserver", "-p"], env, 30)  # one server for every program of the session
    try:
        _quiet(["wineboot", "-i"], env, 180)
        yield WinePrefix(prefix, env)
    finally:
        subprocess.run(["wineserver", "-k"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30, check=False)
        subprocess.run(["wineserver", "-w"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30, check=False)
