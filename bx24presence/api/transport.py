"""A requests transport whose in-flight calls can be aborted from another thread.

``requests`` has no way to cancel a call that is blocked reading a slow response. The app
must quit within two seconds even then, so this adapter remembers the sockets of its
connections; :meth:`CancellableAdapter.abort` shuts them down, which makes the blocked read
return at once with an error the client recognises as a cancellation.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class _SocketRegistry:
    """A thread-safe weak set of live sockets."""

    def __init__(self) -> None:
        self._socks: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._socks.add(sock)

    def shutdown_all(self) -> None:
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


class CancellableAdapter(HTTPAdapter):
    """An :class:`HTTPAdapter` that can abort every call in flight."""

    def __init__(self, **kw: Any) -> None:
        self._registry = _SocketRegistry()
        super().__init__(**kw)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        registry = self._registry

        class _HTTP(HTTPConnection):
            def connect(self) -> None:
                super().connect()
                registry.add(self.sock)

        class _HTTPS(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                registry.add(self.sock)

        http_pool = type("_Pool", (HTTPConnectionPool,), {"ConnectionCls": _HTTP})
        https_pool = type("_SPool", (HTTPSConnectionPool,), {"ConnectionCls": _HTTPS})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    def abort(self) -> None:
        """Shut down every connection's socket; blocked reads fail immediately."""
        self._registry.shutdown_all()
