"""``zorgcert-issuer serve``: HTTPS with optional client certificates, the R3 purge on a timer.

The connections themselves (accept loop, cap, timeouts, bounded logging) are in
:mod:`issuer.site`; the routes in :mod:`issuer.web`. Once it listens, ``serve`` can say where
in a ready file (``--ready-file``, see :func:`write_ready_file` and docs/issuer.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import ssl
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from app.policy import Span
from issuer.config import IssuerConfig
from issuer.files import write_public
from issuer.pinpool import PinPool
from issuer.proxy import Networks
from issuer.service import IssuerService
from issuer.site import (
    IDLE_TIMEOUT,
    LIMITED_LOGGERS,
    TLS_HANDSHAKE_TIMEOUT,
    GuardedSite,
    RateLimit,
    busy_middleware,
    connection_cap,
    descriptor_limit,
    listen,
)
from issuer.tlsnames import name_client_cas
from issuer.web import make_app
from issuer.workers import supervise

log = logging.getLogger("zorgcert.issuer")

_X509_V_FLAG_NO_CHECK_TIME = 0x200000

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'
"""One line per request: address, request line, status, size, time. No headers: no secrets."""

READY_VERSION = 1
"""The ``version`` member of the ready file; a new member may be added without changing it."""


def tls_context(cfg: IssuerConfig) -> ssl.SSLContext:
    """Server TLS that asks for, but does not require, a client certificate from our CA."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cfg.tls_cert, cfg.tls_key)
    ctx.load_verify_locations(cafile=str(cfg.ca_dir / "issuing-ca.pem"))
    ctx.load_verify_locations(cafile=str(cfg.ca_dir / "root-ca.pem"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    # Accept an expired client certificate in the handshake (OpenSSL's X509_V_FLAG_NO_CHECK_TIME;
    # Python has no name for it): the service then answers "certificate-expired: reinstall with
    # the PIN" instead of a dropped connection. Chain and signature are still verified here, and
    # the service checks every certificate against its database and its own clock.
    ctx.verify_flags |= _X509_V_FLAG_NO_CHECK_TIME
    # name those CAs in the CertificateRequest, so a browser offers only certificates they issued
    name_client_cas(ctx, [cfg.ca_dir / "issuing-ca.pem", cfg.ca_dir / "root-ca.pem"])
    # one TLS 1.3 session ticket, not OpenSSL's two: each costs ~0.5 ms of CPU per handshake (a
    # sixth of the server's handshake here), while one is all a client needs to resume (RFC 7030
    # §3.3: resumption SHOULD be supported; tests/issuer/test_est_standard.py)
    ctx.num_tickets = 1
    return ctx


def purge_interval(span: Span) -> float:
    """Seconds between R3 purges: a quarter of the install window, between 1 s and 1 h."""
    probe = datetime(2000, 1, 1)
    seconds = ((probe + span) - probe).total_seconds()
    return min(max(seconds / 4, 1.0), 3600.0)


async def _purge_forever(service: IssuerService, interval: float) -> None:
    while True:
        try:
            purged = await asyncio.get_running_loop().run_in_executor(None, service.purge)
            if purged:
                log.info("purged %d certificate(s) not installed within the install window", len(purged))
        except Exception:
            log.exception("purge failed; will try again")
        await asyncio.sleep(interval)



STALL_TICK = 0.01
"""Seconds between the loop watcher's wake-ups."""


async def _watch_loop(threshold_ms: float) -> None:
    """Log each event-loop stall over ``threshold_ms`` (a wake-up that came late), and the longest at the end.

    A debugging aid (``serve --log-stalls MS``): everything the loop runs between two wake-ups
    of this task delays every connection of this process by as much.
    """
    loop = asyncio.get_running_loop()
    longest = 0.0
    try:
        while True:
            before = loop.time()
            await asyncio.sleep(STALL_TICK)
            late = (loop.time() - before - STALL_TICK) * 1000
            if late > longest:
                longest = late
            if late > threshold_ms:
                log.warning("event loop stalled %.0f ms", late)
    finally:
        log.info("longest event-loop stall: %.1f ms", longest)


# --- the ready file ------------------------------------------------------------------------


def base_url(scheme: str, host: str, port: int) -> str:
    """``scheme://host:port`` (an IPv6 address in brackets), without a trailing slash."""
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def write_ready_file(path: Path, *, url: str, port: int, ca: Path) -> None:
    """Say where the issuer listens, once it does: a small JSON document, written atomically.

    ``{"version": 1, "url": ..., "port": ..., "ca": ..., "pid": ...}``: a launcher waits
    for the file to appear instead of reading the log (docs/issuer.md, "Ready file").
    """
    doc = {"version": READY_VERSION, "url": url, "port": port, "ca": str(ca), "pid": os.getpid()}
    write_public(path, (json.dumps(doc) + "\n").encode("utf-8"))


# --- serve ---------------------------------------------------------------------------------


async def serve(
    cfg: IssuerConfig,
    service: IssuerService,
    *,
    host: str,
    port: int,
    proxy_header: str | None = None,
    trusted_proxies: Networks = (),
    max_connections: int | None = None,
    handshake_timeout: float = TLS_HANDSHAKE_TIMEOUT,
    idle_timeout: float = IDLE_TIMEOUT,
    ready_file: Path | None = None,
    est_only: bool = False,
    sockets: list[socket.socket] | None = None,
    purge: bool = True,
    workers: int = 1,
    log_stalls: float | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT; then finish open requests and stop.

    ``proxy_header`` (TLS-terminator mode) needs ``trusted_proxies``: only those peers' header counts.
    ``ready_file`` is written once the sockets listen and removed when the issuer stops.
    ``est_only`` serves nothing but ``/.well-known/est/*`` (see :func:`issuer.web.make_app`).
    ``sockets`` (a worker's, :func:`serve_workers`) are listened on instead of ``host``/``port``, and then
    nothing is printed: the supervisor speaks; ``purge`` runs the R3 purge timer (one worker does).
    ``workers`` (how many serve this port) sizes the PIN pool; ``log_stalls`` (ms) logs every event-loop
    stall longer than that, and the longest one at the end (:func:`_watch_loop`).
    """
    limiter = RateLimit()
    for name in LIMITED_LOGGERS:
        logging.getLogger(name).addFilter(limiter)
    proxy = (proxy_header, trusted_proxies) if proxy_header else None
    app = make_app(
        service, proxy=proxy, body_timeout=idle_timeout, est_only=est_only, est_labels=cfg.est_labels,
        pin_pool=PinPool.for_workers(workers),
    )
    handler_kwargs: dict[str, Any] = {"access_log_format": ACCESS_LOG_FORMAT, "keepalive_timeout": idle_timeout}
    busy: set[web.RequestHandler] = set()
    app.middlewares.insert(0, busy_middleware(busy))
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=5, **handler_kwargs)
    await runner.setup()
    nofile = descriptor_limit()
    cap = connection_cap(nofile, max_connections)
    site = GuardedSite(runner, host, port, ssl_context=None if proxy else tls_context(cfg), cap=cap,
                       handler_kwargs=handler_kwargs, busy=busy, handshake_timeout=handshake_timeout,
                       sockets=sockets)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(SERVICE_THREADS, thread_name_prefix="zorgcert-service"))
    for sig in (signal.SIGTERM, signal.SIGINT):  # before anyone is told we listen: a quick stop is a clean one
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # Windows' event loop has none: a plain handler that wakes the loop
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    await site.start()
    scheme = "http" if proxy else "https"
    log.info("at most %d connections at a time (descriptor limit %d); event loop %s; %d service threads; "
             "collector thresholds %s", cap, nofile, type(loop).__module__.split(".")[0], SERVICE_THREADS,
             "/".join(map(str, gc.get_threshold())))
    if sockets is None:
        print(f"ZorgCert issuer listening on {scheme}://{host}:{site.port}/", flush=True)

    purger: asyncio.Task[None] | None = None
    watcher = asyncio.create_task(_watch_loop(log_stalls)) if log_stalls is not None else None
    try:
        if ready_file is not None:
            write_ready_file(ready_file, url=base_url(scheme, host, site.port), port=site.port, ca=cfg.root_ca_pem)
        if purge:
            purger = asyncio.create_task(_purge_forever(service, purge_interval(cfg.durations.install_window)))
        await stop.wait()
    finally:
        if ready_file is not None:
            with contextlib.suppress(OSError):
                ready_file.unlink(missing_ok=True)  # first: a reader never finds it while the port closes
        if purger is not None:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
        await runner.cleanup()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if sockets is None:
            print("ZorgCert issuer stopped", flush=True)


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (the ``issuer`` extra, not on Windows), else None: asyncio's.

    Its TLS transport and loop are compiled: about 1 ms less CPU per TLS connection on the event loop,
    a fifth of what a renewal costs it (docs/performance.md, "Issuer under load").
    """
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` to its end on a new event loop (:func:`event_loop_factory`'s)."""
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(main)


SERVICE_THREADS = 2
"""Threads per serving process for the service's blocking calls (database, signing); PIN checks have their own.

Two let one renewal wait for the database while another computes; more only contend for the
one interpreter lock with the event loop's thread, which then waits to accept and answer:
against Python's default (six on two cores), measured with ``bench/issuer_load.py``, renewal p99
at 32 connections 249-313 ms against 321-328, the longest event-loop stall 21-34 ms against
42-45, first installs 0.74-0.75 of their limit against 0.65-0.67 (docs/performance.md).
"""

GC_THRESHOLDS = (20_000, 20, 20)
"""The cyclic garbage collector's thresholds in a serving process (Python 3.11's default: 700, 10, 10).

A renewal makes thousands of short-lived container objects, which reference counting frees; with
the default thresholds the collector still ran every few requests, and each tenth of a tenth of
those runs looked at every object the process holds (~90,000 after start: modules, SQLAlchemy's
tables, the app, the CA): 100-150 ms on the event loop's thread, at whatever moment it
allocated. Measured with ``bench/issuer_load.py`` (docs/performance.md, "Issuer under load"): the
longest event-loop stall at 32 connections 96-146 ms with the default, 40-52 ms with these, and
no more CPU. What is cyclic garbage (rare here: an exception with its traceback) waits longer to
be freed, within a bounded number of allocations.
"""


def tune_collector() -> None:
    """Set :data:`GC_THRESHOLDS` (in the serving process, before it forks: the workers inherit them)."""
    gc.set_threshold(*GC_THRESHOLDS)


def serve_workers(cfg: IssuerConfig, service: IssuerService, *, workers: int, host: str, port: int,
                  ready_file: Path | None = None, proxy_header: str | None = None, **kwargs: Any) -> int:
    """``serve`` in ``workers`` forked processes on one port (:mod:`issuer.workers`); the exit code.

    One worker is :func:`serve` in this process. With more, this process opens the sockets, writes
    the ready file (its own pid: SIGTERM to it stops them all) and supervises.
    """
    tune_collector()
    if workers == 1:
        run_loop(serve(cfg, service, host=host, port=port, ready_file=ready_file,
                       proxy_header=proxy_header, **kwargs))
        return 0
    listeners = listen(host, port)
    scheme = "http" if proxy_header else "https"
    port = listeners[0].getsockname()[1]
    service.forget_connections()  # none of the supervisor's database connections cross the fork

    def worker(index: int) -> None:
        run_loop(serve(cfg, service, host=host, port=port, proxy_header=proxy_header, sockets=listeners,
                       purge=index == 0, workers=workers, **kwargs))

    def ready() -> None:
        print(f"ZorgCert issuer listening on {scheme}://{host}:{port}/ ({workers} workers)", flush=True)
        if ready_file is not None:
            write_ready_file(ready_file, url=base_url(scheme, host, port), port=port, ca=cfg.root_ca_pem)

    try:
        return supervise(workers, listeners, worker, ready)
    finally:
        if ready_file is not None:
            with contextlib.suppress(OSError):
                ready_file.unlink(missing_ok=True)
        print("ZorgCert issuer stopped", flush=True)
