"""The avatar store against a real HTTP server on loopback: caching, failures, stopping."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter
from pytestqt.qtbot import QtBot

from bx24presence.qt import avatars
from bx24presence.qt.avatars import AvatarStore, paint_initials, round_image

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


@dataclass
class Server:
    """The test server's address and what it saw."""

    base: str
    hits: Counter[str] = field(default_factory=Counter)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not left, f"threads left running: {left}"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """Routes: /img/* a PNG, /missing 404, /text not an image, /big too big, /slow hangs."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    lock = threading.Lock()
    state = Server(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with lock:
                state.hits[path] += 1
            if path.startswith("/img/"):
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
            else:
                self._send(404, "text/plain", b"not found")

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = False  # so server_close() joins the handler threads
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "avatars"


@pytest.fixture
def make_store(cache_dir: Path) -> Iterator[Callable[..., AvatarStore]]:
    """Makes stores on ``cache_dir``; every one is stopped and joined in teardown."""
    stores: list[AvatarStore] = []

    def make(**kw: Any) -> AvatarStore:
        kw.setdefault("timeout", (2.0, 5.0))
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


def _file(cache_dir: Path, url: str) -> Path:
    return cache_dir / hashlib.sha256(url.encode()).hexdigest()


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
    assert _file(cache_dir, url).read_bytes() == PNG

    second = make_store()
    _load(qtbot, second, url, size_px=48, dpr=1.5)

    assert server.hits["/img/a.png"] == 1
    assert second.disk_usage_bytes == len(PNG)


def test_corrupt_cache_file_is_replaced(
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    url = server.url("/img/a.png")
    cache_dir.mkdir(parents=True)
    _file(cache_dir, url).write_bytes(b"garbage, not a picture")
    store = make_store()

    _load(qtbot, store, url)

    assert server.hits["/img/a.png"] == 1
    assert _file(cache_dir, url).read_bytes() == PNG


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
    monkeypatch.setattr(avatars, "MAX_DOWNLOAD_BYTES", len(PNG) + 1000)
    store = make_store()
    url = server.url("/big")
    store.pixmap(url, 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(url), timeout=3000)
    assert not _file(cache_dir, url).exists()


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
    qtbot: QtBot, server: Server, make_store: Callable[..., AvatarStore], cache_dir: Path
) -> None:
    cap = len(PNG) * 7 // 2  # room for three files
    store = make_store(disk_cap_bytes=cap)
    a, b, c, d = (server.url(f"/img/{name}.png") for name in "abcd")
    for url in (a, b, c):
        _load(qtbot, store, url)
    _load(qtbot, store, a, size_px=40)  # a disk hit: a is now the most recently used

    _load(qtbot, store, d)

    assert not _file(cache_dir, b).exists()
    assert all(_file(cache_dir, url).exists() for url in (a, c, d))
    on_disk = sum(p.stat().st_size for p in cache_dir.iterdir())
    assert on_disk <= cap
    assert store.disk_usage_bytes == on_disk
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
    assert sorted(p.name for p in cache_dir.iterdir()) == ["middle", "new"]


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
    store = make_store()
    url = server.url("/img/q.png?sig=s3cr3t")
    _load(qtbot, store, url)
    store.pixmap(server.url("/missing?sig=s3cr3t"), 32, 1.0)
    qtbot.waitUntil(lambda: store.has_failed(server.url("/missing?sig=s3cr3t")), timeout=3000)

    lines = [r.getMessage() for r in caplog.records if r.name == avatars.__name__]
    assert any("/img/q.png: HTTP 200" in line for line in lines)
    assert any("/missing: HTTP 404" in line for line in lines)
    assert not any("s3cr3t" in line for line in lines)


def test_jobs_are_served_newest_first_and_prefetch_last() -> None:
    jobs = avatars._Jobs(limit=4)
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
    assert image.pixelColor(5, 20) == QColor(avatars.FALLBACK_COLOR)


def test_paint_initials_uses_dark_letters_on_a_light_colour() -> None:
    assert _dark_pixels(_initials_image("AB", "#fff7c0")) > 10
    assert _dark_pixels(_initials_image("AB", "#1e3a8a")) == 0
