"""The avatar store against a real HTTP server on loopback: caching, failures, stopping."""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import logging
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter
from pytestqt.qtbot import QtBot

from bx24presence.qt.avatars import decode as avatar_decode
from bx24presence.qt.avatars import fetch as avatar_fetch
from bx24presence.qt.avatars import jobs as avatar_jobs
from bx24presence.qt.avatars import paint as avatar_paint
from bx24presence.qt.avatars import store as avatars
from bx24presence.qt.avatars import workers as avatar_workers
from bx24presence.qt.avatars.disk import DiskCache
from bx24presence.qt.avatars.store import AvatarStore, paint_initials, round_image

RED = QColor(220, 30, 40)


def _png() -> bytes:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(RED)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert QImageWriter(buffer, QByteArray(b"png")).write(image)
    buffer.close()
    return bytes(data.data())


PNG = _png()
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<rect width="64" height="64" fill="red"/></svg>'
)


@functools.cache
def deep_png() -> bytes:
    """A 4096 x 4096 PNG of 16-bit RGBA pixels: 130 KB that decode to 128 MiB."""
    side = 4096
    row = bytes(1 + side * 8)  # filter byte, then 8 bytes a pixel
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@functools.cache
def large_jpeg() -> bytes:
    """A 2400 x 2400 JPEG: 22 MiB decoded in full, so it must decode scaled down."""
    image = QImage(2400, 2400, QImage.Format.Format_RGB32)
    image.fill(RED)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert QImageWriter(buffer, QByteArray(b"jpeg")).write(image)
    buffer.close()
    return bytes(data.data())


@dataclass
class Server:
    """The test server's address and what it saw."""

    base: str
    hits: Counter[str] = field(default_factory=Counter)
    release: threading.Event = field(default_factory=threading.Event)
    redirects: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not left, f"threads left running: {left}"


@contextlib.contextmanager
def _serving(host: str) -> Iterator[Server]:
    """An HTTP server on ``host`` (any loopback address), stopped and joined on exit.

    Routes: /img/* a PNG, /cookie/* a PNG that sets a cookie, /missing 404, /text not an image,
    /big too big, /slow hangs,
    /trickle a byte every 50 ms, /deep.png 4096 x 4096 16-bit RGBA (130 KB), /large.jpg
    2400 x 2400, /svg and /svg-as-png and /svgz markup, /go/<name> a 302 to
    ``redirects[name]``.
    """
    lock = threading.Lock()
    state = Server(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with lock:
                state.hits[path] += 1
                state.cookies.append(self.headers.get("Cookie", ""))
            if path.startswith("/cookie/"):
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Set-Cookie", "track=me; Path=/")
                self.send_header("Content-Length", str(len(PNG)))
                self.end_headers()
                self.wfile.write(PNG)
            elif path.startswith("/img/"):
                self._send(200, "image/png", PNG)
            elif path == "/text":
                self._send(200, "image/png", b"<html>this is not an image</html>")
            elif path == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()  # no Content-Length: the client must count
                with contextlib.suppress(OSError):
                    self.wfile.write(PNG + bytes(8000))
            elif path == "/slow":
                state.release.wait(10)
                with contextlib.suppress(OSError):
                    self._send(200, "image/png", PNG)
            elif path == "/trickle":
                self._trickle()
            elif path == "/deep.png":
                self._send(200, "image/png", deep_png())
            elif path == "/large.jpg":
                self._send(200, "image/jpeg", large_jpeg())
            elif path == "/svg":
                self._send(200, "image/svg+xml", SVG)
            elif path == "/svg-as-png":
                self._send(200, "image/png", b"<?xml version='1.0'?>" + SVG)
            elif path == "/svgz":
                self._send(200, "image/png", gzip.compress(SVG))
            elif path.startswith("/go/"):
                self.send_response(302)
                self.send_header("Location", state.redirects[path[4:]])
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(404, "text/plain", b"not found")

        def _trickle(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG) + 100_000))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(PNG[:16])
                for _ in range(200):  # at most 10 s, then the body just stops
                    if state.release.wait(0.05):
                        return
                    self.wfile.write(b"\0")
                    self.wfile.flush()

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    httpd = ThreadingHTTPServer((host, 0), Handler)
    httpd.daemon_threads = False  # so server_close() joins the handler threads
    state.base = f"http://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,127.0.0.2")


@pytest.fixture
def server(_no_proxy: None) -> Iterator[Server]:
    """The portal's own server on 127.0.0.1 (see :func:`_serving` for its routes)."""
    with _serving("127.0.0.1") as state:
        yield state


@pytest.fixture
def private_server(_no_proxy: None) -> Iterator[Server]:
    """Another machine on the user's network, as far as the app can tell: 127.0.0.2."""
    with _serving("127.0.0.2") as state:
        yield state


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "avatars"


@pytest.fixture
def make_store(
    cache_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., AvatarStore]]:
    """Makes stores on ``cache_dir``; every one is stopped and joined in teardown.

    The portal is the test server when the test has one: loopback is allowed only there.
    """
    stores: list[AvatarStore] = []
    portal = request.getfixturevalue("server").base if "server" in request.fixturenames else ""

    def make(**kw: Any) -> AvatarStore:
        kw.setdefault("timeout", (2.0, 5.0))
        kw.setdefault("first_trim_after_s", 0)
        kw.setdefault("portal", portal)
        store = AvatarStore(cache_dir, **kw)
        stores.append(store)
        return store

    yield make
    for store in stores:
        assert store.stop(), "the avatar worker did not stop"


def _load(qtbot: QtBot, store: AvatarStore, url: str, size_px: int = 32, dpr: float = 1.0) -> Any:
    with qtbot.waitSignal(store.avatar_ready, timeout=3000, check_params_cb=lambda u: u == url):
        assert store.pixmap(url, size_px, dpr) is None
    pixmap = store.pixmap(url, size_px, dpr)
    assert pixmap is not None
    return pixmap


def _cached(cache_dir: Path, url: str) -> bytes | None:
    """What the disk cache holds for ``url`` (read as the app reads it)."""
    return DiskCache(cache_dir, 1 << 30, touch_after_s=1e9).read(url)


def _cache_put(cache_dir: Path, url: str, data: bytes) -> None:
    """Put ``data`` in the disk cache for ``url``, as an earlier run would have."""
    DiskCache(cache_dir, 1 << 30, touch_after_s=1e9).write(url, data)


def _on_disk(cache_dir: Path) -> int:
    return sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())


def test_loads_round_hidpi_pixmap(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store()
    url = server.url("/img/a.png")

    pixmap = _load(qtbot, store, url, size_px=32, dpr=2.0)

    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.size() == QSize(64, 64)
    image = pixmap.toImage()
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(63, 63).alpha() == 0
    centre = image.pixelColor(32, 32)
    assert centre.alpha() == 255
    assert (centre.red(), centre.green(), centre.blue()) == (RED.red(), RED.green(), RED.blue())
    assert store.memory_count == 1
    assert server.hits["/img/a.png"] == 1


def test_second_store_reads_disk_not_network(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    url = server.url("/img/a.png")
    first = make_store()
    _load(qtbot, first, url)
    assert first.stop()
    assert _cached(cache_dir, url) == PNG

    second = make_store()
    _load(qtbot, second, url, size_px=48, dpr=1.5)

    assert server.hits["/img/a.png"] == 1
    qtbot.waitUntil(lambda: second.disk_usage_bytes == _on_disk(cache_dir), timeout=3000)


def test_corrupt_cache_file_is_replaced(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    url = server.url("/img/a.png")
    _cache_put(cache_dir, url, b"garbage, not a picture")
    store = make_store()

    _load(qtbot, store, url)

    assert server.hits["/img/a.png"] == 1
    assert _cached(cache_dir, url) == PNG


@pytest.mark.parametrize("path", ["/missing", "/text"])
def test_failure_is_requested_once(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], path: str
) -> None:
    store = make_store()
    url = server.url(path)
    ready: list[str] = []
    store.avatar_ready.connect(ready.append)

    assert store.pixmap(url, 32, 1.0) is None
    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    for _ in range(5):
        assert store.pixmap(url, 32, 1.0) is None
    assert store.pixmap(url, 48, 2.0) is None
    store.prefetch([url], 32, 1.0)
    qtbot.wait(150)

    assert server.hits[path] == 1
    assert store.has_failed(url)
    assert ready == []
    assert store.memory_count == 0


def test_failure_is_retried_only_after_the_window(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store(retry_failed_after_s=0.3)
    url = server.url("/missing")
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    store.pixmap(url, 32, 1.0)
    qtbot.wait(50)
    assert server.hits["/missing"] == 1

    qtbot.waitUntil(lambda: not store.has_failed(url), timeout=3000)
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: server.hits["/missing"] == 2, timeout=3000)


def test_too_big_download_fails(
    qtbot: QtBot,
    server: Server,
    make_store: Callable[..., AvatarStore],
    monkeypatch: pytest.MonkeyPatch,
    cache_dir: Path,
) -> None:
    monkeypatch.setattr(avatar_fetch, "MAX_DOWNLOAD_BYTES", len(PNG) + 1000)
    store = make_store()
    url = server.url("/big")
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    assert _cached(cache_dir, url) is None


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://127.0.0.1/a.png", "data:,x"])
def test_only_http_urls_are_loaded(make_store: Callable[..., AvatarStore], url: str) -> None:
    store = make_store()
    assert store.pixmap(url, 32, 1.0) is None
    assert store.has_failed(url)


def test_no_url_means_no_avatar(make_store: Callable[..., AvatarStore]) -> None:
    store = make_store()
    assert store.pixmap(None, 32, 1.0) is None
    assert store.pixmap("", 32, 1.0) is None
    assert not store.has_failed("")


def test_duplicate_requests_download_once(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store()
    url = server.url("/img/dup.png")
    store.prefetch([url], 32, 1.0)
    for _ in range(10):
        assert store.pixmap(url, 32, 1.0) is None
    assert store.pixmap(url, 24, 2.0) is None
    qtbot.waitUntil(
        lambda: store.pixmap(url, 32, 1.0) is not None and store.pixmap(url, 24, 2.0) is not None,
        timeout=3000,
    )

    assert server.hits["/img/dup.png"] == 1


def test_disk_cap_evicts_least_recently_used(
    qtbot: QtBot,
    server: Server,
    make_store: Callable[..., AvatarStore],
    cache_dir: Path,
    tmp_path: Path,
) -> None:
    a, b, c, d = (server.url(f"/img/{name}.png") for name in "abcd")
    _cache_put(tmp_path / "probe", a, PNG)
    cap = _on_disk(tmp_path / "probe") * 7 // 2  # room for three entries
    store = make_store(disk_cap_bytes=cap, touch_after_s=0)
    for url in (a, b, c):
        _load(qtbot, store, url)
    _load(qtbot, store, a, size_px=40)  # a disk hit: a is now the most recently used

    _load(qtbot, store, d)

    qtbot.waitUntil(lambda: _cached(cache_dir, b) is None, timeout=3000)
    assert all(_cached(cache_dir, url) == PNG for url in (a, c, d))
    qtbot.waitUntil(lambda: store.disk_usage_bytes == _on_disk(cache_dir), timeout=3000)
    assert _on_disk(cache_dir) <= cap
    assert server.hits["/img/a.png"] == 1


def test_disk_cap_applies_to_files_from_earlier_runs(
    qtbot: QtBot, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    cache_dir.mkdir(parents=True)
    now = time.time()
    names = ["old", "middle", "new"]
    for age, name in zip((300, 200, 100), names, strict=True):
        path = cache_dir / name
        path.write_bytes(bytes(1000))
        os.utime(path, (now - age, now - age))

    store = make_store(disk_cap_bytes=2500)

    qtbot.waitUntil(lambda: store.disk_usage_bytes == 2000, timeout=3000)
    assert sorted(p.name for p in cache_dir.rglob("*") if p.is_file()) == ["middle", "new"]


def test_memory_lru_never_exceeds_its_size(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store(memory_items=3)
    counts: list[int] = []
    ready: list[str] = []

    def on_ready(url: str) -> None:
        counts.append(store.memory_count)
        ready.append(url)

    store.avatar_ready.connect(on_ready)
    urls = [server.url(f"/img/m{i}.png") for i in range(7)]
    for url in urls:
        store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: set(ready) == set(urls), timeout=5000)

    assert len(ready) == 7
    assert max(counts) == 3
    assert store.memory_count == 3
    # The three that arrived last are kept; the others were evicted and load again.
    assert all(store.pixmap(url, 32, 1.0) is not None for url in ready[-3:])
    assert all(store.pixmap(url, 32, 1.0) is None for url in ready[:-3])
    store.clear_memory()
    assert store.memory_count == 0


def test_prefetch_loads_without_a_paint(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store()
    urls = [server.url(f"/img/p{i}.png") for i in range(3)]
    with qtbot.waitSignals([store.avatar_ready] * 3, timeout=3000):
        store.prefetch(urls, 32, 1.0)
    assert all(store.pixmap(url, 32, 1.0) is not None for url in urls)


def test_stop_is_quick_while_a_download_hangs(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store(timeout=(5.0, 20.0))
    url = server.url("/slow")
    ready: list[str] = []
    store.avatar_ready.connect(ready.append)
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: server.hits["/slow"] == 1, timeout=3000)

    started = time.monotonic()
    assert store.stop(timeout_ms=2000)
    assert time.monotonic() - started < 2.0

    qtbot.wait(50)
    assert ready == []
    assert not store.has_failed(url)  # cut off by stop(), not broken
    assert store.pixmap(url, 32, 1.0) is None  # nothing more is queued after stop()
    assert store.stop()


def test_log_lines_leave_out_query_strings(
    qtbot: QtBot,
    server: Server,
    make_store: Callable[..., AvatarStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=avatars.__name__)
    caplog.set_level(logging.DEBUG, logger=avatar_fetch.__name__)
    store = make_store()
    url = server.url("/img/q.png?sig=s3cr3t")
    _load(qtbot, store, url)
    store.pixmap(server.url("/missing?sig=s3cr3t"), 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(server.url("/missing?sig=s3cr3t")), timeout=3000)

    names = (avatars.__name__, avatar_fetch.__name__)
    lines = [r.getMessage() for r in caplog.records if r.name in names]
    assert any("/img/q.png: HTTP 200" in line for line in lines)
    assert any("/missing: HTTP 404" in line for line in lines)
    assert not any("s3cr3t" in line for line in lines)


def test_rows_that_keep_changing_load_nothing_until_they_hold_still(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    """While the user types (new rows every few milliseconds), no avatar is read or
    fetched: each would cost a disk read, a decode and a repaint within a keystroke. Once
    the rows hold still, the ones on screen last load first; a list that never holds still
    is still served, at least every MAX_SETTLE_MS."""
    store = make_store()
    started = last_at = time.monotonic()
    longest = 0.0  # the longest pause between keystrokes (a busy machine may stretch one)
    for i in range(8):  # eight keystrokes, 10 ms apart, each showing a new row
        now = time.monotonic()
        longest, last_at = max(longest, now - last_at), now
        assert store.pixmap(server.url(f"/img/row{i}.png"), 32, 1.0) is None
        qtbot.wait(10)
    held = longest * 1000 < avatars.SETTLE_MS / 2
    if held and (time.monotonic() - started) * 1000 < avatars.MAX_SETTLE_MS - avatars.SETTLE_MS:
        assert sum(server.hits.values()) == 0, "fetched while the rows were changing"
    # Once they hold still, the row shown last is among the first served (the order of the
    # queue itself is tested in test_jobs_are_served_newest_first_and_prefetch_last).
    last = server.url("/img/row7.png")
    with qtbot.waitSignal(store.avatar_ready, timeout=3000, check_params_cb=lambda u: u == last):
        pass

    # A list that never holds still: one new row every 10 ms for over a second.
    before = sum(server.hits.values())
    for i in range(120):
        store.pixmap(server.url(f"/img/drag{i}.png"), 32, 1.0)
        qtbot.wait(10)
    assert sum(server.hits.values()) > before, "nothing served during a long drag"


def test_jobs_are_served_newest_first_and_prefetch_last() -> None:
    jobs = avatar_jobs.Jobs(limit=4)
    for name in ("p1", "p2"):
        assert jobs.push((name, 32, 1.0), urgent=False) == []
    for name in ("u1", "u2"):
        assert jobs.push((name, 32, 1.0), urgent=True) == []
    jobs.promote(("u1", 32, 1.0))
    jobs.promote(("p1", 32, 1.0))
    # Over the limit: the oldest prefetch request goes first.
    assert jobs.push(("u3", 32, 1.0), urgent=True) == [("p2", 32, 1.0)]

    order = [jobs.pop() for _ in range(4)]

    assert [key[0] for key in order if key] == ["u3", "p1", "u1", "u2"]
    jobs.close()
    assert jobs.pop() is None
    assert jobs.push(("late", 32, 1.0), urgent=True) == [("late", 32, 1.0)]


def test_round_image_covers_and_clips() -> None:
    wide = QImage(200, 100, QImage.Format.Format_RGB32)
    wide.fill(QColor("green"))
    painter = QPainter(wide)
    painter.fillRect(50, 0, 100, 100, QColor("blue"))  # the middle square
    painter.end()

    out = round_image(wide, 20, 1.5)

    assert out.size() == QSize(30, 30)
    assert out.devicePixelRatio() == 1.5
    assert out.pixelColor(0, 0).alpha() == 0
    assert out.pixelColor(29, 0).alpha() == 0
    assert out.pixelColor(15, 15) == QColor("blue")
    assert out.pixelColor(2, 15) == QColor("blue")  # the green sides were cropped off


def _initials_image(initials: str, color: str | None) -> QImage:
    image = QImage(40, 40, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    paint_initials(painter, QRectF(0, 0, 40, 40), initials, color)
    painter.end()
    return image


def _dark_pixels(image: QImage) -> int:
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255 and image.pixelColor(x, y).lightness() < 80
    )


def _white_pixels(image: QImage) -> int:
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).lightness() > 240
    )


def test_paint_initials_fills_a_disc_with_the_colour() -> None:
    image = _initials_image("AB", "#df532d")

    assert image.pixelColor(5, 20) == QColor("#df532d")  # centre-left, clear of the letters
    for x, y in ((0, 0), (39, 0), (0, 39), (39, 39)):
        assert image.pixelColor(x, y).alpha() == 0
    assert _white_pixels(image) > 10  # the letters


@pytest.mark.parametrize("color", [None, "", "not a colour", "#12"])
def test_paint_initials_falls_back_to_grey(color: str | None) -> None:
    image = _initials_image("Z", color)
    assert image.pixelColor(5, 20) == QColor(avatar_paint.FALLBACK_COLOR)


def test_paint_initials_uses_dark_letters_on_a_light_colour() -> None:
    assert _dark_pixels(_initials_image("AB", "#fff7c0")) > 10
    assert _dark_pixels(_initials_image("AB", "#1e3a8a")) == 0


# -- hostile servers -----------------------------------------------------------------------


def test_a_slow_avatar_does_not_block_the_others(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store(deadline_s=5.0)
    slow = server.url("/slow")
    store.pixmap(slow, 32, 1.0)
    qtbot.waitUntil(lambda: server.hits["/slow"] == 1, timeout=3000)

    started = time.monotonic()
    for name in ("f1", "f2", "f3"):
        _load(qtbot, store, server.url(f"/img/{name}.png"))

    assert time.monotonic() - started < 2.0
    assert store.pixmap(slow, 32, 1.0) is None and not store.has_failed(slow)


def test_a_trickling_avatar_is_cut_at_its_deadline_and_retried_a_few_times(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store(deadline_s=0.4, slow_retry_after_s=0.1, slow_retries=2)
    url = server.url("/trickle")

    started = time.monotonic()
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(url), timeout=2500)
    assert time.monotonic() - started < 2.0, "a byte every 50 ms must not keep it alive"

    # Abandoned, then tried again twice after a short pause, then given up for a long while.
    def asked_again() -> bool:
        store.pixmap(url, 32, 1.0)
        return server.hits["/trickle"] == 3 and store.has_failed(url)

    qtbot.waitUntil(asked_again, timeout=5000)
    qtbot.wait(400)
    assert store.pixmap(url, 32, 1.0) is None
    qtbot.wait(300)
    assert server.hits["/trickle"] == 3
    assert store.has_failed(url)


def test_a_16_bit_png_of_4096_pixels_is_refused(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    assert len(deep_png()) < 200_000
    store = make_store()
    url = server.url("/deep.png")

    store.pixmap(url, 40, 1.0)

    qtbot.waitUntil(lambda: store.has_failed(url), timeout=5000)
    assert _cached(cache_dir, url) is None


def test_decoding_the_16_bit_png_stays_small_in_memory(tmp_path: Path) -> None:
    """Measured in a child process: its peak resident memory barely moves."""
    path = tmp_path / "deep.png"
    path.write_bytes(deep_png())
    child = (
        "import json, resource, sys\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from bx24presence.qt.avatars.decode import decode\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "image = decode(data, 80)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'refused': image is None, 'grew_kb': after - before}))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", child, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["refused"]
    assert out["grew_kb"] < 16 * 1024, out


def test_a_large_jpeg_decodes_scaled_down(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    assert avatar_decode.MAX_DECODED_BYTES < 2400 * 2400 * 4
    store = make_store()

    pixmap = _load(qtbot, store, server.url("/large.jpg"), size_px=40)

    assert pixmap.size() == QSize(40, 40)


@pytest.mark.parametrize("path", ["/svg", "/svg-as-png", "/svgz"])
def test_svg_avatars_are_refused(
    qtbot: QtBot,
    server: Server,
    make_store: Callable[..., AvatarStore],
    cache_dir: Path,
    path: str,
) -> None:
    store = make_store()
    url = server.url(path)
    ready: list[str] = []
    store.avatar_ready.connect(ready.append)

    store.pixmap(url, 32, 1.0)

    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    assert ready == []
    assert _cached(cache_dir, url) is None


def test_an_svg_in_the_disk_cache_is_refused_and_deleted(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    url = server.url("/img/was-svg.png")
    _cache_put(cache_dir, url, SVG)
    store = make_store()

    _load(qtbot, store, url)  # from the network instead

    assert server.hits["/img/was-svg.png"] == 1
    assert _cached(cache_dir, url) == PNG


def test_a_redirect_to_a_private_address_is_refused(
    qtbot: QtBot,
    server: Server,
    private_server: Server,
    make_store: Callable[..., AvatarStore],
) -> None:
    server.redirects["admin"] = private_server.url("/admin/delete?all=1")
    store = make_store()
    url = server.url("/go/admin")

    store.pixmap(url, 32, 1.0)

    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    assert server.hits["/go/admin"] == 1
    assert private_server.hits == Counter(), "the private server saw no request"


def test_an_avatar_on_a_private_address_is_refused(
    qtbot: QtBot,
    server: Server,
    private_server: Server,
    make_store: Callable[..., AvatarStore],
) -> None:
    store = make_store()
    urls = [
        private_server.url("/img/a.png"),
        # The portal's own address, but another port: some other service of that machine.
        private_server.url("/img/a.png").replace("127.0.0.2", "127.0.0.1"),
    ]
    for url in urls:
        store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: all(store.has_failed(url) for url in urls), timeout=3000)
    assert private_server.hits == Counter()


def test_redirects_within_allowed_hosts_are_followed_a_few_times(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    server.redirects["once"] = "/img/moved.png"
    server.redirects["loop"] = server.url("/go/loop")
    store = make_store()

    _load(qtbot, store, server.url("/go/once"))
    loop = server.url("/go/loop")
    store.pixmap(loop, 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(loop), timeout=3000)

    assert server.hits["/img/moved.png"] == 1
    assert server.hits["/go/loop"] == avatar_fetch.MAX_REDIRECTS + 1


def _policy(portal: str, table: dict[str, list[str]]) -> avatar_fetch.TargetPolicy:
    def resolver(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return avatar_fetch.TargetPolicy(portal, resolver=resolver)


def test_target_policy_allows_public_hosts_and_the_portal_machine_only() -> None:
    policy = _policy(
        "https://portal.corp.example",
        {
            "portal.corp.example": ["10.1.2.3"],
            "cdn.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
            "files.corp.example": ["10.1.2.3"],
            "other.corp.example": ["10.9.9.9"],
            "mixed.example": ["93.184.216.34", "192.168.1.1"],
            "mapped.example": ["::ffff:127.0.0.1"],
            "metadata.example": ["169.254.169.254"],
        },
    )
    allowed = [
        "https://portal.corp.example/upload/a.png",
        "http://portal.corp.example/upload/a.png",  # the default ports of the same machine
        "https://files.corp.example/a.png",  # another name of the portal's machine
        "https://cdn.example:8443/a.png",  # public: any port
    ]
    refused = [
        "https://portal.corp.example:6379/",  # the portal's machine, another service
        "https://other.corp.example/a.png",
        "https://mixed.example/a.png",  # every address must pass
        "http://mapped.example/",
        "http://metadata.example/latest/",
        "http://169.254.169.254/",
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://unknown.example/",
        "ftp://cdn.example/a.png",
    ]
    assert [u for u in allowed if policy.refusal(u) is not None] == []
    assert [u for u in refused if policy.refusal(u) is None] == []


def test_target_policy_without_a_portal_allows_public_hosts_only() -> None:
    policy = _policy("", {"cdn.example": ["93.184.216.34"]})
    assert policy.refusal("https://cdn.example/a.png") is None
    assert policy.refusal("http://127.0.0.1:8000/a.png") is not None


def test_cookies_are_neither_kept_nor_sent(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    store = make_store(workers=1)
    _load(qtbot, store, server.url("/cookie/a.png"))
    _load(qtbot, store, server.url("/img/after.png"))

    assert server.cookies == ["", ""]


@pytest.mark.parametrize(
    "template",
    [
        # Parsers disagree on these: the host checked must be the one Qt connects to.
        "http://127.0.0.2\\@{portal}/img/a.png",
        "http://{portal}\\@127.0.0.2/img/a.png",
        "http://2130706434:{port}/img/a.png",  # 127.0.0.2 as one number
        "http://0x7f.2:{port}/img/a.png",
    ],
)
def test_a_url_read_two_ways_is_refused(
    qtbot: QtBot,
    server: Server,
    private_server: Server,
    make_store: Callable[..., AvatarStore],
    template: str,
) -> None:
    store = make_store()
    url = template.format(
        portal=server.base.removeprefix("http://"), port=private_server.base.rsplit(":", 1)[1]
    )

    store.pixmap(url, 32, 1.0)

    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    assert server.hits == Counter()
    assert private_server.hits == Counter()


def test_the_deadline_covers_a_host_check_that_hangs(
    qtbot: QtBot, make_store: Callable[..., AvatarStore]
) -> None:
    release = threading.Event()

    def resolver(host: str, port: int) -> list[str]:
        release.wait(1.5)
        return ["93.184.216.34"]

    store = make_store(resolver=resolver, deadline_s=0.3)
    url = "http://cdn.example/a.png"
    started = time.monotonic()
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    release.set()

    assert time.monotonic() - started < 1.0


def test_many_avatars_through_few_workers_all_load(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore]
) -> None:
    """Downloads end while the worker threads wait: none may be destroyed in a worker."""
    store = make_store(workers=3)
    urls = [server.url(f"/img/many{i}.png") for i in range(40)]
    ready: set[str] = set()
    store.avatar_ready.connect(ready.add)
    for url in urls:
        store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: ready == set(urls), timeout=10000)


def test_no_qobject_reaches_a_worker_thread(qtbot: QtBot) -> None:
    pool = avatar_workers.Pool("test-pool", lambda value: value)
    try:
        for token, value in [(QObject(), 1), (("url", QObject()), 1), ("token", QObject())]:
            with pytest.raises(TypeError):
                pool.submit(token, value)
        pool.submit(("url", 1), "value")
        results: list[tuple[object, Any]] = []
        qtbot.waitUntil(lambda: bool(results.extend(pool.drain()) or results), timeout=3000)
        assert results == [(("url", 1), "value")]
        assert pool.pending == 0
    finally:
        pool.close()
        assert pool.join(time.monotonic() + 2)


def test_a_format_told_by_its_first_bytes_only() -> None:
    assert avatar_decode.raster_format(PNG) == b"png"
    assert avatar_decode.raster_format(large_jpeg()) == b"jpeg"
    assert avatar_decode.raster_format(SVG) is None
    assert avatar_decode.raster_format(b"P6\n64 64\n255\n" + bytes(64 * 64 * 3)) is None  # PPM
    assert avatar_decode.decode(b"\x89PNG\r\n\x1a\n" + b"not really", 32) is None


def test_the_first_trim_waits_until_the_window_has_started(
    qtbot: QtBot, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    cache_dir.mkdir(parents=True)
    for name in ("a", "b", "c"):
        (cache_dir / name).write_bytes(bytes(1000))

    store = make_store(disk_cap_bytes=1500, first_trim_after_s=0.5)

    qtbot.wait(200)
    assert _on_disk(cache_dir) == 3000
    qtbot.waitUntil(lambda: store.disk_usage_bytes == 1000, timeout=3000)
