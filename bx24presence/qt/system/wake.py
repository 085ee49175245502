"""A timer that asks the watcher, between polls, whether the computer slept (the rule itself
is :class:`bx24presence.watch.SleepDetector`), and says so."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

CHECK_MS = 10_000


class WakeDetector(QObject):
    """Checks every ``interval_ms`` with ``check`` (e.g. ``Watcher.check_sleep``).

    Signals:
        woke(float): the computer was asleep for about this many seconds.
    """

    woke = Signal(float)

    def __init__(
        self,
        check: Callable[[], float | None],
        *,
        interval_ms: int = CHECK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._check = check
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Ask now; emit :attr:`woke` when the computer slept."""
        gap = self._check()
        if gap is not None:
            self.woke.emit(gap)

    def stop(self) -> None:
        """Stop checking."""
        self._timer.stop()
