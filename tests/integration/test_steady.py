"""Steady polling against full refreshes on the demo portal, over simulated hours."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from bx24presence.api.transport import WATCHDOG
from bx24presence.domain import Presence, Snapshot
from bx24presence.steady import ROTATION_S
from bx24presence.sync import Refresher

# A Tuesday morning in the portal's timezone: people come and go all the time.
MORNING = datetime(2026, 3, 3, 8, 30)


@pytest.fixture(autouse=True, scope="module")
def _deadline_thread() -> Iterator[None]:
    """The process's deadline thread, started before these long tests (it ends by itself
    after two idle minutes, which a test of several hundred requests may straddle)."""
    alarm = WATCHDOG.arm(time.monotonic() + 3600, lambda: None)
    yield
    alarm.disarm()


def _start(make_portal, make_client, users, window_s=None, **kw):
    portal = make_portal(users=users, **kw)
    portal.clock.freeze()
    portal.clock.set(MORNING)
    window = window_s or portal.online_limit_s
    # The local clock moves with the portal's, as it does in real life.
    steady = Refresher(make_client(portal), window_s=window, clock=portal.clock.now)
    full = Refresher(make_client(portal), window_s=window, clock=portal.clock.now)
    return portal, steady, full


def _same_as_full(snap: Snapshot, reference: Snapshot) -> None:
    got, want = snap.by_id(), reference.by_id()
    assert list(got) == list(want)
    wrong = [i for i in want if got[i].presence is not want[i].presence]
    assert not wrong, f"presence differs for {len(wrong)}: {wrong[:5]}"
    stale = [
        i
        for i in want
        if want[i].presence is Presence.OFFLINE and got[i].last_activity != want[i].last_activity
    ]
    assert not stale, f"last activity differs for {len(stale)} offline: {stale[:5]}"


@pytest.mark.parametrize("window_s", [None, 900])
def test_steady_polls_say_what_full_refreshes_say_for_hours(
    make_portal, make_client, window_s
) -> None:
    # The portal's window is 1440 s; the app's is the same, or shorter (then those between
    # the two windows cost reads, not correctness).
    portal, steady, full = _start(make_portal, make_client, 1000, window_s)
    snap = steady.refresh()
    for minute in range(1, 2 * 60 + 1):
        portal.clock.advance(60)
        if minute % 45 == 7:
            portal.fire(portal.colleague_ids()[minute // 45 + 5])
            portal.add_user()
        portal.reset_log()
        snap = steady.refresh(snap)
        if minute % 45 != 7:
            assert snap.requests == 1, f"minute {minute}: {snap.requests} requests"
        if minute % 10 == 0:
            _same_as_full(snap, full.full())
    assert snap.generation > 100, "polls went on steadily, without full refreshes"


def test_details_are_never_older_than_half_an_hour(make_portal, make_client) -> None:
    portal, steady, _ = _start(make_portal, make_client, 1500)
    snap = steady.refresh()
    renamed = [u for u in portal.colleague_ids() if not portal.is_online(u)][::53]
    for uid in renamed:
        portal.update_user(uid, work_position=f"Renamed {uid}")
    for _ in range(ROTATION_S // 60 + 2):
        portal.clock.advance(60)
        snap = steady.refresh(snap)
        assert snap.requests == 1
    by_id = snap.by_id()
    assert all(by_id[u].work_position == f"Renamed {u}" for u in renamed)


def test_hot_ids_are_read_every_poll(make_portal, make_client) -> None:
    portal, steady, _ = _start(make_portal, make_client, 300)
    snap = steady.refresh()
    uid = next(u for u in portal.colleague_ids() if not portal.is_online(u))
    steady.set_hot_ids([uid, 10**9])
    portal.update_user(uid, work_position="Just promoted")
    portal.clock.advance(60)
    snap = steady.refresh(snap)
    assert snap.by_id()[uid].work_position == "Just promoted"
    assert snap.requests == 1


def test_a_steady_poll_of_ten_thousand_is_one_small_request(make_portal, make_client) -> None:
    portal, steady, _ = _start(make_portal, make_client, 10_000)
    first = steady.refresh()
    full_bytes = sum(r.bytes_out + r.bytes_in for r in portal.log)
    snap = first
    for _ in range(3):
        portal.clock.advance(60)
        portal.reset_log()
        snap = steady.refresh(snap)
        assert snap.requests == 1 == portal.request_count
        assert sum(r.bytes_out + r.bytes_in for r in portal.log) <= 0.05 * full_bytes


def test_older_portals_read_everyone_online(make_portal, make_client) -> None:
    portal, steady, full = _start(make_portal, make_client, 400, era="legacy")
    snap = steady.refresh()
    for _ in range(20):
        portal.clock.advance(60)
        snap = steady.refresh(snap)
    _same_as_full(snap, full.full())
    statuses = {c.status for c in snap.colleagues if c.presence is not Presence.OFFLINE}
    assert statuses - {"online"}, "the portal's real statuses came through"


def test_a_snapshot_from_elsewhere_goes_on_steadily(make_portal, make_client) -> None:
    # A cached snapshot, or another refresher's: its memory is rebuilt, at most one
    # request more, and presence is still what a full refresh says.
    portal, steady, full = _start(make_portal, make_client, 800, window_s=900)
    snap = full.full()
    portal.clock.advance(60)
    snap = steady.refresh(snap)
    assert snap.requests <= 2
    _same_as_full(snap, full.full())


def test_polls_further_apart_than_the_window_refresh_everything(make_portal, make_client) -> None:
    portal, steady, full = _start(make_portal, make_client, 300, window_s=900)
    snap = steady.refresh()
    portal.clock.advance(1000)
    snap = steady.refresh(snap)
    assert snap.generation == 0, "a full refresh"
    _same_as_full(snap, full.full())


def test_the_pollers_hot_ids_reach_its_refresher(make_portal, make_client) -> None:
    from bx24presence.qt.poller import Poller

    portal = make_portal(users=20)
    poller = Poller(lambda: Refresher(make_client(portal)), deadline_s=0)
    poller.set_hot_ids([3, 4])  # before the refresher is built (in the poller's thread)
    assert poller.refresher().hot_ids() == {3, 4}
    poller.set_hot_ids([5])
    assert poller.refresher().hot_ids() == {5}
