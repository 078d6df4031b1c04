"""How the demo points the app at itself: the app's environment, its window, and the command lines
the demo prints for a user without a window."""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from pathlib import Path

from app.demo.children import child_env
from app.demo.folder import Layout


def app_argv(command: str) -> list[str]:
    """How to run ``zorgcert COMMAND`` as a child: the frozen bundle, or this interpreter."""
    if getattr(sys, "frozen", False):
        return [sys.executable, command]
    return [sys.executable, "-m", "app.commands.cli", command]


def app_env(layout: Layout, url: str, lang: str, keyring: dict[str, str] | None = None) -> dict[str, str]:
    """What points the app at the demo: its own state, its own home and keyring (Linux), the demo issuer."""
    env = {"ZORGCERT_HOME": str(layout.app_home), "ZORGCERT_ISSUER_URL": url,
           "ZORGCERT_ISSUER_CA": str(layout.root_ca), "ZORGCERT_LANG": lang}
    if sys.platform.startswith("linux"):
        env["HOME"] = str(layout.user_home)
    env.update(keyring or {})
    return env


def gui_env(layout: Layout, url: str, lang: str, keyring: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the app's window: :func:`app_env`, and the X11 cookie still found."""
    env = child_env(**app_env(layout, url, lang, keyring))
    if "HOME" in env and "XAUTHORITY" not in os.environ:
        # X11 clients find their cookie in $HOME/.Xauthority: keep the real one reachable.
        cookie = Path.home() / ".Xauthority"
        if cookie.exists():
            env["XAUTHORITY"] = str(cookie)
    return env


def has_display() -> bool:
    """Can a window be shown here? On Linux only with X11 or Wayland."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def gui_missing() -> str | None:
    """Why the app's window cannot be opened from this installation, or None when it can."""
    for module in ("PySide6.QtWidgets", "ui.app"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} not found"
        except (ImportError, ValueError) as exc:
            return f"{module}: {type(exc).__name__}"
    return None


def zorgcert_command() -> list[str]:
    """How the user types ``zorgcert`` for this installation."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / ("zorgcert.exe" if os.name == "nt" else "zorgcert")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.commands.cli"]


def install_command(layout: Layout, url: str, lang: str, user_number: str,
                    keyring: dict[str, str] | None = None) -> str:
    """The exact command line that installs the demo certificate (POSIX shell syntax)."""
    env = app_env(layout, url, lang, keyring)
    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    words += [shlex.quote(w) for w in zorgcert_command()] + ["install", "--user-number", user_number]
    return " ".join(words)


def status_command(layout: Layout, url: str, lang: str, keyring: dict[str, str] | None = None) -> str:
    """The exact command line that shows the demo certificate's state (POSIX shell syntax)."""
    env = app_env(layout, url, lang, keyring)
    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    return " ".join([*words, *(shlex.quote(w) for w in zorgcert_command()), "status"])
