"""Start ``zorgcert agent`` (the tray) at login: XDG autostart, the Windows Run key or a macOS LaunchAgent.

One small interface (``is_enabled``, ``enable``, ``disable``) with one implementation per
platform; ``for_platform()`` picks this machine's. The XDG one runs and is tested on
Linux; the Windows and macOS ones are tested at their boundary (a fake ``winreg``, the
plist file) and have not run on those systems yet.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from app.state.files import write_atomic

APP_ID = "zorgcert-agent"
RUN_VALUE = "ZorgCert agent"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT_LABEL = "nl.zorgcert.agent"


class Autostart(Protocol):
    """Whether the agent starts at login, and the switch for it."""

    where: str  # shown in the settings: the file or registry value that does it

    def is_enabled(self) -> bool: ...

    def enable(self, command: list[str]) -> None: ...

    def disable(self) -> None: ...


def agent_command() -> list[str]:
    """The command line that starts the tray agent with this installation's Python or frozen program."""
    if getattr(sys, "frozen", False):
        program = sys.executable
        if sys.platform == "win32":  # zorgcert.exe opens a console window; zorgcertw.exe (beside it) does not
            windowless = Path(program).with_name("zorgcertw.exe")
            if Path(program).name.lower() == "zorgcert.exe" and windowless.exists():
                program = str(windowless)
        return [program, "agent"]
    python = sys.executable
    if sys.platform == "win32":  # no console window at login
        windowless = Path(python).with_name("pythonw.exe")
        if windowless.exists():
            python = str(windowless)
    return [python, "-m", "app.commands.cli", "agent"]


# --- Linux and other XDG desktops ------------------------------------------------------------

_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def _quote_exec_arg(arg: str) -> str:
    """One argument of a desktop entry's Exec key, quoted as the Desktop Entry spec says."""
    arg = arg.replace("%", "%%")  # field codes
    if arg and not (_RESERVED & set(arg)):
        return arg
    inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    return f'"{inner}"'


def exec_line(command: list[str]) -> str:
    """The Exec value for ``command``, with the string-level backslash escape applied last."""
    return " ".join(_quote_exec_arg(a) for a in command).replace("\\", "\\\\")


def parse_exec_line(value: str) -> list[str]:
    """The argument list a desktop environment runs for an Exec value (inverse of ``exec_line``)."""
    value = value.replace("\\\\", "\x00").replace("\\s", " ").replace("\x00", "\\")  # string-level escapes
    args: list[str] = []
    current, quoted, started, i = "", False, False, 0
    while i < len(value):
        ch = value[i]
        if quoted:
            if ch == "\\" and i + 1 < len(value) and value[i + 1] in '"`$\\':
                current += value[i + 1]
                i += 1
            elif ch == '"':
                quoted = False
            else:
                current += ch
        elif ch == '"':
            quoted, started = True, True
        elif ch == " ":
            if started:
                args.append(current)
            current, started = "", False
        else:
            current += ch
            started = True
        i += 1
    if started:
        args.append(current)
    return [a.replace("%%", "%") for a in args]


class XdgAutostart:
    """``~/.config/autostart/zorgcert-agent.desktop`` (freedesktop.org Desktop Application Autostart)."""

    def __init__(self, config_home: Path | None = None):
        base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.path = base / "autostart" / f"{APP_ID}.desktop"
        self.where = str(self.path)

    def is_enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return False
        lines = {line.strip() for line in text.splitlines()}
        return "Hidden=true" not in lines and "X-GNOME-Autostart-enabled=false" not in lines

    def enable(self, command: list[str]) -> None:
        entry = "\n".join([
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.0",
            "Name=ZorgCert",
            "Comment=Houdt uw certificaten in de gaten",
            "Comment[en]=Keeps an eye on your certificates",
            f"Exec={exec_line(command)}",
            "Icon=zorgcert",
            "Terminal=false",
            "Categories=Utility;",
            "X-GNOME-Autostart-enabled=true",
            "",
        ])
        write_atomic(self.path, entry.encode("utf-8"), mode=0o644)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def command(self) -> list[str] | None:
        """The command the desktop will run at login, read back from the file."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        for line in text.splitlines():
            if line.startswith("Exec="):
                return parse_exec_line(line[5:])
        return None


# --- Windows -------------------------------------------------------------------------------


class WindowsRunKey:
    """``HKCU\\...\\CurrentVersion\\Run`` value ``ZorgCert agent``. Not yet run on Windows."""

    def __init__(self, registry: Any = None):
        if registry is None:
            import winreg as registry  # only exists on Windows
        self.reg = registry
        self.where = f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE}"

    def _key(self, access: int) -> Any:
        return self.reg.CreateKeyEx(self.reg.HKEY_CURRENT_USER, RUN_KEY, 0, access)

    def is_enabled(self) -> bool:
        try:
            with self._key(self.reg.KEY_READ) as key:
                self.reg.QueryValueEx(key, RUN_VALUE)
            return True
        except FileNotFoundError:
            return False

    def enable(self, command: list[str]) -> None:
        with self._key(self.reg.KEY_SET_VALUE) as key:
            self.reg.SetValueEx(key, RUN_VALUE, 0, self.reg.REG_SZ, subprocess.list2cmdline(command))

    def disable(self) -> None:
        try:
            with self._key(self.reg.KEY_SET_VALUE) as key:
                self.reg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            pass


# --- macOS ---------------------------------------------------------------------------------


class MacLaunchAgent:
    """``~/Library/LaunchAgents/nl.zorgcert.agent.plist``, loaded by launchd at login. Not yet run on macOS."""

    def __init__(self, home: Path | None = None):
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
        self.where = str(self.path)

    def is_enabled(self) -> bool:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except FileNotFoundError:
            return False
        return bool(data.get("RunAtLoad")) and not data.get("Disabled", False)

    def enable(self, command: list[str]) -> None:
        plist = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",  # only in a graphical login, where a menu-bar icon can show
        }
        write_atomic(self.path, plistlib.dumps(plist), mode=0o644)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


def for_platform(platform: str = sys.platform) -> Autostart:
    """This machine's autostart mechanism."""
    if platform == "win32":
        return WindowsRunKey()
    if platform == "darwin":
        return MacLaunchAgent()
    return XdgAutostart()
