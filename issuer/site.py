"""The issuer's connections: accepted and counted from ``accept()`` on, capped below the descriptor limit.

Connections are accepted here, not by asyncio's ``create_server``, so that every one is
counted from ``accept()`` on (also while its TLS handshake runs) and the issuer stays below
its file-descriptor limit: see :class:`GuardedSite` and docs/issuer.md, "Connections". The
loggers a stranger can make speak are bounded (:class:`RateLimit`); malformed HTTP is answered
as a problem document without echoing the input (:class:`_RequestHandler`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import secrets
import socket
import ssl
import sys
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from app.policy import Refusal
from issuer.guards import SECURITY_HEADERS
from issuer.problems import Problem, plain_http

if sys.platform != "win32":  # Windows has no rlimits (the frozen demo runs the issuer there)
    import resource

conn_log = logging.getLogger("zorgcert.issuer.connections")

TLS_HANDSHAKE_TIMEOUT = 10.0
"""Seconds a new connection has to finish its TLS handshake."""
IDLE_TIMEOUT = 15.0
"""Seconds a connection may sit without a request (before the first one, or kept alive after one);
also the time a request's body has to arrive."""
TLS_SHUTDOWN_TIMEOUT = 5.0
"""Seconds to wait for the peer's close_notify before the socket is closed anyway."""
NOFILE_WANTED = 65536
"""The soft descriptor limit is raised to the hard one, up to this."""


# --- bounded logging -------------------------------------------------------------------


class RateLimit(logging.Filter):
    """At most ``burst`` records per message template every ``per`` seconds, ``total`` in all.

    What is held back is counted and said on the next line let through, so a storm (accept()
    failing with EMFILE, a thousand failed handshakes, malformed requests) costs a few lines,
    not megabytes. Put on the loggers that strangers can make speak: asyncio's, aiohttp's
    server logger and the issuer's connection logger.
    """

    def __init__(self, burst: int = 5, per: float = 10.0, total: int = 50,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.burst, self.per, self.total, self.clock = burst, per, total, clock
        self._start = clock()
        self._counts: dict[tuple[str, str], int] = {}
        self._passed = 0
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        if now - self._start >= self.per:
            self._start, self._counts, self._passed = now, {}, 0
        key = (record.name, str(record.msg)[:200])
        seen = self._counts.get(key, 0)
        if len(self._counts) < 1000:
            self._counts[key] = seen + 1
        if seen >= self.burst or self._passed >= self.total:
            self._dropped += 1
            return False
        self._passed += 1
        if self._dropped:
            record.msg = f"{record.msg} [{self._dropped} log line(s) held back before this one]"
            self._dropped = 0
        return True


LIMITED_LOGGERS = ("asyncio", "aiohttp.server", "aiohttp.web", conn_log.name)


# --- descriptors and the connection cap ---------------------------------------------------


def descriptor_limit() -> int:
    """Raise the soft RLIMIT_NOFILE towards the hard one (up to :data:`NOFILE_WANTED`); the soft limit."""
    if sys.platform == "win32":  # no such limit; asyncio's proactor loop has no select() cap either
        return NOFILE_WANTED
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = NOFILE_WANTED if hard == resource.RLIM_INFINITY else min(hard, NOFILE_WANTED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return NOFILE_WANTED if soft == resource.RLIM_INFINITY else int(soft)


def connection_cap(nofile: int, wanted: int | None = None) -> int:
    """Connections held at once: the descriptor limit minus a margin for the database, the worker
    threads, logs and the listening sockets (an eighth of the limit, at least 64)."""
    cap = max(8, nofile - max(64, nofile // 8))
    return min(cap, wanted) if wanted else cap


# --- the site: accept, count, evict -------------------------------------------------------


class _Conn:
    """One accepted socket, from accept() until its descriptor is closed."""

    __slots__ = ("sock", "peer", "task", "handler", "transport")

    def __init__(self, sock: socket.socket, peer: Any) -> None:
        self.sock, self.peer = sock, peer
        self.task: asyncio.Task[None] | None = None
        self.handler: _RequestHandler | None = None
        self.transport: asyncio.BaseTransport | None = None


class _RequestHandler(web.RequestHandler):
    """aiohttp's connection handler with two changes: low-level errors (a malformed request line or
    header) are answered as application/problem+json without echoing the input, and the site
    hears when the connection is gone."""

    on_lost: Callable[[], None] | None = None

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        if self.on_lost is not None:
            self.on_lost()
            self.on_lost = None

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:  # an answer has begun: nothing more can be said
            raise ConnectionError("response already started")
        if status == 500:
            ref = secrets.token_hex(4)
            conn_log.error("internal error, reference %s", ref, exc_info=exc)
            body = {**plain_http(500), "detail": f"internal error; quote reference {ref} to Support",
                    "reference": ref}
        elif status == 400:
            conn_log.info("malformed HTTP request from %s (%s)", request.remote, type(exc).__name__)
            body = Problem(Refusal.BAD_REQUEST, "malformed HTTP request").body()
        else:
            body = plain_http(status)
        response = web.json_response(body, status=status, content_type="application/problem+json",
                                     headers=SECURITY_HEADERS)
        response.force_close()
        return response


def busy_middleware(busy: set[web.RequestHandler]) -> Any:
    """Marks a connection busy while a request runs on it: busy connections are never evicted."""

    @web.middleware
    async def busy_while_handling(request: web.Request, handler: Any) -> web.StreamResponse:
        protocol = request.protocol
        busy.add(protocol)
        try:
            return await handler(request)
        finally:
            busy.discard(protocol)

    return busy_while_handling


EMFILE_MARGIN = 32
"""When accept() still runs out of descriptors, the cap drops this far below the connections held."""

_ACCEPT_RESOURCE_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


class GuardedSite(web.BaseSite):
    """A TCP site that accepts connections itself, so every connection counts from accept().

    * a TLS handshake must finish within :data:`TLS_HANDSHAKE_TIMEOUT`; a connection without a
      request is closed after :data:`IDLE_TIMEOUT` (aiohttp's keep-alive timeout);
    * at most ``cap`` connections at once, below the descriptor limit. At the cap a new connection
      closes the **oldest idle** one (still in its handshake, or waiting for a request) and is
      served; only when every held connection is inside a request is the new one refused.
      Stopping to accept instead would let whoever holds the connections lock everyone else out
      until the timeouts free them, and then race them for the freed places: closing the oldest
      idle connection keeps the issuer serving newcomers while costing a well-behaved client at
      most a reconnect;
    * accept() failing for want of descriptors anyway (the margin was not enough, or the limit was
      lowered from outside) lowers the cap below the connections held and closes idle ones down
      to it; it is logged at a bounded rate (see :class:`RateLimit`), and there is no busy loop.
    """

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str | None,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None,
        cap: int,
        handler_kwargs: dict[str, Any],
        busy: set[web.RequestHandler],
        handshake_timeout: float = TLS_HANDSHAKE_TIMEOUT,
        backlog: int = 128,
        sockets: list[socket.socket] | None = None,
    ) -> None:
        """``sockets``: listening sockets made already (the workers' shared ones, :mod:`issuer.workers`)."""
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self._given = list(sockets or [])
        self._host, self._port, self.cap = host, port, cap
        self.handshake_timeout = handshake_timeout
        self._handler_kwargs = handler_kwargs
        self._listeners: list[socket.socket] = []
        self._acceptors: list[asyncio.Task[None]] = []
        self._conns: dict[_Conn, None] = {}  # oldest first
        self.busy = busy  # connections inside a request, kept by busy_middleware()

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://{self._host or '0.0.0.0'}:{self.port}"

    @property
    def port(self) -> int:
        return self._listeners[0].getsockname()[1] if self._listeners else self._port

    @property
    def connections(self) -> int:
        return len(self._conns)

    async def start(self) -> None:
        await super().start()
        self._listeners = self._given or listen(self._host, self._port, self._backlog)
        self._acceptors = [asyncio.create_task(self._accept_forever(sock)) for sock in self._listeners]

    async def stop(self) -> None:
        for task in self._acceptors:
            task.cancel()
        await asyncio.gather(*self._acceptors, return_exceptions=True)
        for sock in self._listeners:
            sock.close()
        for conn in list(self._conns):
            if conn.transport is None and conn.task is not None:
                conn.task.cancel()  # still in its handshake: aiohttp's shutdown does not know it
        await super().stop()

    async def _accept_forever(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, peer = await loop.sock_accept(listener)
            except (InterruptedError, ConnectionAbortedError):
                continue
            except OSError as exc:
                if exc.errno in _ACCEPT_RESOURCE_ERRORS:
                    # the margin was not enough (other descriptors in use, the limit lowered from
                    # outside): lower the cap below what is held now and make room
                    self.cap = max(8, min(self.cap, len(self._conns) - EMFILE_MARGIN))
                    conn_log.warning("accept() failed: %s; connection cap lowered to %d", exc.strerror, self.cap)
                    while len(self._conns) > self.cap and self._evict_oldest_idle():
                        pass
                else:  # never let the listener die: say so (at a bounded rate) and go on
                    conn_log.warning("accept() failed: %s", exc.strerror or type(exc).__name__)
                await asyncio.sleep(0.05)  # let the closes happen; no busy loop
                continue
            if len(self._conns) >= self.cap:
                if self._evict_oldest_idle():
                    conn_log.info("connection cap %d reached: closed the oldest idle connection", self.cap)
                else:
                    conn_log.warning("connection cap %d reached and every connection is in a request: "
                                     "refused a connection from %s", self.cap, peer[0])
                    sock.close()
                    continue
            self._serve(sock, peer)
            # sock_accept() does not yield while the backlog has more: let evicted connections close
            await asyncio.sleep(0)

    def _serve(self, sock: socket.socket, peer: Any) -> None:
        conn = _Conn(sock, peer)
        self._conns[conn] = None
        forget = functools.partial(self._conns.pop, conn, None)

        def protocol() -> _RequestHandler:
            server = self._runner.server
            assert server is not None
            handler = _RequestHandler(server, loop=asyncio.get_running_loop(), **self._handler_kwargs)
            handler.on_lost = forget
            conn.handler = handler
            return handler

        conn.task = asyncio.create_task(self._connect(conn, protocol, forget))

    async def _connect(self, conn: _Conn, protocol: Callable[[], _RequestHandler],
                       forget: Callable[[], Any]) -> None:
        loop = asyncio.get_running_loop()
        tls = self._ssl_context
        try:
            transport, _ = await loop.connect_accepted_socket(
                protocol,
                conn.sock,
                ssl=tls,
                ssl_handshake_timeout=self.handshake_timeout if tls else None,
                ssl_shutdown_timeout=TLS_SHUTDOWN_TIMEOUT if tls else None,
            )
        except asyncio.CancelledError:
            forget()  # evicted or stopping during the handshake; asyncio closes the socket
            return
        except (TimeoutError, OSError) as exc:  # ssl.SSLError is an OSError
            forget()
            reason = getattr(exc, "reason", None) or type(exc).__name__
            conn_log.info("TLS handshake with %s failed: %s", conn.peer[0], reason)
            return
        conn.transport = transport
        if transport.is_closing():
            forget()

    def _evict_oldest_idle(self) -> bool:
        for conn in self._conns:
            if conn.handler is not None and conn.handler in self.busy:
                continue
            del self._conns[conn]
            if conn.transport is not None:
                conn.transport.abort()  # type: ignore[attr-defined]
            elif conn.task is not None:
                conn.task.cancel()  # in its handshake: cancelling aborts the transport
            return True
        return False


def listen(host: str | None, port: int, backlog: int = 128) -> list[socket.socket]:
    """Listening sockets for every address of ``host`` (one port for all, also when 0 was asked)."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    seen: set[Any] = set()
    out: list[socket.socket] = []
    try:
        for family, kind, proto, _, addr in infos:
            if addr in seen:
                continue
            seen.add(addr)
            sock = socket.socket(family, kind, proto)
            out.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(out) > 1:
                addr = (addr[0], out[0].getsockname()[1], *addr[2:])
            sock.bind(addr)
            sock.listen(backlog)
            sock.setblocking(False)
    except OSError:
        for sock in out:
            sock.close()
        raise
    return out
