"""``zorgcert demo``: a local issuer, a demo practice with a user, and the app pointed at it.

Everything lives in one demo folder: the issuer's data (CA, SQLite, outbox), the app's
state (a ``ZORGCERT_HOME`` of its own, so the user's real ZorgCert settings stay
untouched) and, on Linux, a home folder of its own for the app, so the demo certificate
and the demo CA go into a demo NSS database instead of the user's browser.

The issuer and the app run as child processes in their own process groups. Ctrl+C,
SIGTERM, SIGHUP and normal exit stop both; on Linux each child also gets SIGTERM from
the kernel when the demo dies (``PR_SET_PDEATHSIG``), so not even ``kill -9`` of the
demo leaves an issuer running.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from app.errors import Busy, ZorgCertError
from app.files import read_json, write_json
from app.i18n import duration, t
from app.lock import InstanceLock

DURATIONS = {
    "short": {"validity": "PT10M", "renewal_window": "PT4M", "install_window": "PT5M"},
    "real": {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"},
}
ORGANISATION = ("Huisartsenpraktijk De Linde (demo)", "01234567")
CONTACT = ("Jan Jansen", "jan.jansen@example.invalid")
USER = ("Anna de Vries", "anna.devries@example.invalid")
# Each new demo user gets the next name, so two users of one demo are never confused.
USERS = (USER, ("Bram Bakker", "bram.bakker@example.invalid"), ("Carla Smit", "carla.smit@example.invalid"),
         ("Daan Visser", "daan.visser@example.invalid"), ("Eva de Jong", "eva.dejong@example.invalid"),
         ("Fatima El Amrani", "fatima.elamrani@example.invalid"))
STATE_VERSION = 1
START_TIMEOUT = 60.0  # seconds for the issuer to listen (a cold start on a slow machine)
_LISTENING = re.compile(r"listening on (https://127\.0\.0\.1:\d+)/")
_PR_SET_PDEATHSIG = 1


class DemoError(ZorgCertError):
    """The demo could not start; the key names the reason."""

    exit_code = 1

    def __init__(self, key: str, details: str = "", **params: Any):
        super().__init__(details, **params)
        self._key = key

    @property
    def key(self) -> str:  # type: ignore[override]
        return self._key


@dataclass(frozen=True)
class Layout:
    """Where the demo keeps what."""

    folder: Path

    @property
    def issuer(self) -> Path:
        return self.folder / "issuer"

    @property
    def app_home(self) -> Path:
        """The demo's ``ZORGCERT_HOME``."""
        return self.folder / "app"

    @property
    def user_home(self) -> Path:
        """``HOME`` of the app on Linux: its NSS database is the demo's, not the browser's."""
        return self.folder / "home"

    @property
    def state(self) -> Path:
        return self.folder / "demo.json"

    @property
    def issuer_log(self) -> Path:
        return self.folder / "issuer.log"

    @property
    def app_log(self) -> Path:
        return self.folder / "app.log"

    @property
    def root_ca(self) -> Path:
        return self.issuer / "root-ca.pem"

    @property
    def keyring(self) -> Path:
        """The demo's own keyring: gnome-keyring's files and its throwaway unlock secret (Linux)."""
        return self.folder / "keyring"

    @property
    def keyring_log(self) -> Path:
        return self.folder / "keyring.log"


def default_folder(short: bool) -> Path:
    """The demo folder in ZorgCert's data folder; short and real durations each have their own."""
    from app.paths import paths

    return paths().data_dir / ("demo-short" if short else "demo")


# --- child processes that cannot outlive the demo ---------------------------------------------


def _die_with_parent() -> Any:
    """A ``preexec_fn`` that asks the kernel to SIGTERM the child when the demo dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

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
            proc = subprocess.Popen(argv, **kwargs)  # our own executable
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
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        for proc in self.procs:  # grandchildren (certutil, a dialog) that outlived their parent
            _signal_group(proc, signal.SIGKILL)
        self.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, sig)
        elif proc.poll() is None:
            proc.terminate() if sig == signal.SIGTERM else proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


class _Stop(Exception):
    """SIGTERM or SIGHUP arrived: leave the wait loop like Ctrl+C."""


def _raise_stop(signum: int, _frame: Any) -> None:
    raise _Stop(signal.Signals(signum).name)


# --- the issuer --------------------------------------------------------------------------------


def _issuer_argv() -> list[str]:
    """How to run ``zorgcert-issuer``: the frozen bundle carries it as ``zorgcert issuer``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "issuer"]
    return [sys.executable, "-m", "issuer.cli"]


def _app_argv(command: str) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, command]
    return [sys.executable, "-m", "app.cli", command]


def _issuer_admin(layout: Layout, *args: str) -> dict[str, Any]:
    """One ``zorgcert-issuer`` admin command with ``--json``; its answer."""
    argv = [*_issuer_argv(), *args, "--data", str(layout.issuer), "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=_child_env())
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise DemoError("demo.issuer_failed", f"{args[0]} exited {proc.returncode}",
                        step=" ".join(args[:2]), reason=said[-1] if said else str(proc.returncode),
                        log=str(layout.issuer_log))
    return dict(json.loads(proc.stdout))


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGCERT_ISSUER_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def _wait_for_url(proc: subprocess.Popen[bytes], log: Path, offset: int) -> str:
    """The URL the issuer prints once it listens (it picks a free port)."""
    found = _wait_for_line(proc, log, offset, _LISTENING, START_TIMEOUT)
    if found is None:
        raise DemoError("demo.issuer_failed", "the issuer did not start", step="serve",
                        reason=_last_line(log, offset) or "timeout", log=str(log))
    return found


def _wait_for_line(proc: subprocess.Popen[bytes], log: Path, offset: int, pattern: re.Pattern[str],
                   timeout: float) -> str | None:
    """The first group of ``pattern`` once a child writes it to its log past ``offset``; None if it dies or is late."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(log, "rb") as fh:
                fh.seek(offset)
                found = pattern.search(fh.read().decode("utf-8", "replace"))
        except FileNotFoundError:
            found = None
        if found:
            return found.group(1)
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def _last_line(log: Path, offset: int) -> str:
    try:
        with open(log, "rb") as fh:
            fh.seek(offset)
            lines = fh.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


# --- the demo's own keyring (Linux) -----------------------------------------------------------

KEYRING_TIMEOUT = 20.0  # seconds for the private bus and gnome-keyring to come up
_BUS_ADDRESS = re.compile(r"^(unix:\S+)$", re.M)


def _unlock_secret(layout: Layout) -> bytes:
    """The demo keyring's throwaway unlock secret: random, made once, kept (0600) in the 0700 demo folder.

    It protects nothing but the demo keyring (demo vault keys), and it must survive a restart
    of the demo, or a rerun could not open the keyring that holds the demo's vault key.
    """
    import base64

    layout.keyring.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = layout.keyring / "unlock"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    secret = base64.b64encode(os.urandom(24))
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return secret


def _wait_for_bus(proc: subprocess.Popen[bytes], log: Path, offset: int) -> str:
    """The address ``dbus-daemon --print-address`` writes once it listens."""
    found = _wait_for_line(proc, log, offset, _BUS_ADDRESS, KEYRING_TIMEOUT)
    if found is None:
        raise DemoError("demo.keyring_failed", "dbus-daemon did not start", step="dbus-daemon",
                        reason=_last_line(log, offset) or "timeout", log=str(log))
    return found


def _keyring_ready(address: str) -> bool:
    """Does the Secret Service on ``address`` answer, with its default collection unlocked?"""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    from app.vault import bounded

    def probe() -> bool:
        with open_dbus_connection(address) as conn:
            if not secretstorage.check_service_availability(conn):
                return False
            return not secretstorage.get_default_collection(conn).is_locked()

    try:
        return bounded(probe, 2.0, "demo-probe")
    except Exception:  # noqa: BLE001 - not up yet (connection refused, name not owned, timeout)
        return False


def start_keyring(layout: Layout, children: Children) -> dict[str, str]:
    """A private session bus and gnome-keyring (secrets only), unlocked with the throwaway secret.

    Both run as supervised children, like the issuer: stopped with the demo, on Ctrl+C, and by
    the kernel when the demo is killed. The secret reaches gnome-keyring on stdin only. Returns
    what the app needs to reach it: ``DBUS_SESSION_BUS_ADDRESS``.
    """
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            raise DemoError("demo.keyring_missing", f"{tool} not found", tool=tool)
    secret = _unlock_secret(layout)
    runtime = layout.keyring / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    base = {k: v for k, v in _child_env().items()
            if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL")}
    base.update(HOME=str(layout.user_home), XDG_RUNTIME_DIR=str(runtime),
                XDG_DATA_HOME=str(layout.keyring / "data"), XDG_CONFIG_HOME=str(layout.keyring / "config"))
    offset = layout.keyring_log.stat().st_size if layout.keyring_log.exists() else 0
    bus = children.start(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=unix:tmpdir=/tmp",
                          "--print-address=1"], env=base, log=layout.keyring_log)
    address = _wait_for_bus(bus, layout.keyring_log, offset)
    keyring = children.start(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                             env={**base, "DBUS_SESSION_BUS_ADDRESS": address}, log=layout.keyring_log,
                             stdin=secret)
    deadline = time.monotonic() + KEYRING_TIMEOUT
    while not _keyring_ready(address):
        if keyring.poll() is not None or time.monotonic() > deadline:
            raise DemoError("demo.keyring_failed", "gnome-keyring-daemon did not come up", step="gnome-keyring",
                            reason=_last_line(layout.keyring_log, offset) or "timeout", log=str(layout.keyring_log))
        time.sleep(0.1)
    return {"DBUS_SESSION_BUS_ADDRESS": address}


# --- the steps -----------------------------------------------------------------------------------


def _prepare_folder(layout: Layout, mode: str, *, fresh: bool, lang: str) -> dict[str, Any]:
    """Empty the folder if asked (only if it is a demo folder); the demo's saved state."""
    marker = layout.state.exists() or (layout.issuer / "issuer.toml").exists()
    if fresh and layout.folder.exists():
        if not marker and any(layout.folder.iterdir()):
            raise DemoError("demo.not_a_demo_folder", f"{layout.folder} has no demo.json", folder=str(layout.folder))
        shutil.rmtree(layout.folder)
    state = dict(read_json(layout.state, {}))
    if not state and layout.folder.exists() and any(layout.folder.iterdir()) and not marker:
        raise DemoError("demo.not_a_demo_folder", f"{layout.folder} is not empty", folder=str(layout.folder))
    if state.get("mode", mode) != mode:
        raise DemoError("demo.mode_mismatch", f"folder made with {state['mode']}", folder=str(layout.folder),
                        mode=t(f"demo.mode.{state['mode']}", lang))
    return state


def _init_issuer(layout: Layout, mode: str) -> bool:
    """``zorgcert-issuer init`` once; False when the folder already held a CA."""
    if (layout.issuer / "ca").exists():
        return False
    d = DURATIONS[mode]
    _issuer_admin(layout, "init", "--name", "ZorgCert Demo", "--hostname", "localhost", "--ip", "127.0.0.1",
                  "--validity", d["validity"], "--renewal-window", d["renewal_window"],
                  "--install-window", d["install_window"])
    return True


def _people(layout: Layout, state: dict[str, Any], mode: str, url: str) -> tuple[dict[str, Any], bool]:
    """The demo practice, its contact person (with a certificate), and the user to install: (user, reused).

    The user of the previous run is used again while her certificate can still be installed
    (never installed and inside the install window, or expired: R6); otherwise a new user with
    the next name is added.
    """
    if "org_id" not in state:
        org_id = int(_issuer_admin(layout, "org", "add", "--name", ORGANISATION[0], "--agb", ORGANISATION[1])["org_id"])
        _issuer_admin(layout, "org", "agreement", str(org_id))
        state = {"version": STATE_VERSION, "mode": mode, "org_id": org_id, "users": []}
        write_json(layout.state, state)
    if not state.get("contact_installed"):
        _contact_person(layout, state, url)
    user = _installable_user(layout, state, mode)
    if user is not None:
        return user, True
    users = state.get("users", [])
    name, email = USERS[len(users) % len(USERS)]
    if len(users) >= len(USERS):
        name = f"{name} ({len(users) // len(USERS) + 1})"
    from app.clock import utcnow

    added_at = utcnow()  # a moment before the issuer's approval: the deadline shown errs on the early side
    new = _issuer_admin(layout, "user", "add", "--org", str(state["org_id"]), "--kind", "personal", "--name",
                        name, "--email", email)
    user = {"user_number": new["user_number"], "name": name, "letter": new["letter"], "mail": new["mail"],
            "added_at": added_at.isoformat()}
    state["users"] = [*users, user]
    write_json(layout.state, state)
    return user, False


def _contact_person(layout: Layout, state: dict[str, Any], url: str) -> None:
    """Make the contact person and install his certificate (on "his own computer": the demo, key not kept).

    The issuer names an organisation's contact person only while he is an approved user; one
    whose certificate is never installed is deleted after the install window (R3), and then
    "Wie is mijn contactpersoon?" has no answer. So the demo installs his certificate at once.
    """
    from app import identity
    from app.errors import IssuerRefused
    from app.est import IssuerClient

    contact = _issuer_admin(layout, "user", "add", "--org", str(state["org_id"]), "--kind", "personal", "--name",
                            CONTACT[0], "--email", CONTACT[1], "--contact-person")
    pin = re.search(r"^Pincode: (\d+)$", Path(contact["letter"]).read_text(encoding="utf-8"), re.M)
    if pin is None:
        raise DemoError("demo.issuer_failed", "no PIN in the contact person's letter", step="user add",
                        reason=contact["letter"], log=str(layout.issuer_log))
    client = IssuerClient(url, layout.root_ca)
    key = identity.generate_key(identity.KeySpec.from_csrattrs(client.csrattrs()))
    try:
        client.simpleenroll(contact["user_number"], pin.group(1), identity.csr_der(key))
    except IssuerRefused as exc:
        raise DemoError("demo.issuer_failed", f"contact person enroll: {exc.code}", step="enroll",
                        reason=exc.code, log=str(layout.issuer_log)) from None
    state.update(contact_user_number=contact["user_number"], contact_letter=contact["letter"],
                 contact_installed=True)
    write_json(layout.state, state)


def _installable_user(layout: Layout, state: dict[str, Any], mode: str) -> dict[str, Any] | None:
    """The last demo user if her certificate can still be installed with her PIN, else None."""
    from datetime import datetime

    from app.clock import utcnow
    from app.policy import parse_span

    users = [u for u in state.get("users", []) if isinstance(u, dict)]  # older demo folders kept numbers only
    if not users:
        return None
    last = users[-1]
    certs = [c for c in _issuer_admin_list(layout, "cert", "list", "--org", str(state["org_id"]))
             if c.get("user_number") == last["user_number"]]
    now = utcnow()
    if certs:
        return last if certs[-1].get("state") == "expired" else None  # R6 reinstall; valid or revoked: no
    window = parse_span(DURATIONS[mode]["install_window"])
    deadline = datetime.fromisoformat(last["added_at"]) + window
    margin = (now + window) - now  # a tenth of the window left at least: time to read the letter
    return last if deadline - now > margin / 10 else None


def _issuer_admin_list(layout: Layout, *args: str) -> list[dict[str, Any]]:
    argv = [*_issuer_argv(), *args, "--data", str(layout.issuer), "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=_child_env())
    if proc.returncode != 0:
        raise DemoError("demo.issuer_failed", f"{args[0]} exited {proc.returncode}", step=" ".join(args[:2]),
                        reason=proc.returncode, log=str(layout.issuer_log))
    return list(json.loads(proc.stdout))


def install_deadline(user: dict[str, Any], mode: str) -> Any:
    """When the issuer deletes ``user``'s certificate if it is not installed (R3), as an aware datetime."""
    from datetime import datetime

    from app.policy import parse_span

    return datetime.fromisoformat(user["added_at"]) + parse_span(DURATIONS[mode]["install_window"])


def app_env(layout: Layout, url: str, lang: str, keyring: dict[str, str] | None = None) -> dict[str, str]:
    """What points the app at the demo: its own state, its own home and keyring (Linux), the demo issuer."""
    env = {"ZORGCERT_HOME": str(layout.app_home), "ZORGCERT_ISSUER_URL": url,
           "ZORGCERT_ISSUER_CA": str(layout.root_ca), "ZORGCERT_LANG": lang}
    if sys.platform.startswith("linux"):
        env["HOME"] = str(layout.user_home)
    env.update(keyring or {})
    return env


def _gui_env(layout: Layout, url: str, lang: str, keyring: dict[str, str] | None = None) -> dict[str, str]:
    env = _child_env(**app_env(layout, url, lang, keyring))
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
    import importlib.util

    for module in ("PySide6.QtWidgets", "ui.app"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} not found"
        except (ImportError, ValueError) as exc:
            return f"{module}: {type(exc).__name__}"
    return None


def _zorgcert_command() -> list[str]:
    """How the user types ``zorgcert`` for this installation."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / ("zorgcert.exe" if os.name == "nt" else "zorgcert")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def install_command(layout: Layout, url: str, lang: str, user_number: str,
                    keyring: dict[str, str] | None = None) -> str:
    """The exact command line that installs the demo certificate (POSIX shell syntax)."""
    env = app_env(layout, url, lang, keyring)
    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    words += [shlex.quote(w) for w in _zorgcert_command()] + ["install", "--user-number", user_number]
    return " ".join(words)


def status_command(layout: Layout, url: str, lang: str, keyring: dict[str, str] | None = None) -> str:
    env = app_env(layout, url, lang, keyring)
    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    return " ".join([*words, *(shlex.quote(w) for w in _zorgcert_command()), "status"])


# --- the command ---------------------------------------------------------------------------------


def run(args: argparse.Namespace, lang: str, out: TextIO = sys.stdout) -> int:
    """Start the demo, wait for Ctrl+C (or the app closing), stop everything; the exit code."""
    mode = "short" if args.short else "real"
    layout = Layout((args.folder or default_folder(args.short)).expanduser().resolve())

    def say(key: str, **params: Any) -> None:
        if not args.json:
            print(t(key, lang, **params), file=out, flush=True)

    state = _prepare_folder(layout, mode, fresh=args.fresh, lang=lang)
    layout.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    children = Children()
    atexit.register(children.stop_all)
    previous = {s: signal.signal(s, _raise_stop) for s in _stop_signals()}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignored
    try:
        with InstanceLock(layout.folder / "demo.lock"):
            return _run_locked(args, lang, mode, layout, state, children, say, out)
    except Busy:
        raise DemoError("demo.running", "demo.lock is held", folder=str(layout.folder)) from None
    except (KeyboardInterrupt, _Stop):
        say("demo.stopping")
        children.stop_all()
        say("demo.stopped")
        return 0
    finally:
        children.stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        atexit.unregister(children.stop_all)


def _stop_signals() -> list[int]:
    return [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]


def _run_locked(args: argparse.Namespace, lang: str, mode: str, layout: Layout, state: dict[str, Any],
                children: Children, say: Any, out: TextIO) -> int:
    d = DURATIONS[mode]
    say("demo.folder", folder=str(layout.folder))
    if _init_issuer(layout, mode):
        say("demo.ca_new", ca=str(layout.root_ca))
    else:
        say("demo.ca_reused", ca=str(layout.root_ca))
    say(f"demo.durations.{mode}", **{k: duration(v, lang) for k, v in d.items()})  # "10 minuten", not PT10M

    keyring: dict[str, str] = {}
    keyring_pids: list[int] = []
    if sys.platform.startswith("linux"):
        keyring = start_keyring(layout, children)
        keyring_pids = [p.pid for p in children.procs]
        say("demo.keyring", log=str(layout.keyring_log))
    offset = layout.issuer_log.stat().st_size if layout.issuer_log.exists() else 0
    issuer = children.start([*_issuer_argv(), "serve", "--data", str(layout.issuer), "--host", "127.0.0.1",
                             "--port", "0"], env=_child_env(), log=layout.issuer_log)
    url = _wait_for_url(issuer, layout.issuer_log, offset)
    say("demo.listening", url=url, log=str(layout.issuer_log))

    user, reused = _people(layout, state, mode, url)
    state = dict(read_json(layout.state, {}))
    say("demo.organisation", org=ORGANISATION[0], contact=CONTACT[0])
    if reused:
        say("demo.user_reused", name=user["name"])
    say("demo.user_number", name=user["name"], user_number=user["user_number"])
    deadline = install_deadline(user, mode).astimezone()
    say(f"demo.install_by.{mode}", name=user["name"],
        at=deadline.strftime("%H:%M:%S" if mode == "short" else "%Y-%m-%d %H:%M"))
    say("demo.letter", letter=user["letter"])
    say("demo.mail", mail=user["mail"])
    if sys.platform.startswith("linux"):
        say("demo.isolated", home=str(layout.app_home), nssdb=str(layout.user_home / ".pki" / "nssdb"))
    else:
        say("demo.not_isolated", home=str(layout.app_home))

    install = install_command(layout, url, lang, user["user_number"], keyring)
    why_not = None
    if args.no_gui:
        why_not = "--no-gui"
    elif not has_display():
        why_not = "no-display"
        say("demo.no_display")
    else:
        missing = gui_missing()
        if missing:
            why_not = "no-ui"
            say("demo.no_ui", reason=missing)

    gui = None
    if why_not is None:
        gui = children.start(_app_argv("gui"), env=_gui_env(layout, url, lang, keyring), log=layout.app_log)
        say("demo.gui_opened", user_number=user["user_number"])
    else:
        say("demo.cli_steps")
        if not args.json:
            print("\n    " + install + "\n", file=out, flush=True)
        say("demo.cli_then")
        if not args.json:
            print("\n    " + status_command(layout, url, lang, keyring) + "\n", file=out, flush=True)
    if args.json:
        facts = {"folder": str(layout.folder), "mode": mode, "durations": d, "issuer_url": url,
                 "issuer_ca": str(layout.root_ca), "issuer_pid": issuer.pid,
                 "keyring_pids": keyring_pids, "gui": gui is not None,
                 "gui_pid": gui.pid if gui else None, "why_no_gui": why_not, "organisation": ORGANISATION[0],
                 "contact_person": CONTACT[0], "user_number": user["user_number"], "name": user["name"],
                 "user_reused": reused, "install_by": install_deadline(user, mode).isoformat(),
                 "letter": user["letter"], "mail": user["mail"], "env": app_env(layout, url, lang, keyring),
                 "install_command": install}
        print(json.dumps(facts), file=out, flush=True)
    say("demo.stop_hint")

    while True:
        if issuer.poll() is not None:
            raise DemoError("demo.issuer_failed", f"issuer exited {issuer.returncode}", step="serve",
                            reason=_last_line(layout.issuer_log, offset) or str(issuer.returncode),
                            log=str(layout.issuer_log))
        if gui is not None and gui.poll() is not None:
            if gui.returncode == 0:
                say("demo.app_closed")
                children.stop_all()
                say("demo.stopped")
                return 0
            say("demo.app_failed", code=gui.returncode, log=str(layout.app_log))
            say("demo.cli_steps")
            if not args.json:
                print("\n    " + install + "\n", file=out, flush=True)
            gui = None
        time.sleep(1.0)
