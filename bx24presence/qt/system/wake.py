"""Notices when the computer wakes from sleep: the wall clock jumps while the monotonic clock,
which stops during suspend, does not."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

CHECK_MS = 10_000


class WakeDetector(QObject):
    """Signals:
    woke(float): the computer was asleep for about this many seconds.
    """

    woke = Signal(float)

    def __init__(
        self,
        *,
        threshold_s: float = 60.0,
        wall: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.threshold_s = threshold_s
        self._wall, self._mono = wall, mono
        self._last = (wall(), mono())
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Compare how far each clock moved since the last check."""
        wall, mono = self._wall(), self._mono()
        gap = (wall - self._last[0]) - (mono - self._last[1])
        self._last = (wall, mono)
        if gap > self.threshold_s:
            self.woke.emit(gap)

    def stop(self) -> None:
        """Stop checking."""
        self._timer.stop()
