"""The relay's writes to Redis: snapshot, diff entries and heartbeat, each in one transaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bx24presence.domain import Snapshot, SnapshotDiff
from bx24presence.relay import codec
from bx24presence.relay.address import RelayKeys, relay_error
from bx24presence.relay.errors import RelayError

log = logging.getLogger(__name__)

#: Diff entries kept in the stream (about 16 hours at one poll a minute).
DEFAULT_STREAM_LENGTH = 1000


class Publisher:
    """Writes one portal's namespace.

    Every write that changes the data is one MULTI/EXEC transaction: the snapshot, its
    version and the stream entry move together, so a reader never sees a snapshot of one
    version beside the entry of another.

    Args:
        redis: a ``redis.Redis`` client.
        keys: the namespace.
        stream_length: entries kept (``XADD MAXLEN ~``).
        clock: the local wall clock, aware.
    """

    def __init__(
        self,
        redis: Any,
        keys: RelayKeys,
        *,
        stream_length: int = DEFAULT_STREAM_LENGTH,
        clock: Callable[[], datetime] = codec.utc_now,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.stream_length = stream_length
        self._clock = clock
        self.version = 0
        #: The snapshot of ``version``, as last written (None before the first write).
        self.published: Snapshot | None = None

    def _run(self, work: Callable[[Any], None]) -> list[Any]:
        try:
            pipe = self.redis.pipeline(transaction=True)
            work(pipe)
            return list(pipe.execute())
        except RelayError:
            raise
        except Exception as exc:  # redis-py's errors and the socket's, all typed below
            raise relay_error(exc) from None

    def check(self) -> None:
        """One round trip (authentication, TLS and the ACL of a read are checked)."""
        self._run(lambda p: p.pttl(self.keys.heartbeat))

    def load_previous(self) -> codec.Published | None:
        """What an earlier run published, to go on from its version (None when none or
        unreadable; an unreadable one still lends its version number)."""
        fields = self._run(lambda p: p.hgetall(self.keys.snapshot))[0]
        if not fields:
            return None
        try:
            published = codec.decode_snapshot(fields)
        except RelayError as exc:
            log.warning("Ignoring the snapshot an earlier run left in Redis: %s", exc)
            raw = fields.get(b"version", b"")
            if isinstance(raw, bytes) and raw.isdigit() and len(raw) < 19:
                self.version = int(raw)
            return None
        self.version = published.version
        self.published = published.snapshot
        return published

    def publish_snapshot(self, snapshot: Snapshot) -> int:
        """Write the whole snapshot (first poll, after a Redis restart) and a snapshot entry.

        The same snapshot again (Redis lost it) keeps its version, so that desktops holding
        it go on without a reload; any other data takes a new version. Returns the version.
        """
        same = snapshot is self.published and self.version > 0
        version = self.version if same else self.version + 1
        now = self._clock()
        fields = codec.encode_snapshot(snapshot, version, now)
        marker = codec.encode_snapshot_marker(snapshot, version, time.time())

        def work(p: Any) -> None:
            p.delete(self.keys.snapshot)
            p.hset(self.keys.snapshot, mapping=fields)
            p.xadd(self.keys.stream, marker, maxlen=self.stream_length, approximate=True)

        self._run(work)
        self.version = version
        self.published = snapshot
        log.info(
            "Published the snapshot: %d colleagues, version %d, %d bytes",
            len(snapshot.colleagues),
            version,
            len(fields["data"]),
        )
        return version

    def publish_diff(self, snapshot: Snapshot, diff: SnapshotDiff) -> int:
        """Write the new snapshot and its diff entry (the diff from the last version)."""
        base = self.version
        version = base + 1
        now = self._clock()
        fields = codec.encode_snapshot(snapshot, version, now)
        entry = codec.encode_diff(
            snapshot, diff, version=version, base=base, published_at=time.time()
        )

        def work(p: Any) -> None:
            p.delete(self.keys.snapshot)
            p.hset(self.keys.snapshot, mapping=fields)
            p.xadd(self.keys.stream, entry, maxlen=self.stream_length, approximate=True)

        self._run(work)
        self.version = version
        self.published = snapshot
        log.debug(
            "Published version %d: %d added, %d changed, %d removed, %d bytes",
            version,
            len(diff.added),
            len(diff.changed),
            len(diff.removed),
            len(entry["d"]),
        )
        return version

    def heartbeat(self, text: str, ttl_ms: int) -> bool:
        """Write the heartbeat with its time to live; whether the snapshot is in Redis."""

        def work(p: Any) -> None:
            p.set(self.keys.heartbeat, text, px=ttl_ms)
            p.exists(self.keys.snapshot)

        return bool(self._run(work)[1])

    def clear_heartbeat(self) -> None:
        """Remove the heartbeat (a clean stop: readers know at once)."""
        self._run(lambda p: p.delete(self.keys.heartbeat))
