"""Faults against the demo portal with the window offscreen: the network going and coming
back, a revoked webhook, a slow portal, an empty answer, a local clock hours off, and hostile
cache files at start-up (in a real process, which must not crash)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import NetworkError, RateLimited
from bx24presence.api.throttle import RetryPolicy
from bx24presence.cache import dumps_snapshot, load_snapshot, snapshot_path
from bx24presence.domain import Presence
from bx24presence.qt import i18n, main_window
from bx24presence.qt import poller as poller_module
from bx24presence.qt.controller import Controller
from bx24presence.qt.poller import Poller, PollerThread, PollFailed, SnapshotReady
from bx24presence.qt.session import PortalChoice, Session
from bx24presence.runoptions import RunOptions
from bx24presence.settings import Settings, SettingsStore
from bx24presence.sync import Refresher
from tests.factories import colleague, snapshot

INTERVAL_S = 1
#: Slack for a refresh, the client's one quick retry (1 s) and a loaded machine.
SLACK_S = 4.0


@pytest.fixture
def app_on(qapp, monkeypatch):
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    apps: list[Session] = []

    def make(url: str, interval_s: int = INTERVAL_S) -> Session:
        choice = PortalChoice.from_auth(parse_webhook_url(url))
        app = Session(qapp, Settings(poll_interval_s=15), choice)
        app.poller.set_interval(interval_s)
        apps.append(app)
        app.start()
        return app

    yield make
    for app in apps:
        app.shutdown()
        app.window.close()
        assert not app.poller_thread.is_running()


def loaded(app: Session) -> bool:
    return app.model.rowCount() > 0 and app.window._loaded and app.window._failure is None


def failures(app: Session) -> list[PollFailed]:
    got: list[PollFailed] = []
    app.poll_failed.connect(got.append)
    return got


def test_network_down_then_back(qtbot, make_portal, app_on, virtual_time, monkeypatch) -> None:
    virtual_time.patch_clients(monkeypatch)  # the client's quick retry waits in virtual time
    portal = make_portal(users=30)
    app = app_on(portal.webhook_url)
    got = failures(app)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    portal.faults.fail("drop", count=10_000)  # every connection closes unanswered
    down = time.monotonic()
    qtbot.waitUntil(app.window.banner.isVisible, timeout=int((INTERVAL_S + SLACK_S) * 1000))
    assert time.monotonic() - down < INTERVAL_S + SLACK_S, "stale within one interval"
    assert app.window.banner.kind == "warning"
    assert "Portal unreachable since" in app.window.banner.text
    assert "showing data from" in app.window.banner.text
    assert app.window.status_label.text().startswith("Stale")
    assert app.model.rowCount() == 30, "the data stays"
    qtbot.waitUntil(lambda: len(got) >= 3, timeout=15000)
    assert all(f.kind == "network" for f in got)
    assert [f.retry_in_s for f in got[:3]] == [1, 1, 1], "backoff never beyond the interval"
    portal.faults.clear()
    while portal.faults.pending:
        portal.faults.take("batch")
    back = time.monotonic()
    qtbot.waitUntil(lambda: loaded(app), timeout=int((INTERVAL_S + SLACK_S) * 1000))
    assert time.monotonic() - back < INTERVAL_S + SLACK_S, "recovered within one interval"
    assert not app.window.banner.isVisible()
    assert app.window.status_label.text().startswith("Updated")


def test_backoff_doubles_up_to_the_interval(qtbot, make_portal, monkeypatch) -> None:
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    portal = make_portal(users=5)
    portal.stop()  # refused at once
    client = Bitrix24Client(parse_webhook_url(portal.webhook_url), retry=RetryPolicy(attempts=1))
    poller = Poller(Refresher(client), interval_s=4)
    got: list[PollFailed] = []
    poller.poll_failed.connect(got.append)
    poller._interval_s = 4
    # Drive the failure path directly: 1, 2, 4, 4, 4 (never the 5-minute cap of old).
    for _ in range(5):
        poller._on_failure(NetworkError("down"))
    assert [f.retry_in_s for f in got] == [1, 2, 4, 4, 4]
    poller._on_failure(RateLimited("slow down"))
    assert got[-1].retry_in_s == 32, "the portal's own limits may ask for longer"
    poller._on_failure(RateLimited("paused", reset_at=time.time() + 100.2))
    assert got[-1].retry_in_s == 101, "until operating_reset_at"
    poller._on_failure(RateLimited("paused", reset_at=time.time() + 10**6))
    assert got[-1].retry_in_s == poller_module.MAX_BACKOFF_S
    client.close()


def test_a_webhook_revoked_mid_run_stops_polling_and_offers_reconnect(
    qtbot, qapp, make_portal, monkeypatch
) -> None:
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    portal = make_portal(users=20)
    args = RunOptions(portal=portal.webhook_url, demo_users=0)
    c = Controller(qapp, SettingsStore(Settings()), args)
    try:
        assert c.start()
        session = c.session
        assert session is not None
        session.poller.set_interval(INTERVAL_S)
        qtbot.waitUntil(lambda: loaded(session), timeout=10000)
        portal.revoke()
        banner = session.window.banner
        qtbot.waitUntil(banner.isVisible, timeout=int((INTERVAL_S + SLACK_S) * 1000))
        assert banner.kind == "error"
        assert "Polling has stopped" in banner.text
        assert banner._button.isVisible() and banner._button.text() == "Reconnect…"
        count = portal.request_count
        qtbot.wait(3 * INTERVAL_S * 1000)
        assert portal.request_count == count, "polling stopped"
        assert session.model.rowCount() == 20, "the data stays"
        # Reconnect: the user enters a working webhook (here: another portal's).
        other = make_portal(users=25)
        asked = []

        def ask(*, connect_only: bool, parent=None):
            asked.append(connect_only)
            return PortalChoice.from_auth(parse_webhook_url(other.webhook_url))

        monkeypatch.setattr(c, "ask_for_portal", ask)
        banner._button.click()
        assert asked == [True]
        assert c.session is not session
        qtbot.waitUntil(lambda: c.session.model.rowCount() == 25, timeout=10000)
        assert not c.session.window.banner.isVisible()
    finally:
        c.shutdown()
        if c.session is not None:
            c.session.window.close()


def test_a_slow_portal_gets_the_banner_at_the_deadline_then_recovers(
    qtbot, make_portal, app_on, monkeypatch
) -> None:
    monkeypatch.setattr(poller_module, "POLL_DEADLINE_S", 1.5)
    monkeypatch.setattr(main_window, "SLOW_MS", 300)
    portal = make_portal(users=20)
    portal.faults.latency = 4.0  # every request answers after 4 s: past the deadline
    begin = time.monotonic()
    app = app_on(portal.webhook_url)
    got = failures(app)
    qtbot.waitUntil(app.window.banner.isVisible, timeout=5000)
    assert app.window.banner.kind == "info", "first: the portal is slow"
    assert "slow to answer" in app.window.banner.text
    qtbot.waitUntil(lambda: app.window.banner.kind == "warning", timeout=5000)
    assert time.monotonic() - begin < 1.5 + 2.0, "at the deadline, not after the read timeout"
    assert got[0].kind == "timeout"
    assert "within 1.5 s" in app.window.banner.text
    assert "no data yet" in app.window.banner.text
    assert not app.window.status_label.text().startswith("Connecting"), "no endless Connecting"
    portal.faults.latency = 0.0
    qtbot.waitUntil(lambda: loaded(app), timeout=int((INTERVAL_S + SLACK_S + 4) * 1000))
    assert app.model.rowCount() == 20
    assert not app.window.banner.isVisible()


class _Switch(BaseHTTPRequestHandler):
    """A loopback proxy to the demo portal that can be told to answer ``{"result": []}``."""

    upstream = ""
    empty = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.empty.is_set():
            status, data = 200, json.dumps({"result": [], "time": {}}).encode()
        else:
            req = urllib.request.Request(  # noqa: S310 (the loopback demo portal)
                self.upstream + self.path,
                data=body,
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 (loopback)
                status, data = resp.status, resp.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def switch(make_portal):
    portal = make_portal(users=20)
    handler = type("Switch", (_Switch,), {"upstream": portal.base_url, "empty": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    t.start()
    url = f"http://127.0.0.1:{server.server_port}/rest/1/{portal.secret}/"
    yield url, handler.empty
    server.shutdown()
    server.server_close()
    t.join(2)


def test_an_empty_answer_never_empties_the_company_nor_the_cache(qtbot, app_on, switch) -> None:
    url, empty = switch
    app = app_on(url)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    cache = snapshot_path(Path(os.environ["BX24PRESENCE_HOME"]) / "cache", app.choice.portal)
    qtbot.waitUntil(cache.exists, timeout=5000)
    before = cache.read_bytes()
    got = failures(app)
    empty.set()
    qtbot.waitUntil(app.window.banner.isVisible, timeout=int((INTERVAL_S + SLACK_S) * 1000))
    qtbot.waitUntil(lambda: len(got) >= 2, timeout=10000)
    assert got[0].kind == "protocol"
    assert app.model.rowCount() == 20, "the last snapshot stays"
    assert "20 colleagues" in app.window.status_label.text()
    assert "The portal's answers are unusable since" in app.window.banner.text
    assert cache.read_bytes() == before, "the cache is not overwritten"
    empty.clear()
    qtbot.waitUntil(lambda: loaded(app), timeout=int((INTERVAL_S + SLACK_S) * 1000))


def test_presence_follows_the_servers_clock_when_the_local_one_is_hours_off(
    qtbot, make_portal, monkeypatch
) -> None:
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    portal = make_portal(users=30)
    portal.clock.advance(-5 * 3600)  # the portal is five hours behind this computer
    active = portal.colleague_ids()[4]
    portal.set_activity(active, last_activity=portal.clock.now())
    client = Bitrix24Client(parse_webhook_url(portal.webhook_url), retry=RetryPolicy(attempts=1))
    t = PollerThread(Poller(Refresher(client), interval_s=60))
    got: list = []
    t.poller.snapshot_ready.connect(got.append)
    t.poller.poll_failed.connect(got.append)
    try:
        t.start()
        qtbot.waitUntil(lambda: bool(got), timeout=10000)
    finally:
        assert t.stop(2000)
        client.close()
    ready = got[0]
    assert isinstance(ready, SnapshotReady)
    assert ready.snapshot.by_id()[active].presence is Presence.ONLINE
    local = ready.snapshot.fetched_at
    assert abs((local - ready.snapshot.server_time) - timedelta(hours=5)) < timedelta(minutes=1)


# --- hostile caches at start-up, in a real process ------------------------------------------------

_CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from bx24presence.cache import load_snapshot
app = QApplication(["bx24presence"])
QTimer.singleShot(int(sys.argv[1]), app.quit)  # the bound, whatever happens
cache, expected = Path(sys.argv[2]), int(sys.argv[3])
def saved():
    snap = load_snapshot(cache) if cache.is_file() else None
    if snap is not None and len(snap.colleagues) == expected:
        QTimer.singleShot(300, app.quit)
done = QTimer()
done.timeout.connect(saved)
done.start(100)
from bx24presence.cli import main
sys.exit(main([]))
"""


def _hostile_caches() -> dict[str, bytes]:
    good = dumps_snapshot(snapshot([colleague(1), colleague(2), colleague(3)]))
    head, *rows = good.splitlines()
    h = json.loads(head)
    cases = {
        "not-utf8": b"\xff\xfe\x00garbage" + good.encode(),
        "count-null": json.dumps({**h, "count": None}) + "\n" + "\n".join(rows),
        "numeric-name": "\n".join(
            [head, rows[0], rows[1].replace('"name":', '"name":7,"x":'), *rows[2:]]
        ),
        "deep-nesting": "[" * 200_000 + "]" * 200_000,
        "truncated": good[: len(good) - 25],
        "wrong-types": "\n".join(
            [
                json.dumps({**h, "departments": [1], "generation": "x", "online_window_s": None}),
                json.dumps({**json.loads(rows[0]), "phones": 5, "departments": "x", "idle": 7}),
                *rows[1:],
            ]
        ),
        "surrogate": good.replace("Person 00001", "Bad\\ud800"),
    }
    return {
        k: v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v for k, v in cases.items()
    }


def test_hostile_caches_never_crash_the_gui(tmp_path: Path, make_portal) -> None:
    """Each case in its own process, all at once: exit 0 (never -11/139), no crash report."""
    portal = make_portal(users=12)
    odd = portal.colleague_ids()[3]
    portal.update_user(odd, first_name="Lone\ud800", last_name="Surrogate")
    base = f"http://127.0.0.1:{portal.port}"
    procs = {}
    for name, data in _hostile_caches().items():
        home = tmp_path / name
        cache = snapshot_path(home / "cache", base)
        cache.parent.mkdir(parents=True)
        cache.write_bytes(data.replace(b"https://acme.bitrix24.com", base.encode()))
        env = {
            **os.environ,
            "BX24PRESENCE_HOME": str(home),
            "BX24PRESENCE_WEBHOOK": portal.webhook_url,
            "QT_QPA_PLATFORM": "offscreen",
        }
        procs[name] = (
            subprocess.Popen(
                [sys.executable, "-c", _CHILD, "30000", str(cache), "12"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            ),
            home,
            cache,
        )
    for name, (proc, home, cache) in procs.items():
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for p, _, _ in procs.values():
                p.kill()
                p.communicate()
            pytest.fail(f"{name}: the app did not quit")
        assert proc.returncode == 0, (
            f"{name}: exit {proc.returncode}\n{err.decode(errors='replace')}"
        )
        log = (home / "log" / "bx24presence.log").read_text(encoding="utf-8")
        assert "Unexpected error" not in log, f"{name}:\n{log}"
        assert "Traceback" not in log, f"{name}:\n{log}"
        # The refresh replaced the cache with good data, the odd name repaired.
        saved = load_snapshot(cache)
        assert saved is not None and len(saved.colleagues) == 12, name
        assert saved.by_id()[odd].name.startswith("Lone\ufffd"), name
