"""Worker threads for the avatar store: host checks (they resolve names) and decoding."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)


class Failed:
    """The result of a job that raised (logged where it happened)."""


FAILED = Failed()


class Pool:
    """Daemon threads that run one function over submitted values; the owner drains results.

    The threads never touch a QObject, emit a signal or post an event: a worker holding the
    interpreter lock while it waits for one of Qt's internal locks, and the GUI thread
    holding that lock while it destroys an object and waits for the interpreter lock, is a
    deadlock. So results go into a plain queue that the GUI thread :meth:`drain`\\ s on a
    timer, and tokens and values must not be QObjects (the last reference to one, dropped
    in a worker, would destroy it there).

    The threads are daemon ``threading.Thread``\\ s, not QThreads: a QThread destroyed while
    still running aborts the process, a daemon thread can be abandoned (a name lookup that
    hangs cannot hold up the app's exit). Nothing more is queued once :meth:`close` was called.
    """

    def __init__(self, name: str, work: Callable[[Any], Any], *, threads: int = 1) -> None:
        self._work = work
        self._jobs: queue.SimpleQueue[tuple[object, Any] | None] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[tuple[object, Any]] = queue.SimpleQueue()
        self._closed = threading.Event()
        self.pending = 0  # submitted and not drained yet (the owner's thread only)
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True)
            for i in range(max(1, threads))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, token: object, value: Any) -> None:
        """Run the work on ``value``; :meth:`drain` gives ``token`` back with the result.

        Raises:
            TypeError: ``token`` or ``value`` is, or directly holds, a QObject.
        """
        for part in (token, value):
            inner = part if isinstance(part, tuple) else ()
            if any(isinstance(x, QObject) for x in (part, *inner)):
                raise TypeError("a QObject must not reach a worker thread")
        if not self._closed.is_set():
            self.pending += 1
            self._jobs.put((token, value))

    def drain(self, limit: int | None = None) -> list[tuple[object, Any]]:
        """The ``(token, result)`` pairs done since the last call, at most ``limit`` (the
        rest wait for the next call; the result is :data:`FAILED` when the work raised)."""
        out: list[tuple[object, Any]] = []
        while limit is None or len(out) < limit:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                break
        self.pending -= len(out)
        return out

    def close(self) -> None:
        """Drop what is waiting and end the threads once their job in hand is done."""
        self._closed.set()
        for _ in self._threads:
            self._jobs.put(None)

    def join(self, deadline: float) -> bool:
        """Wait for the threads until ``deadline`` (monotonic); True when all ended."""
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None and not self._closed.is_set():
            token, value = item
            try:
                result = self._work(value)
            except Exception:  # a bug must not kill the worker thread
                log.exception("Unexpected failure in an avatar worker")
                result = FAILED
            if self._closed.is_set():
                return
            self._results.put((token, result))
            del item, token, value, result  # nothing held while waiting for the next job
