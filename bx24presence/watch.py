"""Watching colleagues: who is available among them, and when to tell the user (the one
home of the alert rules and of the silent baseline).

The rules (pure, clocks injected):

* "available" means online or on mobile, and not on vacation; do not disturb is not
  available.
* A colleague with a notification rule triggers an alert when they go from not available to
  available between two observations.
* Never a flood: an observation is a silent baseline when it is the first one of a session
  (start, reconnect, another portal: :meth:`Watcher.reset`), when the data stream had a gap
  (cached data, the first data after failed refreshes: the poller says so), or when the
  computer slept since the last one (the wall clock moved further than the monotonic
  clock, which stops during suspend, by more than twice the poll interval, at least a
  minute: :class:`SleepDetector`, checked at each observation and by a timer between
  them). When several colleagues become available at once, one summary replaces the
  individual alerts; nothing is said while the user's own status is do not disturb.
* A rule of mode ``once`` fires once and is spent; ``until_end_of_day`` rules expire at
  the end of the local day they were set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bx24presence.domain import Colleague, Snapshot
from bx24presence.presence import is_available  # the one definition (used below, re-exported)
from bx24presence.settings.model import NotifyRule

#: More alerts than this at once become one summary.
SUMMARY_ABOVE = 3


@dataclass(frozen=True)
class Alert:
    """What to tell the user: one colleague, or a summary of several (``colleagues``)."""

    colleagues: tuple[Colleague, ...]

    @property
    def is_summary(self) -> bool:
        """Whether this stands for several colleagues."""
        return len(self.colleagues) > 1


@dataclass
class WatchResult:
    """The outcome of one observation.

    Attributes:
        alerts: what to show (at most one summary, or a few single alerts).
        spent: colleague ids whose rules were used up or expired (remove them).
        baseline: whether this observation was silent by rule.
    """

    alerts: list[Alert] = field(default_factory=list)
    spent: set[int] = field(default_factory=set)
    baseline: bool = False


def rule_expired(rule: NotifyRule, now: datetime) -> bool:
    """Whether an ``until_end_of_day`` rule's day is over (local time)."""
    if not rule.until_end_of_day or not rule.since:
        return False
    try:
        since = datetime.fromisoformat(rule.since)
    except ValueError:
        return False
    if since.tzinfo is None:
        since = since.astimezone()
    end = datetime.combine(
        since.astimezone(now.tzinfo).date() + timedelta(days=1),
        datetime.min.time(),
        tzinfo=now.tzinfo,
    )
    return now >= end


#: A sleep is a clock gap longer than this many poll intervals (and than MIN_SLEEP_S).
SLEEP_INTERVALS = 2
MIN_SLEEP_S = 60.0


class SleepDetector:
    """Notices that the computer slept: the wall clock moved further than the monotonic
    clock, which stops during suspend.

    Args:
        threshold_s: The smallest gap that counts as a sleep.
        wall: Seconds of the wall clock.
        mono: Seconds of the monotonic clock.
    """

    def __init__(
        self,
        threshold_s: float = MIN_SLEEP_S,
        *,
        wall: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold_s = threshold_s
        self._wall, self._mono = wall, mono
        self._last = (wall(), mono())

    def check(self) -> float | None:
        """The gap in seconds when the computer slept since the last check, else None."""
        wall, mono = self._wall(), self._mono()
        gap = (wall - self._last[0]) - (mono - self._last[1])
        self._last = (wall, mono)
        return gap if gap > self.threshold_s else None


class Watcher:
    """Remembers who was available and decides what to say about the next snapshot.

    Args:
        clock: the local wall clock, aware.
        interval_s: the poll interval (a sleep is a clock gap longer than two of them).
        mono: the monotonic clock, in seconds.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        interval_s: int = 60,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._sleep = SleepDetector(wall=lambda: self._clock().timestamp(), mono=mono)
        self._available: set[int] | None = None
        self.interval_s = interval_s

    @property
    def interval_s(self) -> int:
        """The poll interval; sets the sleep threshold."""
        return self._interval_s

    @interval_s.setter
    def interval_s(self, seconds: int) -> None:
        self._interval_s = seconds
        self._sleep.threshold_s = max(MIN_SLEEP_S, SLEEP_INTERVALS * float(seconds))

    @property
    def waiting_for_baseline(self) -> bool:
        """Whether the next observation is a silent baseline because nothing is known."""
        return self._available is None

    def reset(self) -> None:
        """Forget what was known (a new session, a reconnect): the next observation is a
        baseline."""
        self._available = None

    def check_sleep(self) -> float | None:
        """Whether the computer slept since the last check or observation: the gap in
        seconds (the next observation is then a baseline), or None."""
        gap = self._sleep.check()
        if gap is not None:
            self._available = None
        return gap

    def observe(
        self,
        snapshot: Snapshot,
        rules: Mapping[int, NotifyRule],
        *,
        baseline: bool = False,
        own_dnd: bool = False,
    ) -> WatchResult:
        """Compare ``snapshot`` with the last one and decide the alerts.

        Args:
            snapshot: The data now.
            rules: Notification rules by colleague id.
            baseline: The data stream had a gap (the poller's ``SnapshotReady.baseline``:
                its first data, cached data, the first data after failures).
            own_dnd: The user's own status is do not disturb.
        """
        now = self._clock()
        today = now.date()
        result = WatchResult()
        for cid, rule in rules.items():
            if rule_expired(rule, now):
                result.spent.add(cid)
        self.check_sleep()
        available = {c.id for c in snapshot.colleagues if is_available(c, today)}
        previous = self._available
        self._available = available
        if baseline or previous is None:
            result.baseline = True
            return result
        if own_dnd:
            return result
        by_id = snapshot.by_id()
        arrived = [
            by_id[cid]
            for cid in sorted(available - previous)
            if cid in rules and cid not in result.spent and cid in by_id
        ]
        for c in arrived:
            if rules[c.id].mode == "once":
                result.spent.add(c.id)
        if len(arrived) > SUMMARY_ABOVE:
            result.alerts.append(Alert(tuple(arrived)))
        else:
            result.alerts.extend(Alert((c,)) for c in arrived)
        return result


def watched_counts(
    snapshot: Snapshot | None, watched: Iterable[int], today: date
) -> tuple[int, int]:
    """How many watched colleagues are available, and how many are watched (present)."""
    if snapshot is None:
        return 0, 0
    by_id = snapshot.by_id()
    present = [by_id[i] for i in watched if i in by_id]
    return sum(1 for c in present if is_available(c, today)), len(present)
