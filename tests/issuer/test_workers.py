"""``serve --workers``: SQLite allows one worker, and says so (PostgreSQL with workers: test_instances.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import time
from pathlib import Path

import pytest
from issuer_harness import ISSUER

from issuer.workers import check_workers, default_workers


def test_more_than_one_worker_on_sqlite_is_refused_with_the_way_out(tmp_path: Path) -> None:
    data = tmp_path / "data"  # refused before the data folder is read: none is needed
    proc = subprocess.run([*ISSUER, "serve", "--data", str(data), "--db", f"sqlite:///{tmp_path}/issuer.db",
                           "--port", "0", "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "PostgreSQL" in proc.stderr and "--workers 1" in proc.stderr
    assert proc.stderr.index("meer dan één worker") < proc.stderr.index("more than one worker")  # Dutch first
    assert "listening" not in proc.stdout and not data.exists()


def test_the_default_is_every_core_on_postgresql_and_one_on_sqlite() -> None:
    assert default_workers("sqlite:////srv/issuer.db") == 1
    assert default_workers("postgresql+psycopg://zorgcert@db/issuer") >= 1
    assert check_workers(1, "sqlite:////srv/issuer.db") is None
    assert check_workers(4, "postgresql+psycopg://zorgcert@db/issuer") is None
    assert "at least 1" in (check_workers(0, "postgresql+psycopg://zorgcert@db/issuer") or "")


def test_log_stalls_reports_a_blocked_event_loop(caplog: pytest.LogCaptureFixture) -> None:
    """``serve --log-stalls MS``: what blocks the loop longer than MS is logged, and the longest at the end."""
    from issuer.server import _watch_loop

    async def scenario() -> None:
        watcher = asyncio.create_task(_watch_loop(30))
        await asyncio.sleep(0.05)
        time.sleep(0.12)  # a blocking call on the event loop
        await asyncio.sleep(0.05)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher

    with caplog.at_level(logging.INFO, logger="zorgcert.issuer"):
        asyncio.run(scenario())
    stalled = [r.getMessage() for r in caplog.records if "stalled" in r.getMessage()]
    assert any(int(m.split()[3]) >= 100 for m in stalled), stalled  # (a busy machine may add shorter ones)
    (longest,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("longest event-loop stall")]
    assert float(longest.split()[-2]) >= 100
