"""Watching colleagues: who is available among them, and when to tell the user.

The rules (pure, clock injected):

* "available" means online or on mobile, and not on vacation; do not disturb is not
  available.
* A colleague with a notification rule triggers an alert when they go from not available to
  available between two observations.
* Never a flood: the first observation after start, after a reconnect and after the
  computer wakes from sleep (the wall clock jumped by more than twice the poll interval) is
  a silent baseline; when several colleagues become available at once, one summary
  replaces the individual alerts; nothing is said while the user's own status is do not
  disturb.
* A rule of mode ``once`` fires once and is spent; ``until_end_of_day`` rules expire at
  the end of the local day they were set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bx24presence.domain import Colleague, Snapshot
from bx24presence.presence import is_on_vacation
from bx24presence.settings import NotifyRule

#: More alerts than this at once become one summary.
SUMMARY_ABOVE = 3


def is_available(c: Colleague, today: date) -> bool:
    """Online or on mobile, and not on vacation."""
    return c.presence.is_available and not is_on_vacation(c.absent_until, today)


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


class Watcher:
    """Remembers who was available and decides what to say about the next snapshot.

    Args:
        clock: the local wall clock, aware.
        interval_s: the poll interval (a bigger jump of the wall clock means sleep).
    """

    def __init__(self, clock: Callable[[], datetime] | None = None, interval_s: int = 60) -> None:
        self._clock = clock or (lambda: datetime.now().astimezone())
        self.interval_s = interval_s
        self._available: set[int] | None = None
        self._last_seen: datetime | None = None

    def reset(self) -> None:
        """Forget what was known: the next observation is a baseline."""
        self._available = None

    def observe(
        self,
        snapshot: Snapshot,
        rules: Mapping[int, NotifyRule],
        *,
        baseline: bool = False,
        own_dnd: bool = False,
    ) -> WatchResult:
        """Compare ``snapshot`` with the last one and decide the alerts.

        ``baseline`` is set by the poller for the first data, cached data and the first
        data after failures.
        """
        now = self._clock()
        today = now.date()
        result = WatchResult()
        for cid, rule in rules.items():
            if rule_expired(rule, now):
                result.spent.add(cid)
        woke = (
            self._last_seen is not None
            and (now - self._last_seen).total_seconds() > 2 * self.interval_s
        )
        self._last_seen = now
        available = {c.id for c in snapshot.colleagues if is_available(c, today)}
        previous = self._available
        self._available = available
        if baseline or woke or previous is None:
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
