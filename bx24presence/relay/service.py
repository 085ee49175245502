"""The relay's loop: poll the portal as a desktop does, publish, and keep a heartbeat.

Two threads: the calling thread polls the portal (a full refresh first, then steady ones,
through the same :class:`bx24presence.sync.Refresher` as the desktop, re-armed only after a
poll finishes, with the desktop's backoff after failures); a second one writes the heartbeat
every ``heartbeat_s`` and, after Redis was lost, republishes the snapshot as soon as Redis
answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bx24presence.api.errors import ApiError, AuthError, Cancelled, Failure, Reason
from bx24presence.domain import Snapshot, diff_snapshots
from bx24presence.failures import FailureKind, failure_kind
from bx24presence.logconfig import redact_all
from bx24presence.memory import release_free_memory
from bx24presence.relay import codec
from bx24presence.relay.errors import RelayError, RelayFailure

if TYPE_CHECKING:
    from bx24presence.relay.publisher import Publisher
    from bx24presence.sync import Refresher

log = logging.getLogger(__name__)

#: The desktop's polling rules (bx24presence/qt/poller.py): the shortest interval, and the
#: backoff after failures, doubling from 1 s to 5 minutes.
MIN_INTERVAL_S = 15
MAX_BACKOFF_S = 300
DEFAULT_HEARTBEAT_S = 5.0
#: The heartbeat lives this many periods: one lost write is not a dead relay.
HEARTBEAT_TTL_PERIODS = 3
#: Redis reconnection backoff: from this, doubling, up to the heartbeat period.
REDIS_BACKOFF_START_S = 0.25


class FirstPollRefused(Exception):
    """The very first poll was refused for authentication: a configuration error."""

    def __init__(self, err: ApiError) -> None:
        super().__init__(str(err))
        self.error = err


@dataclass(frozen=True)
class _Health:
    status: str = codec.STATUS_STARTING
    since: datetime | None = None
    reason: str | None = None
    message: str = ""
    failure: Failure | None = None
    fetched_mono: float | None = None


class RelayService:
    """Polls one portal and publishes it.

    Args:
        refresher: the desktop's refresher, on the relay's own client.
        publisher: the Redis writer of the portal's namespace.
        interval_s: time between the end of one poll and the start of the next.
        heartbeat_s: how often the heartbeat is written (it lives three periods).
        clock: the local wall clock, aware (injectable).
    """

    def __init__(
        self,
        refresher: Refresher,
        publisher: Publisher,
        *,
        interval_s: float = 60,
        heartbeat_s: float = DEFAULT_HEARTBEAT_S,
        clock: Callable[[], datetime] = codec.utc_now,
    ) -> None:
        self.refresher = refresher
        self.publisher = publisher
        self.interval_s = interval_s
        self.heartbeat_s = heartbeat_s
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()  # publications and the health below
        self._health = _Health()
        self._snapshot: Snapshot | None = None
        self._redis_ok = False
        self._redis_warned = False
        self._dirty = True  # Redis lacks (or may lack) the current snapshot
        self._failures = 0
        self.polls = 0
        self.failed_polls = 0

    # -- control -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop soon (callable from any thread or a signal handler): aborts a poll in flight."""
        self._stop.set()
        self.refresher.client.cancel()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def run(self) -> None:
        """Poll and publish until :meth:`stop`; then remove the heartbeat.

        Raises:
            FirstPollRefused: the first poll failed for authentication (bad webhook).
        """
        beat = threading.Thread(target=self._heartbeat_loop, name="relay-heartbeat", daemon=True)
        self._restore()
        beat.start()
        try:
            self._poll_loop()
        finally:
            self._stop.set()
            beat.join(timeout=max(5.0, self.heartbeat_s * 2))
            try:
                self.publisher.clear_heartbeat()
                log.info("Relay stopped; heartbeat removed")
            except RelayError as exc:
                log.info("Relay stopped; the heartbeat expires by itself (%s)", exc.reason.value)

    # -- polling -----------------------------------------------------------------------------

    def _restore(self) -> None:
        """Go on from what an earlier run published, so desktops get a diff, not a reload."""
        try:
            previous = self.publisher.load_previous()
        except RelayError as exc:
            log.warning("Redis: %s; going on, will publish when it answers", exc)
            return
        if previous is not None and previous.snapshot.portal == self.refresher.client.portal:
            # Its data is as old as it is, not fresh: the heartbeat says so until a poll.
            age = max(0.0, (self._clock() - previous.snapshot.fetched_at).total_seconds())
            with self._lock:
                self._snapshot = previous.snapshot
                self._health = _Health(fetched_mono=time.monotonic() - age)
                self._dirty = False
                self._redis_ok = True
            log.info("Going on from version %d in Redis", previous.version)

    def _poll_loop(self) -> None:
        first = True
        while not self._stop.is_set():
            previous = self._snapshot if not first else None
            try:
                snapshot = self.refresher.refresh(previous)
            except Cancelled:
                return
            except ApiError as err:
                if first and self._snapshot is None and isinstance(err, AuthError):
                    raise FirstPollRefused(err) from None
                delay = self._on_failure(err)
            except Exception as exc:
                log.exception("Unexpected failure while refreshing")
                delay = self._on_failure(
                    ApiError(reason=Reason.UNEXPECTED, detail=type(exc).__name__)
                )
            else:
                first = False
                self._on_snapshot(snapshot)
                delay = self.interval_s
            self._stop.wait(delay)

    def _on_failure(self, err: ApiError) -> float:
        self.failed_polls += 1
        self._failures += 1
        kind = failure_kind(err)
        delay = float(
            MAX_BACKOFF_S
            if kind is FailureKind.AUTH
            else min(MAX_BACKOFF_S, 2 ** (self._failures - 1))
        )
        with self._lock:
            h = self._health
            self._health = _Health(
                status=codec.STATUS_STALE,
                since=h.since or self._clock(),
                reason=kind.value,
                message=redact_all(str(err))[:300],
                failure=err.failure,
                fetched_mono=h.fetched_mono,
            )
        log.warning("Refresh failed (%s): %s; next attempt in %.0f s", kind, err, delay)
        self._beat()
        return delay

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self.polls += 1
        if self._failures:
            log.info("The portal answers again after %d failed polls", self._failures)
        self._failures = 0
        with self._lock:
            self._snapshot = snapshot
            self._health = _Health(status=codec.STATUS_OK, fetched_mono=time.monotonic())
            try:
                self._publish_current()
            except RelayError as exc:
                self._lost_redis(exc)
        self._beat()
        release_free_memory()

    def _publish_current(self) -> None:
        """Publish the current snapshot as a diff from what desktops hold (the last version
        written), or whole when nothing was; the same snapshot again keeps its version.
        Called with the lock held."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        published = self.publisher.published
        if published is None or snapshot is published:
            self.publisher.publish_snapshot(snapshot)
        else:
            self.publisher.publish_diff(
                snapshot, diff_snapshots(published.colleagues, snapshot.colleagues)
            )
        self._dirty = False
        self._redis_ok = True

    # -- heartbeat ---------------------------------------------------------------------------

    def _lost_redis(self, exc: RelayError) -> None:
        if self._redis_ok or not self._redis_warned:
            log.warning("Redis: %s; reconnecting", exc)
            self._redis_warned = True
        self._redis_ok = False
        self._dirty = True

    def _heartbeat_text(self) -> tuple[str, int]:
        h = self._health
        ttl_ms = int(self.heartbeat_s * HEARTBEAT_TTL_PERIODS * 1000)
        age = None if h.fetched_mono is None else round(time.monotonic() - h.fetched_mono, 3)
        text = codec.encode_heartbeat(
            status=h.status,
            since=h.since,
            reason=h.reason,
            message=h.message,
            failure=h.failure,
            interval_s=float(self.interval_s),
            period_s=float(self.heartbeat_s),
            ttl_ms=ttl_ms,
            version=self.publisher.version,
            data_age_s=age,
        )
        return text, ttl_ms

    def _beat(self) -> bool:
        """Write the heartbeat, republishing first if Redis lost the snapshot. True if done."""
        with self._lock:
            try:
                if self._dirty and self._snapshot is not None:
                    self._publish_current()
                    if self._redis_warned:
                        log.info("Redis answers again; snapshot republished")
                text, ttl_ms = self._heartbeat_text()
                if not self.publisher.heartbeat(text, ttl_ms) and self._snapshot is not None:
                    # Redis restarted (without persistence) between two heartbeats.
                    log.info("Redis lost the snapshot; republishing")
                    self._publish_current()
            except RelayError as exc:
                if exc.reason in (RelayFailure.AUTH, RelayFailure.PERMISSION, RelayFailure.TLS):
                    log.error("Redis: %s", exc)
                self._lost_redis(exc)
                return False
            self._redis_ok = True
            self._redis_warned = False
            return True

    def _heartbeat_loop(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            if self._beat():
                delay = self.heartbeat_s
            else:
                delay = min(self.heartbeat_s, max(REDIS_BACKOFF_START_S, delay * 2))
