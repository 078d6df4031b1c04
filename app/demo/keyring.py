"""The demo's own keyring (Linux): a private session bus and gnome-keyring, unlocked with a throwaway secret.

The app keeps its vault key in the Secret Service; a server, CI or an SSH session has none,
so the demo brings its own and hands its address to every command it prints.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from app.demo.children import Children, child_env, last_line
from app.demo.folder import DemoError, Layout
from app.state.vault import bounded

KEYRING_TIMEOUT = 20.0  # seconds for the private bus and gnome-keyring to come up
UNIX_PATH_MAX = 107  # bytes of a Unix socket path (sun_path is 108 with its NUL): a deep demo folder is longer
_BUS_ADDRESS = re.compile(r"^(unix:\S+)$", re.M)


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


def _unlock_secret(layout: Layout) -> bytes:
    """The demo keyring's throwaway unlock secret: random, made once, kept (0600) in the 0700 demo folder.

    It protects nothing but the demo keyring (demo vault keys), and it must survive a restart
    of the demo, or a rerun could not open the keyring that holds the demo's vault key.
    """
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
                        reason=last_line(log, offset) or "timeout", log=str(log))
    return found


def _keyring_ready(address: str) -> bool:
    """Does the gnome-keyring we started answer on ``address``, with its default collection unlocked?

    Only once it owns the Secret Service's name: a call to the name before that would make the
    bus start a second gnome-keyring of its own (D-Bus activation), one the demo does not supervise.
    The module's one lazy import: secretstorage and jeepney (D-Bus) exist on Linux only.
    """
    import secretstorage
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    def probe() -> bool:
        with open_dbus_connection(address) as conn:
            if Proxy(message_bus, conn).NameHasOwner("org.freedesktop.secrets")[0] != 1:
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
    if len(os.fsencode(runtime / "keyring" / "control")) > UNIX_PATH_MAX:  # gnome-keyring's socket would not fit
        runtime = Path(tempfile.mkdtemp(prefix="zorgcert-demo-"))  # 0700, short; the system cleans /tmp
    runtime.mkdir(mode=0o700, exist_ok=True)
    base = {k: v for k, v in child_env().items()
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
                            reason=last_line(layout.keyring_log, offset) or "timeout", log=str(layout.keyring_log))
        time.sleep(0.1)
    return {"DBUS_SESSION_BUS_ADDRESS": address}
