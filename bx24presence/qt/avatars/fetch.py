"""Avatar downloads: allowed hosts only, redirects followed by hand, a total deadline each.

No Qt here: the loader threads of :mod:`bx24presence.qt.avatars.store` call this.

Where an avatar may come from (checked before the first request and before every redirect):

* ``http``/``https`` only, at most :data:`MAX_REDIRECTS` redirects;
* the host is resolved and *every* address it has must be public (``ipaddress``: global, not
  loopback, private, link-local, multicast, reserved or unspecified), so a profile or a redirect
  cannot make the app send requests into the user's own network;
* except the portal's own machine: an address the portal's host resolves to is allowed too, on
  the portal's port or the default http/https ports (80, 443). A portal on an intranet address
  serves its own avatars; a portal on 127.0.0.1 (the demo, the tests) allows 127.0.0.1 but not
  127.0.0.2, nor 127.0.0.1 on some other port.

The check resolves the name once and requests resolves it again to connect; a name whose
answer changes in between (DNS rebinding) is not caught.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import requests

    from bx24presence.api.transport import CancellableAdapter

log = logging.getLogger(__name__)

#: Larger downloads count as failed; Bitrix24 avatars are a few hundred kilobytes at most.
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
#: Redirects followed for one avatar (a CDN may redirect once or twice).
MAX_REDIRECTS = 3
#: How long the portal's own addresses are trusted before they are resolved again.
PORTAL_ADDRESSES_TTL_S = 300.0

_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# Markup is never a raster picture (SVG may fetch and script; the portal serves rasters).
_REFUSED_TYPES = ("svg", "xml", "html", "text/", "javascript")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``(host, port) -> addresses``; raises OSError when the name does not resolve.
Resolver = Callable[[str, int], list[str]]


class Cancelled(Exception):
    """The store is stopping; the download in progress was cut off."""


@dataclass(frozen=True)
class Fetched:
    """The outcome of one download.

    Attributes:
        data: the body, or None when the download failed.
        slow: it failed by running past its total deadline (worth a retry later).
    """

    data: bytes | None
    slow: bool = False


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the public internet (not the user's machine or network)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _addresses(host: str, port: int, resolver: Resolver) -> set[Address]:
    out: set[Address] = set()
    for text in resolver(host, port):
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        out.add(address)
    return out


def _host_port(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("not an http(s) URL")
    host = parts.hostname
    if not host:
        raise ValueError("no host")
    return host, parts.port or (443 if parts.scheme == "https" else 80)


class TargetPolicy:
    """Which hosts avatars may be fetched from (see the module's docstring); thread-safe.

    Args:
        portal: the portal's base URL (its host is the one non-public place allowed).
        resolver: name resolution (injected by tests).
        clock: monotonic seconds (injected by tests).
    """

    def __init__(
        self,
        portal: str,
        *,
        resolver: Resolver = resolve,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolver = resolver
        self._clock = clock
        self._lock = threading.Lock()
        self._portal: tuple[str, int] | None
        try:
            self._portal = _host_port(portal) if portal else None
        except ValueError:
            self._portal = None
        self._portal_addresses: set[Address] = set()
        self._resolved_at: float | None = None

    def refusal(self, url: str) -> str | None:
        """None when ``url`` may be fetched, else why not (for the log; no secrets in it)."""
        try:
            host, port = _host_port(url)
        except ValueError as exc:
            return str(exc)
        try:
            found = _addresses(host, port, self._resolver)
        except (OSError, ValueError, UnicodeError):
            return "the host does not resolve"
        if not found:
            return "the host does not resolve"
        trusted, ports = self._trusted()
        for address in found:
            if is_public(address):
                continue
            if address in trusted and port in ports:
                continue
            return f"{address} is not a public address"
        return None

    def _trusted(self) -> tuple[set[Address], set[int]]:
        if self._portal is None:
            return set(), set()
        host, port = self._portal
        with self._lock:
            now = self._clock()
            if self._resolved_at is None or now - self._resolved_at > PORTAL_ADDRESSES_TTL_S:
                try:
                    self._portal_addresses = _addresses(host, port, self._resolver)
                except (OSError, ValueError, UnicodeError):
                    self._portal_addresses = set()
                self._resolved_at = now
            return set(self._portal_addresses), {port, 80, 443}


class Fetcher:
    """Downloads for one loader thread, on its own session so that it can be cut alone.

    Everything but :meth:`abort` and :meth:`expire` belongs to the loader thread.
    """

    def __init__(
        self,
        policy: TargetPolicy,
        watchdog: Watchdog,
        *,
        timeout: tuple[float, float],
        deadline_s: float,
        stopping: threading.Event,
    ) -> None:
        self._policy = policy
        self._watchdog = watchdog
        self._timeout = timeout
        self._deadline_s = deadline_s
        self._stopping = stopping
        self._expired = threading.Event()
        self._adapter: CancellableAdapter | None = None
        self._session: requests.Session | None = None

    def abort(self) -> None:
        """Cut the download in flight (thread-safe)."""
        adapter = self._adapter
        if adapter is not None:
            adapter.abort()

    def expire(self) -> None:
        """The download in flight ran past its deadline: cut it (thread-safe)."""
        self._expired.set()
        self.abort()

    def close(self) -> None:
        """Close the session (loader thread)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def fetch(self, url: str, where: str) -> Fetched:
        """Download ``url``; raises :class:`Cancelled` when the store stops meanwhile."""
        self._expired.clear()
        started = time.monotonic()
        self._watchdog.arm(self, started + self._deadline_s)
        try:
            data = self._fetch(url, where)
        except OSError as exc:  # requests' exceptions are OSErrors too
            if self._stopping.is_set():
                raise Cancelled from exc
            if self._expired.is_set():
                return self._slow(where)
            log.debug("Avatar %s: %s", where, type(exc).__name__)
            return Fetched(None)
        except ValueError as exc:  # a Location header that is not a URL
            log.debug("Avatar %s: %s", where, type(exc).__name__)
            return Fetched(None)
        finally:
            self._watchdog.disarm(self)
        if self._stopping.is_set():
            raise Cancelled
        if self._expired.is_set():
            return self._slow(where)
        if data is not None:
            log.debug(
                "Avatar %s: %d bytes in %.0f ms",
                where,
                len(data),
                (time.monotonic() - started) * 1000,
            )
        return Fetched(data)

    def _slow(self, where: str) -> Fetched:
        log.debug("Avatar %s: past its deadline, abandoned", where)
        # The aborted connections are dead: start over with a fresh pool next time.
        self.close()
        return Fetched(None, slow=True)

    def _open_session(self) -> requests.Session:
        # Imported here, in the loader thread: requests takes a tenth of a second to import,
        # which would otherwise delay the window's first paint.
        import requests  # noqa: PLC0415

        from bx24presence.api.transport import CancellableAdapter  # noqa: PLC0415

        self._adapter = CancellableAdapter()
        session = requests.Session()
        session.mount("https://", self._adapter)
        session.mount("http://", self._adapter)
        session.headers["User-Agent"] = "bx24presence"
        session.headers["Accept"] = "image/png, image/jpeg, image/gif, image/webp, image/*;q=0.5"
        session.headers["Accept-Encoding"] = "identity"  # pictures are compressed already
        return session

    def _fetch(self, url: str, where: str) -> bytes | None:
        if self._session is None:
            self._session = self._open_session()
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            refusal = self._policy.refusal(current)
            if refusal is not None:
                log.info("Avatar %s: refused, %s", where, refusal)
                return None
            if self._stopping.is_set() or self._expired.is_set():
                return None
            with self._session.get(
                current, timeout=self._timeout, stream=True, allow_redirects=False
            ) as resp:
                status = resp.status_code
                location = resp.headers.get("Location")
                if status in _REDIRECTS and location:
                    current = urljoin(current, location)
                    continue
                if not 200 <= status < 300:
                    log.debug("Avatar %s: HTTP %d", where, status)
                    return None
                ctype = resp.headers.get("Content-Type", "").lower()
                if any(bad in ctype for bad in _REFUSED_TYPES):
                    log.debug("Avatar %s: refused, a %s is not a picture", where, ctype[:40])
                    return None
                length = resp.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > MAX_DOWNLOAD_BYTES:
                    log.debug("Avatar %s: %s bytes is too big", where, length)
                    return None
                body = bytearray()
                for chunk in resp.iter_content(_CHUNK):
                    body += chunk
                    if len(body) > MAX_DOWNLOAD_BYTES:
                        log.debug("Avatar %s: more than %d bytes", where, MAX_DOWNLOAD_BYTES)
                        return None
                    if self._stopping.is_set() or self._expired.is_set():
                        return None
                log.debug("Avatar %s: HTTP %d", where, status)
                return bytes(body)
        log.debug("Avatar %s: more than %d redirects", where, MAX_REDIRECTS)
        return None


class Watchdog:
    """Cuts every download that runs past its total deadline; :meth:`run` is its thread's body.

    Socket timeouts bound each read, not a whole download: a server sending a byte a second
    keeps every read alive. The watchdog shuts the sockets of a download at its deadline.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cv = threading.Condition()
        self._armed: dict[Fetcher, float] = {}
        self._closed = False

    def arm(self, fetcher: Fetcher, deadline: float) -> None:
        """Expire ``fetcher``'s download at ``deadline`` (monotonic seconds)."""
        with self._cv:
            self._armed[fetcher] = deadline
            self._cv.notify()

    def disarm(self, fetcher: Fetcher) -> None:
        """The download ended in time."""
        with self._cv:
            self._armed.pop(fetcher, None)

    def close(self) -> None:
        """End :meth:`run`."""
        with self._cv:
            self._closed = True
            self._armed.clear()
            self._cv.notify_all()

    def run(self) -> None:
        """Wait for deadlines and expire the downloads that reach them, until closed."""
        with self._cv:
            while not self._closed:
                now = self._clock()
                for fetcher, deadline in list(self._armed.items()):
                    if deadline <= now:
                        del self._armed[fetcher]
                        fetcher.expire()
                wait = min(self._armed.values()) - now if self._armed else None
                self._cv.wait(None if wait is None else max(0.005, wait))
