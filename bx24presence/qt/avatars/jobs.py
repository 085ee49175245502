"""The avatar store's bookkeeping: requests newest first, and failures with retry times."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

# (url, logical size in px, device pixel ratio rounded to 3 places)
Key = tuple[str, int, float]


class Failures:
    """URLs that failed and when each may be tried again; thread-safe.

    A download cut at its deadline may be a passing slowness: it is tried again after
    ``slow_retry_s``, at most ``slow_retries`` times; any other failure waits ``retry_s``.
    """

    def __init__(self, *, retry_s: float, slow_retry_s: float, slow_retries: int) -> None:
        self._lock = threading.Lock()
        self._retry_s = retry_s
        self._slow_retry_s = slow_retry_s
        self._slow_retries = slow_retries
        self._until: dict[str, float] = {}
        self._slow: dict[str, int] = {}

    def blocked(self, url: str) -> bool:
        """Whether ``url`` failed recently enough that it is not asked for again."""
        with self._lock:
            until = self._until.get(url)
            if until is None:
                return False
            if time.monotonic() < until:
                return True
            del self._until[url]
            return False

    def failed(self, url: str) -> None:
        """``url`` failed for good (for ``retry_s``)."""
        with self._lock:
            self._slow.pop(url, None)
            self._until[url] = time.monotonic() + self._retry_s

    def slow(self, url: str) -> None:
        """``url`` ran past its deadline."""
        with self._lock:
            count = self._slow.get(url, 0) + 1
            self._slow[url] = count
            wait = self._slow_retry_s if count <= self._slow_retries else self._retry_s
            self._until[url] = time.monotonic() + wait

    def succeeded(self, url: str) -> None:
        """``url`` loaded."""
        with self._lock:
            self._slow.pop(url, None)
            self._until.pop(url, None)


class Jobs:
    """Two thread-safe LIFO stacks of requests: urgent (on screen) before prefetch.

    The number of requests waiting is capped: rows long scrolled past are dropped first.
    """

    def __init__(self, limit: int) -> None:
        self._cv = threading.Condition()
        self._urgent: OrderedDict[Key, None] = OrderedDict()
        self._later: OrderedDict[Key, None] = OrderedDict()
        self._limit = limit
        self._closed = False

    def push(self, key: Key, *, urgent: bool) -> list[Key]:
        """Put a new ``key`` on top of its stack; returns the requests dropped to make room.

        The oldest requests are dropped, prefetch ones first (a closed queue drops ``key``).
        """
        with self._cv:
            if self._closed:
                return [key]
            (self._urgent if urgent else self._later)[key] = None
            dropped: list[Key] = []
            while len(self._urgent) + len(self._later) > self._limit:
                stack = self._later or self._urgent
                dropped.append(stack.popitem(last=False)[0])
            self._cv.notify()
            return dropped

    def promote(self, key: Key) -> None:
        """Move a waiting ``key`` to the top of the urgent stack (no-op once it is taken)."""
        with self._cv:
            if key in self._urgent:
                self._urgent.move_to_end(key)
            elif key in self._later:
                del self._later[key]
                self._urgent[key] = None

    def idle(self) -> bool:
        """Whether nothing is waiting."""
        with self._cv:
            return not self._urgent and not self._later

    def take(self) -> Key | None:
        """The most recent urgent request, else the most recent prefetch; None when none."""
        with self._cv:
            if self._closed or not (self._urgent or self._later):
                return None
            stack = self._urgent or self._later
            return stack.popitem(last=True)[0]

    def pop(self) -> Key | None:
        """The most recent urgent request, else the most recent prefetch; None once closed."""
        with self._cv:
            while not self._closed and not self._urgent and not self._later:
                self._cv.wait()
            if self._closed:
                return None
            stack = self._urgent or self._later
            return stack.popitem(last=True)[0]

    def close(self) -> None:
        """Wake the workers and make :meth:`pop` return None from now on."""
        with self._cv:
            self._closed = True
            self._urgent.clear()
            self._later.clear()
            self._cv.notify_all()
