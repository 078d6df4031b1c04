"""A server that accepts connections and never answers: a silent issuer (issue 12, point 5)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading


class SilentServer:
    """Accepts every connection, optionally completes TLS, then reads and never answers.

    Each connection's socket is closed by the thread that reads it, never by another one: a
    descriptor closed under a thread that is blocked in it gets a new owner at the next
    ``open()`` or ``pipe()`` of this process, and whatever that thread's TLS layer writes then
    (an alert, a close_notify) lands there. :meth:`close` shuts the connections down, which
    wakes their threads, and waits for them.
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._tls = tls
        self.connections = 0
        self.received = b""
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []  # each connection's socket, until its thread closes it
        self._closing = False
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                if self._closing:
                    conn.close()
                    return
                self.connections += 1
                self._open.append(conn)
                thread = threading.Thread(target=self._hold, args=(conn,), daemon=True)
                self._threads.append(thread)
            thread.start()

    def _hold(self, conn: socket.socket) -> None:
        sock = conn
        try:
            if self._tls is not None:
                with self._lock:  # the TLS socket takes over the descriptor: shut that one down from now on
                    sock = self._tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
                    self._open[self._open.index(conn)] = sock
                sock.do_handshake()
            while chunk := sock.recv(65536):
                self.received += chunk  # read what comes, answer nothing
        except (OSError, ValueError):  # ValueError: the TLS socket shut down under a read
            pass
        finally:
            with self._lock:
                self._open.remove(sock)
                sock.close()

    def close(self) -> None:
        with self._lock:
            self._closing = True
            for sock in self._open:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP connection; the thread closes
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes accept()
        for thread in self._threads:
            thread.join(timeout=10)
        self._server.close()
