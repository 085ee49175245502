"""The relay's format in Redis: the snapshot hash, the diff entries, the heartbeat.

The colleagues are written with the cache's own serialisation
(:func:`bx24presence.cache.dumps_snapshot`, JSON Lines), compressed with zlib. Everything
read back is untrusted: sizes are capped before and while decompressing, types checked, and
anything odd is a :class:`RelayError` (``PROTOCOL``), never an exception from deep inside.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from bx24presence.cache import dumps_snapshot, loads_snapshot
from bx24presence.domain import PHONE_KINDS, Colleague, Phones, Presence, Snapshot, SnapshotDiff
from bx24presence.relay.errors import RelayError, RelayFailure

FORMAT = 1
#: Caps on what a reader accepts from Redis (10,000 colleagues take about 1 MB compressed).
MAX_COMPRESSED = 64 * 1024 * 1024
MAX_SNAPSHOT_TEXT = 256 * 1024 * 1024
MAX_DIFF_TEXT = 64 * 1024 * 1024
MAX_SMALL_FIELD = 64 * 1024
MAX_REMOVED = 100_000
#: Entry kinds: a diff from version ``base``, or "reload the snapshot if yours is not it".
KIND_DIFF = "diff"
KIND_SNAPSHOT = "snapshot"
STATUS_STARTING = "starting"
STATUS_OK = "ok"
STATUS_STALE = "stale"
STATUSES = (STATUS_STARTING, STATUS_OK, STATUS_STALE)


def _bad(detail: str) -> RelayError:
    return RelayError(RelayFailure.PROTOCOL, detail)


def compress(text: str) -> bytes:
    """zlib of UTF-8 text (level 6: a good ratio for little CPU)."""
    return zlib.compress(text.encode("utf-8"), 6)


def decompress(data: Any, limit: int) -> str:
    """Text from :func:`compress`, refusing more than ``limit`` bytes (a zip bomb)."""
    if not isinstance(data, bytes) or len(data) > MAX_COMPRESSED:
        raise _bad("a compressed field is missing or too big")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise _bad(f"a compressed field is corrupt ({exc})") from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise _bad("a compressed field expands beyond its limit")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("a compressed field is not UTF-8") from None


def colleague_print(c: Colleague) -> int:
    """One colleague's share of :func:`fingerprint`."""
    return zlib.crc32(f"{c.id}{c.presence.value}".encode("ascii"))


def fingerprint(colleagues: Iterable[Colleague]) -> int:
    """A checksum of everyone's id and presence: the sum of their CRC-32s modulo 2**32.

    A reader that applied every diff holds the same value as the relay, or knows it must
    reload. A sum, so that a reader updates it by the colleagues that changed only.
    """
    return sum(colleague_print(c) for c in colleagues) & 0xFFFFFFFF


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A snapshot as the relay published it.

    Attributes:
        snapshot: the colleagues (``requests`` 0: reading it cost the portal nothing).
        version: counts publications; each diff moves it by one.
        published_at: the relay's clock when it was written (aware, UTC).
        stream_id: the stream entry written with it ("0-0" when none), to follow from.
    """

    snapshot: Snapshot
    version: int
    published_at: datetime
    stream_id: str = "0-0"


@dataclass(frozen=True)
class Change:
    """One stream entry, decoded.

    Attributes:
        entry_id: the stream id, to follow on from.
        kind: :data:`KIND_DIFF` or :data:`KIND_SNAPSHOT`.
        version: the version after it.
        base: the version a diff applies to (None for a snapshot entry).
        upserts: colleagues added or changed, with the new server time and departments.
        removed: ids that left.
        count: how many colleagues there are after it.
        crc: :func:`fingerprint` after it.
        published_at: the relay's clock when written, seconds since the epoch.
    """

    entry_id: str
    kind: str
    version: int
    base: int | None
    upserts: Snapshot | None
    removed: tuple[int, ...]
    count: int
    crc: int
    published_at: float


@dataclass(frozen=True)
class Heartbeat:
    """The relay's last word about itself.

    Attributes:
        status: ``starting``, ``ok`` or ``stale`` (polls of the portal are failing).
        since: when the failures began (stale) or None.
        reason: the failure's kind (``network``, ``auth``, ``rate``, ``protocol``, ``portal``).
        message: one plain sentence about the failure ("" when ok).
        interval_s: the relay's poll interval.
        period_s: how often the heartbeat is written.
        ttl_ms: its time to live as written.
        version: the published version when written.
        data_age_s: the age of the data (since the last successful poll) when written.
        age_s: how long ago it was written (from Redis's own TTL: no clock skew).
    """

    status: str
    since: datetime | None
    reason: str | None
    message: str
    interval_s: float
    period_s: float
    ttl_ms: int
    version: int
    data_age_s: float | None
    age_s: float

    @property
    def current_data_age_s(self) -> float | None:
        """How old the portal's data is now (not how old the heartbeat is)."""
        return None if self.data_age_s is None else self.data_age_s + self.age_s

    @property
    def is_stale(self) -> bool:
        """Whether to show the data as stale: the relay says its polls fail, or the data is
        older than two intervals (a poll stuck in its retries has not failed yet)."""
        age = self.current_data_age_s
        return self.status == STATUS_STALE or (
            age is not None and age > 2 * self.interval_s + self.period_s
        )


# -- snapshot --------------------------------------------------------------------------------


def encode_snapshot(snapshot: Snapshot, version: int, published_at: datetime) -> dict[str, Any]:
    """The fields of the snapshot hash."""
    return {
        "format": FORMAT,
        "version": version,
        "published_at": published_at.isoformat(),
        "portal": snapshot.portal,
        "server_time": snapshot.server_time.isoformat(),
        "fetched_at": snapshot.fetched_at.isoformat(),
        "count": len(snapshot.colleagues),
        "crc": fingerprint(snapshot.colleagues),
        "data": compress(dumps_snapshot(snapshot)),
    }


def _text(fields_: Mapping[bytes, Any], name: str) -> str:
    value = fields_.get(name.encode())
    if not isinstance(value, bytes) or len(value) > MAX_SMALL_FIELD:
        raise _bad(f"field {name!r} is missing or too long")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(f"field {name!r} is not UTF-8") from None


def _int(fields_: Mapping[bytes, Any], name: str) -> int:
    text = _text(fields_, name)
    if not text.isdigit() or len(text) > 19:
        raise _bad(f"field {name!r} is not a number")
    return int(text)


def _time(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"field {name!r} is not a time") from None
    if value.tzinfo is None:
        raise _bad(f"field {name!r} has no time zone")
    return value


def decode_snapshot(fields_: Mapping[bytes, Any], *, stream_id: str = "0-0") -> Published:
    """The snapshot hash, checked; raises :class:`RelayError` (``NO_DATA`` when empty)."""
    if not fields_:
        raise RelayError(RelayFailure.NO_DATA)
    if _int(fields_, "format") != FORMAT:
        raise _bad("the snapshot is of another format version (upgrade bx24presence)")
    version = _int(fields_, "version")
    published_at = _time(_text(fields_, "published_at"), "published_at")
    text = decompress(fields_.get(b"data"), MAX_SNAPSHOT_TEXT)
    snapshot = _loads(text)
    if len(snapshot.colleagues) != _int(fields_, "count"):
        raise _bad("the snapshot's count does not match")
    if fingerprint(snapshot.colleagues) != _int(fields_, "crc"):
        raise _bad("the snapshot's checksum does not match")
    return Published(snapshot, version, published_at, stream_id)


_STR_FIELDS = ("name", "first_name", "last_name", "gender")
_OPT_STR_FIELDS = tuple(
    f.name
    for f in fields(Colleague)
    if f.name
    in (
        "work_position",
        "color",
        "avatar",
        "avatar_hr",
        "birthday",
        "email",
        "website",
        "last_activity_raw",
        "status",
    )
)


def _check(c: Colleague) -> None:
    """Types the rest of the app relies on (the cache's reader trusts its own files)."""
    if not isinstance(c.id, int) or isinstance(c.id, bool) or c.id <= 0:
        raise _bad("a colleague id is not a positive number")
    for name in _STR_FIELDS:
        if not isinstance(getattr(c, name), str):
            raise _bad(f"a colleague's {name} is not text")
    for name in _OPT_STR_FIELDS:
        value = getattr(c, name)
        if value is not None and not isinstance(value, str):
            raise _bad(f"a colleague's {name} is not text")
    if not isinstance(c.phones, Phones) or not isinstance(c.presence, Presence):
        raise _bad("a colleague's phones or presence are malformed")
    for kind in PHONE_KINDS:
        value = getattr(c.phones, kind)
        if value is not None and not isinstance(value, str):
            raise _bad("a phone number is not text")


def _loads(text: str) -> Snapshot:
    try:
        snapshot = loads_snapshot(text)
    except MemoryError:
        raise
    except Exception as exc:  # the cache's reader is lenient; anything it raises is bad data
        raise _bad(f"the colleagues cannot be read ({type(exc).__name__})") from None
    for c in snapshot.colleagues:
        _check(c)
    ids = [c.id for c in snapshot.colleagues]
    if len(set(ids)) != len(ids):
        raise _bad("a colleague is listed twice")
    return replace(snapshot, own_status=None, requests=0, duration_s=0.0)


# -- diffs -----------------------------------------------------------------------------------


def encode_diff(
    snapshot: Snapshot, diff: SnapshotDiff, *, version: int, base: int, published_at: float
) -> dict[str, Any]:
    """The fields of a diff entry: the colleagues added or changed (with the departments
    they mention), the ids removed, the new server time and a fingerprint."""
    upserts = diff.added + diff.changed
    wanted = {d for c in upserts for d in c.departments}
    partial = replace(
        snapshot,
        colleagues=tuple(sorted(upserts, key=lambda c: c.id)),
        departments=MappingProxyType(
            {d: n for d, n in snapshot.departments.items() if d in wanted}
        ),
        own_status=None,
    )
    return {
        "kind": KIND_DIFF,
        "v": version,
        "base": base,
        "n": len(snapshot.colleagues),
        "crc": fingerprint(snapshot.colleagues),
        "p": repr(published_at),
        "removed": json.dumps(sorted(diff.removed), separators=(",", ":")),
        "d": compress(dumps_snapshot(partial)),
    }


def encode_snapshot_marker(snapshot: Snapshot, version: int, published_at: float) -> dict[str, Any]:
    """The entry written with every full (re)publication: readers at another version reload."""
    return {
        "kind": KIND_SNAPSHOT,
        "v": version,
        "n": len(snapshot.colleagues),
        "crc": fingerprint(snapshot.colleagues),
        "p": repr(published_at),
    }


def decode_change(entry_id: Any, fields_: Mapping[bytes, Any]) -> Change:
    """One stream entry, checked."""
    eid = entry_id.decode("ascii", "replace") if isinstance(entry_id, bytes) else str(entry_id)
    kind = _text(fields_, "kind")
    if kind not in (KIND_DIFF, KIND_SNAPSHOT):
        raise _bad("a stream entry of an unknown kind")
    try:
        published = float(_text(fields_, "p"))
    except ValueError:
        raise _bad("a stream entry's time is not a number") from None
    if not math.isfinite(published):
        raise _bad("a stream entry's time is not a number")
    common = {
        "entry_id": eid,
        "kind": kind,
        "version": _int(fields_, "v"),
        "count": _int(fields_, "n"),
        "crc": _int(fields_, "crc"),
        "published_at": published,
    }
    if kind == KIND_SNAPSHOT:
        return Change(base=None, upserts=None, removed=(), **common)  # type: ignore[arg-type]
    try:
        removed = json.loads(_text(fields_, "removed"))
    except ValueError:
        raise _bad("a stream entry's removed ids are malformed") from None
    if (
        not isinstance(removed, list)
        or len(removed) > MAX_REMOVED
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in removed)
    ):
        raise _bad("a stream entry's removed ids are malformed")
    upserts = _loads(decompress(fields_.get(b"d"), MAX_DIFF_TEXT))
    return Change(
        base=_int(fields_, "base"),
        upserts=upserts,
        removed=tuple(removed),
        **common,  # type: ignore[arg-type]
    )


def apply_change(
    current: Snapshot, change: Change, positions: dict[int, int] | None = None
) -> tuple[Snapshot, SnapshotDiff]:
    """The snapshot after a diff entry, and what it changed (for the list model).

    ``positions`` (id to index in ``current.colleagues``, kept by the caller) makes a diff
    without arrivals or departures cost its own size rather than the directory's; it is
    updated in place (rebuilt when the membership changes).
    """
    if change.upserts is None:
        raise ValueError("a snapshot entry is not a diff")
    if positions is None:
        positions = {c.id: i for i, c in enumerate(current.colleagues)}
    old = current.colleagues
    removed = tuple(i for i in change.removed if i in positions)
    added: list[Colleague] = []
    changed: list[Colleague] = []
    for c in change.upserts.colleagues:
        at = positions.get(c.id)
        if at is None:
            added.append(c)
            continue
        before = old[at]
        # Cheap fields first: a steady poll's changes are presence and activity.
        if (
            before.presence is not c.presence
            or before.last_activity_raw != c.last_activity_raw
            or before != c
        ):
            changed.append(c)
    if added or removed:
        after = {c.id: c for c in old}
        for i in removed:
            del after[i]
        for c in (*added, *changed):
            after[c.id] = c
        colleagues = tuple(sorted(after.values(), key=lambda c: c.id))
        positions.clear()
        positions.update((c.id, i) for i, c in enumerate(colleagues))
    else:
        rows = list(old)
        for c in changed:
            rows[positions[c.id]] = c
        colleagues = tuple(rows)
    departments = dict(current.departments)
    departments.update(change.upserts.departments)
    snapshot = replace(
        change.upserts,
        colleagues=colleagues,
        departments=MappingProxyType(departments),
    )
    return snapshot, SnapshotDiff(added=tuple(added), removed=removed, changed=tuple(changed))


# -- heartbeat -------------------------------------------------------------------------------


def encode_heartbeat(
    *,
    status: str,
    since: datetime | None,
    reason: str | None,
    message: str,
    interval_s: float,
    period_s: float,
    ttl_ms: int,
    version: int,
    data_age_s: float | None,
) -> str:
    """The heartbeat's JSON text."""
    return json.dumps(
        {
            "format": FORMAT,
            "status": status,
            "since": since.isoformat() if since else None,
            "reason": reason,
            "message": message,
            "interval_s": interval_s,
            "period_s": period_s,
            "ttl_ms": ttl_ms,
            "version": version,
            "data_age_s": data_age_s,
        },
        separators=(",", ":"),
    )


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"the heartbeat's {name} is not a number")
    return float(value)


def decode_heartbeat(raw: Any, pttl_ms: Any) -> Heartbeat | None:
    """The heartbeat from its value and remaining time to live; None when there is none."""
    if raw is None:
        return None
    if not isinstance(raw, bytes) or len(raw) > MAX_SMALL_FIELD:
        raise _bad("the heartbeat is malformed")
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad("the heartbeat is malformed") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("status") not in STATUSES:
        raise _bad("the heartbeat is malformed")
    ttl_ms = int(_number(d.get("ttl_ms"), "ttl_ms"))
    left = pttl_ms if isinstance(pttl_ms, int) and pttl_ms >= 0 else ttl_ms
    since = d.get("since")
    reason = d.get("reason")
    message = d.get("message")
    data_age = d.get("data_age_s")
    return Heartbeat(
        status=d["status"],
        since=_time(since, "since") if isinstance(since, str) else None,
        reason=reason[:40] if isinstance(reason, str) else None,
        message=message[:500] if isinstance(message, str) else "",
        interval_s=_number(d.get("interval_s"), "interval_s"),
        period_s=_number(d.get("period_s"), "period_s"),
        ttl_ms=ttl_ms,
        version=int(_number(d.get("version"), "version")),
        data_age_s=None if data_age is None else _number(data_age, "data_age_s"),
        age_s=max(0.0, (ttl_ms - left) / 1000),
    )


def utc_now() -> datetime:
    """The local clock, aware."""
    return datetime.now(UTC)
