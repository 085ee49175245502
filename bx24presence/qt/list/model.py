"""The list model: colleagues in a QAbstractListModel, updated by snapshot diffs, never reset."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import compress, islice, repeat
from operator import add, attrgetter, ne
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from bx24presence.domain import Colleague, Snapshot, SnapshotDiff, diff_snapshots
from bx24presence.presence import server_clock_now
from bx24presence.qt.heap import settle_after_snapshot
from bx24presence.qt.list.keys import SortKeys
from bx24presence.qt.texts import plain_tooltip, status_line

ColleagueRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2
PresenceRole = Qt.ItemDataRole.UserRole + 3
StatusTextRole = Qt.ItemDataRole.UserRole + 4
AvatarUrlRole = Qt.ItemDataRole.UserRole + 5

_Index = QModelIndex | QPersistentModelIndex


_ID = attrgetter("id")


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted rows grouped into contiguous ``(first, last)`` runs."""
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def sorted_runs(rows: list[int], limit: int) -> list[tuple[int, int]] | None:
    """Ascending rows as contiguous ``(first, last)`` runs; None when there are more than
    ``limit`` (the caller resets instead). The breaks are found in C: 10,000 rows cost
    a fraction of a millisecond."""
    if not rows:
        return []
    # the search for breaks stops at the limit: a scattered change of thousands of rows
    # is known to need a reset after the first ``limit`` breaks
    breaks = list(
        islice(
            compress(
                range(1, len(rows)), map(ne, islice(rows, 1, None), map(add, rows, repeat(1)))
            ),
            limit,
        )
    )
    if len(breaks) >= limit:
        return None
    starts = [0, *breaks]
    ends = [*(b - 1 for b in breaks), len(rows) - 1]
    return [(rows[a], rows[b]) for a, b in zip(starts, ends, strict=True)]


class ColleagueModel(QAbstractListModel):
    """One row per colleague, in the order they arrived.

    A snapshot is applied as a diff: arrivals are inserted, departures removed, and
    ``dataChanged`` is emitted for exactly the rows whose colleague changed. A large one
    is then frozen out of the garbage collector's full passes (:mod:`bx24presence.qt.heap`).

    Signals:
        applied(object): after a snapshot was applied; carries the set of changed ids.
    """

    applied = Signal(object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Colleague] = []
        self._row_of: dict[int, int] = {}
        self.snapshot: Snapshot | None = None
        self.keys = SortKeys()
        self._local_clock = lambda: datetime.now(UTC)

    # -- API ---------------------------------------------------------------------------------

    def set_clock(self, clock: Any) -> None:
        """Inject the local wall clock (tests)."""
        self._local_clock = clock

    def server_now(self) -> datetime:
        """The portal's clock now, estimated from the last snapshot."""
        if self.snapshot is None:
            return self._local_clock()
        return server_clock_now(
            self.snapshot.server_time, self.snapshot.fetched_at, self._local_clock()
        )

    def local_now(self) -> datetime:
        """The local wall clock."""
        return self._local_clock()

    def colleague(self, row: int) -> Colleague:
        """The colleague at ``row``."""
        return self._rows[row]

    def row_of(self, colleague_id: int) -> int | None:
        """The row of a colleague, or None."""
        return self._row_of.get(colleague_id)

    def by_id(self, colleague_id: int) -> Colleague | None:
        """A colleague by id, or None."""
        row = self._row_of.get(colleague_id)
        return self._rows[row] if row is not None else None

    def colleagues(self) -> list[Colleague]:
        """All colleagues in row order (a copy)."""
        return list(self._rows)

    def apply(
        self, snapshot: Snapshot, diff: SnapshotDiff | None = None, keys: SortKeys | None = None
    ) -> None:
        """Bring the rows to ``snapshot`` with precise insert, remove and change signals.

        ``diff`` (worked out in the poller's thread) must describe the change from the rows
        held now; when it does not fit, the diff is computed here instead.
        """
        if diff is None or not self._fits(diff, len(snapshot.colleagues)):
            diff = diff_snapshots(self._rows, snapshot.colleagues)
        self.snapshot = snapshot
        if keys is not None:
            self.keys = keys
        changed: set[int] = set()
        if diff.removed:
            gone = {self._row_of[i] for i in diff.removed}
            for first, last in reversed(_runs(gone)):
                self.beginRemoveRows(QModelIndex(), first, last)
                del self._rows[first : last + 1]
                self.endRemoveRows()
            self._reindex()
        if diff.added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(diff.added) - 1)
            self._rows.extend(diff.added)
            self.endInsertRows()
            self._reindex()
        if diff.changed:
            rows = []
            for c in diff.changed:
                row = self._row_of[c.id]
                self._rows[row] = c
                rows.append(row)
                changed.add(c.id)
            for first, last in _runs(rows):
                self.dataChanged.emit(self.index(first), self.index(last))
        self.applied.emit(changed)
        # The rows now live until the next snapshot: keep full collections from walking them.
        settle_after_snapshot(len(diff.added) + len(diff.changed))

    # -- internals ---------------------------------------------------------------------------

    def _fits(self, diff: SnapshotDiff, expected: int) -> bool:
        known = self._row_of
        return (
            len(known) - len(diff.removed) + len(diff.added) == expected
            and all(map(known.__contains__, diff.removed))
            and known.keys().isdisjoint(map(_ID, diff.added))
            and all(map(known.__contains__, map(_ID, diff.changed)))
        )

    def _reindex(self) -> None:
        self._row_of = dict(zip(map(_ID, self._rows), range(len(self._rows)), strict=True))

    # -- Qt overrides ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        if role == ColleagueRole:
            return c
        if role == Qt.ItemDataRole.DisplayRole:
            return c.name
        if role == IdRole:
            return c.id
        if role == PresenceRole:
            return c.presence.value
        if role == StatusTextRole:
            return status_line(c, self.server_now(), self.local_now().astimezone().date())
        if role == AvatarUrlRole:
            return c.avatar or c.avatar_hr
        if role == Qt.ItemDataRole.ToolTipRole:
            text = "\n".join(
                p
                for p in (
                    c.name,
                    c.work_position,
                    status_line(c, self.server_now(), self.local_now().astimezone().date()),
                )
                if p
            )
            return plain_tooltip(text)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            status = status_line(c, self.server_now(), self.local_now().astimezone().date())
            return ", ".join(p for p in (c.name, c.work_position, status) if p)
        return None
