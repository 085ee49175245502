"""The poller thread against the demo portal: results, failures, backoff, cache, quick quit.

The poller's signals come from its own thread, so results are collected with a plain list
and ``qtbot.waitUntil`` (pytest-qt's ``waitSignal`` would stop its GUI-thread timer from the
worker thread).
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import Reason
from bx24presence.api.throttle import RetryPolicy
from bx24presence.cache import load_snapshot
from bx24presence.domain import Presence
from bx24presence.qt import poller as poller_module
from bx24presence.qt.poller import Poller, PollerThread, PollFailed, SnapshotReady
from bx24presence.sync import Refresher


@pytest.fixture
def make_thread(monkeypatch):
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    threads: list[PollerThread] = []

    def make(portal, *, interval_s=60, cache_path=None, timeout=(2.0, 10.0)):
        client = Bitrix24Client(
            parse_webhook_url(portal.webhook_url), timeout=timeout, retry=RetryPolicy(attempts=1)
        )
        poller = Poller(Refresher(client), interval_s=interval_s, cache_path=cache_path)
        t = PollerThread(poller)
        threads.append(t)
        return t

    yield make
    for t in threads:
        assert t.stop(2000), "the poller thread must always join"


def collect(poller):
    got: list = []
    poller.snapshot_ready.connect(got.append)
    poller.poll_failed.connect(got.append)
    return got


def test_first_refresh_arrives_typed(qtbot, make_portal, make_thread) -> None:
    portal = make_portal(users=120)
    t = make_thread(portal)
    got = collect(t.poller)
    t.start()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    ready = got[0]
    assert isinstance(ready, SnapshotReady)
    assert not ready.from_cache and ready.baseline
    assert [c.id for c in ready.snapshot.colleagues] == portal.colleague_ids()
    assert len(ready.diff.added) == 120
    assert set(ready.keys.name_rank) == set(portal.colleague_ids())


def test_polls_repeat_and_never_overlap(qtbot, make_portal, make_thread) -> None:
    portal = make_portal(users=30)
    portal.faults.latency = 0.2
    t = make_thread(portal, interval_s=0)
    got = collect(t.poller)
    t.start()
    for _ in range(5):
        t.poller.refresh_now()  # queued: must not start a second refresh while one runs
    qtbot.waitUntil(lambda: len(got) >= 4, timeout=10000)
    t.stop()
    spans = sorted((r.at - timedelta(seconds=r.duration_s), r.at) for r in portal.log)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end - timedelta(milliseconds=5), "two requests were in flight at once"
    assert all(isinstance(x, SnapshotReady) for x in got)
    assert not any(x.baseline for x in got[1:]), "only the first snapshot is a baseline"


def test_failure_backs_off_then_recovers_by_itself(qtbot, make_portal, make_thread) -> None:
    portal = make_portal(users=20)
    portal.faults.fail("503-html", count=2)
    t = make_thread(portal)
    got = collect(t.poller)
    t.start()
    qtbot.waitUntil(lambda: any(isinstance(x, SnapshotReady) for x in got), timeout=10000)
    failures = [x for x in got if isinstance(x, PollFailed)]
    assert [f.retry_in_s for f in failures] == [1, 2]
    assert failures[0].kind == "protocol" and "HTML" in failures[0].message
    assert failures[1].since == failures[0].since
    ready = next(x for x in got if isinstance(x, SnapshotReady))
    assert ready.baseline, "the first data after failures is a silent baseline"


def test_auth_failure_stops_polling(qtbot, make_portal, make_thread) -> None:
    portal = make_portal(users=20)
    portal.revoke()
    t = make_thread(portal, interval_s=0)
    got = collect(t.poller)
    t.start()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    qtbot.wait(300)
    assert len(got) == 1 and got[0].kind == "auth" and got[0].retry_in_s is None
    assert portal.request_count == 1


def test_quit_while_a_request_hangs_joins_within_two_seconds(qtbot, make_portal, make_thread):
    portal = make_portal(users=20)
    portal.faults.fail("hang")
    t = make_thread(portal, timeout=(2.0, 60.0))
    started = threading.Event()
    t.poller.poll_started.connect(started.set)
    t.start()
    qtbot.waitUntil(started.is_set, timeout=5000)
    qtbot.wait(200)
    begin = time.monotonic()
    assert t.stop(2000)
    assert time.monotonic() - begin < 2.0
    assert not t.is_running()


def test_cache_is_written_and_emitted_first_next_time(qtbot, make_portal, make_thread, tmp_path):
    portal = make_portal(users=40)
    path = tmp_path / "snap.json"
    t = make_thread(portal, cache_path=path)
    t.start()
    qtbot.waitUntil(path.exists, timeout=5000)
    assert t.stop()
    cached = load_snapshot(path)
    assert cached is not None and len(cached.colleagues) == 40
    portal.stop()  # offline now: the app still opens with what it knew
    t2 = make_thread(portal, cache_path=path)
    got = collect(t2.poller)
    t2.start()
    qtbot.waitUntil(lambda: len(got) >= 2, timeout=5000)
    assert isinstance(got[0], SnapshotReady) and got[0].from_cache
    assert [c.id for c in got[0].snapshot.colleagues] == [c.id for c in cached.colleagues]
    assert isinstance(got[1], PollFailed) and got[1].kind == "network"


def test_presence_change_on_the_portal_reaches_the_next_snapshot(qtbot, make_portal, make_thread):
    portal = make_portal(users=50)
    t = make_thread(portal, interval_s=1)
    got = collect(t.poller)
    t.start()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    first = got[-1].snapshot
    quiet = next(c for c in first.colleagues if c.presence is Presence.OFFLINE)
    portal.set_activity(quiet.id, last_activity=portal.clock.now())
    qtbot.waitUntil(
        lambda: got[-1].snapshot.by_id()[quiet.id].presence is Presence.ONLINE, timeout=5000
    )
    changed = got[-1].diff.changed
    assert quiet.id in {c.id for c in changed}


class _Deaf(Refresher):
    """A refresher that ignores the deadline it is given."""

    def refresh(self, previous=None, *, deadline_s=None):
        return super().refresh(previous, deadline_s=3600)


class _Scripted:
    """A refresher that answers from a script: snapshots, or errors to raise."""

    def __init__(self, client, answers) -> None:
        self.client = client
        self.window_s = 900
        self._answers = list(answers)

    def refresh(self, previous=None, *, deadline_s=None):
        answer = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def test_the_cache_is_written_once_the_window_has_applied_the_snapshot(
    qtbot, make_portal, tmp_path, monkeypatch
):
    """Writing 10,000 colleagues while the GUI thread applies and paints them made the two
    threads take turns at the interpreter lock (30-40 ms stalls): the poller waits for the
    window's word, and writes anyway when none comes in time."""
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    portal = make_portal(users=40)
    client = Bitrix24Client(parse_webhook_url(portal.webhook_url), retry=RetryPolicy(attempts=1))
    path = tmp_path / "snap.json"
    poller = Poller(Refresher(client), interval_s=60, cache_path=path, apply_wait_s=10)
    t = PollerThread(poller)
    got = collect(poller)
    t.start()
    try:
        qtbot.waitUntil(lambda: bool(got), timeout=5000)
        qtbot.wait(300)
        assert not path.exists(), "written before the window applied the snapshot"
        poller.applied()
        qtbot.waitUntil(path.exists, timeout=5000)
    finally:
        assert t.stop()

    path.unlink()
    client = Bitrix24Client(parse_webhook_url(portal.webhook_url), retry=RetryPolicy(attempts=1))
    poller = Poller(Refresher(client), interval_s=60, cache_path=path, apply_wait_s=0.2)
    t = PollerThread(poller)
    t.start()
    try:
        qtbot.waitUntil(path.exists, timeout=5000)  # nobody answers: written all the same
    finally:
        assert t.stop()


def test_an_empty_snapshot_never_replaces_the_data_nor_the_cache(
    qtbot, make_portal, monkeypatch, tmp_path
) -> None:
    from tests.factories import colleague, snapshot

    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    portal = make_portal(users=5)
    client = Bitrix24Client(parse_webhook_url(portal.webhook_url))
    full = snapshot([colleague(1), colleague(2)], portal=client.portal)
    empty = snapshot([], portal=client.portal)
    path = tmp_path / "snap.json"
    t = PollerThread(Poller(_Scripted(client, [full, empty]), interval_s=0, cache_path=path))
    got = collect(t.poller)
    try:
        t.start()
        qtbot.waitUntil(lambda: len(got) >= 3, timeout=5000)
    finally:
        assert t.stop(2000)
        client.close()
    assert isinstance(got[0], SnapshotReady) and len(got[0].snapshot.colleagues) == 2
    assert all(isinstance(x, PollFailed) and x.kind == "protocol" for x in got[1:])
    assert "no colleagues" in got[1].message
    cached = load_snapshot(path)
    assert cached is not None and len(cached.colleagues) == 2


def test_a_failure_to_save_the_cache_is_never_fatal(
    qtbot, make_portal, make_thread, monkeypatch, tmp_path
) -> None:
    def broken(*args, **kwargs):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(poller_module, "save_snapshot", broken)
    portal = make_portal(users=10)
    t = make_thread(portal, interval_s=0, cache_path=tmp_path / "snap.json")
    got = collect(t.poller)
    t.start()
    qtbot.waitUntil(lambda: len(got) >= 3, timeout=5000)
    assert all(isinstance(x, SnapshotReady) for x in got), "polling goes on"


def test_a_refresh_stuck_past_its_deadline_is_abandoned_and_the_next_one_recovers(
    qtbot, make_portal, monkeypatch
) -> None:
    """The backstop: a refresher that does not keep its deadline is abandoned by the
    watchdog, and the next refresh gets a new client."""
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    portal = make_portal(users=10)
    portal.faults.fail("hang")  # the first request never answers (until the portal stops)
    clients: list[Bitrix24Client] = []

    def factory() -> Refresher:
        client = Bitrix24Client(
            parse_webhook_url(portal.webhook_url), timeout=(2.0, 60.0), retry=RetryPolicy(1)
        )
        clients.append(client)
        return _Deaf(client)

    monkeypatch.setattr(poller_module, "WATCHDOG_GRACE_S", 0.5)
    t = PollerThread(Poller(factory, interval_s=1, deadline_s=0.5))
    got = collect(t.poller)
    begin = time.monotonic()
    try:
        t.start()
        qtbot.waitUntil(lambda: any(isinstance(x, SnapshotReady) for x in got), timeout=8000)
    finally:
        assert t.stop(2000)
        for c in clients:
            c.close()
    first = got[0]
    assert isinstance(first, PollFailed) and first.kind == "timeout"
    assert first.retry_in_s == 1
    assert first.failure is not None and first.failure.reason is Reason.TIMEOUT
    assert "within 0 s" not in first.message and "answering within 0.5 s" in first.message
    assert time.monotonic() - begin < 5
    assert len(clients) == 2, "a new client after the abandoned one"


def test_a_cache_that_breaks_the_loader_never_stops_polling(
    qtbot, make_portal, make_thread, monkeypatch, tmp_path
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the loader")
        yield

    monkeypatch.setattr(poller_module, "iter_snapshot", broken)
    portal = make_portal(users=10)
    t = make_thread(portal, cache_path=tmp_path / "snap.json")
    got = collect(t.poller)
    t.start()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], SnapshotReady) and not got[0].from_cache
