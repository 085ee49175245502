"""A small hostile HTTP server on loopback for tests: whatever status, headers and body a test
orders, gzip bombs, endless bodies, one byte at a time, redirects to any host, raw bytes.

    with HostileServer() as server:
        server.plan(redirect("http://127.0.0.2:9/rest/1/x/profile.json"))
        ... client.call(...) against server.webhook_url ...
        assert server.seen[0].path == "/rest/1/<secret>/profile.json"

Replies are taken in order from :meth:`HostileServer.plan`; when none is left,
:attr:`HostileServer.default` answers. Every connection is closed after its reply, and
:meth:`HostileServer.stop` ends even a reply that would never end, within a second.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import http.server
import ipaddress
import json
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECRET = "h0stil3s3cr3tk3y"
_FILL = b"A" * 65536


@dataclass(frozen=True)
class Reply:
    """One answer.

    Attributes:
        status: the HTTP status.
        body: the body (sent as is: compressed already when ``gzip``).
        headers: extra headers.
        content_type: the Content-Type.
        gzip: add ``Content-Encoding: gzip``.
        length: the Content-Length sent: ``"auto"`` for the body's, None for none (the body
            ends when the connection closes), or any number (a lie).
        trickle_s: seconds between single bytes of the response.
        trickle_after: bytes sent at once before the trickle (``len(encode_head())``: the
            headers arrive at once, the body trickles).
        endless: after ``body``, send filler bytes until the client goes away.
        raw: send exactly these bytes instead of building a response.
    """

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"
    gzip: bool = False
    length: int | str | None = "auto"
    trickle_s: float = 0.0
    trickle_after: int = 0
    endless: bool = False
    raw: bytes | None = None

    def encode_head(self) -> bytes:
        lines = [f"HTTP/1.1 {self.status} Hostile", f"Content-Type: {self.content_type}"]
        if self.length == "auto":
            lines.append(f"Content-Length: {len(self.body)}")
        elif self.length is not None:
            lines.append(f"Content-Length: {self.length}")
        if self.gzip:
            lines.append("Content-Encoding: gzip")
        lines.extend(f"{k}: {v}" for k, v in self.headers)
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_reply(value: Any, status: int = 200, **kw: Any) -> Reply:
    """A JSON answer."""
    return Reply(status=status, body=json.dumps(value).encode(), **kw)


def ok(result: Any = None) -> Reply:
    """A successful REST answer."""
    return json_reply({"result": result if result is not None else {"ID": "1"}, "time": {}})


def html(status: int = 502) -> Reply:
    """A proxy's HTML error page."""
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    return Reply(status=status, body=page, content_type="text/html")


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to ``location``."""
    return Reply(status=status, headers=(("Location", location),), content_type="text/html")


@functools.cache
def gzip_bomb_bytes(decompressed_mb: int) -> bytes:
    """Gzip data that inflates to ``decompressed_mb`` MB of zeros, about 1,000 to 1: one gzip
    member of 1 MB of zeros, repeated (a gzip stream may hold many members)."""
    member = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    one = member.compress(bytes(1024 * 1024)) + member.flush()
    return one * decompressed_mb


def gzip_bomb(decompressed_mb: int = 1024) -> Reply:
    """A small gzip answer that inflates to ``decompressed_mb`` MB."""
    return Reply(body=gzip_bomb_bytes(decompressed_mb), gzip=True)


def endless() -> Reply:
    """An answer with no length that never ends."""
    return Reply(body=b'{"result": "', length=None, endless=True)


def huge(megabytes: int) -> Reply:
    """An honest answer of ``megabytes`` MB (a JSON string)."""
    size = megabytes * 1024 * 1024
    return Reply(body=b"", length=size, endless=True)


def trickle(reply: Reply, seconds_per_byte: float, *, body_only: bool = False) -> Reply:
    """``reply`` sent one byte at a time (after its headers, when ``body_only``)."""
    after = len(reply.encode_head()) if body_only else 0
    return dataclasses.replace(reply, trickle_s=seconds_per_byte, trickle_after=after)


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)


@dataclass
class HostileServer:
    """A loopback HTTP(S) server that answers what it is told to.

    Args:
        host: a loopback address (127.0.0.0/8).
        tls: a server-side SSL context, for HTTPS.
    """

    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    default: Reply = field(default_factory=ok)
    respond: Callable[[Seen], Reply] | None = None
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not ipaddress.ip_address(self.host).is_loopback:
            raise ValueError("the hostile server listens on loopback only")
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------

    def plan(self, *replies: Reply) -> HostileServer:
        """Answer the next requests with ``replies``, in order."""
        with self._lock:
            self._queue.extend(replies)
        return self

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def webhook_url(self) -> str:
        """A webhook address on this server (the secret is :data:`SECRET`)."""
        return f"{self.url}/rest/1/{SECRET}/"

    def start(self) -> HostileServer:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._conns.add(self.connection)

            def finish(self) -> None:
                with server._lock:
                    server._conns.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def do_GET(self) -> None:
                server._serve(self)

            def do_POST(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hangs up mid-answer is what these tests are about

        httpd = Server((self.host, 0), Handler)
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        return self.respond(seen) if self.respond is not None else self.default

    def _serve(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        seen = Seen(handler.command, handler.path, dict(handler.headers.items()), body)
        with self._lock:
            self.seen.append(seen)
        reply = self._next(seen)
        handler.close_connection = True
        sock = handler.connection
        data = reply.raw if reply.raw is not None else reply.encode_head() + reply.body
        try:
            if reply.trickle_s:
                sock.sendall(data[: reply.trickle_after])
                for i in range(reply.trickle_after, len(data)):
                    sock.sendall(data[i : i + 1])
                    if self._stopping.wait(reply.trickle_s):
                        return
                if reply.endless:
                    while not self._stopping.wait(reply.trickle_s):
                        sock.sendall(b"A")
                return
            sock.sendall(data)
            if reply.endless:
                sent = 0
                limit = reply.length if isinstance(reply.length, int) else None
                while not self._stopping.is_set() and (limit is None or sent < limit):
                    part = _FILL if limit is None else _FILL[: limit - sent]
                    sock.sendall(part)
                    sent += len(part)
        except OSError:
            return


def make_certificate(folder: Path, hosts: tuple[str, ...] = ("localhost", "127.0.0.1")):
    """A self-signed certificate (its own CA) for ``hosts``: (cert.pem, key.pem) in ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bx24presence test portal")])
    alt: list[x509.GeneralName] = []
    for h in hosts:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            alt.append(x509.DNSName(h))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "portal-cert.pem", folder / "portal-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def tls_context(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate, and the certificate's path."""
    cert, key = make_certificate(folder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx, cert
