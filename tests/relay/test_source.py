"""A desktop's relay source against a real redis-server: follow, notice the relay gone or
Redis down, come back by catching up, stop at once."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest

from bx24presence.domain import Presence
from bx24presence.relay.address import ENV_REDIS_PASSWORD
from bx24presence.relay.errors import RelayError, RelayFailure
from bx24presence.relay.source import RelaySource, desktop_source, open_desktop_reader
from tests.relay.conftest import DESKTOP_PASSWORD, wait_for


@pytest.fixture
def make_source(redis_server, keys, portal, monkeypatch):
    monkeypatch.setenv(ENV_REDIS_PASSWORD, DESKTOP_PASSWORD)
    sources: list[RelaySource] = []

    def make(**kw) -> RelaySource:
        url = redis_server.url("bx24-desktop")
        source = RelaySource(lambda: open_desktop_reader(url, "", portal.base_url), **kw)
        sources.append(source)
        return source

    yield make
    for s in sources:
        s.close()


def _step_until(source, predicate, timeout=5.0):
    def done():
        source.step()
        return predicate()

    return wait_for(done, timeout=timeout)


def test_a_desktop_follows_the_relay_by_diffs(portal, start_relay, make_source) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1, what="the first poll")
    source = make_source(block_ms=300)
    first = source.connect()
    assert first.reloaded and len(first.snapshot.colleagues) == len(portal.colleague_ids())
    uid = next(c.id for c in first.snapshot.colleagues if c.presence is Presence.OFFLINE)
    portal.set_activity(uid, last_activity=portal.clock.now())
    seen = []

    def online():
        seen.extend(source.step().updates)
        return any(u.snapshot.by_id()[uid].presence is Presence.ONLINE for u in seen)

    wait_for(online, what="the diff")
    assert not any(u.reloaded for u in seen) and source.reloads == 1
    assert source.status is not None and not source.status.stale


def test_the_relay_stopping_is_noticed_at_once(start_relay, make_source) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    source = make_source(block_ms=100)
    source.connect()
    relay.stop()  # a clean stop deletes the heartbeat
    with pytest.raises(RelayError) as gone:
        _step_until(source, lambda: False, timeout=3)
    assert gone.value.reason is RelayFailure.GONE


def test_a_heartbeat_older_than_two_periods_means_the_relay_is_gone(
    start_relay, make_source, redis_server, keys
) -> None:
    relay = start_relay(heartbeat_s=0.5)
    wait_for(lambda: relay.service.polls >= 1)
    source = make_source(block_ms=100)
    source.connect()
    relay.stop()
    # A relay that hangs: its last heartbeat stays in Redis, written 1.2 s ago, period 0.5 s.
    beat = {
        "format": 1, "status": "ok", "since": None, "reason": None, "message": "",
        "interval_s": 0.2, "period_s": 0.5, "ttl_ms": 1500, "version": source.version,
        "data_age_s": 0.1,
    }  # fmt: skip
    with redis_server.admin() as admin:
        admin.set(keys.heartbeat, json.dumps(beat), px=300)
    with pytest.raises(RelayError) as gone:
        source.connect()
    assert gone.value.reason is RelayFailure.GONE and "1.2 s old" in str(gone.value)
    # Written 0.4 s ago: still alive.
    with redis_server.admin() as admin:
        admin.set(keys.heartbeat, json.dumps(beat), px=1100)
    assert source.connect().snapshot.colleagues


def test_redis_down_is_unreachable_and_the_source_catches_up_when_it_is_back(
    start_relay, make_source, redis_server
) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    source = make_source(block_ms=100)
    source.connect()
    redis_server.stop()
    began = time.monotonic()
    with pytest.raises(RelayError) as down:
        _step_until(source, lambda: False, timeout=3)
    assert down.value.reason is RelayFailure.UNREACHABLE
    assert time.monotonic() - began < 2.5
    with pytest.raises(RelayError):
        source.connect()  # the probe, while Redis is down
    redis_server.start()

    def back():
        try:
            return source.connect()
        except RelayError:
            return None

    update = wait_for(back, timeout=8, what="the relay's republication")
    # The relay republished the version this desktop holds: no reload.
    assert source.reloads == 1 and not update.reloaded
    assert update.snapshot.colleagues


def test_cancel_ends_a_blocking_read_at_once(start_relay, make_source) -> None:
    relay = start_relay(interval_s=30, heartbeat_s=5)  # reads block up to 3 s
    wait_for(lambda: relay.service.polls >= 1)
    source = make_source(block_ms=3000)
    source.connect()
    source.step()  # the heartbeat check is done; the next read blocks
    ended: list[float] = []

    def read():
        began = time.monotonic()
        with contextlib.suppress(RelayError):
            source.step()
        ended.append(time.monotonic() - began)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.3)
    source.cancel()
    reader.join(3)
    assert ended and ended[0] < 1.0, "a stop must not wait for the blocking read"
    with pytest.raises(RelayError):
        source.connect()


def test_no_relay_data_and_a_bad_address_are_typed(redis_server, keys, portal, monkeypatch) -> None:
    monkeypatch.setenv(ENV_REDIS_PASSWORD, DESKTOP_PASSWORD)
    # A heartbeat, but nothing published yet.
    with redis_server.admin() as admin:
        admin.set(
            keys.heartbeat,
            json.dumps(
                {
                    "format": 1,
                    "status": "starting",
                    "interval_s": 60,
                    "period_s": 5,
                    "ttl_ms": 15000,
                    "version": 0,
                    "data_age_s": None,
                }
            ),
            px=15000,
        )
    source = desktop_source(redis_server.url("bx24-desktop"), "", portal.base_url)()
    with pytest.raises(RelayError) as empty:
        source.connect()
    assert empty.value.reason is RelayFailure.NO_DATA
    source.close()
    # The user field replaces the address's user: a wrong one is refused as such.
    wrong = desktop_source(redis_server.url("bx24-desktop"), "nobody", portal.base_url)()
    with pytest.raises(RelayError) as refused:
        wrong.connect()
    assert refused.value.reason is RelayFailure.AUTH
    wrong.close()
    bad = desktop_source("redis://redis.example.com/0", "", portal.base_url)()
    with pytest.raises(RelayError) as address:
        bad.connect()
    assert address.value.reason is RelayFailure.BAD_ADDRESS


def test_a_desktop_away_for_many_versions_reloads_once_instead_of_replaying(
    start_relay, make_source, monkeypatch
) -> None:
    from bx24presence.relay import source as source_module

    monkeypatch.setattr(source_module, "MAX_CATCH_UP", 2)
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    source = make_source(block_ms=100)
    source.connect()
    held = source.version
    wait_for(lambda: relay.service.publisher.version >= held + 1)
    source.connect()  # one version behind: caught up by its diff
    assert source.reloads == 1 and source.version > held
    held = source.version
    wait_for(lambda: relay.service.publisher.version >= held + 4, what="four versions")
    source.connect()  # four behind: one reload, not four diffs
    assert source.reloads == 2 and source.version >= held + 4
