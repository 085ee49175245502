"""A requests transport whose in-flight calls can be aborted: from another thread, or when
their deadline passes; and reading an answer with a cap on its size.

``requests`` has no way to cancel a call that is blocked reading a slow response, and its
timeouts bound each read of the socket, not the whole answer: a server that sends one byte
a second never trips them. This adapter remembers the sockets of its connections, and which
one each thread is using; :meth:`CancellableAdapter.abort` shuts them all down (the app is
quitting), :meth:`CancellableAdapter.abort_thread` the one of a thread whose deadline passed
(:class:`Watchdog` calls it). Either makes the blocked read return at once with an error the
client recognises.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from bx24presence.api.errors import ResponseTooLarge

#: Bytes read from the network at a time (decompressed: urllib3 bounds each step).
CHUNK = 64 * 1024


class _SocketRegistry:
    """A thread-safe weak set of live sockets, and the socket each thread last used."""

    def __init__(self) -> None:
        self._socks: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._by_thread: dict[int, weakref.ref[socket.socket]] = {}
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._socks.add(sock)

    def claim(self, sock: socket.socket | None) -> None:
        """Remember ``sock`` as the one the calling thread is using now."""
        if sock is not None:
            with self._lock:
                self._socks.add(sock)
                self._by_thread[threading.get_ident()] = weakref.ref(sock)

    def shutdown_all(self) -> None:
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            _shutdown(s)

    def shutdown_thread(self, ident: int) -> None:
        with self._lock:
            ref = self._by_thread.get(ident)
        sock = ref() if ref is not None else None
        if sock is not None:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class CancellableAdapter(HTTPAdapter):
    """An :class:`HTTPAdapter` that can abort every call in flight, or one thread's."""

    def __init__(self, **kw: Any) -> None:
        self._registry = _SocketRegistry()
        super().__init__(**kw)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        registry = self._registry

        # The socket is claimed as soon as it exists (before a TLS handshake that might
        # trickle) and again whenever a pooled connection is reused.
        class _HTTP(HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                registry.claim(sock)
                return sock

            def request(self, *args: Any, **kwargs: Any) -> None:
                registry.claim(self.sock)
                super().request(*args, **kwargs)

        class _HTTPS(HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                registry.claim(sock)
                return sock

            def request(self, *args: Any, **kwargs: Any) -> None:
                registry.claim(self.sock)
                super().request(*args, **kwargs)

        http_pool = type("_Pool", (HTTPConnectionPool,), {"ConnectionCls": _HTTP})
        https_pool = type("_SPool", (HTTPSConnectionPool,), {"ConnectionCls": _HTTPS})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    def abort(self) -> None:
        """Shut down every connection's socket; blocked reads fail immediately."""
        self._registry.shutdown_all()

    def abort_thread(self, ident: int) -> None:
        """Shut down the socket that thread ``ident`` is using (its deadline passed)."""
        self._registry.shutdown_thread(ident)


class Alarm:
    """One armed deadline; :meth:`disarm` it when the guarded work is over."""

    def __init__(self, watchdog: Watchdog, when: float, action: Callable[[], None]) -> None:
        self._watchdog = watchdog
        self.when = when
        self.action = action
        self.fired = False
        self.done = False

    def disarm(self) -> bool:
        """Stop the alarm; returns whether it had already fired."""
        return self._watchdog.disarm(self)


class Watchdog:
    """Runs an action when a deadline passes, on one background thread shared by all.

    The thread starts with the first alarm and ends after :attr:`IDLE_S` seconds without
    any. An action runs under the watchdog's lock, so after :meth:`Alarm.disarm` returns it
    is either finished or will never run: it can never hit the next request of the thread
    that armed it.
    """

    IDLE_S = 120.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Alarm]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, when: float, action: Callable[[], None]) -> Alarm:
        """Run ``action`` at monotonic time ``when`` unless disarmed before."""
        alarm = Alarm(self, when, action)
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._seq), alarm))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="bx24presence-deadlines", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return alarm

    def disarm(self, alarm: Alarm) -> bool:
        with self._cond:
            alarm.done = True
            return alarm.fired

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    if not self._cond.wait(self.IDLE_S) and not self._heap:
                        self._thread = None
                        return
                    continue
                when, _, alarm = self._heap[0]
                wait = when - self._clock()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                alarm.fired = alarm.done = True
                with contextlib.suppress(Exception):  # a broken action must not end the thread
                    alarm.action()


#: The process's one watchdog.
WATCHDOG = Watchdog()


def too_large(limit: int, what: str = "") -> ResponseTooLarge:
    """The error for an answer over ``limit`` bytes; ``what`` names another answer than the
    portal's (for the log)."""
    return ResponseTooLarge(limit_bytes=limit, detail=what)


def read_capped(
    resp: Any,
    limit: int,
    *,
    until: float | None = None,
    on_late: Callable[[], Exception] | None = None,
    what: str = "",
) -> bytearray:
    """The body of a streamed ``requests`` response, decompressed, at most ``limit`` bytes.

    Reading stops as soon as the body passes ``limit`` (a gzip bomb or an endless body is
    never held whole): :class:`ResponseTooLarge`. A ``Content-Length`` above the limit fails
    before reading. When ``until`` (monotonic) passes between two chunks, ``on_late()`` is
    raised (the watchdog covers a read that blocks).
    """
    declared = str(resp.headers.get("Content-Length", "")).strip()
    if declared.isascii() and declared.isdigit() and len(declared) < 20 and int(declared) > limit:
        raise too_large(limit, what)
    body = bytearray()
    if not hasattr(resp, "iter_content"):  # an injected fake session's response
        body += resp.content
        if len(body) > limit:
            raise too_large(limit, what)
        return body
    for chunk in resp.iter_content(CHUNK):
        body += chunk
        if len(body) > limit:
            raise too_large(limit, what)
        if until is not None and on_late is not None and time.monotonic() > until:
            raise on_late()
    return body
