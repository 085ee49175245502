"""Client-side rate limiting (a leaky bucket like the portal's) and retry backoff."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class LeakyBucket:
    """Keeps requests within the portal's limit so the client itself never causes a 503.

    Bitrix24 drains 2 requests per second and refuses beyond a level of 50 (250 and 5 on the
    Enterprise plan); a batch counts as one request. The bucket mirrors that: each request
    adds one unit, the level drains at ``rate`` per second, and a request that would
    overflow ``burst`` waits.

    The portal's real limit may be tighter (other apps on the same IP share it, or a
    self-hosted portal is configured differently). When it still answers 503,
    :meth:`penalize` halves the rate and allows no burst; each success (:meth:`reward`)
    wins back 10 % of the rate and one unit of burst, up to the configured values.

    Args:
        rate: units drained per second.
        burst: the level at which requests start to wait.
        clock: monotonic seconds (injectable for tests).
        min_rate: the slowest :meth:`penalize` goes.
    """

    def __init__(
        self,
        rate: float = 2.0,
        burst: int = 50,
        clock: Callable[[], float] = time.monotonic,
        min_rate: float = 0.05,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.max_rate = self.rate = rate
        self.max_burst = self.burst = burst
        self.min_rate = min(min_rate, rate)
        self._clock = clock
        self._level = 0.0
        self._stamp = clock()
        self._lock = threading.Lock()

    def _drain(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._stamp) * self.rate)
        self._stamp = now

    def reserve(self) -> float:
        """Take a slot and return how many seconds to wait before sending (0 when free)."""
        with self._lock:
            now = self._clock()
            self._drain(now)
            wait = max(0.0, (self._level + 1 - self.burst) / self.rate)
            self._level += 1
            return wait

    def penalize(self) -> None:
        """The portal refused a request for its rate limit: slow down."""
        with self._lock:
            self._drain(self._clock())
            self.rate = max(self.min_rate, self.rate / 2)
            self.burst = 1
            self._level = max(self._level, 1.0)

    def reward(self) -> None:
        """A request went through: recover towards the configured rate and burst."""
        if self.rate == self.max_rate and self.burst == self.max_burst:
            return
        with self._lock:
            self._drain(self._clock())
            self.rate = min(self.max_rate, self.rate * 1.1)
            self.burst = min(self.max_burst, self.burst + 1)

    @property
    def level(self) -> float:
        """The current level (for tests and diagnostics)."""
        with self._lock:
            self._drain(self._clock())
            return self._level


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry transient failures.

    Exponential backoff with full jitter: attempt ``n`` (from 1) waits a random time in
    ``[base * 2**(n-1) / 2, base * 2**(n-1)]``, capped at ``cap``. ``max_wait`` bounds a wait
    for a 429 operating limit; a longer one gives up instead.
    """

    attempts: int = 5
    base: float = 1.0
    cap: float = 60.0
    max_wait: float = 120.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 = the first retry)."""
        top = min(self.cap, self.base * 2 ** (attempt - 1))
        r = (rng or random).random()
        return top / 2 + r * top / 2
