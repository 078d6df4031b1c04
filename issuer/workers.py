"""``serve --workers N``: N forked worker processes accepting on the same listening sockets, under a small supervisor.

Why pre-fork and not gunicorn: the issuer accepts its connections itself (:class:`issuer.site.GuardedSite`:
connection cap, TLS handshake timeout, its own TLS context that accepts an expired client
certificate), and gunicorn's aiohttp worker would replace all of that with its own site and TLS
settings. The standard library does what is needed: the supervisor opens the sockets, the
service and the CA once, forks, and each worker runs the ordinary ``serve`` loop on the
inherited sockets (the kernel hands each new connection to one of them). The supervisor
forwards SIGTERM/SIGINT, waits for the workers to finish their requests, and restarts a worker
that dies (docs/issuer.md, "Workers and instances").
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable

log = logging.getLogger("zorgcert.issuer")

STOP_GRACE = 10.0
"""Seconds the workers have to finish after SIGTERM before they are killed."""
QUICK_DEATHS = 5
"""A worker that dies this many times in a row within a second of starting is not started again."""


def default_workers(database_url: str) -> int:
    """The number of cores for PostgreSQL; one for SQLite (one writer at a time, see :func:`check_workers`)."""
    if database_url.startswith("sqlite") or not hasattr(os, "fork"):
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def check_workers(n: int, database_url: str) -> str | None:
    """Why ``n`` workers cannot serve this database (Dutch, then English), or None."""
    if n < 1:
        return "--workers moet minstens 1 zijn / --workers must be at least 1"
    if n > 1 and database_url.startswith("sqlite"):
        return ("meer dan één worker vraagt PostgreSQL: SQLite laat één schrijver tegelijk toe, de workers zouden "
                "op elkaar wachten; gebruik --workers 1 of een PostgreSQL-database (database in issuer.toml) / "
                "more than one worker needs PostgreSQL: SQLite lets one writer in at a time, so the workers would "
                "queue behind each other; use --workers 1 or a PostgreSQL database (database in issuer.toml)")
    if n > 1 and not hasattr(os, "fork"):
        return ("--workers groter dan 1 kan alleen op Linux en andere Unix-systemen / "
                "--workers above 1 needs Linux or another Unix system")
    return None


def supervise(n: int, listeners: list[socket.socket], worker: Callable[[int], None],
              ready: Callable[[], None]) -> int:
    """Fork ``n`` workers running ``worker(index)`` on ``listeners``; until SIGTERM/SIGINT. The exit code.

    ``ready`` runs in the supervisor once every worker has been started (the ready file).
    """
    stopping = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    children: dict[int, tuple[int, float]] = {}  # pid -> (index, started at)
    quick_deaths = 0

    def start(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: default signal handling, its own event loop, never returns
            for sig, handler in old.items():
                signal.signal(sig, handler)
            code = 0
            try:
                worker(index)
            except BaseException:  # a worker's failure is logged and is its exit code
                log.exception("worker %d failed", index)
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = (index, time.monotonic())

    try:
        for index in range(n):
            start(index)
        log.info("%d worker processes started (pids %s)", n, ", ".join(map(str, children)))
        ready()
        while not stopping:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)  # polled: a signal only sets a flag
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.1)
                continue
            if stopping or pid not in children:
                continue
            index, started = children.pop(pid)
            quick_deaths = quick_deaths + 1 if time.monotonic() - started < 1.0 else 0
            log.error("worker %d (pid %d) stopped unexpectedly (%s)", index, pid, _how(status))
            if quick_deaths >= QUICK_DEATHS:
                log.error("workers keep dying at start; stopping the issuer")
                break
            start(index)
    finally:
        for sock in listeners:
            sock.close()  # no new connections reach the supervisor's copies
        _stop_all(children)
        for sig, handler in old.items():
            signal.signal(sig, handler)
    return 1 if quick_deaths >= QUICK_DEATHS else 0


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def _stop_all(children: dict[int, tuple[int, float]]) -> None:
    """SIGTERM every worker, wait up to :data:`STOP_GRACE`, then SIGKILL what is left."""
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_GRACE
    while children and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            break
        if pid == 0:
            time.sleep(0.02)
        else:
            children.pop(pid, None)
    for pid in children:
        log.warning("worker pid %d did not stop in %.0f s; killed", pid, STOP_GRACE)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
