"""The relay's format in Redis: the snapshot hash and the stream's diff entries.

The heartbeat (:mod:`bx24presence.relay.heartbeat`) and the checked field readers
(:mod:`bx24presence.relay.wire`) live beside it and are re-exported here, so that
``codec.X`` names the whole format.

The colleagues are written with the cache's own serialisation
(:func:`bx24presence.cache.dumps_snapshot`, JSON Lines), compressed with zlib. Everything
read back is untrusted: sizes are capped before and while decompressing, types checked, and
anything odd is a :class:`RelayError` (``PROTOCOL``), never an exception from deep inside.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from bx24presence.cache import dumps_snapshot, loads_snapshot
from bx24presence.domain import PHONE_KINDS, Colleague, Phones, Presence, Snapshot, SnapshotDiff
from bx24presence.relay.errors import RelayError, RelayFailure
from bx24presence.relay.heartbeat import (
    STATUS_OK,
    STATUS_STALE,
    STATUS_STARTING,
    STATUSES,
    Heartbeat,
    decode_heartbeat,
    encode_heartbeat,
    failure_from_wire,
    failure_to_wire,
)
from bx24presence.relay.wire import (
    FORMAT,
    MAX_COMPRESSED,
    MAX_DIFF_TEXT,
    MAX_REMOVED,
    MAX_SMALL_FIELD,
    MAX_SNAPSHOT_TEXT,
    aware_time,
    bad,
    colleague_print,
    compress,
    decompress,
    fingerprint,
    small_int,
    small_text,
)

__all__ = [
    "FORMAT",
    "KIND_DIFF",
    "KIND_SNAPSHOT",
    "MAX_COMPRESSED",
    "MAX_DIFF_TEXT",
    "MAX_REMOVED",
    "MAX_SMALL_FIELD",
    "MAX_SNAPSHOT_TEXT",
    "STATUSES",
    "STATUS_OK",
    "STATUS_STALE",
    "STATUS_STARTING",
    "Change",
    "Heartbeat",
    "Published",
    "apply_change",
    "colleague_print",
    "compress",
    "decode_change",
    "decode_heartbeat",
    "decode_snapshot",
    "decompress",
    "encode_diff",
    "encode_heartbeat",
    "encode_snapshot",
    "encode_snapshot_marker",
    "failure_from_wire",
    "failure_to_wire",
    "fingerprint",
    "utc_now",
]

#: Entry kinds: a diff from version ``base``, or "reload the snapshot if yours is not it".
KIND_DIFF = "diff"
KIND_SNAPSHOT = "snapshot"


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


def decode_snapshot(fields_: Mapping[bytes, Any], *, stream_id: str = "0-0") -> Published:
    """The snapshot hash, checked; raises :class:`RelayError` (``NO_DATA`` when empty)."""
    if not fields_:
        raise RelayError(RelayFailure.NO_DATA)
    if small_int(fields_, "format") != FORMAT:
        raise bad("the snapshot is of another format version (upgrade bx24presence)")
    version = small_int(fields_, "version")
    published_at = aware_time(small_text(fields_, "published_at"), "published_at")
    text = decompress(fields_.get(b"data"), MAX_SNAPSHOT_TEXT)
    snapshot = _loads(text)
    if len(snapshot.colleagues) != small_int(fields_, "count"):
        raise bad("the snapshot's count does not match")
    if fingerprint(snapshot.colleagues) != small_int(fields_, "crc"):
        raise bad("the snapshot's checksum does not match")
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
        raise bad("a colleague id is not a positive number")
    for name in _STR_FIELDS:
        if not isinstance(getattr(c, name), str):
            raise bad(f"a colleague's {name} is not text")
    for name in _OPT_STR_FIELDS:
        value = getattr(c, name)
        if value is not None and not isinstance(value, str):
            raise bad(f"a colleague's {name} is not text")
    if not isinstance(c.phones, Phones) or not isinstance(c.presence, Presence):
        raise bad("a colleague's phones or presence are malformed")
    for kind in PHONE_KINDS:
        value = getattr(c.phones, kind)
        if value is not None and not isinstance(value, str):
            raise bad("a phone number is not text")


def _loads(text: str) -> Snapshot:
    try:
        snapshot = loads_snapshot(text)
    except MemoryError:
        raise
    except Exception as exc:  # the cache's reader is lenient; anything it raises is bad data
        raise bad(f"the colleagues cannot be read ({type(exc).__name__})") from None
    for c in snapshot.colleagues:
        _check(c)
    ids = [c.id for c in snapshot.colleagues]
    if len(set(ids)) != len(ids):
        raise bad("a colleague is listed twice")
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
    kind = small_text(fields_, "kind")
    if kind not in (KIND_DIFF, KIND_SNAPSHOT):
        raise bad("a stream entry of an unknown kind")
    try:
        published = float(small_text(fields_, "p"))
    except ValueError:
        raise bad("a stream entry's time is not a number") from None
    if not math.isfinite(published):
        raise bad("a stream entry's time is not a number")
    common = {
        "entry_id": eid,
        "kind": kind,
        "version": small_int(fields_, "v"),
        "count": small_int(fields_, "n"),
        "crc": small_int(fields_, "crc"),
        "published_at": published,
    }
    if kind == KIND_SNAPSHOT:
        return Change(base=None, upserts=None, removed=(), **common)  # type: ignore[arg-type]
    try:
        removed = json.loads(small_text(fields_, "removed"))
    except ValueError:
        raise bad("a stream entry's removed ids are malformed") from None
    if (
        not isinstance(removed, list)
        or len(removed) > MAX_REMOVED
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in removed)
    ):
        raise bad("a stream entry's removed ids are malformed")
    upserts = _loads(decompress(fields_.get(b"d"), MAX_DIFF_TEXT))
    return Change(
        base=small_int(fields_, "base"),
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


def utc_now() -> datetime:
    """The local clock, aware."""
    return datetime.now(UTC)
