"""A real Secret Service for tests: a private D-Bus session with gnome-keyring-daemon.

The variables it sets (``DBUS_SESSION_BUS_ADDRESS``, ``XDG_DATA_HOME`` ...) are inherited by
the ``zorgcert`` processes the tests start, so they use the same keyring. Nothing of the
machine's own session is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def secret_service_session() -> Iterator[dict[str, str]]:
    """Start dbus-daemon + gnome-keyring (secrets component, unlocked); yield the environment."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: install the Debian packages dbus-x11 and gnome-keyring")
    root = Path(tempfile.mkdtemp(prefix="zorgcert-keyring-"))
    runtime = root / "run"
    runtime.mkdir(mode=0o700)
    env = {"XDG_DATA_HOME": str(root / "data"), "XDG_RUNTIME_DIR": str(runtime),
           "XDG_CONFIG_HOME": str(root / "config")}
    bus = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                         capture_output=True, text=True, check=True, env={**os.environ, **env})
    address, pid = bus.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    full = {**os.environ, **env}
    keyring = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=full)
    assert keyring.stdin is not None
    keyring.stdin.write(b"test-keyring-password")
    keyring.stdin.close()
    probe = ("import keyring; keyring.set_password('zorgcert-probe','p','ok');"
             "assert keyring.get_password('zorgcert-probe','p') == 'ok'")
    deadline = time.monotonic() + 20
    while True:
        ready = subprocess.run([sys.executable, "-c", probe], env=full, capture_output=True)
        if ready.returncode == 0:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Secret Service did not come up: {ready.stderr.decode()[-500:]}")
        time.sleep(0.2)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        keyring.terminate()
        try:
            keyring.wait(timeout=5)
        except subprocess.TimeoutExpired:
            keyring.kill()
        subprocess.run(["kill", pid], check=False)
        shutil.rmtree(root, ignore_errors=True)
