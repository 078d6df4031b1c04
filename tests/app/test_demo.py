"""``zorgcert demo`` as a user runs it: a real issuer child, the printed install command, Ctrl+C, kill -9."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from issuer_harness import pin_from_letter

ZORGCERT = [sys.executable, "-m", "app.commands.cli"]
READY = "Ctrl+C"  # the last line the demo prints once everything runs

pytestmark = pytest.mark.slow  # each demo starts an issuer, a keyring and its users


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def after(self, prefix: str) -> str:
        """The rest of the first line that starts with ``prefix``."""
        line = next(line for line in self.lines if line.startswith(prefix))
        return line[len(prefix):].strip()


SESSION_VARS = ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                "GNOME_KEYRING_CONTROL")


def _env(home: Path, *, no_session: bool = False, **extra: str) -> dict[str, str]:
    """The environment of a user without a display (and, with ``no_session``, without any D-Bus session)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY") and not k.startswith("ZORGCERT_")
           and not (no_session and k in SESSION_VARS)}
    env.update(HOME=str(home), ZORGCERT_LANG="nl", **extra)
    return env


def start_demo(folder: Path, home: Path, *args: str, timeout: float = 180, no_session: bool = False,
               **env: str) -> Demo:
    """``zorgcert demo --short --folder FOLDER`` (without a display unless ``env`` gives one); returns once ready."""
    proc = subprocess.Popen([*ZORGCERT, "demo", "--short", "--folder", str(folder), *args],
                            env=_env(home, no_session=no_session, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    demo = Demo(proc)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            demo.lines.append(line)
            if READY in line or line.startswith("{"):  # the last line, or the --json facts
                demo.ready.set()
        demo.ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not demo.ready.wait(timeout) or proc.poll() is not None:
        proc.kill()
        raise AssertionError("demo did not come up:\n" + demo.text)
    return demo


def children_of(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def the_issuer(demo: Demo) -> tuple[int, int]:
    """(pid, port) of the issuer the demo started."""
    (pid,) = [k for k in children_of(demo.proc.pid) if "issuer.cli serve" in cmdline(k)]
    port = int(re.search(r"https://127\.0\.0\.1:(\d+)", demo.text).group(1))  # type: ignore[union-attr]
    return pid, port


def wait_gone(pid: int, port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while (alive(pid) or listening(port)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid), f"issuer {pid} still runs"
    assert not listening(port), f"port {port} still open"


def run_printed(command: str, extra_env: dict[str, str], *args: str, stdin: str | None = None,
                base: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command line the demo printed (``K=V ... zorgcert ...``) exactly as a shell would."""
    words = shlex.split(command)
    assignments = {}
    while "=" in words[0] and not words[0].startswith("/"):
        key, _, value = words.pop(0).partition("=")
        assignments[key] = value
    base = os.environ if base is None else base
    env = {**{k: v for k, v in base.items() if not k.startswith("ZORGCERT_")}, **extra_env, **assignments}
    return subprocess.run([*words, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "zorgcert-demo"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture()
def demo(demo_folder: Path, home: Path) -> Iterator[Demo]:
    d = start_demo(demo_folder, home)
    yield d
    if d.proc.poll() is None:
        d.proc.kill()
        d.proc.wait()


def test_walk_through_without_display_then_ctrl_c(demo: Demo, demo_folder: Path,
                                                  secret_service: dict[str, str]) -> None:
    assert "geen beeldscherm" in demo.text
    number = demo.after("Gebruikersnummer van Anna de Vries:")
    assert re.fullmatch(r"\d{14}", number)
    letter = Path(demo.after("De pincode staat in de brief:"))
    assert letter.is_file() and letter.is_relative_to(demo_folder)
    pin = pin_from_letter(letter)
    assert pin not in demo.text  # the demo points at the letter, never shows the PIN
    by = re.search(r"Installeer vóór (\d\d:\d\d:\d\d) \(klok van deze computer\)", demo.text)
    assert by, demo.text
    assert by.group(1) > time.strftime("%H:%M:%S") or time.strftime("%H") == "23"  # in the coming 5 minutes
    assert "zorgcert demo --short --fresh" in demo.text
    install, status = [line.strip() for line in demo.lines if line.startswith("    ZORGCERT_HOME=")]
    assert install.endswith(f"install --user-number {number}")

    r = run_printed(install, secret_service, "--pin-stdin", "--json", stdin=pin + "\n")
    assert r.returncode == 0, r.stderr
    assert "Anna de Vries" in r.stdout
    # the certificate went into the demo's own NSS database, not the real home's
    assert f"sql:{demo_folder}/home/.pki/nssdb" in r.stdout
    shown = run_printed(status, secret_service)
    assert shown.returncode == 0, shown.stderr
    assert number in shown.stdout and "geldig" in shown.stdout

    pid, port = the_issuer(demo)
    assert alive(pid) and listening(port)
    demo.proc.send_signal(signal.SIGINT)
    assert demo.proc.wait(timeout=30) == 0
    assert "De demo is gestopt" in demo.text
    wait_gone(pid, port, timeout=2)  # stopped before the demo exited


def test_kill_9_takes_the_issuer_down_too(demo: Demo) -> None:
    assert "wordt hergebruikt" in demo.text  # same folder as the test before: the CA is kept
    # Anna installed in the test before: a new user with another name, not a second Anna
    assert "Gebruikersnummer van Bram Bakker:" in demo.text and "Anna de Vries" not in demo.text
    pid, port = the_issuer(demo)
    assert alive(pid) and listening(port)
    demo.proc.kill()
    demo.proc.wait()
    wait_gone(pid, port)  # PR_SET_PDEATHSIG: the kernel told the issuer its parent died


def test_refuses_folders_it_did_not_make_and_mixed_durations(tmp_path: Path, home: Path) -> None:
    other = tmp_path / "papers"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    r = subprocess.run([*ZORGCERT, "demo", "--folder", str(other), "--fresh", "--no-gui"], env=_env(home),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "geen demomap" in r.stderr and "--folder" in r.stderr
    assert (other / "keep.txt").read_text() == "mine"

    short = tmp_path / "short-demo"
    short.mkdir()
    (short / "demo.json").write_text('{"version": 1, "mode": "short"}')  # as a --short demo leaves it
    r = subprocess.run([*ZORGCERT, "demo", "--folder", str(short), "--no-gui", "--lang", "en"],
                       env=_env(home), capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "short durations" in r.stderr and "--fresh" in r.stderr


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_opens_the_app_pointed_at_the_demo_and_ctrl_c_closes_it(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "gui-demo"
    # a display as far as the demo can tell; Qt draws offscreen (the variable reaches the app)
    demo = start_demo(folder, home, DISPLAY=":97", QT_QPA_PLATFORM="offscreen")
    try:
        assert "ZorgCert wordt geopend" in demo.text, demo.text
        pid, port = the_issuer(demo)
        (gui,) = [k for k in children_of(demo.proc.pid) if "app.commands.cli gui" in cmdline(k)]
        seen = environ(gui)
        url = re.search(r"https://127\.0\.0\.1:\d+", demo.text).group(0)  # type: ignore[union-attr]
        assert seen["ZORGCERT_ISSUER_URL"] == url
        assert seen["ZORGCERT_ISSUER_CA"] == str(folder / "issuer" / "root-ca.pem")
        assert seen["ZORGCERT_HOME"] == str(folder / "app") and seen["HOME"] == str(folder / "home")
        # the app talks to the demo's own keyring, not to the session's (there may be none)
        bus = re.search(r"DBUS_SESSION_BUS_ADDRESS=(\S+)", demo.text)
        assert bus is None  # the GUI route prints no command; the address is only in the app's environment
        assert seen["DBUS_SESSION_BUS_ADDRESS"] != os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        assert any(environ(k).get("DBUS_SESSION_BUS_ADDRESS") == seen["DBUS_SESSION_BUS_ADDRESS"]
                   for k in children_of(demo.proc.pid) if "gnome-keyring" in cmdline(k))
        time.sleep(3)
        assert alive(gui), (folder / "app.log").read_text(errors="replace")[-2000:]
        demo.proc.send_signal(signal.SIGINT)
        assert demo.proc.wait(timeout=30) == 0
        assert not alive(gui)
        wait_gone(pid, port, timeout=2)
    finally:
        if demo.proc.poll() is None:
            demo.proc.kill()


ASK_CONTACT = ("from app.state import config, paths; from app.lifecycle import contact, services; "
               "p = paths.paths(); "
               "c = contact.contact_person(services.ZorgCert(p, config.issuer(p))); print(c.name)")


def keyring_daemons_of(folder: Path) -> list[int]:
    """dbus-daemon and gnome-keyring-daemon processes started for the demo in ``folder``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            name = (proc / "comm").read_text().strip()
            if name not in ("dbus-daemon", "gnome-keyring-d") or not alive(int(proc.name)):
                continue
            if str(folder) in (proc / "environ").read_bytes().decode(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_headless_json_demo_brings_its_own_keyring(tmp_path: Path) -> None:
    """No display, no D-Bus session, a scratch HOME: the demo's JSON and its install command still work."""
    folder, home, runtime = tmp_path / "headless-demo", tmp_path / "home", tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    base = _env(home, no_session=True, XDG_RUNTIME_DIR=str(runtime))  # nothing at $XDG_RUNTIME_DIR/bus either
    assert "DBUS_SESSION_BUS_ADDRESS" not in base
    demo = start_demo(folder, home, "--no-gui", "--json", no_session=True, XDG_RUNTIME_DIR=str(runtime))
    try:
        facts = json.loads(demo.lines[-1])
        assert facts["why_no_gui"] == "--no-gui" and len(facts["keyring_pids"]) == 2
        assert facts["env"]["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:")
        assert f"DBUS_SESSION_BUS_ADDRESS={shlex.quote(facts['env']['DBUS_SESSION_BUS_ADDRESS'])}" in \
            facts["install_command"]
        pin = pin_from_letter(Path(facts["letter"]))
        assert pin not in json.dumps(facts)
        assert sorted(keyring_daemons_of(folder)) == sorted(facts["keyring_pids"])
        for pid in facts["keyring_pids"]:  # the unlock secret went in on stdin: not in argv, not in environ
            secret = (folder / "keyring" / "unlock").read_bytes().decode()
            assert secret not in cmdline(pid) and secret not in str(environ(pid))

        r = run_printed(facts["install_command"], {}, "--pin-stdin", "--json", stdin=pin + "\n", base=base)
        assert r.returncode == 0, r.stdout + r.stderr
        assert json.loads(r.stdout)["installed"]["user_number"] == facts["user_number"]
        shown = subprocess.run([*ZORGCERT, "status", "--json"], env={**base, **facts["env"]},
                               capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        (row,) = [r for r in json.loads(shown.stdout) if r["user_number"] == facts["user_number"]]
        assert row["state"] == "valid"
        # R11: the contact person the demo names is the one the issuer names
        asked = subprocess.run([sys.executable, "-c", ASK_CONTACT], env={**base, **facts["env"]},
                               capture_output=True, text=True, timeout=60)
        assert asked.stdout.strip() == facts["contact_person"] == "Jan Jansen", asked.stderr

        demo.proc.send_signal(signal.SIGINT)
        assert demo.proc.wait(timeout=30) == 0
        for pid in facts["keyring_pids"]:
            assert not alive(pid), cmdline(pid)
        assert keyring_daemons_of(folder) == []

        # a rerun: the installed user is not installable again, so a new one with another name ...
        demo = start_demo(folder, home, "--no-gui", "--json", no_session=True, XDG_RUNTIME_DIR=str(runtime))
        again = json.loads(demo.lines[-1])
        assert again["name"] != facts["name"] and again["user_number"] != facts["user_number"]
        assert not again["user_reused"]
        # ... and the keyring kept from the first run still opens: status sees the first certificate
        shown = subprocess.run([*ZORGCERT, "status", "--json"], env={**base, **again["env"]},
                               capture_output=True, text=True, timeout=60)
        assert facts["user_number"] in shown.stdout, shown.stderr
        demo.proc.send_signal(signal.SIGINT)
        assert demo.proc.wait(timeout=30) == 0
        # a third run: that user has not installed yet and her window is open: she is used again
        demo = start_demo(folder, home, "--no-gui", "--json", no_session=True, XDG_RUNTIME_DIR=str(runtime))
        third = json.loads(demo.lines[-1])
        assert third["user_reused"] and third["user_number"] == again["user_number"]
        assert third["name"] == again["name"] and third["install_by"] == again["install_by"]
        demo.proc.send_signal(signal.SIGINT)
        assert demo.proc.wait(timeout=30) == 0
        assert keyring_daemons_of(folder) == []
    finally:
        if demo.proc.poll() is None:
            demo.proc.kill()
            demo.proc.wait()
