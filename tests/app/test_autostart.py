"""Starting the tray agent at login: XDG autostart for real; Windows and macOS at their boundary.

The Windows Run key is exercised against a fake ``winreg`` (the module exists only on
Windows) and the macOS LaunchAgent as the plist file launchd would read; neither has run
on its own system yet.
"""

from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.desk import autostart
from app.desk.autostart import MacLaunchAgent, WindowsRunKey, XdgAutostart

TRICKY = ["/opt/Zorg Cert/bin/python3", "-m", "app.commands.cli", "agent", "--lang", 'n"l', "$HOME", "100%", "a\\b",
          "`x`"]


def test_xdg_autostart_round_trip(tmp_path: Path) -> None:
    xdg = XdgAutostart(tmp_path / "config")
    assert not xdg.is_enabled()
    xdg.enable(TRICKY)
    assert xdg.path == tmp_path / "config" / "autostart" / "zorgcert-agent.desktop"
    assert xdg.is_enabled()
    text = xdg.path.read_text()
    assert text.startswith("[Desktop Entry]\n") and "Type=Application" in text and "Terminal=false" in text
    assert xdg.command() == TRICKY  # what the desktop will run is exactly what we meant
    xdg.disable()
    assert not xdg.is_enabled() and not xdg.path.exists()
    xdg.disable()  # twice is fine


def test_xdg_autostart_command_really_starts(tmp_path: Path) -> None:
    """The Exec line, parsed as a desktop environment does, runs this installation's zorgcert."""
    xdg = XdgAutostart(tmp_path)
    xdg.enable(autostart.agent_command())
    command = xdg.command()
    assert command is not None and command[-1] == "agent"
    probe = subprocess.run([*command[:-1], "--version"], capture_output=True, text=True, timeout=60,
                           cwd=Path(__file__).resolve().parents[2])
    assert probe.returncode == 0 and probe.stdout.startswith("zorgcert "), probe.stderr


def test_xdg_disabled_by_the_desktop_counts_as_off(tmp_path: Path) -> None:
    xdg = XdgAutostart(tmp_path)
    xdg.enable(["zorgcert", "agent"])
    xdg.path.write_text(xdg.path.read_text().replace("X-GNOME-Autostart-enabled=true",
                                                     "X-GNOME-Autostart-enabled=false"))
    assert not xdg.is_enabled()


def test_xdg_uses_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert XdgAutostart().path == tmp_path / "cfg" / "autostart" / "zorgcert-agent.desktop"
    assert isinstance(autostart.for_platform("linux"), XdgAutostart)


class FakeWinreg:
    """The parts of ``winreg`` the Run key uses (boundary: winreg exists only on Windows)."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_READ, KEY_SET_VALUE, REG_SZ = 1, 2, 1

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], tuple[int, str]] = {}
        self.opened: list[tuple[str, str, int]] = []

    class _Key:
        def __init__(self, path: str):
            self.path = path

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> Any:
        self.opened.append((root, path, access))
        return self._Key(path)

    def QueryValueEx(self, key: Any, name: str) -> tuple[str, int]:
        if (key.path, name) not in self.values:
            raise FileNotFoundError(name)
        kind, value = self.values[(key.path, name)]
        return value, kind

    def SetValueEx(self, key: Any, name: str, reserved: int, kind: int, value: str) -> None:
        self.values[(key.path, name)] = (kind, value)

    def DeleteValue(self, key: Any, name: str) -> None:
        if (key.path, name) not in self.values:
            raise FileNotFoundError(name)
        del self.values[(key.path, name)]


def test_windows_run_key_at_the_boundary() -> None:
    reg = FakeWinreg()
    run = WindowsRunKey(reg)
    assert not run.is_enabled()
    run.enable([r"C:\Program Files\ZorgCert\zorgcert.exe", "agent"])
    assert run.is_enabled()
    ((path, name), (kind, value)), = reg.values.items()
    assert path == r"Software\Microsoft\Windows\CurrentVersion\Run" and name == "ZorgCert agent"
    assert kind == reg.REG_SZ
    assert value == '"C:\\Program Files\\ZorgCert\\zorgcert.exe" agent'  # quoted as CreateProcess parses it
    assert all(root == "HKCU" for root, _, _ in reg.opened)  # never the machine-wide key
    run.disable()
    assert not run.is_enabled()
    run.disable()


def test_macos_launch_agent_at_the_boundary(tmp_path: Path) -> None:
    agent = MacLaunchAgent(tmp_path)
    assert not agent.is_enabled()
    agent.enable(["/Applications/ZorgCert.app/Contents/MacOS/zorgcert", "agent"])
    assert agent.path == tmp_path / "Library" / "LaunchAgents" / "nl.zorgcert.agent.plist"
    plist = plistlib.loads(agent.path.read_bytes())
    assert plist["Label"] == "nl.zorgcert.agent" and plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == ["/Applications/ZorgCert.app/Contents/MacOS/zorgcert", "agent"]
    assert agent.is_enabled()
    agent.disable()
    assert not agent.is_enabled()


def test_frozen_program_starts_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.agent_command() == [sys.executable, "agent"]


def test_frozen_windows_console_program_starts_the_windowless_one_at_login(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # sys.platform and the frozen layout are faked: this runs on Linux; the Wine installer test
    # (tests/packaging/test_windows_installer.py) checks the Run value the installed program writes
    console, windowless = tmp_path / "zorgcert.exe", tmp_path / "zorgcertw.exe"
    console.write_bytes(b"MZ")
    windowless.write_bytes(b"MZ")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "executable", str(console))
    assert autostart.agent_command() == [str(windowless), "agent"]
    windowless.unlink()  # a build without the windowless program: the console one still starts the agent
    assert autostart.agent_command() == [str(console), "agent"]
