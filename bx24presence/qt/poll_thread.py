"""The poller's threading: the GUI-thread deadline watchdog and the worker thread's owner."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

if TYPE_CHECKING:
    from bx24presence.qt.poller import Poller

log = logging.getLogger("bx24presence.qt.poller")


class _Watchdog(QObject):
    """A timer in the GUI thread that ends a refresh stuck past its deadline.

    The poller's own thread is blocked inside the refresh, so its timers cannot fire; this
    object lives in the application's main thread, armed and disarmed through queued
    signals. Each refresh has a token, so a late timeout never ends the next refresh.
    """

    armed = Signal(int, int)  # token, milliseconds
    disarmed = Signal(int)  # token

    def __init__(self, on_expired: Callable[[int], None]) -> None:
        super().__init__()
        self._on_expired = on_expired
        self._token = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.armed.connect(self._on_armed)
        self.disarmed.connect(self._on_disarmed)

    @Slot(int, int)
    def _on_armed(self, token: int, ms: int) -> None:
        self._token = token
        self._timer.start(ms)

    @Slot(int)
    def _on_disarmed(self, token: int) -> None:
        if token == self._token:
            self._timer.stop()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._on_expired(self._token)


class PollerThread(QObject):
    """Owns the worker thread and the poller; starts, steers and joins them from the GUI."""

    def __init__(self, poller: Poller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.poller = poller
        self._thread = QThread()
        self._thread.setObjectName("bx24presence-poller")
        poller.moveToThread(self._thread)
        self._thread.started.connect(poller.start)
        self._thread.finished.connect(poller.deleteLater)

    def start(self) -> None:
        """Start the thread; the poller loads the cache and refreshes."""
        self._thread.start()

    def is_running(self) -> bool:
        """Whether the worker thread runs."""
        return self._thread.isRunning()

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Stop polling and join the thread, aborting a request in flight. True when joined."""
        if not self._thread.isRunning():
            return True
        self.poller.cancel()  # thread-safe: aborts sockets, wakes sleeps
        # Runs in the worker thread once the refresh in flight (now aborted) returns.
        QTimer.singleShot(0, self.poller, self.poller.stop)
        joined = self._thread.wait(timeout_ms)
        if not joined:
            log.error("The poller thread did not stop within %d ms", timeout_ms)
        return bool(joined)
