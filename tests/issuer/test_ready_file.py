"""``serve --ready-file``: the issuer says where it listens once it does, and the one launcher that reads it.

The ready file appears only after the sockets listen (a connection made the moment it is there
succeeds), holds the documented members, and is gone once the issuer stops; the launcher
(``app/demo/localissuer.py``) turns an issuer that exits or never listens into a clear error.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from issuer_harness import ISSUER, RunningIssuer

from app.demo import localissuer


def _wait_for_file(proc: subprocess.Popen[bytes], path: Path, timeout: float = 60) -> dict[str, object]:
    """Poll every millisecond (not flat out: that took a core from the issuer it waits for); the moment
    the file is there (from this process), the port must take a connection."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            assert proc.poll() is None, "serve exited before it was ready"
            time.sleep(0.001)
            continue
        doc = json.loads(text)  # whole at once: written by rename, never half
        if doc["pid"] != proc.pid:
            continue  # one left by an earlier run, not yet removed
        with socket.create_connection(("127.0.0.1", int(doc["port"])), timeout=5):
            pass  # no retry: listening already
        return dict(doc)
    raise AssertionError("no ready file")


def _serve(data: Path, ready: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*ISSUER, "serve", "--data", str(data), "--port", "0", "--ready-file", str(ready)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_the_ready_file_appears_once_the_issuer_listens_and_goes_when_it_stops(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    ready = tmp_path / "run" / "ready.json"  # the folder is made by serve
    proc = _serve(issuer.data, ready)
    try:
        doc = _wait_for_file(proc, ready)
        assert doc["pid"] == proc.pid and doc["version"] == 1
        assert doc["url"] == f"https://127.0.0.1:{doc['port']}" and doc["port"] != issuer.local.port
        assert doc["ca"] == str(issuer.data / "root-ca.pem")
        answer = requests.get(f"{doc['url']}/api/v1/policy", verify=str(doc["ca"]), timeout=30)
        assert answer.status_code == 200 and answer.json()["validity"] == "P2Y"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert not ready.exists()


def test_a_ready_file_left_by_a_killed_run_is_replaced(issuer: RunningIssuer, tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    ready.write_text('{"version": 1, "url": "https://127.0.0.1:1", "port": 1, "ca": "", "pid": 1}')
    proc = _serve(issuer.data, ready)
    try:
        doc = _wait_for_file(proc, ready)
        assert doc["port"] != 1 and doc["ca"] == str(issuer.data / "root-ca.pem")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert not ready.exists()


def test_the_launcher_returns_a_listening_issuer_and_stops_it(issuer: RunningIssuer, tmp_path: Path) -> None:
    log = tmp_path / "issuer.log"
    local = localissuer.start(issuer.data, log=log)
    try:
        assert local.running() and local.ca == issuer.data / "root-ca.pem"
        answer = requests.get(f"{local.url}/api/v1/policy", verify=str(local.ca), timeout=30)
        assert answer.status_code == 200
        assert f"listening on {local.url}/" in log.read_text()  # the line for people is still there
    finally:
        assert local.stop() == 0
    assert not local.running() and "ZorgCert issuer stopped" in log.read_text()


def test_an_issuer_that_exits_gives_its_reason_not_a_hang(issuer: RunningIssuer, tmp_path: Path) -> None:
    log = tmp_path / "issuer.log"
    log.write_text("an earlier run's last words\n")
    started = time.monotonic()
    with pytest.raises(localissuer.IssuerDidNotStart) as failed:
        localissuer.start(tmp_path / "never-made", log=log)
    assert time.monotonic() - started < 30
    assert failed.value.returncode == 1 and failed.value.log == log
    assert failed.value.reason.startswith("zorgcert-issuer: no issuer in") and "init" in failed.value.reason

    # the port is taken (by the running issuer): serve fails to bind and says so
    with pytest.raises(localissuer.IssuerDidNotStart) as busy:
        localissuer.start(issuer.data, log=tmp_path / "busy.log", port=issuer.local.port)
    assert busy.value.returncode == 1 and "in use" in busy.value.reason, busy.value.reason


def test_an_issuer_that_never_listens_is_stopped_after_the_timeout(tmp_path: Path) -> None:
    mute = [sys.executable, "-c", "import time; print('starting', flush=True); time.sleep(600)"]
    started = time.monotonic()
    with pytest.raises(localissuer.IssuerDidNotStart) as late:
        localissuer.start(tmp_path / "data", log=tmp_path / "mute.log", command=mute, timeout=2)
    assert 2 <= time.monotonic() - started < 20
    assert late.value.reason == "starting" and late.value.returncode is None
    assert "did not start: starting" in str(late.value)
    marker = str(tmp_path / "data").encode()
    left = [p for p in Path("/proc").glob("[0-9]*/cmdline") if _reads(p).find(marker) >= 0]
    assert left == [], "the mute issuer still runs"


def _reads(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
