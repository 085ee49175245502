"""Colleague avatars: downloaded by Qt, cached on disk and in memory, decoded off the GUI thread."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtNetwork import QNetworkAccessManager

from bx24presence.memory import release_free_memory
from bx24presence.qt.avatars.decode import decode_round, round_image
from bx24presence.qt.avatars.disk import DiskCache, trim
from bx24presence.qt.avatars.fetch import (
    MAX_DOWNLOAD_BYTES,
    Download,
    Fetched,
    Resolver,
    TargetPolicy,
    resolve,
)
from bx24presence.qt.avatars.jobs import Failures, Jobs, Key
from bx24presence.qt.avatars.paint import paint_initials
from bx24presence.qt.avatars.workers import Pool

log = logging.getLogger(__name__)

__all__ = ["MAX_DOWNLOAD_BYTES", "AvatarStore", "paint_initials", "round_image"]

# What the decoding thread is asked to do: trim the disk cache, or decode for a request
# (from the disk cache, or just downloaded).
_TRIM = "trim"
_FROM_DISK = "disk"
_FROM_NETWORK = "network"
_RELEASE = "release"
#: How often the GUI thread collects the workers' results while some are outstanding.
_DRAIN_MS = 8
#: Decoded pictures taken in per drain tick (about 125 ticks a second).
DRAIN_PER_TICK = 4
#: New requests are served once the rows asking for them have held still this long: a row
#: on screen for a keystroke or a frame of scrolling is not worth a disk read and a decode
#: (each also repaints its row), and the newest rows still go first.
SETTLE_MS = 60
#: ...but a list that never holds still (a long drag) is served at least this often.
MAX_SETTLE_MS = 500
#: Cached avatars read from disk per turn of the GUI thread's loop (each read opens the
#: cache file twice, a millisecond or more): a burst is spread over several turns.
DISK_READS_PER_TICK = 2


class AvatarStore(QObject):
    """Round avatar pixmaps for the colleague list.

    :meth:`pixmap` only looks in memory; a miss queues the URL and returns None, and
    ``avatar_ready`` follows when the picture is in memory. Requests are served newest first,
    so after fast scrolling the rows on screen load first; prefetch requests wait until no
    :meth:`pixmap` request is left; at most ``workers`` are served at a time and the rest wait
    in a bounded queue (rows long scrolled past are dropped first).

    A request is served from Qt's disk cache (:class:`DiskCache`) or downloaded by Qt's
    ``QNetworkAccessManager`` (:class:`Download`: its sockets and TLS work in Qt's threads,
    not under the interpreter lock); one thread decodes and rounds the picture to display
    size (QImage only, one at a time, so memory peaks at one picture's worth) and the GUI
    thread makes the QPixmap. Only the pixmaps asked for are decoded, into a memory cache
    of ``memory_items`` (150 by default: several screens of a full-height list, at about
    12 KB each with Qt's own share; 400 cost 3 MB more resident at 10,000 colleagues).

    Hostile URLs and servers are expected (see :mod:`bx24presence.qt.avatars.fetch`): only
    public hosts or the portal's own, redirects followed by hand, SVG and other markup refused,
    bodies over :data:`MAX_DOWNLOAD_BYTES` cut off, and pictures whose decoded size would pass
    :data:`~bx24presence.qt.avatars.decode.MAX_DECODED_BYTES` refused before decoding. Every
    download has a total deadline (``deadline_s``); with ``workers`` at a time, one slow URL
    never holds up the others. A download cut at its deadline is tried again after
    ``slow_retry_after_s`` at most ``slow_retries`` times; any other failure is not asked for
    again before ``retry_failed_after_s``. A picture reaches the disk cache only once decoded;
    the cache is first trimmed to ``disk_cap_bytes`` ``first_trim_after_s`` after start.

    Signals:
        avatar_ready(str): a requested avatar is now in memory (its URL).
    """

    avatar_ready = Signal(str)

    def __init__(
        self,
        cache_dir: Path,
        *,
        portal: str = "",
        disk_cap_bytes: int = 64 * 1024 * 1024,
        memory_items: int = 150,
        retry_failed_after_s: float = 1800.0,
        timeout: tuple[float, float] = (5.0, 20.0),
        deadline_s: float = 30.0,
        workers: int = 3,
        slow_retry_after_s: float = 60.0,
        slow_retries: int = 2,
        touch_after_s: float = 3600.0,
        first_trim_after_s: float = 30.0,
        resolver: Resolver | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._memory: OrderedDict[Key, QPixmap] = OrderedDict()
        self._memory_items = max(1, memory_items)
        self._failures = Failures(
            retry_s=retry_failed_after_s,
            slow_retry_s=slow_retry_after_s,
            slow_retries=slow_retries,
        )
        self._requested: set[Key] = set()
        self._jobs = Jobs(limit=max(self._memory_items, 64))
        self._slots = max(1, workers)
        self._busy = 0  # requests being served: a disk read decoding, or a download
        self._downloads: dict[str, Download] = {}  # by URL
        self._waiting: dict[str, list[Key]] = {}  # other sizes of a URL being downloaded
        self._stopped = False
        self._deadline_s = deadline_s
        self._timeout_s = max(timeout)
        self._policy = TargetPolicy(portal, resolver=resolver or resolve)
        self._disk = DiskCache(cache_dir, disk_cap_bytes, touch_after_s=touch_after_s, parent=self)
        self._trimming = False
        self._manager = QNetworkAccessManager(self)
        self._manager.setCache(self._disk)
        self._checks = Pool("bx24presence-avatars-check", self._policy.refusal, threads=workers)
        self._decoder = Pool("bx24presence-avatars-decode", _decode_job)
        # The workers never signal (see Pool): their results are collected here.
        self._drain_timer = QTimer(self)
        self._drain_timer.setInterval(_DRAIN_MS)
        self._drain_timer.timeout.connect(self._drain)
        self._pump_timer = QTimer(self)
        self._pump_timer.setSingleShot(True)
        self._pump_timer.timeout.connect(self._pump)
        self._settling_since: float | None = None  # when the current wait began
        # Walking thousands of cached files takes the interpreter lock for a while: not
        # while the window starts.
        self._first_trim = QTimer(self)
        self._first_trim.setSingleShot(True)
        self._first_trim.timeout.connect(self._trim)
        self._first_trim.start(round(first_trim_after_s * 1000))

    # -- public ------------------------------------------------------------------------------

    def pixmap(self, url: str | None, size_px: int, dpr: float) -> QPixmap | None:
        """The round avatar from memory, or None (then it is queued unless it failed)."""
        if not url:
            return None
        key = _key(url, size_px, dpr)
        cached = self._memory.get(key)
        if cached is not None:
            self._memory.move_to_end(key)
            return cached
        self._request(key, urgent=True)
        return None

    def prefetch(self, urls: Iterable[str], size_px: int, dpr: float) -> None:
        """Queue loads behind every :meth:`pixmap` request; the first URL given loads first."""
        keys = [_key(url, size_px, dpr) for url in urls if url]
        for key in reversed(keys):
            if key not in self._memory:
                self._request(key, urgent=False)

    def has_failed(self, url: str) -> bool:
        """True while a failure of ``url`` is recent enough that it is not retried."""
        return self._failures.blocked(url)

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Cut the downloads, stop the workers and join their threads; True when they ended
        within ``timeout_ms`` (a name lookup that hangs is abandoned)."""
        deadline = time.monotonic() + timeout_ms / 1000
        self._stopped = True
        self._jobs.close()
        self._pump_timer.stop()
        self._drain_timer.stop()
        self._first_trim.stop()
        for download in list(self._downloads.values()):
            download.cancel()
        self._downloads.clear()
        self._waiting.clear()
        self._requested.clear()
        self._checks.close()
        self._decoder.close()
        ended = self._checks.join(deadline) and self._decoder.join(deadline)
        if not ended:
            log.warning("The avatar loader did not stop in time; abandoning it")
        return ended

    def clear_memory(self) -> None:
        """Drop every pixmap held in memory (the disk cache stays)."""
        self._memory.clear()

    @property
    def memory_count(self) -> int:
        """How many pixmaps are held in memory."""
        return len(self._memory)

    @property
    def disk_usage_bytes(self) -> int:
        """Bytes in the disk cache as counted so far (0 until the first count is done)."""
        return self._disk.usage

    # -- serving requests --------------------------------------------------------------------

    def _request(self, key: Key, *, urgent: bool) -> None:
        url = key[0]
        if self._stopped or self.has_failed(url):
            return
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self._failures.failed(url)
            return
        if key in self._requested:
            # Asked again while waiting: on screen now, so it goes to the top (LIFO).
            if urgent:
                self._jobs.promote(key)
            return
        self._requested.add(key)
        for dropped in self._jobs.push(key, urgent=urgent):
            self._requested.discard(dropped)
        self._schedule_pump(settle=True)

    def _schedule_pump(self, *, settle: bool) -> None:
        """Serve the queue soon: after the rows hold still (``settle``, a new request: see
        :data:`SETTLE_MS`), or at once (a slot came free) unless a wait is under way."""
        timer = self._pump_timer
        if not settle:
            if not timer.isActive():
                self._settling_since = None
                timer.start(0)
            return
        now = time.monotonic()
        since = self._settling_since
        if not timer.isActive() or since is None:
            self._settling_since = now
            timer.start(SETTLE_MS)
        elif (now - since) * 1000 < MAX_SETTLE_MS - SETTLE_MS:
            timer.start(SETTLE_MS)  # still changing: wait again

    def _pump(self) -> None:
        """Serve the newest requests while a slot is free (requests come in bursts from one
        paint: they are all queued before the first is taken, so the newest goes first)."""
        self._settling_since = None
        reads = 0
        while not self._stopped and self._busy < self._slots:
            if reads >= DISK_READS_PER_TICK:
                self._schedule_pump(settle=False)  # the rest on the next turn of the loop
                return
            key = self._jobs.take()
            if key is None:
                return
            url = key[0]
            if self.has_failed(url):
                self._requested.discard(key)
            elif url in self._downloads:
                self._waiting.setdefault(url, []).append(key)
            elif (data := self._disk.read(url)) is not None:
                reads += 1
                self._busy += 1
                self._submit(self._decoder, (_FROM_DISK, key), (data, key[1], key[2]))
            else:
                self._download(key)

    def _download(self, key: Key) -> None:
        url = key[0]
        self._busy += 1
        download = Download(
            self._manager,
            url,
            _loggable(url),
            check=self._check,
            deadline_s=self._deadline_s,
            transfer_timeout_s=self._timeout_s,
        )
        download.finished.connect(lambda fetched: self._on_download_finished(key, fetched))
        self._downloads[url] = download
        download.start()

    def _check(self, download: Download, url: str) -> None:
        # The token names the download, never holds it: a QObject must not be dropped (and
        # so destroyed) in a worker thread.
        self._submit(self._checks, (download.url, id(download)), url)

    def _submit(self, pool: Pool, token: object, value: Any) -> None:
        pool.submit(token, value)
        if not self._drain_timer.isActive():
            self._drain_timer.start()

    def _drain(self) -> None:
        for result in self._checks.drain():
            self._on_checks_done(result)
        # A few pictures a tick (each is a disk write and a pixmap): a burst of avatars
        # arriving at once never holds the GUI thread for more than a few milliseconds.
        for result in self._decoder.drain(DRAIN_PER_TICK):
            self._on_decoder_done(result)
        if self._stopped or (self._checks.pending <= 0 and self._decoder.pending <= 0):
            self._drain_timer.stop()

    def _on_checks_done(self, result: tuple[Any, Any]) -> None:
        (url, ident), refusal = result
        current = self._downloads.get(url)
        if not self._stopped and current is not None and id(current) == ident:
            current.checked(refusal if isinstance(refusal, str | None) else "check failed")

    def _on_download_finished(self, key: Key, fetched: Fetched) -> None:
        url = key[0]
        # Dropped here, not deleteLater(): a Download has no parent, Python owns it.
        self._downloads.pop(url, None)
        if self._stopped:
            return
        if fetched.data is None:
            if fetched.slow:
                self._failures.slow(url)
            else:
                self._failures.failed(url)
            self._done(key)
            return
        self._submit(
            self._decoder, (_FROM_NETWORK, key, fetched.data), (fetched.data, key[1], key[2])
        )

    def _on_decoder_done(self, result: tuple[Any, Any]) -> None:
        token, image = result
        if token == _TRIM:
            self._trimming = False
            if isinstance(image, int):
                self._disk.usage = image
            return
        if self._stopped or isinstance(token, str):
            return
        source, key = token[0], token[1]
        url = key[0]
        if not isinstance(image, QImage):
            if source == _FROM_DISK:
                log.debug("Corrupt or refused cached avatar %s: deleted", _loggable(url))
                self._disk.drop(url)
                self._busy -= 1
                self._download(key)  # keeps the slot
                return
            self._failures.failed(url)
            self._done(key)
            return
        if source == _FROM_NETWORK:
            self._failures.succeeded(url)
            if self._disk.write(url, token[2]):
                self._trim()
        self._remember(key, QPixmap.fromImage(image))
        self._done(key)

    def _remember(self, key: Key, pixmap: QPixmap) -> None:
        self._memory[key] = pixmap
        self._memory.move_to_end(key)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        self.avatar_ready.emit(key[0])

    def _done(self, key: Key) -> None:
        """One request is served: free its slot; other sizes of its URL are asked again
        (from the disk cache now, or not at all once it failed)."""
        self._busy -= 1
        self._requested.discard(key)
        for other in self._waiting.pop(key[0], []):
            self._requested.discard(other)
            self._request(other, urgent=True)
        if self._jobs.idle() and self._busy == 0:
            self._submit(self._decoder, _RELEASE, None)  # decoding buffers of a burst of avatars
        self._schedule_pump(settle=False)

    def _trim(self) -> None:
        if not self._trimming and not self._stopped:
            self._trimming = True
            self._submit(self._decoder, _TRIM, (self._disk.folder, self._disk.cap))


def _decode_job(value: Any) -> Any:
    """The decoding thread's work: trim the disk cache, give memory back, or decode."""
    if value is None:
        release_free_memory()
        return None
    if isinstance(value[0], Path):
        return trim(value[0], value[1])
    data, size_px, dpr = value
    return decode_round(data, size_px, dpr)


def _key(url: str, size_px: int, dpr: float) -> Key:
    return (url, size_px, round(dpr, 3))


def _loggable(url: str) -> str:
    """The URL without credentials, query or fragment, for log lines."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
