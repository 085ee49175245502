"""The infrastructure around the demo portal: the request-rate limit and injected faults."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

FAULT_KINDS = frozenset(
    {
        "500",
        "502-html",
        "503-html",
        "503-limit",
        "429",
        "drop",
        "hang",
        "slow",
        "truncated",
        "access-denied",
        "insufficient-scope",
        "not-json",
    }
)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A leaky bucket: ``burst`` requests at once, draining ``per_second`` (docs/bitrix24-api.md
    §5.1).

    The defaults are those of every plan but Enterprise; :meth:`enterprise` gives 250 and 5.
    """

    burst: int = 50
    per_second: float = 2.0

    @classmethod
    def enterprise(cls) -> RateLimit:
        """The Enterprise plan's bucket."""
        return cls(burst=250, per_second=5.0)


DEFAULT_RATE_LIMIT = RateLimit()


class LeakyBucket:
    """One bucket per client IP; a whole batch is one HTTP request and so counts once."""

    def __init__(self, limit: RateLimit) -> None:
        """Start with every bucket empty."""
        self._limit = limit
        self._levels: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def admit(self, client: str) -> bool:
        """Count one request from ``client``; ``False`` when the bucket would overflow."""
        now = time.monotonic()
        with self._lock:
            level, since = self._levels.get(client, (0.0, now))
            level = max(0.0, level - (now - since) * self._limit.per_second)
            if level + 1 > self._limit.burst:
                self._levels[client] = (level, now)
                return False
            self._levels[client] = (level + 1, now)
            return True


@dataclass(frozen=True, slots=True)
class _Pending:
    kind: str
    method: str | None


class FaultInjector:
    """Failures a test or a demo orders for the next REST requests.

    ``latency`` delays every REST request. :meth:`fail` queues ``count`` failures of one
    kind for the next requests (of ``method`` only, when given), in order; :meth:`every`
    fails every n-th request for as long as it runs, taking kinds in turn. The kinds:

    - ``"500"``: 500 ``INTERNAL_SERVER_ERROR`` as JSON;
    - ``"502-html"``, ``"503-html"``: an HTML page from a proxy (docs/bitrix24-api.md, edge cases);
    - ``"503-limit"``: 503 ``QUERY_LIMIT_EXCEEDED``;
    - ``"429"``: 429 ``OPERATION_TIME_LIMIT``;
    - ``"drop"``: the connection closes without any answer;
    - ``"hang"``: the answer comes after ``hang_s`` seconds (or never, if the portal stops);
    - ``"slow"``: the same, after ``slow_s`` seconds: a slow server rather than a stuck one;
    - ``"truncated"``: the real answer, cut off in the middle of its JSON (a 200 whose
      ``Content-Length`` matches the shortened body, as from a proxy that gave up);
    - ``"access-denied"``: 401 ``ACCESS_DENIED``, a plan without REST;
    - ``"insufficient-scope"``: 401 ``insufficient_scope``;
    - ``"not-json"``: 200 with an HTML body.
    """

    def __init__(self) -> None:
        """No latency and nothing queued."""
        self._lock = threading.Lock()
        self._queue: deque[_Pending] = deque()
        self._latency = 0.0
        self._every = 0
        self._cycle: tuple[str, ...] = ()
        self._seen = 0
        self._turn = 0
        self.hang_s = 30.0
        self.slow_s = 3.0

    @property
    def latency(self) -> float:
        """Seconds added to every REST request."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = max(0.0, float(seconds))

    def fail(self, kind: str, count: int = 1, method: str | None = None) -> None:
        """Queue ``count`` failures of ``kind`` for the next requests (of ``method``)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        wanted = method.lower() if method else None
        with self._lock:
            self._queue.extend(_Pending(kind, wanted) for _ in range(count))

    def every(self, n: int, kinds: Iterable[str]) -> None:
        """Fail every ``n``-th REST request from now on, with ``kinds`` in turn (0 stops it)."""
        cycle = tuple(kinds)
        unknown = sorted(set(cycle) - FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; known: {sorted(FAULT_KINDS)}")
        if n < 0 or (n and not cycle):
            raise ValueError("every() needs n >= 0 and at least one kind")
        with self._lock:
            self._every, self._cycle, self._seen, self._turn = n, cycle, 0, 0

    @property
    def injected(self) -> int:
        """How many failures :meth:`every` has injected so far."""
        with self._lock:
            return self._turn

    def clear(self) -> None:
        """Forget queued failures, the schedule of :meth:`every` and the latency."""
        with self._lock:
            self._queue.clear()
            self._latency = 0.0
            self._every, self._cycle, self._seen, self._turn = 0, (), 0, 0

    @property
    def pending(self) -> int:
        """How many failures are still queued."""
        with self._lock:
            return len(self._queue)

    def take(self, method: str) -> str | None:
        """The failure for this request: the first queued one that matches ``method`` (removed),
        else the scheduled one when this is an n-th request, else ``None``."""
        with self._lock:
            for item in self._queue:
                if item.method is None or item.method == method:
                    self._queue.remove(item)
                    return item.kind
            if self._every:
                self._seen += 1
                if self._seen % self._every == 0:
                    kind = self._cycle[self._turn % len(self._cycle)]
                    self._turn += 1
                    return kind
        return None
