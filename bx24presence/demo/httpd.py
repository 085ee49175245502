"""A small threaded HTTP/1.1 server on loopback that stops promptly, even mid-request."""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the portal sees it; header names are lower-case."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    client: str

    @property
    def host(self) -> str:
        """The host name the client addressed (``Host`` header without the port)."""
        host = self.headers.get("host", "")
        if host.startswith("["):
            return host[1 : host.find("]")] if "]" in host else host
        return host.rsplit(":", 1)[0] if ":" in host else host


@dataclass(frozen=True, slots=True)
class Response:
    """An answer to send; ``None`` in its place means: close the connection without one."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()


Handle = Callable[[Request], Response | None]


class HttpServer:
    """``ThreadingHTTPServer`` with daemon threads, keep-alive, and a stop that never waits long.

    :meth:`stop` closes every open connection, including idle keep-alive ones, so that no
    thread and no socket outlives the server.
    """

    def __init__(
        self, host: str, port: int, handle: Handle, tls: ssl.SSLContext | None = None
    ) -> None:
        """Bind at once (port 0 picks a free port); serve after :meth:`start`.

        With ``tls`` (a server-side context holding the certificate) every connection is
        HTTPS; the handshake runs in the connection's own thread, so a client that never
        completes it holds up nobody else.
        """
        self._server = _Server((host, port), _Handler)
        self._server.handle = handle
        self._server.tls = tls
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve from a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-portal-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 0.8) -> None:
        """Stop accepting, close every connection and wait (briefly) for handler threads."""
        deadline = time.monotonic() + timeout
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(max(0.0, deadline - time.monotonic()))
            self._thread = None
        self._server.stopping = True
        self._server.close_connections()
        self._server.server_close()
        self._server.wait_idle(max(0.0, deadline - time.monotonic()))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.handle: Handle = lambda request: None
        self.tls: ssl.SSLContext | None = None
        self.stopping = False
        self._connections: set[socket.socket] = set()
        self._idle = threading.Condition()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        if self.tls is not None:
            connection = self.tls.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def track(self, connection: socket.socket) -> None:
        with self._idle:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._idle:
            self._connections.discard(connection)
            self._idle.notify_all()

    def close_connections(self) -> None:
        with self._idle:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # Already closed by the client.
                connection.shutdown(socket.SHUT_RDWR)

    def wait_idle(self, timeout: float) -> None:
        with self._idle:
            self._idle.wait_for(lambda: not self._connections, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if self.stopping or isinstance(error, (ConnectionError, TimeoutError, ssl.SSLError)):
            # A client that went away, or refused the certificate, is not the portal's problem.
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment, with Nagle off: otherwise every keep-alive
    # answer waits for the client's delayed ACK (about 40 ms).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """The portal keeps its own request log."""

    def _serve(self, send_body: bool = True) -> None:
        body = self._read_body()
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=url.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client=str(self.client_address[0]),
        )
        response = self.server.handle(request)
        if response is None or self.server.stopping:
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()
