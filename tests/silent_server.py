"""A server that accepts connections and never answers: a silent issuer (issue 12, point 5)."""

from __future__ import annotations

import socket
import ssl
import threading


class SilentServer:
    """Accepts every connection, optionally completes TLS, then reads and never answers."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._tls = tls
        self.connections = 0
        self.received = b""
        self._held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
                self._held.append(conn)
            while chunk := conn.recv(65536):
                self.received += chunk  # read what comes, answer nothing
        except OSError:
            pass

    def close(self) -> None:
        self._server.close()
        for conn in self._held:
            try:
                conn.close()
            except OSError:
                pass
