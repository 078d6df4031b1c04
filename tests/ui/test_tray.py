"""The tray agent: colour by the worst state, reminders once, renew now, wake-up checks, and no tray at all.

Offscreen Qt has no system tray (``isSystemTrayAvailable()`` is False), so the icon is
never really shown: the agent's ``notified`` signal carries every notification it would
show, and the no-tray path is tested as the user would meet it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from app.desk.desktop import Desktop
from ui.tray import HEARTBEAT_MS, WAKE_JUMP_SECONDS, Agent

from .conftest import User

WAIT = 60_000


class Clock:
    def __init__(self, desktop: Desktop):
        self.offset = timedelta(0)
        self.real = desktop.clock

    def now(self):
        return self.real.now() + self.offset


def test_check_colours_notifies_once_and_schedules(qtbot, user: User) -> None:
    agent = Agent(user.desktop, "nl")
    said: list[tuple[str, str]] = []
    agent.notified.connect(lambda title, text: said.append((title, text)))
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.check()
    assert agent.colour == "grey" and said == []  # nothing installed: grey, and silence
    assert not agent.renew_action.isEnabled()

    number, pin = user.new_holder("Lotte Agent")
    user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.check()
    assert agent.colour == "orange"  # valid 20 days: renewal is open
    assert agent.renew_action.isEnabled() and agent.backup_action.isEnabled()
    assert len(said) == 1
    title, text = said[0]
    assert title == "Certificaat verloopt binnenkort"
    assert text.startswith("Het certificaat van Lotte Agent verloopt over 19 dagen, op ")
    assert agent.tray.toolTip() == "ZorgCert: vernieuwen mogelijk"
    # a second look, and a fresh agent after a restart: silence
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.check()
    again = Agent(user.desktop, "nl")
    with qtbot.waitSignal(again.checked, timeout=WAIT):
        again.check()
    assert len(said) == 1
    # the next look is timed, at most an hour away; the heartbeat is once a minute
    assert agent.check_timer.isActive() and 1_000 <= agent.check_timer.interval() <= 3_600_000
    assert agent.heartbeat.interval() == HEARTBEAT_MS == 60_000


def test_renew_now_and_a_failed_renewal_is_told(qtbot, user: User,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    number, pin = user.new_holder("Maarten Nu")
    old = user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    agent = Agent(user.desktop, "nl")
    said: list[tuple[str, str]] = []
    agent.notified.connect(lambda title, text: said.append((title, text)))
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.check()
    said.clear()
    agent.renew_action.trigger()
    qtbot.waitUntil(lambda: any(t == "Certificaat vernieuwd" for t, _ in said), timeout=WAIT)
    assert user.desktop.status()[0].fingerprint != old.fingerprint

    # the issuer goes away: renew now fails, and the agent says so once, with what to check
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.check()
    said.clear()
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", "https://127.0.0.1:9")
    agent.renew_action.trigger()
    qtbot.waitUntil(lambda: any(t == "Vernieuwen mislukt" for t, _ in said), timeout=WAIT)
    (failure,) = [text for title, text in said if title == "Vernieuwen mislukt"]
    assert "Maarten Nu is niet vernieuwd" in failure and "niet bereikbaar" in failure
    assert "internetverbinding" in failure
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.check()
    assert [t for t, _ in said].count("Vernieuwen mislukt") == 1


def test_wake_up_triggers_a_check(qtbot, user: User) -> None:
    clock = Clock(user.desktop)
    user.desktop.clock = clock
    monotonic = [1000.0]
    agent = Agent(user.desktop, "nl", monotonic=lambda: monotonic[0])
    checks: list[object] = []
    agent.checked.connect(checks.append)
    # a normal minute: wall and monotonic clocks move together, no check
    clock.offset += timedelta(seconds=60)
    monotonic[0] += 60
    agent.beat()
    assert not agent.checking and checks == []
    # suspended for three hours: the wall clock jumped, the monotonic one did not
    clock.offset += timedelta(hours=3, seconds=60)
    monotonic[0] += 60
    assert 3 * 3600 > WAKE_JUMP_SECONDS
    with qtbot.waitSignal(agent.checked, timeout=WAIT):
        agent.beat()
    assert len(checks) == 1


def test_menu_open_and_backup(qtbot, offline: Desktop) -> None:
    agent = Agent(offline, "nl")
    with qtbot.waitSignal(agent.open_requested) as opened:
        agent.open_action.trigger()
    assert opened.args == [""]
    with qtbot.waitSignal(agent.open_requested) as backup:
        agent.backup_action.trigger()
    assert backup.args == ["backup"]
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen: the reason the icon is not really shown


def test_no_tray_says_so(qapp, offline: Desktop, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app import agent_main

    monkeypatch.setenv("ZORGCERT_HOME", str(offline.paths.config_dir.parent))
    assert agent_main(["--lang", "nl"]) == 2
    assert "Er is geen systeemvak" in capsys.readouterr().err


def test_once_prints_the_due_reminders_headless(user: User, capsys: pytest.CaptureFixture[str]) -> None:
    from ui.app import agent_main

    number, pin = user.new_holder("Nina Zonder Vak")
    user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    assert agent_main(["--once", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Certificaat verloopt binnenkort: Het certificaat van Nina Zonder Vak verloopt over")
    assert agent_main(["--once", "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == "No reminders."  # told once
