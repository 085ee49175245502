"""Avatar downloads: allowed hosts only, redirects followed by hand, a total deadline each.

A :class:`Download` runs on Qt's ``QNetworkAccessManager`` (its sockets, TLS and HTTP live
in Qt's own threads, apart from the interpreter lock); its objects belong to the GUI thread
and only its host checks, which resolve names, run in a worker thread.

Where an avatar may come from (checked before the first request and before every redirect):

* ``http``/``https`` only, at most :data:`MAX_REDIRECTS` redirects;
* the host is resolved and *every* address it has must be public (``ipaddress``: global, not
  loopback, private, link-local, multicast, reserved or unspecified), so a profile or a redirect
  cannot make the app send requests into the user's own network;
* except the portal's own machine: an address the portal's host resolves to is allowed too, on
  the portal's port or the default http/https ports (80, 443). A portal on an intranet address
  serves its own avatars; a portal on 127.0.0.1 (the demo, the tests) allows 127.0.0.1 but not
  127.0.0.2, nor 127.0.0.1 on some other port.

The check resolves the name once and Qt resolves it again to connect; a name whose
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
from urllib.parse import urlsplit

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest

log = logging.getLogger(__name__)

#: Larger downloads count as failed; Bitrix24 avatars are a few hundred kilobytes at most.
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
#: Redirects followed for one avatar (a CDN may redirect once or twice).
MAX_REDIRECTS = 3
#: How long the portal's own addresses are trusted before they are resolved again.
PORTAL_ADDRESSES_TTL_S = 300.0

#: Qt buffers at most this much of a body before the GUI thread takes it.
_READ_BUFFER = 256 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# Markup is never a raster picture (SVG may fetch and script; the portal serves rasters).
_REFUSED_TYPES = ("svg", "xml", "html", "text/", "javascript")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``(host, port) -> addresses``; raises OSError when the name does not resolve.
Resolver = Callable[[str, int], list[str]]
#: ``(download, url)``: run the host check of ``url`` off the GUI thread, then call
#: ``download.checked(refusal)`` on the GUI thread.
Checker = Callable[["Download", str], None]


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


class Download(QObject):
    """One avatar download on a ``QNetworkAccessManager``, in the GUI thread.

    Before the first request and every redirect the target is checked (:class:`TargetPolicy`,
    in a worker thread: it resolves names); redirects are followed by hand, at most
    :data:`MAX_REDIRECTS`; markup content types and bodies over :data:`MAX_DOWNLOAD_BYTES`
    are cut off as they arrive; cookies are neither sent nor kept; the whole download,
    checks included, has a total deadline (a server sending a byte a second never reaches
    the transfer timeout). Nothing is cached here: the store writes a picture to the disk
    cache only once it has decoded.

    Signals:
        finished(Fetched): exactly once, unless :meth:`cancel` came first.
    """

    finished = Signal(object)

    def __init__(
        self,
        manager: QNetworkAccessManager,
        url: str,
        where: str,
        *,
        check: Checker,
        deadline_s: float,
        transfer_timeout_s: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.url = url
        self._manager = manager
        self._where = where
        self._check = check
        self._transfer_timeout_ms = max(1, round(transfer_timeout_s * 1000))
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max(1, round(deadline_s * 1000)))
        self._deadline.timeout.connect(self._on_deadline_timeout)
        self._elapsed = QElapsedTimer()
        self._reply: QNetworkReply | None = None
        self._current = url
        self._requests = 0
        self._body = bytearray()
        self._done = False

    def start(self) -> None:
        """Check the first target, then request it."""
        self._elapsed.start()
        self._deadline.start()
        self._hop(self.url)

    def cancel(self) -> None:
        """Stop at once; ``finished`` is not emitted."""
        self._end()

    def checked(self, refusal: str | None) -> None:
        """The host check of the current target is done (GUI thread)."""
        if self._done:
            return
        if refusal is not None:
            log.info("Avatar %s: refused, %s", self._where, refusal)
            self._finish(None)
            return
        self._request()

    # -- internals ---------------------------------------------------------------------------

    def _hop(self, url: str) -> None:
        qurl = QUrl(url, QUrl.ParsingMode.StrictMode)
        target = bytes(qurl.toEncoded().data()).decode("ascii", "replace")
        if not qurl.isValid() or not _same_target(qurl, target):
            log.debug("Avatar %s: refused, not a usable URL", self._where)
            self._finish(None)
            return
        self._current = target
        self._check(self, target)

    def _request(self) -> None:
        self._requests += 1
        self._body = bytearray()
        request = QNetworkRequest(QUrl(self._current, QUrl.ParsingMode.StrictMode))
        attr = QNetworkRequest.Attribute
        request.setAttribute(
            attr.RedirectPolicyAttribute, QNetworkRequest.RedirectPolicy.ManualRedirectPolicy
        )
        request.setAttribute(
            attr.CacheLoadControlAttribute, QNetworkRequest.CacheLoadControl.AlwaysNetwork
        )
        request.setAttribute(attr.CacheSaveControlAttribute, False)
        for cookies in (attr.CookieLoadControlAttribute, attr.CookieSaveControlAttribute):
            request.setAttribute(cookies, QNetworkRequest.LoadControl.Manual)
        request.setAttribute(attr.AuthenticationReuseAttribute, QNetworkRequest.LoadControl.Manual)
        request.setTransferTimeout(self._transfer_timeout_ms)
        request.setRawHeader(b"User-Agent", b"bx24presence")
        request.setRawHeader(
            b"Accept", b"image/png, image/jpeg, image/gif, image/webp, image/*;q=0.5"
        )
        # Pictures are compressed already; and Qt inflates nothing it was not asked for.
        request.setRawHeader(b"Accept-Encoding", b"identity")
        reply = self._manager.get(request)
        reply.setReadBufferSize(_READ_BUFFER)
        reply.metaDataChanged.connect(self._on_reply_meta_data_changed)
        reply.readyRead.connect(self._on_reply_ready_read)
        reply.finished.connect(self._on_reply_finished)
        self._reply = reply

    def _on_reply_meta_data_changed(self) -> None:
        reply = self._reply
        if reply is None or self._done:
            return
        status = _status(reply)
        if status is None or status in _REDIRECTS:
            return
        if not 200 <= status < 300:
            log.debug("Avatar %s: HTTP %d", self._where, status)
            self._finish(None)
            return
        ctype = bytes(reply.rawHeader("Content-Type").data()).decode("latin-1").lower()
        if any(bad in ctype for bad in _REFUSED_TYPES):
            log.debug("Avatar %s: refused, a %s is not a picture", self._where, ctype[:40])
            self._finish(None)
            return
        length = bytes(reply.rawHeader("Content-Length").data()).decode("latin-1").strip()
        if length.isdigit() and int(length) > MAX_DOWNLOAD_BYTES:
            log.debug("Avatar %s: %s bytes is too big", self._where, length[:20])
            self._finish(None)

    def _on_reply_ready_read(self) -> None:
        reply = self._reply
        if reply is None or self._done:
            return
        self._body += reply.readAll().data()
        if len(self._body) > MAX_DOWNLOAD_BYTES:
            log.debug("Avatar %s: more than %d bytes", self._where, MAX_DOWNLOAD_BYTES)
            self._finish(None)

    def _on_reply_finished(self) -> None:
        reply = self._reply
        if reply is None or self._done:
            return
        self._on_reply_ready_read()
        if self._done:
            return
        status = _status(reply)
        location = bytes(reply.rawHeader("Location").data()).decode("latin-1").strip()
        if status in _REDIRECTS and location:
            if self._requests > MAX_REDIRECTS:
                log.debug("Avatar %s: more than %d redirects", self._where, MAX_REDIRECTS)
                self._finish(None)
                return
            base = reply.url()
            self._reply = None
            reply.deleteLater()
            self._hop(base.resolved(QUrl(location)).toString())
            return
        if status is None or reply.error() != QNetworkReply.NetworkError.NoError:
            if status is None:
                log.debug("Avatar %s: %s", self._where, reply.error().name)
            elif 200 <= status < 300:
                log.debug("Avatar %s: HTTP %d, then %s", self._where, status, reply.error().name)
            self._finish(None)
            return
        if not 200 <= status < 300:
            self._finish(None)
            return
        log.debug("Avatar %s: HTTP %d", self._where, status)
        log.debug(
            "Avatar %s: %d bytes in %d ms", self._where, len(self._body), self._elapsed.elapsed()
        )
        self._finish(bytes(self._body))

    def _on_deadline_timeout(self) -> None:
        if not self._done:
            log.debug("Avatar %s: past its deadline, abandoned", self._where)
            self._finish(None, slow=True)

    def _finish(self, data: bytes | None, *, slow: bool = False) -> None:
        if self._done:
            return
        self._end()
        self.finished.emit(Fetched(data, slow))

    def _end(self) -> None:
        self._done = True
        self._deadline.stop()
        self._body = bytearray()
        reply, self._reply = self._reply, None
        if reply is not None:
            if reply.isRunning():
                reply.abort()
            reply.deleteLater()


def _status(reply: QNetworkReply) -> int | None:
    status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
    return status if isinstance(status, int) else None


def _same_target(qurl: QUrl, target: str) -> bool:
    """Whether Qt and the host check read the same scheme, host and port from a URL."""
    try:
        host, port = _host_port(target)
    except ValueError:
        return False
    qhost = qurl.host(QUrl.ComponentFormattingOption.FullyEncoded).lower()
    qport = qurl.port(443 if qurl.scheme() == "https" else 80)
    return qurl.scheme() == urlsplit(target).scheme and qhost == host.lower() and qport == port
