"""Worker threads for the avatar store: host checks (they resolve names) and decoding."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Failed:
    """The result of a job that raised (logged where it happened)."""


FAILED = Failed()


class Pool(QObject):
    """Daemon threads that run one function over submitted values, in submission order.

    Results come back as the ``done`` signal, queued to the thread that owns the pool.
    Tokens and values must not be QObjects: the last reference to one dropped here would
    destroy it in the wrong thread (and deadlock on the interpreter lock). The threads are
    daemon ``threading.Thread``\\ s, not QThreads: a QThread destroyed while still running
    aborts the process, a daemon thread can be abandoned (a name lookup that hangs cannot
    hold up the app's exit). Nothing is emitted once :meth:`close` was called.

    Signals:
        done(object): ``(token, result)``; the result is :data:`FAILED` when the job raised.
    """

    done = Signal(object)

    def __init__(
        self,
        name: str,
        work: Callable[[Any], Any],
        *,
        threads: int = 1,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._jobs: queue.SimpleQueue[tuple[object, Any] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True)
            for i in range(max(1, threads))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, token: object, value: Any) -> None:
        """Run the work on ``value``; ``done`` carries ``token`` back with the result.

        Raises:
            TypeError: ``token`` or ``value`` is, or directly holds, a QObject.
        """
        for part in (token, value):
            if any(
                isinstance(x, QObject) for x in (part, *(part if isinstance(part, tuple) else ()))
            ):
                raise TypeError("a QObject must not reach a worker thread")
        if not self._closed.is_set():
            self._jobs.put((token, value))

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
            self.done.emit((token, result))
            del item, token, value, result  # nothing held while waiting for the next job
