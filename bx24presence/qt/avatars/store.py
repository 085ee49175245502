"""Colleague avatars: loaded off the GUI thread, cached on disk and in memory, drawn round."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QImage,
    QImageIOHandler,
    QImageReader,
    QPainter,
    QPixmap,
)

from bx24presence.memory import release_free_memory
from bx24presence.qt.avatars.fetch import (
    MAX_DOWNLOAD_BYTES,
    Cancelled,
    Fetcher,
    Resolver,
    TargetPolicy,
    Watchdog,
    resolve,
)

log = logging.getLogger(__name__)

__all__ = ["MAX_DOWNLOAD_BYTES", "AvatarStore", "paint_initials", "round_image"]

#: Larger pictures count as failed: decoding one would blow the app's memory budget.
MAX_SOURCE_PIXELS = 4096 * 4096
#: Larger decoded pictures count as failed (2048 x 2048 at 32 bits); JPEG decodes scaled down.
MAX_DECODED_BYTES = 16 * 1024 * 1024
#: The formats avatars may have (what Bitrix24 stores); never SVG, SVGZ, XPM, TGA...
RASTER_FORMATS = frozenset({b"png", b"jpeg", b"jpg", b"jfif", b"gif", b"webp", b"bmp"})
#: Placeholder colour when a colleague has no Bitrix24 colour (the portal's own grey).
FALLBACK_COLOR = "#556574"

_DARK_TEXT = "#1f2933"
_TMP_PREFIX = ".tmp-"
_STOP_POLL_S = 0.05

# (url, logical size in px, device pixel ratio rounded to 3 places)
_Key = tuple[str, int, float]


@dataclass(frozen=True)
class _Loaded:
    """What the worker hands to the GUI thread for one request.

    Attributes:
        key: the request.
        image: the round picture at display size, or None when loading failed.
    """

    key: _Key
    image: QImage | None


def round_image(image: QImage, size_px: int, dpr: float) -> QImage:
    """Scale ``image`` to cover a square, crop the middle and clip it to a circle.

    Thread-safe: works on QImage only. The result is ``size_px * dpr`` physical pixels
    square, premultiplied ARGB with transparent corners, and carries ``dpr`` as its
    device pixel ratio.
    """
    side = _physical(size_px, dpr)
    scaled = image.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    x = max(0, (scaled.width() - side) // 2)
    y = max(0, (scaled.height() - side) // 2)
    square = scaled.copy(x, y, side, side)

    out = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.GlobalColor.white)
        painter.drawEllipse(QRectF(0, 0, side, side))
        # The antialiased disc is a mask: SourceIn keeps the picture only where it is.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.drawImage(0, 0, square)
    finally:
        painter.end()
    out.setDevicePixelRatio(dpr)
    return out


def paint_initials(painter: QPainter, rect: QRectF, initials: str, color: str | None) -> None:
    """Paint a placeholder avatar: a disc in the colleague's colour with their initials.

    Args:
        painter: an active painter; its state is restored afterwards.
        rect: where to paint; the disc fills the largest centred square inside it.
        initials: one or two letters (more are cut off; empty paints the disc only).
        color: the Bitrix24 colour (``#rrggbb``); invalid or None gives the fallback grey.
    """
    fill = QColor.fromString(color) if color and QColor.isValidColorName(color) else QColor()
    if not fill.isValid():
        fill = QColor.fromString(FALLBACK_COLOR)
    side = min(rect.width(), rect.height())
    disc = QRectF(
        rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2, side, side
    )
    text = initials.strip()[:2]

    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawEllipse(disc)
        if text and side >= 1:
            font = painter.font()
            font.setBold(True)
            font.setPixelSize(max(1, round(side * (0.42 if len(text) == 1 else 0.38))))
            # Wide letters ("WM") must stay inside the disc: shrink to 70% of its width.
            width = QFontMetricsF(font).horizontalAdvance(text)
            if width > side * 0.7:
                font.setPixelSize(max(1, math.floor(font.pixelSize() * side * 0.7 / width)))
            painter.setFont(font)
            light = _luminance(fill) > 0.55
            painter.setPen(QColor.fromString(_DARK_TEXT) if light else QColor(Qt.GlobalColor.white))
            painter.drawText(disc, int(Qt.AlignmentFlag.AlignCenter), text)
    finally:
        painter.restore()


class AvatarStore(QObject):
    """Round avatar pixmaps for the colleague list, loaded by a few worker threads.

    :meth:`pixmap` only looks in memory; a miss queues the URL and returns None, and
    ``avatar_ready`` follows when the picture is in memory. The workers take the most
    recent request first, so after fast scrolling the rows on screen load first; prefetch
    requests wait until no :meth:`pixmap` request is left. A worker reads the disk cache before
    the network, decodes and rounds the picture to display size (QImage only), and hands
    it to the GUI thread, which makes the QPixmap.

    Hostile URLs and servers are expected (see :mod:`bx24presence.qt.avatars.fetch`): only
    public hosts or the portal's own, redirects followed by hand, SVG and other markup refused,
    and pictures whose decoded size would pass :data:`MAX_DECODED_BYTES` refused before
    decoding. Every download has a total deadline (``deadline_s``) enforced by a watchdog
    thread that cuts its sockets; with ``workers`` downloads at a time, one slow URL never
    holds up the others. A download cut at its deadline is tried again after
    ``slow_retry_after_s`` at most ``slow_retries`` times; any other failure is not asked for
    again before ``retry_failed_after_s``.

    The threads are daemon ``threading.Thread``\\ s, not QThreads: a QThread destroyed while
    still running aborts the process, a daemon thread can be abandoned. :meth:`stop` shuts
    the sockets of the downloads in flight, so the threads end at once even when a server
    hangs; a download still stuck in DNS or connect (which no socket shutdown reaches) is
    abandoned: it ends by its own timeout, emits nothing, and cannot hold up the app's exit.

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
        memory_items: int = 400,
        retry_failed_after_s: float = 1800.0,
        timeout: tuple[float, float] = (5.0, 20.0),
        deadline_s: float = 30.0,
        workers: int = 3,
        slow_retry_after_s: float = 60.0,
        slow_retries: int = 2,
        resolver: Resolver | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._memory: OrderedDict[_Key, QPixmap] = OrderedDict()
        self._memory_items = max(1, memory_items)
        self._failures = _Failures(
            retry_s=retry_failed_after_s,
            slow_retry_s=slow_retry_after_s,
            slow_retries=slow_retries,
        )
        self._requested: set[_Key] = set()
        # Requests beyond this are dropped oldest first: rows long scrolled past.
        self._jobs = _Jobs(limit=max(self._memory_items, 64))
        policy = TargetPolicy(portal, resolver=resolver or resolve)
        self._loader = _Loader(
            self._jobs,
            cache_dir,
            failures=self._failures,
            disk_cap_bytes=disk_cap_bytes,
        )
        self._loader.loaded.connect(self._on_loader_loaded, Qt.ConnectionType.QueuedConnection)
        self._watchdog = Watchdog()
        self._fetchers = [
            Fetcher(
                policy,
                self._watchdog,
                timeout=timeout,
                deadline_s=deadline_s,
                stopping=self._loader.stopping,
            )
            for _ in range(max(1, workers))
        ]
        self._threads = [
            threading.Thread(
                target=self._watchdog.run, name="bx24presence-avatars-watchdog", daemon=True
            )
        ]
        self._threads += [
            threading.Thread(
                target=self._loader.run,
                args=(fetcher, i == 0),
                name=f"bx24presence-avatars-{i}",
                daemon=True,
            )
            for i, fetcher in enumerate(self._fetchers)
        ]
        for thread in self._threads:
            thread.start()

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
        """Stop the workers and join their threads; True when they ended within ``timeout_ms``."""
        self._loader.close()
        self._jobs.close()
        self._watchdog.close()
        deadline = time.monotonic() + timeout_ms / 1000
        # Abort repeatedly: a connection opened just after an abort must be cut too.
        while True:
            for fetcher in self._fetchers:
                fetcher.abort()
            remaining = deadline - time.monotonic()
            alive = [t for t in self._threads if t.is_alive()]
            if alive:
                alive[0].join(max(0.0, min(_STOP_POLL_S, remaining)))
            if not any(t.is_alive() for t in self._threads):
                return True
            if remaining <= 0:
                log.warning("The avatar loader did not stop in time; abandoning it")
                return False

    def clear_memory(self) -> None:
        """Drop every pixmap held in memory (the disk cache stays)."""
        self._memory.clear()

    @property
    def memory_count(self) -> int:
        """How many pixmaps are held in memory."""
        return len(self._memory)

    @property
    def disk_usage_bytes(self) -> int:
        """Bytes in the disk cache as the workers count them (0 until they have looked)."""
        return self._loader.disk_usage

    # -- internals ---------------------------------------------------------------------------

    def _request(self, key: _Key, *, urgent: bool) -> None:
        url = key[0]
        if self.has_failed(url):
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

    @Slot(object)
    def _on_loader_loaded(self, result: _Loaded) -> None:
        self._requested.discard(result.key)
        if result.image is None:
            return
        self._memory[result.key] = QPixmap.fromImage(result.image)
        self._memory.move_to_end(result.key)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        self.avatar_ready.emit(result.key[0])


class _Failures:
    """URLs that failed and when each may be tried again; thread-safe.

    A download cut at its deadline may be a passing slowness: it is tried again after
    ``slow_retry_s``, at most ``slow_retries`` times; any other failure waits ``retry_s``.
    """

    def __init__(self, *, retry_s: float, slow_retry_s: float, slow_retries: int) -> None:
        self._lock = threading.Lock()
        self._retry_s = retry_s
        self._slow_retry_s = slow_retry_s
        self._slow_retries = slow_retries
        self._until: dict[str, float] = {}
        self._slow: dict[str, int] = {}

    def blocked(self, url: str) -> bool:
        """Whether ``url`` failed recently enough that it is not asked for again."""
        with self._lock:
            until = self._until.get(url)
            if until is None:
                return False
            if time.monotonic() < until:
                return True
            del self._until[url]
            return False

    def failed(self, url: str) -> None:
        """``url`` failed for good (for ``retry_s``)."""
        with self._lock:
            self._slow.pop(url, None)
            self._until[url] = time.monotonic() + self._retry_s

    def slow(self, url: str) -> None:
        """``url`` ran past its deadline."""
        with self._lock:
            count = self._slow.get(url, 0) + 1
            self._slow[url] = count
            wait = self._slow_retry_s if count <= self._slow_retries else self._retry_s
            self._until[url] = time.monotonic() + wait

    def succeeded(self, url: str) -> None:
        """``url`` loaded."""
        with self._lock:
            self._slow.pop(url, None)
            self._until.pop(url, None)


class _Jobs:
    """Two thread-safe LIFO stacks of requests: urgent (on screen) before prefetch."""

    def __init__(self, limit: int) -> None:
        self._cv = threading.Condition()
        self._urgent: OrderedDict[_Key, None] = OrderedDict()
        self._later: OrderedDict[_Key, None] = OrderedDict()
        self._limit = limit
        self._closed = False

    def push(self, key: _Key, *, urgent: bool) -> list[_Key]:
        """Put a new ``key`` on top of its stack; returns the requests dropped to make room.

        The oldest requests are dropped, prefetch ones first (a closed queue drops ``key``).
        """
        with self._cv:
            if self._closed:
                return [key]
            (self._urgent if urgent else self._later)[key] = None
            dropped: list[_Key] = []
            while len(self._urgent) + len(self._later) > self._limit:
                stack = self._later or self._urgent
                dropped.append(stack.popitem(last=False)[0])
            self._cv.notify()
            return dropped

    def promote(self, key: _Key) -> None:
        """Move a waiting ``key`` to the top of the urgent stack (no-op once it is taken)."""
        with self._cv:
            if key in self._urgent:
                self._urgent.move_to_end(key)
            elif key in self._later:
                del self._later[key]
                self._urgent[key] = None

    def idle(self) -> bool:
        """Whether nothing is waiting."""
        with self._cv:
            return not self._urgent and not self._later

    def pop(self) -> _Key | None:
        """The most recent urgent request, else the most recent prefetch; None once closed."""
        with self._cv:
            while not self._closed and not self._urgent and not self._later:
                self._cv.wait()
            if self._closed:
                return None
            stack = self._urgent or self._later
            return stack.popitem(last=True)[0]

    def close(self) -> None:
        """Wake the workers and make :meth:`pop` return None from now on."""
        with self._cv:
            self._closed = True
            self._urgent.clear()
            self._later.clear()
            self._cv.notify_all()


class _Loader(QObject):
    """Serves a :class:`_Jobs` queue; :meth:`run` is the body of each worker thread.

    The disk cache, the failures and the URLs in flight are shared by the workers (each
    under a lock); decoding is one at a time, so memory peaks at one picture's worth. The
    object has no slots and touches no widget.

    Signals:
        loaded(_Loaded): one request is done (emitted from a worker thread).
    """

    loaded = Signal(object)

    def __init__(
        self,
        jobs: _Jobs,
        cache_dir: Path,
        *,
        failures: _Failures,
        disk_cap_bytes: int,
    ) -> None:
        super().__init__()
        self.stopping = threading.Event()
        self.disk_usage = 0
        self._jobs = jobs
        self._failures = failures
        self._disk = _DiskCache(cache_dir, disk_cap_bytes)
        self._disk_lock = threading.Lock()
        self._disk_ready = threading.Event()
        self._decode_lock = threading.Lock()
        self._inflight_lock = threading.Lock()
        self._inflight: dict[str, threading.Event] = {}

    def close(self) -> None:
        """Stop: wake every worker waiting for another's download (thread-safe)."""
        self.stopping.set()
        self._disk_ready.set()
        with self._inflight_lock:
            for done in self._inflight.values():
                done.set()

    def run(self, fetcher: Fetcher, opens_disk: bool) -> None:
        """Serve requests until the queue is closed (one worker thread's body)."""
        try:
            if opens_disk:
                with self._disk_lock:
                    self._disk.open()
                    self.disk_usage = self._disk.usage
                self._disk_ready.set()
            else:
                self._disk_ready.wait()
            while (key := self._jobs.pop()) is not None:
                try:
                    image = self._load(key, fetcher)
                except Cancelled:
                    break
                except Exception:  # a bug must not kill the loader thread
                    log.exception("Unexpected failure while loading an avatar")
                    self._failures.failed(key[0])  # not asked for again on every paint
                    image = None
                if self.stopping.is_set():
                    break
                self.loaded.emit(_Loaded(key, image))
                if self._jobs.idle():
                    release_free_memory()  # decoding buffers of a burst of avatars
        finally:
            fetcher.close()

    def _load(self, key: _Key, fetcher: Fetcher) -> QImage | None:
        url, size_px, dpr = key
        name = hashlib.sha256(url.encode()).hexdigest()
        image = self._from_disk(url, name, size_px, dpr)
        if image is not None:
            return image
        # Two requests for one URL (two sizes of one avatar) download it once: the second
        # waits for the first (whose download has a deadline), then reads the disk cache.
        for _ in range(2):
            if self._failures.blocked(url):
                return None
            with self._inflight_lock:
                done = self._inflight.get(url)
                if done is None:
                    self._inflight[url] = threading.Event()
            if done is None:
                try:
                    return self._download(url, name, size_px, dpr, fetcher)
                finally:
                    with self._inflight_lock:
                        self._inflight.pop(url).set()
            done.wait()
            if self.stopping.is_set():
                raise Cancelled
            image = self._from_disk(url, name, size_px, dpr)
            if image is not None:
                return image
        return None  # the disk cache is off and others keep fetching it: asked again later

    def _from_disk(self, url: str, name: str, size_px: int, dpr: float) -> QImage | None:
        with self._disk_lock:
            data = self._disk.read(name)
        if data is None:
            return None
        image = self._decode(data, size_px, dpr)
        if image is not None:
            return image
        log.debug("Corrupt or refused cached avatar %s: deleted", _loggable(url))
        with self._disk_lock:
            self._disk.remove(name)
            self.disk_usage = self._disk.usage
        return None

    def _download(
        self, url: str, name: str, size_px: int, dpr: float, fetcher: Fetcher
    ) -> QImage | None:
        fetched = fetcher.fetch(url, _loggable(url))
        image = self._decode(fetched.data, size_px, dpr) if fetched.data is not None else None
        if fetched.data is None or image is None:
            if fetched.slow:
                self._failures.slow(url)
            else:
                self._failures.failed(url)
            return None
        self._failures.succeeded(url)
        with self._disk_lock:
            self._disk.write(name, fetched.data)
            self.disk_usage = self._disk.usage
        return image

    def _decode(self, data: bytes, size_px: int, dpr: float) -> QImage | None:
        with self._decode_lock:
            image = _decode(data, _physical(size_px, dpr))
            return round_image(image, size_px, dpr) if image is not None else None


class _DiskCache:
    """Raw downloaded bytes, one file per URL, capped in size with LRU eviction.

    Used by the worker thread only. Recency is the file's mtime (touched on every hit),
    so it survives restarts; within a run an ordered index avoids re-reading the folder.
    """

    def __init__(self, folder: Path, cap_bytes: int) -> None:
        self._folder = folder
        self._cap = cap_bytes
        self._index: OrderedDict[str, int] = OrderedDict()  # name -> size, oldest first
        self.usage = 0
        self._enabled = False
        self._warned = False

    def open(self) -> None:
        """Create the folder and index what is there, oldest first."""
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            found: list[tuple[int, str, int]] = []
            with os.scandir(self._folder) as entries:
                for entry in entries:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    if entry.name.startswith(_TMP_PREFIX):  # left by a crash mid-write
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                        continue
                    st = entry.stat(follow_symlinks=False)
                    found.append((st.st_mtime_ns, entry.name, st.st_size))
        except OSError as exc:
            log.warning("Avatar disk cache unavailable (%s); using memory only", exc)
            return
        for _, name, size in sorted(found):
            self._index[name] = size
        self.usage = sum(self._index.values())
        self._enabled = True
        self._evict()

    def read(self, name: str) -> bytes | None:
        """The cached bytes (marking them recently used), or None."""
        if not self._enabled or name not in self._index:
            return None
        path = self._folder / name
        try:
            data = path.read_bytes()
            os.utime(path)
        except OSError:
            self._forget(name)
            return None
        self._index.move_to_end(name)
        return data

    def write(self, name: str, data: bytes) -> None:
        """Store ``data`` atomically, then evict the least recently used files over the cap."""
        if not self._enabled:
            return
        tmp = ""
        try:
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self._folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._folder / name)
        except OSError as exc:
            # Once is enough: a full disk would otherwise warn for every avatar.
            log.log(
                logging.DEBUG if self._warned else logging.WARNING,
                "Could not write an avatar to the disk cache: %s",
                exc,
            )
            self._warned = True
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return
        self._forget(name)
        self._index[name] = len(data)
        self.usage += len(data)
        self._evict()

    def remove(self, name: str) -> None:
        """Delete one file."""
        with contextlib.suppress(OSError):
            (self._folder / name).unlink()
        self._forget(name)

    def _forget(self, name: str) -> None:
        size = self._index.pop(name, None)
        if size is not None:
            self.usage -= size

    def _evict(self) -> None:
        while self.usage > self._cap and self._index:
            self.remove(next(iter(self._index)))


def _decode(data: bytes, side: int) -> QImage | None:
    """Decode a raster picture no smaller than ``side`` square where the format allows; None
    if it is bad, not a raster format we accept, or would take too much memory.

    SVG and any other markup are refused by their first bytes before Qt looks at them (an SVG
    may reference other files and its renderer is a large attack surface). QImageReader reads
    the size and pixel format from the header, so a picture whose decoded bytes would pass
    :data:`MAX_DECODED_BYTES` is refused before it is decoded (a 130 KB PNG of 4096 x 4096
    16-bit RGBA pixels decodes to 128 MiB), and formats that can (JPEG) decode straight to
    about the display size, so only the scaled picture counts against the cap.
    """
    if _looks_like_markup(data):
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    if not buffer.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    try:
        reader = QImageReader(buffer)
        if bytes(reader.format().data()).lower() not in RASTER_FORMATS:
            return None
        reader.setAutoTransform(True)
        size = reader.size()
        if not size.isValid() or size.isEmpty():
            return None
        if size.width() * size.height() > MAX_SOURCE_PIXELS:
            return None
        decoded = size
        shortest = min(size.width(), size.height())
        if shortest > side:
            scale = side / shortest
            scaled = QSize(
                max(side, math.ceil(size.width() * scale)),
                max(side, math.ceil(size.height() * scale)),
            )
            reader.setScaledSize(scaled)
            if reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize):
                decoded = scaled  # decoded at that size; others decode in full, then scale
        if decoded.width() * decoded.height() * _bytes_per_pixel(reader) > MAX_DECODED_BYTES:
            return None
        image = reader.read()
    finally:
        buffer.close()
    return None if image.isNull() else image


def _looks_like_markup(data: bytes) -> bool:
    """Whether ``data`` starts like SVG, XML or HTML (or is gzip: SVGZ); no raster picture does."""
    head = data[:64].lstrip(b" \t\r\n\x0c").removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"<", b"\x1f\x8b"))


def _bytes_per_pixel(reader: QImageReader) -> int:
    """What one decoded pixel costs, from the header (at least 4: Qt converts to 32 bits)."""
    fmt = reader.imageFormat()
    if fmt == QImage.Format.Format_Invalid:
        return 8  # unknown until decoded: assume the widest (16 bits per channel)
    return max(4, QImage(1, 1, fmt).depth() // 8)


def _key(url: str, size_px: int, dpr: float) -> _Key:
    return (url, size_px, round(dpr, 3))


def _physical(size_px: int, dpr: float) -> int:
    return max(1, round(size_px * dpr))


def _loggable(url: str) -> str:
    """The URL without credentials, query or fragment, for log lines."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def _luminance(color: QColor) -> float:
    """Relative luminance (WCAG 2) of an sRGB colour, 0 (black) to 1 (white)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )
