"""The relay against a real redis-server (TLS, ACL users) and the demo portal over loopback."""

from __future__ import annotations

import time

import pytest
import redis

from bx24presence.domain import Presence
from bx24presence.relay import codec
from bx24presence.relay.address import parse_relay_url
from bx24presence.relay.errors import RelayError, RelayFailure
from bx24presence.relay.reader import RelayFollower, RelayReader
from tests.relay.conftest import DESKTOP_PASSWORD, RELAY_PASSWORD, wait_for


def records(snapshot):
    from bx24presence.cliformat import colleague_record

    return [colleague_record(c) for c in snapshot.colleagues]


def test_relay_publishes_a_snapshot_and_a_reader_follows_the_diffs(
    portal, start_relay, make_reader
):
    relay = start_relay()
    reader = make_reader()
    wait_for(lambda: relay.service.polls >= 1, what="the first poll")
    follower = RelayFollower(reader)
    first = follower.start()
    assert first.reloaded
    assert len(first.snapshot.colleagues) == len(portal.colleague_ids())
    assert first.snapshot.requests == 0 and first.snapshot.own_status is None

    # A colleague comes online and another, active, changes position: both arrive as a
    # diff (a steady poll asks for the details of who was active since the last one).
    offline = [c.id for c in first.snapshot.colleagues if c.presence is Presence.OFFLINE]
    uid, other = offline[0], portal.colleague_ids()[5]
    portal.set_activity(uid, last_activity=portal.clock.now())
    portal.update_user(other, work_position="Head of relays")
    portal.set_activity(other, last_activity=portal.clock.now())
    got = []

    def arrived():
        got.extend(follower.poll(500))
        snap = follower.snapshot
        return (
            snap.by_id()[uid].presence is Presence.ONLINE
            and snap.by_id()[other].work_position == "Head of relays"
        )

    wait_for(arrived, what="the diff")
    assert got and not any(u.reloaded for u in got), "followed by diffs, not reloads"
    assert any(c.id == uid for u in got for c in u.diff.changed)
    # What the reader holds is what the relay polled, record for record.
    beat = reader.heartbeat()
    relay.stop()
    wait_for(
        lambda: follower.poll(0) is not None and follower.version == relay.service.publisher.version
    )
    assert records(follower.snapshot) == records(relay.service._snapshot)
    assert beat is not None and beat.status == "ok"
    assert beat.age_s < 1.0 and beat.current_data_age_s is not None


def test_readers_catch_up_from_their_entry_or_reload_when_it_was_trimmed(
    portal, start_relay, make_reader, redis_server, keys
):
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    away = RelayFollower(make_reader())
    away.start()
    back = RelayFollower(make_reader())
    back.start()
    v0 = away.version
    wait_for(lambda: relay.service.publisher.version >= v0 + 4, what="four more versions")
    # One reader catches up from its last entry: diffs only.
    updates = []
    wait_for(lambda: updates.extend(back.poll(0)) or back.version >= v0 + 4)
    assert updates and not any(u.reloaded for u in updates)
    # The stream is trimmed behind the other one: it reloads the snapshot, once.
    with redis_server.admin() as admin:
        admin.xtrim(keys.stream, maxlen=1, approximate=False)
    updates = away.poll(0)
    assert [u.reloaded for u in updates] == [True]
    assert away.version >= v0 + 4 and away.reloads == 2


def test_relay_republishes_after_a_redis_restart(portal, start_relay, make_reader, redis_server):
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    follower = RelayFollower(make_reader())
    follower.start()
    before = follower.version

    redis_server.stop()  # no persistence: every key is gone
    wait_for(lambda: not relay.service._redis_ok, what="the relay to notice")
    with pytest.raises(RelayError) as gone:
        follower.reader.load_snapshot()
    assert gone.value.reason is RelayFailure.UNREACHABLE
    redis_server.start()
    published = wait_for(
        lambda: _try_load(follower.reader), timeout=8, what="the republished snapshot"
    )
    assert published.version >= before
    # The follower goes on (by diff or by one reload) and holds what the relay holds.
    wait_for(
        lambda: (
            follower.poll(300) is not None
            and follower.version >= relay.service.publisher.version - 1
            and follower.version > before
        ),
        timeout=8,
    )
    assert len(follower.snapshot.colleagues) == len(portal.colleague_ids())
    assert follower.reader.heartbeat().status == "ok"


def _try_load(reader):
    try:
        return reader.load_snapshot()
    except RelayError:
        return None


def test_portal_down_publishes_stale_status_and_recovery(portal, start_relay, make_reader):
    relay = start_relay()
    reader = make_reader()
    wait_for(lambda: relay.service.polls >= 1)
    portal.faults.fail("500", count=1000)
    beat = wait_for(
        lambda: (b := reader.heartbeat()) is not None and b.status == "stale" and b,
        what="a stale heartbeat",
    )
    assert beat.reason == "portal" and beat.since is not None
    assert beat.message and portal.secret not in beat.message
    assert beat.current_data_age_s is not None
    assert reader.load_snapshot().snapshot.colleagues, "the last data stays readable"
    portal.faults.clear()
    wait_for(
        lambda: (b := reader.heartbeat()) is not None and b.status == "ok",
        timeout=8,
        what="recovery",
    )


def test_heartbeat_stops_when_the_relay_stops(portal, start_relay, make_reader, keys):
    relay = start_relay()
    reader = make_reader()
    wait_for(lambda: reader.heartbeat() is not None)
    relay.stop()
    assert reader.heartbeat() is None, "a clean stop removes it at once"
    # A relay that dies without a word: its heartbeat expires within its time to live.
    relay.service.publisher.heartbeat(
        codec.encode_heartbeat(
            status="ok", since=None, reason=None, message="", interval_s=0.2,
            period_s=0.1, ttl_ms=300, version=1, data_age_s=0.0,
        ),
        300,
    )  # fmt: skip
    assert reader.heartbeat() is not None
    wait_for(lambda: reader.heartbeat() is None, timeout=2, what="expiry")


def test_desktop_user_is_read_only_and_relay_user_is_confined(
    portal, start_relay, redis_server, keys, make_reader
):
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    desktop = make_reader().redis
    for write in (
        lambda: desktop.set(keys.heartbeat, "x"),
        lambda: desktop.xadd(keys.stream, {"kind": "diff"}),
        lambda: desktop.delete(keys.snapshot),
        lambda: desktop.hset(keys.snapshot, "version", "999"),
        lambda: desktop.get("other:key"),
        desktop.flushall,
        lambda: desktop.config_get("*"),
    ):
        with pytest.raises(redis.exceptions.NoPermissionError):
            write()
    relay_r = relay.service.publisher.redis
    for outside in (
        lambda: relay_r.set("other:key", "x"),
        lambda: relay_r.get("other:key"),
        lambda: relay_r.set("bx24presence:another.portal:snapshot", "x"),
        lambda: relay_r.keys("*"),
        relay_r.flushall,
        lambda: relay_r.config_set("dir", "/tmp"),
        lambda: relay_r.eval("return 1", 0),
    ):
        with pytest.raises(redis.exceptions.NoPermissionError):
            outside()
    with redis_server.admin() as admin:
        assert admin.get("other:key") is None


def test_typed_errors_for_wrong_password_wrong_ca_and_no_server(
    redis_server, keys, make_reader, certs
):
    with pytest.raises(RelayError) as auth:
        make_reader(password="wrong").load_snapshot()
    assert auth.value.reason is RelayFailure.AUTH and "wrong" not in str(auth.value)

    from bx24presence.relay.address import connect

    untrusted = parse_relay_url(redis_server.url("bx24-desktop", ca=certs.other_ca))
    with pytest.raises(RelayError) as tls:
        RelayReader(connect(untrusted, DESKTOP_PASSWORD), keys).heartbeat()
    assert tls.value.reason is RelayFailure.TLS

    reader = make_reader()
    with pytest.raises(RelayError) as empty:
        reader.load_snapshot()
    assert empty.value.reason is RelayFailure.NO_DATA
    redis_server.stop()
    started = time.monotonic()
    with pytest.raises(RelayError) as down:
        reader.heartbeat()
    assert down.value.reason is RelayFailure.UNREACHABLE
    assert time.monotonic() - started < 5


def test_hostile_data_in_redis_is_a_typed_error(redis_server, keys, make_reader):
    reader = make_reader()
    good = {"format": 1, "version": 1, "published_at": "2026-01-01T00:00:00+00:00"}
    bomb = b"\x78\x9c" + __import__("zlib").compress(b"\0" * 50_000_000)[2:]
    cases = [
        {**good, "data": b"not zlib", "count": 0, "crc": 0},
        {**good, "data": bomb, "count": 0, "crc": 0},
        {**good, "data": codec.compress('{"format": 2}\n[1,2]\n'), "count": 1, "crc": 0},
        {**good, "version": "-1", "data": b"", "count": 0, "crc": 0},
    ]
    with redis_server.admin() as admin:
        for fields in cases:
            admin.delete(keys.snapshot)
            admin.hset(keys.snapshot, mapping=fields)
            with pytest.raises(RelayError) as bad:
                reader.load_snapshot()
            assert bad.value.reason is RelayFailure.PROTOCOL
        admin.set(keys.heartbeat, b"\xff{not json")
        with pytest.raises(RelayError):
            reader.heartbeat()
        admin.xadd(keys.stream, {"kind": "diff", "v": "2", "p": "nan"})
        with pytest.raises(RelayError) as entry:
            reader.follow("0-0", 0)
        assert entry.value.reason is RelayFailure.PROTOCOL


def test_relay_password_is_accepted_and_wrong_user_refused(redis_server, keys):
    from bx24presence.relay.address import connect
    from bx24presence.relay.publisher import Publisher

    address = parse_relay_url(redis_server.url("bx24-relay"))
    Publisher(connect(address, RELAY_PASSWORD), keys).check()
    with pytest.raises(RelayError) as refused:
        Publisher(connect(address, DESKTOP_PASSWORD), keys).check()
    assert refused.value.reason is RelayFailure.AUTH


def test_changes_polled_while_redis_was_down_arrive_as_a_diff(
    portal, start_relay, make_reader, redis_server
):
    """Desktops hold the last version written; what the relay polled meanwhile reaches them
    as one diff from it (no reload storm, and never older data under a newer version)."""
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    follower = RelayFollower(make_reader())
    follower.start()
    redis_server.stop()
    polls = relay.service.polls
    uid = portal.colleague_ids()[2]
    portal.update_user(uid, work_position="Changed while Redis was down")
    portal.set_activity(uid, last_activity=portal.clock.now())  # active: a steady poll looks
    wait_for(lambda: relay.service.polls >= polls + 2, what="polls during the outage")
    redis_server.start()
    wait_for(
        lambda: (
            _try_poll(follower)
            and follower.snapshot.by_id()[uid].work_position == "Changed while Redis was down"
        ),
        timeout=8,
        what="the change",
    )
    assert follower.reloads == 1 and follower.mismatches == 0
    relay.stop()
    wait_for(
        lambda: (
            _try_poll(follower) is not None and follower.version == relay.service.publisher.version
        )
    )
    assert records(follower.snapshot) == records(relay.service._snapshot)


def test_a_redis_restart_between_two_heartbeats_is_noticed(
    portal, start_relay, make_reader, redis_server
):
    relay = start_relay(interval_s=30)  # no poll will republish it
    wait_for(lambda: relay.service.polls >= 1)
    reader = make_reader()
    version = reader.load_snapshot().version
    with redis_server.admin() as admin:  # lost without a connection error (a quick restart)
        admin.flushall()
    published = wait_for(lambda: _try_load(reader), timeout=5, what="the republication")
    assert published.version == version, "the same data keeps its version"


def _try_poll(follower):
    try:
        return follower.poll(200) is not None
    except RelayError:
        return False


def test_a_restarted_relay_goes_on_from_its_version_with_a_diff(portal, start_relay, make_reader):
    first = start_relay()
    wait_for(lambda: first.service.polls >= 2)
    first.stop()
    follower = RelayFollower(make_reader())
    follower.start()
    version = follower.version
    second = start_relay()
    beat = wait_for(follower.reader.heartbeat, what="the new relay's heartbeat")
    assert beat.current_data_age_s is not None, "the restored data keeps its age"
    wait_for(lambda: _try_poll(follower) and follower.version > version, what="its first diff")
    assert follower.reloads == 1, "a diff from the version the desktops hold, not a reload"
    second.stop()
    wait_for(lambda: _try_poll(follower) and follower.version == second.service.publisher.version)
    assert records(follower.snapshot) == records(second.service._snapshot)
