"""The relay's format and address parsing, without Redis: hostile input, diffs, checksums."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bx24presence.api.reasons import Failure, Reason
from bx24presence.domain import Colleague, Presence, Snapshot, diff_snapshots
from bx24presence.logconfig import redact_all
from bx24presence.relay import codec
from bx24presence.relay.address import (
    acl_setuser_lines,
    namespace_for,
    parse_relay_url,
    portal_host,
)
from bx24presence.relay.errors import BadRelayUrl, RelayError, RelayFailure
from bx24presence.relay.reader import RelayFollower

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def snap(*colleagues: Colleague, version_time: datetime = NOW) -> Snapshot:
    return Snapshot(
        colleagues=tuple(sorted(colleagues, key=lambda c: c.id)),
        server_time=version_time,
        fetched_at=version_time,
        departments={1: "Sales"},
        portal="https://company.bitrix24.ru",
    )


def person(i: int, presence: Presence = Presence.OFFLINE, **kw) -> Colleague:
    return Colleague(id=i, name=f"Person {i}", presence=presence, departments=(1,), **kw)


def as_redis(fields: dict) -> dict[bytes, bytes]:
    return {k.encode(): v if isinstance(v, bytes) else str(v).encode() for k, v in fields.items()}


def test_snapshot_round_trip_and_checks():
    s = snap(person(1, Presence.ONLINE), person(2), person(3, email="a@b.c"))
    fields = as_redis(codec.encode_snapshot(s, 7, NOW))
    got = codec.decode_snapshot(fields, stream_id="5-0")
    assert got.version == 7 and got.stream_id == "5-0"
    assert got.snapshot.colleagues == s.colleagues and got.snapshot.requests == 0
    with pytest.raises(RelayError) as empty:
        codec.decode_snapshot({})
    assert empty.value.reason is RelayFailure.NO_DATA
    tampered = {**fields, b"crc": b"1"}
    with pytest.raises(RelayError) as bad:
        codec.decode_snapshot(tampered)
    assert bad.value.reason is RelayFailure.PROTOCOL


@pytest.mark.parametrize(
    "line",
    [
        {"id": 1, "name": 5, "presence": "online"},
        {"id": "1", "name": "x", "presence": "online"},
        {"id": 1, "name": "x", "presence": "everywhere"},
        {"id": 1, "name": "x", "presence": "online", "email": ["a"]},
        {"id": 1, "name": "x", "presence": "online", "phones": {"work_phone": 5}},
        {"id": 1, "name": "x", "presence": "online", "phones": "555"},
        {"id": 1, "name": "x", "presence": "online", "unexpected": 1},
        [1, 2],
    ],
)
def test_hostile_colleagues_are_protocol_errors(line):
    head = {
        "format": 2, "portal": "", "server_time": NOW.isoformat(),
        "fetched_at": NOW.isoformat(), "count": 1,
    }  # fmt: skip
    text = json.dumps(head) + "\n" + json.dumps(line) + "\n"
    fields = {"format": 1, "version": 1, "published_at": NOW.isoformat(), "count": 1,
              "crc": 0, "data": codec.compress(text)}  # fmt: skip
    with pytest.raises(RelayError) as bad:
        codec.decode_snapshot(as_redis(fields))
    assert bad.value.reason is RelayFailure.PROTOCOL


def test_compressed_fields_are_capped_while_expanding():
    bomb = zlib.compress(b"0" * (codec.MAX_DIFF_TEXT + 10))
    with pytest.raises(RelayError, match="beyond its limit"):
        codec.decompress(bomb, codec.MAX_DIFF_TEXT)
    with pytest.raises(RelayError):
        codec.decompress(b"\x00" * 10, 100)
    assert codec.decompress(codec.compress("héllo"), 10) == "héllo"


def test_diffs_apply_to_exactly_the_new_snapshot_and_the_checksum_follows():
    old = snap(
        *(person(i, Presence.ONLINE if i % 3 == 0 else Presence.OFFLINE) for i in range(1, 40))
    )
    new_people = {c.id: c for c in old.colleagues}
    new_people[4] = replace(new_people[4], presence=Presence.ONLINE)
    new_people[9] = replace(new_people[9], work_position="Boss")
    del new_people[12]
    new_people[77] = person(77, Presence.MOBILE)
    new = snap(*new_people.values())
    diff = diff_snapshots(old.colleagues, new.colleagues)
    entry = codec.decode_change(
        b"9-1", as_redis(codec.encode_diff(new, diff, version=2, base=1, published_at=1.5))
    )
    assert entry.base == 1 and entry.version == 2 and entry.removed == (12,)
    applied, applied_diff = codec.apply_change(old, entry)
    assert applied.colleagues == new.colleagues
    assert {c.id for c in applied_diff.changed} == {4, 9}
    assert [c.id for c in applied_diff.added] == [77]

    class Fake:
        def __init__(self):
            self.entries = [entry]

        def load_snapshot(self):
            return codec.Published(old, 1, NOW, "1-0")

        def follow(self, last_id, block_ms):
            out, self.entries = self.entries, []
            return out

    follower = RelayFollower(Fake())
    follower.start()
    [update] = follower.poll(0)
    assert not update.reloaded and update.snapshot.colleagues == new.colleagues
    assert follower.print == codec.fingerprint(new.colleagues) and follower.version == 2
    assert follower.last_id == "9-1"


def test_a_diff_that_does_not_add_up_reloads_instead_of_showing_wrong_presence():
    old = snap(person(1), person(2))
    new = snap(person(1, Presence.ONLINE), person(2))
    fields = codec.encode_diff(
        new, diff_snapshots(old.colleagues, new.colleagues), version=2, base=1, published_at=1.0
    )
    fields["crc"] = (fields["crc"] + 1) & 0xFFFFFFFF  # the relay says something else
    entry = codec.decode_change(b"2-0", as_redis(fields))

    class Fake:
        loads = 0

        def load_snapshot(self):
            Fake.loads += 1
            return codec.Published(new if Fake.loads > 1 else old, Fake.loads, NOW, "2-0")

        def follow(self, last_id, block_ms):
            return [entry] if last_id == "1-0" or Fake.loads == 1 else []

    follower = RelayFollower(Fake())
    follower.start()
    [update] = follower.poll(0)
    assert update.reloaded and follower.mismatches == 1
    assert update.snapshot.colleagues == new.colleagues


def test_heartbeat_decoding_is_strict_and_skew_free():
    text = codec.encode_heartbeat(
        status="stale", since=NOW, reason="network", message="down", interval_s=60,
        period_s=5, ttl_ms=15000, version=3, data_age_s=40.0,
    )  # fmt: skip
    beat = codec.decode_heartbeat(text.encode(), 12000)
    assert beat.age_s == 3.0 and beat.current_data_age_s == 43.0 and beat.since == NOW
    assert codec.decode_heartbeat(None, -2) is None
    assert beat.is_stale
    fresh = codec.encode_heartbeat(
        status="ok", since=None, reason=None, message="", interval_s=60, period_s=5,
        ttl_ms=15000, version=3, data_age_s=30.0,
    )  # fmt: skip
    assert not codec.decode_heartbeat(fresh.encode(), 15000).is_stale
    # "ok", but the data is older than two intervals: a poll stuck in its retries.
    assert codec.decode_heartbeat(fresh.encode().replace(b"30.0", b"126.0"), 15000).is_stale
    for raw in (b"[]", b"{", b'{"format":1,"status":"ok","ttl_ms":"x"}', b"\xff"):
        with pytest.raises(RelayError):
            codec.decode_heartbeat(raw, 100)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis://redis.office.example:6379/0", "unencrypted"),
        ("http://127.0.0.1:6379", "rediss://"),
        ("rediss://:6380", "no host"),
        ("rediss://h:99999/0", "not a valid address"),
        ("rediss://h/abc", "database number"),
        ("rediss://h/0?ssl_cert_reqs=none", "unknown option"),
        ("redis://127.0.0.1/0?ca=/x", "needs rediss"),
        ("rediss://h/0?portal=exa!mple.com", "not a portal host"),
        ("rediss://h/0?prefix=a b", "prefix"),
    ],
)
def test_bad_relay_addresses(url, says):
    with pytest.raises(BadRelayUrl, match=says):
        parse_relay_url(url)


def test_relay_address_parts_and_password_redaction():
    a = parse_relay_url(
        "rediss://bx24-desktop:s3cret-pass@Redis.Office:6380/2?portal=https://Company.Bitrix24.ru/"
    )
    assert (a.host, a.port, a.db, a.tls, a.username) == (
        "redis.office",
        6380,
        2,
        True,
        "bx24-desktop",
    )
    assert a.url_password == "s3cret-pass" and "s3cret" not in a.display()
    assert redact_all("failed: s3cret-pass") == "failed: ***"
    assert a.keys().namespace == "bx24presence:company.bitrix24.ru:"
    assert parse_relay_url("redis://localhost/0").tls is False
    assert portal_host("http://127.0.0.1:8080/rest/1/x/") == "127.0.0.1:8080"


def test_documentation_gives_the_tested_acl_lines():
    keys = namespace_for("bx24presence:", "company.bitrix24.ru")
    for doc in ("docs/relay.md", "packaging/relay/README.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        for line in acl_setuser_lines(keys):
            assert line in text, f"{doc} lacks {line[:40]}"
        assert "desktop credentials sees the" in text, "the plain warning"


def test_the_heartbeat_carries_the_failure_as_a_value_checked_on_the_way_in():
    failure = Failure(Reason.TIMEOUT, host="company.bitrix24.ru", seconds=60.0, detail="boom")
    text = codec.encode_heartbeat(
        status="stale", since=NOW, reason="timeout", message="English", interval_s=60,
        period_s=5, ttl_ms=15000, version=3, data_age_s=40.0, failure=failure,
    )  # fmt: skip
    beat = codec.decode_heartbeat(text.encode(), 15000)
    # The English detail is for the relay's own log: it does not travel.
    assert beat.failure == Failure(Reason.TIMEOUT, host="company.bitrix24.ru", seconds=60.0)
    for hostile in (
        {"reason": "from-a-newer-relay"},
        {"reason": None},
        [],
        "timeout",
        {"reason": "timeout", "seconds": "60", "status": True, "host": 7},
        {"reason": "timeout", "seconds": float("inf"), "limit_bytes": -1},
    ):
        decoded = codec.failure_from_wire(hostile)
        assert decoded is None or decoded == Failure(Reason.TIMEOUT)
    long = codec.failure_from_wire({"reason": "portal-error", "said": "x" * 10_000})
    assert long is not None and len(long.said) == 200
