"""Reading a relay: the snapshot, the stream of diffs, and the heartbeat (Qt-free).

:class:`RelayReader` is the thin, stateless layer over Redis; :class:`RelayFollower` keeps
the current snapshot and turns stream entries into ``(Snapshot, SnapshotDiff)`` updates,
reloading the snapshot whenever the chain of versions breaks (entries trimmed while the
reader was away, a relay restarted without its history, a diff that does not add up).
Either raises :class:`RelayError` with a reason; ``UNREACHABLE`` means "fall back to the
portal".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bx24presence.domain import Snapshot, SnapshotDiff, diff_snapshots
from bx24presence.relay import codec
from bx24presence.relay.address import (
    COMMAND_TIMEOUT_S,
    RelayAddress,
    RelayKeys,
    connect,
    relay_error,
)
from bx24presence.relay.errors import RelayError

log = logging.getLogger(__name__)

#: Entries read per round trip while following.
READ_COUNT = 200
MAX_BLOCK_MS = int((COMMAND_TIMEOUT_S - 2) * 1000)


class RelayReader:
    """Reads one portal's namespace.

    Args:
        redis: a ``redis.Redis`` client (see :meth:`open`).
        keys: the namespace.
    """

    def __init__(self, redis: Any, keys: RelayKeys) -> None:
        self.redis = redis
        self.keys = keys

    @classmethod
    def open(
        cls, address: RelayAddress, password: str | None, portal: str | None = None
    ) -> RelayReader:
        """A reader of ``portal``'s namespace (a host; default the address's ``portal=``)."""
        keys = address.keys(portal)
        return cls(connect(address, password, client_name="bx24presence-reader"), keys)

    def close(self) -> None:
        """Close the connections."""
        try:
            self.redis.close()
        except Exception:  # closing never matters enough to fail
            log.debug("Closing the Redis client failed", exc_info=True)

    def __enter__(self) -> RelayReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except RelayError:
            raise
        except Exception as exc:  # redis-py's and the socket's errors, typed
            raise relay_error(exc) from None

    def load_snapshot(self) -> codec.Published:
        """The latest snapshot and the stream id to follow from, read in one transaction.

        Raises:
            RelayError: ``NO_DATA`` when the relay has published nothing for this portal.
        """

        def read() -> tuple[Any, Any]:
            pipe = self.redis.pipeline(transaction=True)
            pipe.hgetall(self.keys.snapshot)
            pipe.xrevrange(self.keys.stream, "+", "-", count=1)
            fields, last = pipe.execute()
            return fields, last

        fields, last = self._call(read)
        stream_id = "0-0"
        if isinstance(last, list) and last and isinstance(last[0], tuple | list):
            raw = last[0][0]
            stream_id = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
        return self.decode_snapshot(fields or {}, stream_id)

    def decode_snapshot(self, fields: Any, stream_id: str) -> codec.Published:
        """Decode the snapshot hash (a seam: a process simulating many desktops caches it)."""
        return codec.decode_snapshot(fields, stream_id=stream_id)

    def decode_change(self, entry_id: Any, fields: Any) -> codec.Change:
        """Decode one stream entry (the same seam)."""
        return codec.decode_change(entry_id, fields)

    def follow(self, last_id: str, block_ms: int = 5000) -> list[codec.Change]:
        """The entries after ``last_id``, waiting up to ``block_ms`` for the first (0: no
        wait). An empty list when nothing came."""
        block = max(0, min(int(block_ms), MAX_BLOCK_MS))

        def read() -> Any:
            return self.redis.xread(
                {self.keys.stream: last_id}, count=READ_COUNT, block=block or None
            )

        answer = self._call(read)
        out: list[codec.Change] = []
        for _stream, entries in answer or ():
            for entry_id, fields in entries:
                out.append(self.decode_change(entry_id, fields))
        return out

    def heartbeat(self) -> codec.Heartbeat | None:
        """The relay's heartbeat, or None when it has expired (the relay is gone)."""

        def read() -> tuple[Any, Any]:
            pipe = self.redis.pipeline(transaction=True)
            pipe.get(self.keys.heartbeat)
            pipe.pttl(self.keys.heartbeat)
            raw, pttl = pipe.execute()
            return raw, pttl

        raw, pttl = self._call(read)
        return codec.decode_heartbeat(raw, pttl)


@dataclass(frozen=True)
class RelayUpdate:
    """New data from the relay.

    Attributes:
        snapshot: the whole directory now.
        diff: what changed since the update before (everything "added" after a load).
        reloaded: True when the snapshot was (re)loaded whole rather than patched.
        version: the relay's version of it.
        published_at: the relay's clock when it published this, seconds since the epoch
            (None for a load).
    """

    snapshot: Snapshot
    diff: SnapshotDiff
    reloaded: bool
    version: int
    published_at: float | None = None


class RelayFollower:
    """Holds the relay's current snapshot and keeps it up to date.

    Usage (a desktop's worker thread, or a script)::

        follower = RelayFollower(reader)
        update = follower.start()              # one Redis read, no portal request
        while running:
            for update in follower.poll(block_ms=5000):
                show(update.snapshot, update.diff)
            beat = reader.heartbeat()          # None: the relay is gone; fall back

    Args:
        reader: the reader.
        verify: check every diff's result against the relay's fingerprint of everyone's
            presence (a reload when it does not match); costs only the changed colleagues.
    """

    def __init__(self, reader: RelayReader, *, verify: bool = True) -> None:
        self.reader = reader
        self.verify = verify
        self.snapshot: Snapshot | None = None
        self.version = 0
        self.last_id = "0-0"
        self.reloads = 0
        self.mismatches = 0
        self.print = 0
        self._positions: dict[int, int] = {}

    def start(self) -> RelayUpdate:
        """Load the snapshot (also what :meth:`poll` does when the chain breaks)."""
        published = self.reader.load_snapshot()
        old = self.snapshot
        self.snapshot = published.snapshot
        self.version = published.version
        self.last_id = published.stream_id
        self.print = codec.fingerprint(published.snapshot.colleagues)
        self._positions = {c.id: i for i, c in enumerate(published.snapshot.colleagues)}
        self.reloads += 1
        diff = diff_snapshots(
            old.colleagues if old is not None else (), published.snapshot.colleagues
        )
        return RelayUpdate(published.snapshot, diff, reloaded=True, version=published.version)

    def poll(self, block_ms: int = 5000) -> list[RelayUpdate]:
        """Wait up to ``block_ms`` for entries and apply them; the updates, oldest first."""
        if self.snapshot is None:
            return [self.start()]
        updates: list[RelayUpdate] = []
        for change in self.reader.follow(self.last_id, block_ms):
            update = self._apply(change)
            if update is not None and update.reloaded:
                updates.append(update)
                break  # the load read everything up to now; follow on from its entry
            self.last_id = change.entry_id
            if update is not None:
                updates.append(update)
        return updates

    def _apply(self, change: codec.Change) -> RelayUpdate | None:
        if self.snapshot is None:
            return self._reload("no snapshot yet")
        if change.kind == codec.KIND_SNAPSHOT:
            if change.version == self.version and change.crc == self.print:
                return None  # a republication of what this reader holds
            return self._reload(f"the relay republished version {change.version}")
        if change.version <= self.version:
            return None  # already in the snapshot this reader holds
        if change.base != self.version:
            return self._reload(
                f"missed versions {self.version} to {change.base} (trimmed or restarted)"
            )
        before = self.snapshot
        positions = self._positions
        printed = self.print
        for i in change.removed:
            if i in positions:
                printed -= codec.colleague_print(before.colleagues[positions[i]])
        for c in change.upserts.colleagues if change.upserts is not None else ():
            at = positions.get(c.id)
            if at is None:
                printed += codec.colleague_print(c)
                continue
            old = before.colleagues[at]
            if old.presence is not c.presence:  # a print is of the id and the presence only
                printed += codec.colleague_print(c) - codec.colleague_print(old)
        snapshot, diff = codec.apply_change(before, change, positions)
        printed &= 0xFFFFFFFF
        if len(snapshot.colleagues) != change.count or (self.verify and printed != change.crc):
            self.mismatches += 1
            return self._reload("a diff did not add up")
        self.print = printed
        self.snapshot = snapshot
        self.version = change.version
        return RelayUpdate(
            snapshot, diff, reloaded=False, version=change.version, published_at=change.published_at
        )

    def _reload(self, why: str) -> RelayUpdate:
        log.info("Reloading the relay's snapshot: %s", why)
        return self.start()
