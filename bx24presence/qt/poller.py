"""The poller: a worker QObject in its own QThread that refreshes snapshots on a timer."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from bx24presence.api.errors import (
    ApiError,
    Cancelled,
    Reason,
)
from bx24presence.cache import iter_snapshot, save_snapshot
from bx24presence.domain import Snapshot, SnapshotDiff, diff_snapshots
from bx24presence.failures import FailureKind, failure_kind, sentence
from bx24presence.memory import release_free_memory
from bx24presence.qt.heap import first_load
from bx24presence.qt.list.keys import SortKeys, compute_keys
from bx24presence.qt.poll_events import DeadlineExceeded, EmptyAnswer, PollFailed, SnapshotReady
from bx24presence.qt.poll_thread import PollerThread, _Watchdog
from bx24presence.qt.relayfeed import RelayFeed

if TYPE_CHECKING:
    from bx24presence.relay.source import RelaySource
    from bx24presence.sync import Refresher

log = logging.getLogger(__name__)

__all__ = [
    "MAX_BACKOFF_S",
    "MIN_INTERVAL_S",
    "POLL_DEADLINE_S",
    "SAVE_EVERY_S",
    "WATCHDOG_GRACE_S",
    "DeadlineExceeded",
    "EmptyAnswer",
    "PollFailed",
    "Poller",
    "PollerThread",
    "SnapshotReady",
]

MIN_INTERVAL_S = 15
MAX_BACKOFF_S = 300
SAVE_EVERY_S = 300
#: The most one refresh may take, retries included; then it ends and is reported.
POLL_DEADLINE_S = 30.0
#: Past the deadline, how long the refresh may take to end by itself before the watchdog
#: abandons it (a backstop: the client enforces the deadline).
WATCHDOG_GRACE_S = 5.0


class Poller(QObject):
    """Refreshes in its own thread; never touches widgets.

    The timer is re-armed only after a refresh finishes, so refreshes never overlap. After a
    failure the delay doubles from 1 s up to the poll interval (so the data comes back
    within one interval of the portal's return; up to 5 minutes when the portal asks to
    slow down); an authentication failure stops polling until :meth:`refresh_now`.

    Each refresh has a total deadline (``deadline_s``), passed to the refresher: past it the
    refresh ends as a ``timeout`` failure. As a backstop, a watchdog abandons a refresh that
    is still running a few seconds later (its client is cancelled for good, so a new one is
    built for the next refresh; this needs a refresher factory). An empty answer never
    replaces the data nor the cache: it is reported as a ``protocol`` failure.

    Signals:
        snapshot_ready(SnapshotReady): new data.
        poll_failed(PollFailed): a refresh failed; the last data stays.
        poll_started(): a refresh began (for a busy indicator).
        own_status_set(str): the portal accepted the user's new own status.
        own_status_failed(str): setting the own status failed (a sentence).
        status_requested(str): ask to set the own status (emit from any thread).
        refresh_requested(): ask for a refresh now (emit from any thread).
        interval_requested(int): ask for a new poll interval in seconds (from any thread).
        online_window_requested(int): ask for a new online window in seconds (any thread).
    """

    snapshot_ready = Signal(object)
    poll_failed = Signal(object)
    poll_started = Signal()
    own_status_set = Signal(str)
    own_status_failed = Signal(str)
    # Emitted from any thread; delivered in the poller's thread (queued).
    status_requested = Signal(str)
    refresh_requested = Signal()
    interval_requested = Signal(int)
    online_window_requested = Signal(int)

    def __init__(
        self,
        refresher: Refresher | Callable[[], Refresher],
        *,
        portal: str = "",
        interval_s: int = 60,
        cache_path: Path | None = None,
        clock: Callable[[], datetime] | None = None,
        collate: Callable[[list[str]], list[int]] | None = None,
        deadline_s: float | None = None,
        relay: Callable[[], RelaySource] | None = None,
        apply_wait_s: float = 0.0,
    ) -> None:
        super().__init__()
        # Set by the window once it has applied the last snapshot (see applied()).
        self._applied = threading.Event()
        self._applied.set()
        self._apply_wait_s = apply_wait_s
        # A factory is called in the worker thread, so that the HTTP stack is imported and
        # built there, after the cached snapshot has been sent to the window.
        self._make_refresher = refresher if callable(refresher) else None
        self._refresher: Refresher | None = None if callable(refresher) else refresher
        self._portal = portal or (self._refresher.client.portal if self._refresher else "")
        self._cancelled = False
        self._window_s: int | None = None
        self._hot_ids: frozenset[int] = frozenset()
        self._interval_s = max(MIN_INTERVAL_S, interval_s)
        self._cache_path = cache_path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._collate = collate
        self._timer: QTimer | None = None
        self._snapshot: Snapshot | None = None
        self._failures = 0
        self._failing_since: datetime | None = None
        self._stopped = False
        self._baseline_next = True
        self._keys: SortKeys | None = None
        self._saved_at = 0.0
        # None: the module's POLL_DEADLINE_S (read now, so tests can shorten it); 0: none.
        self._deadline_s = POLL_DEADLINE_S if deadline_s is None else deadline_s
        self._lock = threading.Lock()
        self._token = 0
        self._in_flight = 0  # the token of the refresh in flight, 0 when none
        self._expired = False
        # Lives in the GUI thread (it is not a child, so it stays there when the poller
        # moves). Only with a factory: a cancelled client cannot be reused.
        self._watchdog: _Watchdog | None = None
        if self._deadline_s and self._make_refresher is not None and QCoreApplication.instance():
            self._watchdog = _Watchdog(self._on_deadline)
        self.status_requested.connect(self.set_own_status)
        self.refresh_requested.connect(self.refresh_now)
        self.interval_requested.connect(self.set_interval)
        self.online_window_requested.connect(self.set_online_window)
        #: The office relay: while it is followed, it takes the timer's ticks (no portal poll).
        self.relay = RelayFeed(self, relay)

    # -- slots (run in the worker thread) ---------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Emit the cached snapshot, if any, then refresh."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)
        if self._cache_path is not None:
            try:
                for cached, partial in iter_snapshot(self._cache_path, self._portal):
                    self._emit(cached, from_cache=True, partial=partial)
            except Exception:  # never fatal: polling starts without the cache
                log.exception("Could not use the snapshot cache")
                self._snapshot = None
                self._keys = None
        self._timer.start(0)

    def refresher(self) -> Refresher:
        """The refresher, built on first use (in the worker thread)."""
        if self._refresher is None:
            if self._make_refresher is None:
                raise RuntimeError("the poller has neither a refresher nor a factory")
            self._refresher = self._make_refresher()
            if self._window_s is not None:
                self._refresher.window_s = self._window_s
            self._refresher.set_hot_ids(self._hot_ids)
            if self._cancelled:
                self._refresher.client.cancel()
        return self._refresher

    @Slot()
    def refresh_now(self) -> None:
        """Refresh at once (also resumes polling stopped by an authentication failure)."""
        if self._stopped or self._timer is None:
            return
        self._timer.start(0)

    @Slot(int)
    def set_interval(self, seconds: int) -> None:
        """Change the interval; takes effect after the next refresh."""
        self._interval_s = max(MIN_INTERVAL_S, seconds)

    @Slot(str)
    def set_own_status(self, status: str) -> None:
        """Set the webhook user's own status on the portal (``im.user.status.set``)."""
        if self._stopped:
            return
        try:
            self.refresher().client.call("im.user.status.set", {"STATUS": status})
        except Cancelled:
            return
        except ApiError as err:
            log.warning("Setting the own status failed: %s", err)
            self.own_status_failed.emit(sentence(err))
            return
        log.info("Own status set to %s", status)
        self.own_status_set.emit(status)

    @Slot(int)
    def set_online_window(self, seconds: int) -> None:
        """Change the online window; the next refresh derives presence with it."""
        self._window_s = seconds
        if self._refresher is not None:
            self._refresher.window_s = seconds

    def set_hot_ids(self, ids: Iterable[int]) -> None:
        """The colleagues on screen and watched: each steady poll re-reads their details
        (callable from any thread; see ``Refresher.set_hot_ids``)."""
        self._hot_ids = frozenset(ids)
        refresher = self._refresher
        if refresher is not None:
            refresher.set_hot_ids(self._hot_ids)

    def applied(self) -> None:
        """The window has applied the last snapshot and painted it (callable from any
        thread): the cache may be written now. Writing 10,000 colleagues while the GUI
        thread applies them made both share the interpreter lock, a 30-40 ms stall."""
        self._applied.set()

    def cancel(self) -> None:
        """Abort the request in flight and refuse new ones (callable from any thread)."""
        self._cancelled = True
        self._applied.set()
        self.relay.cancel()
        refresher = self._refresher
        if refresher is not None:
            refresher.client.cancel()

    @Slot()
    def stop(self) -> None:
        """Stop the timer (in this thread, where it lives) and end the thread's event loop."""
        self._stopped = True
        self.relay.stop()
        if self._timer is not None:
            self._timer.stop()
        if self._watchdog is not None:
            self._watchdog.disarmed.emit(self._token)
        self.thread().quit()

    def _on_deadline(self, token: int) -> None:
        """The watchdog fired (in the GUI thread): end the refresh ``token`` if it still runs."""
        with self._lock:
            if self._stopped or self._cancelled or token != self._in_flight:
                return
            self._expired = True
            refresher = self._refresher
        log.warning("A refresh passed its %g s deadline; abandoning it", self._deadline_s)
        if refresher is not None:
            refresher.client.cancel()  # thread-safe: aborts sockets, wakes sleeps

    # -- internals ---------------------------------------------------------------------------

    def _emit(
        self, snap: Snapshot, *, from_cache: bool = False, partial: bool = False
    ) -> SnapshotDiff:
        old = self._snapshot
        diff = diff_snapshots(old.colleagues if old is not None else (), snap.colleagues)
        keys = compute_keys(
            snap,
            self._collate,
            previous=self._keys,
            diff=diff,
            previous_departments=old.departments if old is not None else None,
        )
        self._keys = keys
        self._applied.clear()
        baseline = from_cache or self._baseline_next
        self._baseline_next = from_cache
        self._snapshot = snap
        self.snapshot_ready.emit(
            SnapshotReady(
                snapshot=snap,
                diff=diff,
                keys=keys,
                from_cache=from_cache,
                baseline=baseline,
                partial=partial,
            )
        )
        return diff

    @Slot()
    def _poll(self) -> None:
        if self._stopped or self.relay.tick():
            return
        self.poll_started.emit()
        previous = self._snapshot
        with self._lock:
            self._token += 1
            token = self._in_flight = self._token
            self._expired = False
        if self._watchdog is not None and self._deadline_s:
            backstop = self._deadline_s + WATCHDOG_GRACE_S
            self._watchdog.armed.emit(token, round(backstop * 1000))
        try:
            refresher = self.refresher()
            if previous is not None and previous.portal != refresher.client.portal:
                previous = None
            with first_load() if previous is None else nullcontext():
                snap = refresher.refresh(previous, deadline_s=self._deadline_s or None)
            if not snap.colleagues:
                raise EmptyAnswer(host=urlsplit(self._portal).hostname or "")
        except Cancelled:
            if not self._end_expired():
                return
            self._on_failure(
                DeadlineExceeded(
                    deadline_s=self._deadline_s, host=urlsplit(self._portal).hostname or ""
                )
            )
            return
        except ApiError as err:
            self._end_expired()
            self._on_failure(err)
            return
        except Exception as exc:
            self._end_expired()
            log.exception("Unexpected failure while refreshing")
            self._on_failure(ApiError(reason=Reason.UNEXPECTED, detail=type(exc).__name__))
            return
        finally:
            with self._lock:
                self._in_flight = 0
            if self._watchdog is not None:
                self._watchdog.disarmed.emit(token)
        if self._end_expired():
            # The deadline passed just as the answer came: the answer is good, keep it.
            log.info("A refresh finished at its deadline")
        if self._failures:
            self._baseline_next = True  # a reconnect is a silent baseline
        self._failures = 0
        self._failing_since = None
        with first_load() if previous is None else nullcontext():
            diff = self._emit(snap)
        self._save(snap, membership_changed=bool(diff.added or diff.removed))
        release_free_memory()
        if not self._stopped and self._timer is not None:
            self._timer.start(self._interval_s * 1000)

    def _end_expired(self) -> bool:
        """Whether the refresh that just ended had passed its deadline; if so, its client
        (cancelled for good) is closed and the next refresh builds a new one."""
        with self._lock:
            expired, self._expired = self._expired, False
            if not expired or self._cancelled:
                return False
            refresher, self._refresher = self._refresher, None
        if refresher is not None:
            try:
                refresher.client.close()
            except Exception:
                log.debug("Closing an abandoned client failed", exc_info=True)
        return True

    def _save(self, snap: Snapshot, *, membership_changed: bool) -> None:
        """Keep the cache recent enough to open with, without writing 10,000 colleagues on
        every poll: after arrivals or departures, else every few minutes."""
        if self._cache_path is None:
            return
        now = time.monotonic()
        if membership_changed or not self._saved_at or now - self._saved_at >= SAVE_EVERY_S:
            order = self._keys.order if self._keys is not None else ()
            if self._apply_wait_s:
                self._applied.wait(self._apply_wait_s)
            try:
                save_snapshot(snap, self._cache_path, order=order)
            except Exception:  # never fatal: the cache is a convenience
                log.exception("Could not save the snapshot cache")
            self._saved_at = now

    def _on_failure(self, err: ApiError) -> None:
        now = self._clock()
        self._failures += 1
        self._failing_since = self._failing_since or now
        kind = failure_kind(err)
        backoff = 2 ** min(self._failures - 1, 16)
        if kind is FailureKind.AUTH:
            retry: int | None = None
        elif kind is FailureKind.RATE:
            retry = min(MAX_BACKOFF_S, backoff)
            reset_at = getattr(err, "reset_at", None)
            if isinstance(reset_at, int | float) and reset_at > 0:
                # OPERATION_TIME_LIMIT says when the method is free again (operating_reset_at).
                wait = math.ceil(reset_at - time.time())
                retry = min(MAX_BACKOFF_S, max(retry, wait))
        else:
            # Never longer than the interval: back within one interval of the portal's return.
            retry = max(1, min(MAX_BACKOFF_S, self._interval_s, backoff))
        log.warning("Refresh failed (%s): %s", kind, err)
        self.poll_failed.emit(
            PollFailed(
                kind=kind,
                message=str(err),
                at=now,
                retry_in_s=retry,
                since=self._failing_since,
                failure=err.failure,
            )
        )
        if retry is not None and not self._stopped and self._timer is not None:
            self._timer.start(retry * 1000)
