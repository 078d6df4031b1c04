"""Issue 11 point 10: held connections cannot take the issuer down, nor flood its log.

The issuer runs under a lowered descriptor limit (``prlimit --nofile=256:256``) while the
test holds a thousand idle TCP connections: it keeps answering, and its log stays small.
"""

from __future__ import annotations

import base64
import logging
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator

import pytest
import requests
from issuer_harness import RunningIssuer, serve_issuer

from issuer.site import RateLimit, connection_cap

NOFILE = 256
HELD = 1000


@pytest.fixture(scope="module")
def limited(issuer: RunningIssuer) -> Iterator[RunningIssuer]:
    """A second server on the module issuer's data, with only NOFILE descriptors."""
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) is needed")
    running = serve_issuer(issuer.data, command_prefix=("prlimit", f"--nofile={NOFILE}:{NOFILE}"))
    yield running
    running.stop()


def _port(running: RunningIssuer) -> int:
    return int(running.url.rsplit(":", 1)[1])


def test_serves_while_a_thousand_idle_connections_are_held(limited: RunningIssuer) -> None:
    port = _port(limited)
    tls = ssl.create_default_context(cafile=limited.ca)
    held: list[socket.socket] = []
    log_before = sum(len(line) for line in limited.log_lines)
    try:
        deadline = time.monotonic() + 10
        while len(held) < HELD and time.monotonic() < deadline:
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                continue
        assert len(held) == HELD, f"only {len(held)} connections could be opened"
        # and some that finished their TLS handshake, then went quiet
        for _ in range(20):
            held.append(tls.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                                        server_hostname="127.0.0.1"))
        started = time.monotonic()
        answer = requests.get(limited.url + "/api/v1/policy", verify=limited.ca, timeout=10)
        assert answer.status_code == 200 and answer.json()["max_pin_attempts"] == 5
        cacerts = requests.get(limited.url + "/.well-known/est/cacerts", verify=limited.ca, timeout=10)
        assert cacerts.status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)  # let the closes be seen (and logged, at a bounded rate)
    assert requests.get(limited.url + "/api/v1/policy", verify=limited.ca, timeout=10).status_code == 200
    assert limited.process.poll() is None
    log = "".join(limited.log_lines)
    assert len(log) - log_before < 100_000, log[-3000:]
    assert "connection cap" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


def test_a_limit_lowered_under_a_running_issuer(issuer: RunningIssuer) -> None:
    """accept() failing with EMFILE (here: the limit cut from outside) lowers the cap; no log storm."""
    running = serve_issuer(issuer.data)
    try:
        subprocess.run(["prlimit", "--pid", str(running.process.pid), f"--nofile={NOFILE}:{NOFILE}"], check=True)
        held = []
        try:
            for _ in range(600):
                held.append(socket.create_connection(("127.0.0.1", _port(running)), timeout=5))
            answer = requests.get(running.url + "/api/v1/policy", verify=running.ca, timeout=5)
            assert answer.status_code == 200
        finally:
            for sock in held:
                sock.close()
        log = "".join(running.log_lines)
        assert "connection cap lowered" in log, log[-3000:]
        assert len(log) < 100_000 and "Traceback" not in log, log[-3000:]
    finally:
        running.stop()


@pytest.fixture()
def quick(issuer: RunningIssuer) -> Iterator[RunningIssuer]:
    running = serve_issuer(issuer.data, ("--handshake-timeout", "1", "--idle-timeout", "1"))
    yield running
    running.stop()


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed ``sock`` (EOF or reset); fails after ``seconds``."""
    sock.settimeout(seconds)
    started = time.monotonic()
    try:
        while sock.recv(4096):
            pass
    except (ssl.SSLError, ConnectionResetError):
        pass
    except TimeoutError:
        pytest.fail(f"the connection was still open after {seconds} s")
    return time.monotonic() - started


def test_handshake_and_idle_timeouts(quick: RunningIssuer) -> None:
    port = _port(quick)
    tls = ssl.create_default_context(cafile=quick.ca)
    # no ClientHello at all
    assert _closed_within(socket.create_connection(("127.0.0.1", port)), 4) < 3
    # a finished handshake and then no request
    quiet = tls.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
    assert _closed_within(quiet, 4) < 3
    # one request, then kept alive without a second
    kept = tls.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
    kept.sendall(b"GET /api/v1/policy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    kept.settimeout(5)
    assert kept.recv(4096).startswith(b"HTTP/1.1 200")
    assert _closed_within(kept, 4) < 3


def test_a_trickled_body_is_cut_off(quick: RunningIssuer) -> None:
    """A request whose body never comes would hold its connection busy (never evicted) for ever."""
    tls = ssl.create_default_context(cafile=quick.ca)
    slow = tls.wrap_socket(socket.create_connection(("127.0.0.1", _port(quick))), server_hostname="127.0.0.1")
    auth = base64.b64encode(b"12345678901234:00000000").decode()
    slow.sendall(("POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Content-Type: application/pkcs10\r\nAuthorization: Basic {auth}\r\n"
                  "Content-Length: 1000\r\n\r\nMIIB").encode())
    slow.settimeout(5)
    started = time.monotonic()
    answer = slow.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"application/problem+json" in answer
    assert time.monotonic() - started < 3
    slow.close()


def test_a_storm_of_errors_is_logged_at_a_bounded_rate() -> None:
    now = [0.0]
    limit = RateLimit(burst=5, per=10.0, total=50, clock=lambda: now[0])
    records = [logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource",
                                 None, None) for _ in range(10_000)]
    assert sum(limit.filter(r) for r in records) == 5
    # other messages have their own allowance, within the total
    other = [logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, f"message {i % 100}", None, None)
             for i in range(10_000)]
    assert sum(limit.filter(r) for r in other) == 45
    now[0] = 11.0  # the next window says how much was held back
    late = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource",
                             None, None)
    assert limit.filter(late) and "held back" in late.getMessage()


def test_the_cap_stays_below_the_descriptor_limit() -> None:
    assert connection_cap(256) == 192
    assert connection_cap(1024) == 896
    assert connection_cap(65536) == 65536 - 8192
    assert connection_cap(65536, 500) == 500
    assert connection_cap(32) == 8
