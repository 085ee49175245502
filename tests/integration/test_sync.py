"""One refresh against the demo portal: exact colleagues, correct presence, few requests."""

from __future__ import annotations

import math
import time
from datetime import timedelta

import pytest

from bx24presence import sync
from bx24presence.api import client as client_module
from bx24presence.api.errors import TimedOut
from bx24presence.domain import Presence
from bx24presence.sync import Refresher
from tests.integration.conftest import near_window_edge

_REFRESHERS: dict[int, Refresher] = {}


def refresh(client, previous=None, window_s=900):
    """A refresh by the one refresher of this client (steady polls need its memory)."""
    refresher = _REFRESHERS.get(id(client))
    if refresher is None or refresher.client is not client or refresher.window_s != window_s:
        refresher = _REFRESHERS[id(client)] = Refresher(client, window_s=window_s)
    return refresher.refresh(previous)


@pytest.mark.parametrize("users", [1, 49, 60, 1250, 2600])
def test_full_refresh_lists_exactly_the_colleagues(make_portal, make_client, users) -> None:
    portal = make_portal(users=users)
    client = make_client(portal)
    snap = refresh(client)
    assert [c.id for c in snap.colleagues] == portal.colleague_ids()
    assert snap.requests <= math.ceil(users / 2500) + 2
    assert snap.requests == portal.request_count
    assert snap.server_time.utcoffset() == timedelta(hours=3), "the portal's clock"
    assert all(snap.departments.get(d) for c in snap.colleagues for d in c.departments)


def test_presence_matches_the_portals_own_clock(make_portal, make_client) -> None:
    portal = make_portal(users=80)
    portal.clock.freeze()
    client = make_client(portal)
    online = set(portal.online_ids())  # the portal's 1440 s window
    snap = refresh(client, window_s=portal.online_limit_s)
    edge = near_window_edge(portal, portal.online_limit_s)
    derived = {c.id for c in snap.colleagues if c.presence is not Presence.OFFLINE} - edge
    assert derived == (online & set(portal.colleague_ids())) - edge


def test_a_skewed_local_clock_does_not_matter(make_portal, make_client) -> None:
    portal = make_portal(users=20)
    client = make_client(portal)
    now = portal.clock.now()
    a, b = portal.colleague_ids()[1:3]
    portal.set_activity(a, last_activity=now - timedelta(minutes=2))
    portal.set_activity(b, last_activity=now - timedelta(minutes=40))
    skewed = Refresher(client, clock=lambda: now + timedelta(hours=9))
    snap = skewed.refresh()
    by_id = snap.by_id()
    assert by_id[a].presence is Presence.ONLINE
    assert by_id[b].presence is Presence.OFFLINE


def test_legacy_portal_statuses(make_portal, make_client) -> None:
    portal = make_portal(users=20, era="legacy")
    client = make_client(portal)
    now = portal.clock.now()
    p3, p4, p5, p6, p7, p8 = portal.colleague_ids()[1:7]
    for p in (p3, p4, p5, p8):
        portal.set_activity(p, mobile_last=None, idle=None)
    portal.set_activity(p3, last_activity=now - timedelta(minutes=1), status="dnd")
    portal.set_activity(p4, last_activity=now - timedelta(minutes=1), status="away")
    portal.set_activity(p5, last_activity=now - timedelta(minutes=1), status="break")
    portal.set_activity(
        p6,
        last_activity=now - timedelta(minutes=2),
        mobile_last=now - timedelta(minutes=2),
        status="online",
    )
    portal.set_activity(
        p7,
        last_activity=now - timedelta(minutes=2),
        idle=now - timedelta(minutes=10),
        mobile_last=None,
        status="online",
    )
    portal.set_activity(p8, last_activity=now - timedelta(hours=3), status="dnd")
    by_id = refresh(client).by_id()
    assert by_id[p3].presence is Presence.DND
    assert by_id[p4].presence is Presence.AWAY
    assert by_id[p5].presence is Presence.BREAK
    assert by_id[p6].presence is Presence.MOBILE
    assert by_id[p7].presence is Presence.AWAY
    assert by_id[p8].presence is Presence.OFFLINE


@pytest.mark.parametrize("era", ["legacy", "legacy-old"])
def test_older_eras_list_the_same_colleagues(make_portal, make_client, era) -> None:
    portal = make_portal(users=70, era=era)
    assert [c.id for c in refresh(make_client(portal)).colleagues] == portal.colleague_ids()


def test_sparse_ids_are_listed_through_user_get(make_portal, make_client, monkeypatch) -> None:
    monkeypatch.setattr(sync, "FIRST_SCAN", 50)
    monkeypatch.setattr(sync, "MIN_DENSITY", 2.0)  # never scan ranges
    portal = make_portal(users=300)
    client = make_client(portal)
    snap = refresh(client)
    assert [c.id for c in snap.colleagues] == portal.colleague_ids()


def test_each_answer_is_parsed_before_the_next_request(make_portal, make_client, monkeypatch):
    """A full refresh keeps one answer's raw values at a time: each request's user details
    are parsed and let go before the next request is sent. Holding them all (the old way)
    left their blocks as holes between the colleagues kept, 10 MB at 10,000 colleagues."""
    monkeypatch.setattr(sync, "FIRST_SCAN", 100)
    monkeypatch.setattr(client_module, "BATCH_MAX", 10)
    portal = make_portal(users=1200)
    client = make_client(portal)
    answers = []
    batch = client.batch

    def watched_batch(commands, **kw):
        for earlier in answers:
            unparsed = set(earlier.results) - {"first", "last", "me", "online"}
            assert not unparsed, f"{len(unparsed)} answered commands still held"
        answers.append(batch(commands, **kw))
        return answers[-1]

    monkeypatch.setattr(client, "batch", watched_batch)
    snap = Refresher(client).refresh()
    assert [c.id for c in snap.colleagues] == portal.colleague_ids()
    assert len(answers) >= 3


def test_range_scan_count_mismatch_falls_back_to_the_listing(make_portal, make_client) -> None:
    portal = make_portal(users=40)
    # An active, real user without the employee type: scanned, but user.get does not count it.
    uid = portal.add_user(departments=[])
    snap = refresh(make_client(portal))
    assert [c.id for c in snap.colleagues] == portal.colleague_ids()
    assert (uid in portal.colleague_ids()) == (uid in snap.by_id())


def test_steady_refresh_is_one_request_and_sees_changes(make_portal, make_client) -> None:
    portal = make_portal(users=300)
    client = make_client(portal)
    first = refresh(client)
    now = portal.clock.now()
    quiet = next(c for c in first.colleagues if c.presence is Presence.OFFLINE)
    portal.set_activity(quiet.id, last_activity=now)
    portal.reset_log()
    second = refresh(client, first)
    assert second.requests == 1 == portal.request_count
    assert second.by_id()[quiet.id].presence is Presence.ONLINE
    assert second.generation == first.generation + 1
    assert [c.id for c in second.colleagues] == portal.colleague_ids()


def test_steady_refresh_moves_people_offline_as_time_passes(make_portal, make_client) -> None:
    portal = make_portal(users=30)
    client = make_client(portal)
    now = portal.clock.now()
    uid = portal.colleague_ids()[1]
    portal.set_activity(uid, last_activity=now - timedelta(minutes=10))
    first = refresh(client)
    assert first.by_id()[uid].presence is Presence.ONLINE
    portal.clock.advance(6 * 60)
    second = refresh(client, first)
    assert second.by_id()[uid].presence is Presence.OFFLINE


def test_new_hires_and_departures(make_portal, make_client) -> None:
    portal = make_portal(users=100)
    client = make_client(portal)
    first = refresh(client)
    hired = portal.add_user()
    portal.fire(first.colleagues[10].id)
    second = refresh(client, first)
    assert [c.id for c in second.colleagues] == portal.colleague_ids()
    assert hired in second.by_id() and first.colleagues[10].id not in second.by_id()


def test_steady_refresh_of_a_big_portal_is_cheaper_than_a_full_one(make_portal, make_client):
    portal = make_portal(users=6000)
    client = make_client(portal)
    first = refresh(client)
    second = refresh(client, first)
    assert first.requests <= math.ceil(6000 / 2500) + 2
    assert second.requests < first.requests
    assert [c.id for c in second.colleagues] == portal.colleague_ids()


def test_a_refresh_ends_at_its_deadline(make_portal, make_client) -> None:
    portal = make_portal(users=60)
    client = make_client(portal, timeout=(2.0, 30.0))
    portal.faults.latency = 0.5
    started = time.monotonic()
    with pytest.raises(TimedOut):
        Refresher(client, deadline_s=0.3).refresh()
    assert time.monotonic() - started < 3
    portal.faults.clear()
    assert Refresher(client).refresh().colleagues, "the next refresh has its own deadline"


def test_the_default_refresh_deadline() -> None:
    assert sync.DEFAULT_REFRESH_DEADLINE_S == 60.0
    assert Refresher.__init__.__kwdefaults__["deadline_s"] == 60.0
