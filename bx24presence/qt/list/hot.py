"""Tells the poller which colleagues are "hot": on screen or watched, so each steady poll
re-reads their details (the rest rotate; see :mod:`bx24presence.steady`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView

from bx24presence.qt.list.model import IdRole

#: At most this many rows on screen count (a tall window at a small font).
MAX_VISIBLE = 200
#: Scrolling settles for this long before the poller is told.
SETTLE_MS = 400


def visible_ids(view: QAbstractItemView, limit: int = MAX_VISIBLE) -> list[int]:
    """The ids of the rows the view shows now, top to bottom."""
    model = view.model()
    if model is None or model.rowCount() == 0:
        return []
    viewport = view.viewport().rect()
    top = view.indexAt(viewport.topLeft())
    first = top.row() if top.isValid() else 0
    bottom = view.indexAt(viewport.bottomLeft())
    last = bottom.row() if bottom.isValid() else model.rowCount() - 1
    ids = []
    for row in range(first, min(last, first + limit - 1) + 1):
        value = model.index(row, 0).data(IdRole)
        if isinstance(value, int):
            ids.append(value)
    return ids


class HotIds(QObject):
    """Collects the visible and watched ids after scrolling, filtering, a watch-list change
    or a new snapshot, and hands them to ``send`` (the poller's thread-safe setter)."""

    def __init__(
        self,
        view: QAbstractItemView,
        watched: Callable[[], Iterable[int]],
        send: Callable[[Iterable[int]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view, self._watched, self._send = view, watched, send
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self.send_now)
        view.verticalScrollBar().valueChanged.connect(self.schedule)
        model = view.model()
        if model is not None:
            model.layoutChanged.connect(self.schedule)
            model.modelReset.connect(self.schedule)
            model.rowsInserted.connect(self.schedule)

    def schedule(self, *_: object) -> None:
        """Send once things have settled (never after :meth:`stop`: a watch list shared with
        the tray outlives the session)."""
        if not self._stopped:
            self._timer.start()

    def send_now(self) -> None:
        """Send the hot ids at once."""
        self._timer.stop()
        if self._stopped:
            return
        self._send(frozenset(visible_ids(self._view)) | frozenset(self._watched()))

    def stop(self) -> None:
        """No more sending (the session is closing): the view and the poller go away."""
        self._stopped = True
        self._timer.stop()
