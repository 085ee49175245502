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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bx24presence.memory import release_free_memory

if TYPE_CHECKING:
    import requests

    from bx24presence.api.transport import CancellableAdapter

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QImageReader, QPainter, QPixmap

log = logging.getLogger(__name__)

#: Larger downloads count as failed; Bitrix24 avatars are a few hundred kilobytes at most.
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
#: Larger pictures count as failed: decoding one would blow the app's memory budget.
MAX_SOURCE_PIXELS = 4096 * 4096
#: Placeholder colour when a colleague has no Bitrix24 colour (the portal's own grey).
FALLBACK_COLOR = "#556574"

_DARK_TEXT = "#1f2933"
_CHUNK = 64 * 1024
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


class _Cancelled(Exception):
    """The store is stopping; the download in progress was cut off."""


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
    """Round avatar pixmaps for the colleague list, loaded by one worker thread.

    :meth:`pixmap` only looks in memory; a miss queues the URL and returns None, and
    ``avatar_ready`` follows when the picture is in memory. The worker works on the most
    recent request first, so after fast scrolling the rows on screen load first; prefetch
    requests wait until no :meth:`pixmap` request is left. It reads the disk cache before
    the network, decodes and rounds the picture to display size (QImage only), and hands
    it to the GUI thread, which makes the QPixmap. Failed URLs are not asked for again
    before ``retry_failed_after_s``.

    The worker is a daemon ``threading.Thread``, not a QThread: a QThread destroyed while
    still running aborts the process, a daemon thread can be abandoned. :meth:`stop` shuts
    the sockets of the download in flight, so the thread ends at once even when a server
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
        disk_cap_bytes: int = 64 * 1024 * 1024,
        memory_items: int = 400,
        retry_failed_after_s: float = 1800.0,
        timeout: tuple[float, float] = (5.0, 20.0),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._memory: OrderedDict[_Key, QPixmap] = OrderedDict()
        self._memory_items = max(1, memory_items)
        self._retry_s = retry_failed_after_s
        self._failed: dict[str, float] = {}
        self._requested: set[_Key] = set()
        # Requests beyond this are dropped oldest first: rows long scrolled past.
        self._jobs = _Jobs(limit=max(self._memory_items, 64))
        self._worker = _Worker(
            self._jobs,
            cache_dir,
            disk_cap_bytes=disk_cap_bytes,
            retry_failed_after_s=retry_failed_after_s,
            timeout=timeout,
        )
        self._worker.loaded.connect(self._on_worker_loaded, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(
            target=self._worker.run, name="bx24presence-avatars", daemon=True
        )
        self._thread.start()

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
        at = self._failed.get(url)
        if at is None:
            return False
        if time.monotonic() - at < self._retry_s:
            return True
        del self._failed[url]
        return False

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Stop the worker and join its thread; True when it ended within ``timeout_ms``."""
        self._worker.stopping.set()
        self._jobs.close()
        deadline = time.monotonic() + timeout_ms / 1000
        # Abort repeatedly: a connection opened just after an abort must be cut too.
        while True:
            self._worker.abort()
            remaining = deadline - time.monotonic()
            self._thread.join(max(0.0, min(_STOP_POLL_S, remaining)))
            if not self._thread.is_alive():
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
        """Bytes in the disk cache as the worker counts them (0 until it has looked)."""
        return self._worker.disk_usage

    # -- internals ---------------------------------------------------------------------------

    def _request(self, key: _Key, *, urgent: bool) -> None:
        url = key[0]
        if self.has_failed(url):
            return
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self._failed[url] = time.monotonic()
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
    def _on_worker_loaded(self, result: _Loaded) -> None:
        self._requested.discard(result.key)
        if result.image is None:
            self._failed[result.key[0]] = time.monotonic()
            return
        self._memory[result.key] = QPixmap.fromImage(result.image)
        self._memory.move_to_end(result.key)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        self.avatar_ready.emit(result.key[0])


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
        """Wake the worker and make :meth:`pop` return None from now on."""
        with self._cv:
            self._closed = True
            self._urgent.clear()
            self._later.clear()
            self._cv.notify_all()


class _Worker(QObject):
    """Loads requests from a :class:`_Jobs` queue; :meth:`run` is the worker thread's body.

    Everything but :meth:`abort` and ``stopping`` belongs to the worker thread; the object
    has no slots and touches no widget.

    Signals:
        loaded(_Loaded): one request is done (emitted from the worker thread).
    """

    loaded = Signal(object)

    def __init__(
        self,
        jobs: _Jobs,
        cache_dir: Path,
        *,
        disk_cap_bytes: int,
        retry_failed_after_s: float,
        timeout: tuple[float, float],
    ) -> None:
        super().__init__()
        self.stopping = threading.Event()
        self.disk_usage = 0
        self._jobs = jobs
        self._disk = _DiskCache(cache_dir, disk_cap_bytes)
        self._retry_s = retry_failed_after_s
        self._timeout = timeout
        self._failed: dict[str, float] = {}
        self._adapter: CancellableAdapter | None = None
        self._session: requests.Session | None = None

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
        session.headers["Accept"] = "image/*"
        return session

    def abort(self) -> None:
        """Cut the download in flight (thread-safe)."""
        if self._adapter is not None:
            self._adapter.abort()

    def run(self) -> None:
        """Serve requests until the queue is closed."""
        try:
            self._session = self._open_session()
            self._disk.open()
            self.disk_usage = self._disk.usage
            while (key := self._jobs.pop()) is not None:
                try:
                    image = self._load(key)
                except _Cancelled:
                    break
                except Exception:  # a bug must not kill the loader thread
                    log.exception("Unexpected failure while loading an avatar")
                    image = None
                self.disk_usage = self._disk.usage
                if self.stopping.is_set():
                    break
                self.loaded.emit(_Loaded(key, image))
                if self._jobs.idle():
                    release_free_memory()  # decoding buffers of a burst of avatars
        finally:
            if self._session is not None:
                self._session.close()

    def _load(self, key: _Key) -> QImage | None:
        url, size_px, dpr = key
        name = hashlib.sha256(url.encode()).hexdigest()
        data = self._disk.read(name)
        if data is not None:
            image = _decode(data, _physical(size_px, dpr))
            if image is not None:
                return round_image(image, size_px, dpr)
            log.debug("Corrupt cached avatar %s: deleted", _loggable(url))
            self._disk.remove(name)
        at = self._failed.get(url)
        if at is not None and time.monotonic() - at < self._retry_s:
            return None
        data = self._download(url)
        image = _decode(data, _physical(size_px, dpr)) if data is not None else None
        if data is None or image is None:
            self._failed[url] = time.monotonic()
            return None
        self._disk.write(name, data)
        return round_image(image, size_px, dpr)

    def _download(self, url: str) -> bytes | None:
        started = time.monotonic()
        deadline = started + sum(self._timeout)
        where = _loggable(url)
        try:
            if self._session is None:
                return None
            with self._session.get(
                url, timeout=self._timeout, stream=True, allow_redirects=True
            ) as resp:
                status = resp.status_code
                if not 200 <= status < 300:
                    log.debug("Avatar %s: HTTP %d", where, status)
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
                    if self.stopping.is_set():
                        raise _Cancelled
                    if time.monotonic() > deadline:
                        log.debug("Avatar %s: too slow", where)
                        return None
        except OSError as exc:  # requests' exceptions are OSErrors too
            if self.stopping.is_set():
                raise _Cancelled from exc
            log.debug("Avatar %s: %s", where, type(exc).__name__)
            return None
        log.debug(
            "Avatar %s: HTTP %d, %d bytes in %.0f ms",
            where,
            status,
            len(body),
            (time.monotonic() - started) * 1000,
        )
        return bytes(body)


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
    """Decode a picture no smaller than ``side`` square where the format allows; None if bad.

    QImageReader reads the size first, so a huge picture is refused before it is decoded,
    and formats that can (JPEG) decode straight to about the display size.
    """
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    if not buffer.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    try:
        reader = QImageReader(buffer)
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            if size.width() * size.height() > MAX_SOURCE_PIXELS:
                return None
            shortest = min(size.width(), size.height())
            if shortest > side:
                scale = side / shortest
                reader.setScaledSize(
                    QSize(
                        max(side, math.ceil(size.width() * scale)),
                        max(side, math.ceil(size.height() * scale)),
                    )
                )
        image = reader.read()
    finally:
        buffer.close()
    return None if image.isNull() else image


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
