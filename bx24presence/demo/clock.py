"""The demo portal's controllable clock: real time plus an offset, or frozen."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


class DemoClock:
    """The portal's idea of "now", in the portal's own timezone.

    By default it follows real time. Tests move it with :meth:`advance` or :meth:`set`, stop
    it with :meth:`freeze`, or make it run faster than real time with :attr:`speed` (a soak
    test lives through a working day in minutes), so that users cross the online window
    without waiting. Everything
    the portal computes about presence and every ``time.date_finish`` it sends comes from here,
    as a real portal's answers come from the server's clock (docs/bitrix24-api.md §2.6).

    Thread-safe: the HTTP threads read it while a test moves it.
    """

    def __init__(self, tz_offset_minutes: int = 180) -> None:
        """Start at real time in a timezone ``tz_offset_minutes`` east of UTC."""
        self._tz = timezone(timedelta(minutes=tz_offset_minutes))
        # Now is _anchor_sim + (real now - _anchor_real) * _speed.
        self._anchor_real = time.time()
        self._anchor_sim = self._anchor_real
        self._speed = 1.0
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    @property
    def tz(self) -> timezone:
        """The portal's fixed timezone (PHP ``date('c')`` prints this offset)."""
        return self._tz

    @property
    def tz_offset_s(self) -> int:
        """The timezone's offset east of UTC, in seconds."""
        offset = self._tz.utcoffset(None)
        return int(offset.total_seconds())

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still."""
        with self._lock:
            return self._frozen_at is not None

    @property
    def speed(self) -> float:
        """Simulated seconds per real second (1 by default)."""
        with self._lock:
            return self._speed

    @speed.setter
    def speed(self, factor: float) -> None:
        if not factor > 0:
            raise ValueError(f"the clock's speed must be positive, not {factor!r}")
        with self._lock:
            self._reanchor(self._running_now())
            self._speed = float(factor)

    def timestamp(self) -> float:
        """Now, as a Unix timestamp."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return self._running_now()

    def _running_now(self) -> float:
        return self._anchor_sim + (time.time() - self._anchor_real) * self._speed

    def _reanchor(self, simulated: float) -> None:
        self._anchor_real = time.time()
        self._anchor_sim = simulated

    def now(self) -> datetime:
        """Now, as an aware datetime in the portal timezone."""
        return datetime.fromtimestamp(self.timestamp(), self._tz)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative number)."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._anchor_sim += seconds

    def set(self, when: datetime) -> None:
        """Jump to ``when``; a naive datetime is read in the portal timezone."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=self._tz)
        target = when.timestamp()
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = target
            else:
                self._reanchor(target)

    def freeze(self) -> None:
        """Stop the clock at the current moment."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = self._running_now()

    def resume(self) -> None:
        """Let a frozen clock run again from where it stands."""
        with self._lock:
            if self._frozen_at is not None:
                self._reanchor(self._frozen_at)
                self._frozen_at = None

    def iso(self, timestamp: float | None = None) -> str:
        """PHP ``date('c')`` of ``timestamp`` (default: now): ``2026-03-02T09:30:00+03:00``."""
        return format_iso(self.timestamp() if timestamp is None else timestamp, self._tz)


def format_iso(timestamp: float, tz: timezone) -> str:
    """PHP ``date('c')``: whole seconds and a ``±hh:mm`` offset (docs/bitrix24-api.md §1.3)."""
    return datetime.fromtimestamp(int(timestamp), tz).isoformat()
