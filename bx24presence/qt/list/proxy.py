"""Search, quick filters and sorting over the colleague model, in one Python pass.

The proxy keeps the visible colleagues as a list of ids ordered by presence, then name
(locale collation). The keys come precomputed with each snapshot (see :mod:`keys`), so a
keystroke costs one pass of substring tests, and only over the previous matches while the
user keeps typing. Changes are passed on with precise remove, move (layout) and insert
signals, so selection and scroll position survive refreshes; a change that scatters across
many rows (a new search) is passed on as one reset instead, which the view handles faster.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import date
from itertools import compress, repeat
from operator import not_
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from bx24presence.domain import Colleague
from bx24presence.qt.list.filters import QuickFilter, SortOrder
from bx24presence.qt.list.keys import Query, day_sets, display_order
from bx24presence.qt.list.model import ColleagueModel, _runs, sorted_runs
from bx24presence.team import last_seen_order

__all__ = ["ColleagueProxy", "QuickFilter", "SortOrder"]

_Index = QModelIndex | QPersistentModelIndex
#: Above this many contiguous ranges to insert or remove, a reset is cheaper for the view.
MAX_RANGES = 64
#: Searches remembered while the list is unchanged (erasing a query costs a lookup).
REMEMBERED_SEARCHES = 12


class ColleagueProxy(QAbstractProxyModel):
    """Filtered and sorted view of a :class:`ColleagueModel`.

    Signals:
        counts_changed(dict): QuickFilter -> number of colleagues matching the search.
    """

    counts_changed = Signal(object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._ids: list[int] = []
        self._pos: dict[int, int] | None = {}  # id -> row; None: worked out when first asked
        self._query = Query()
        self._filter = QuickFilter.EVERYONE
        self._sorted_all: list[int] = []  # every colleague, in display order
        self._sorted_hay: list[str] = []  # their search texts, in the same order
        self._matches: list[int] = []  # those matching the search, in display order
        self._matches_hay: list[str] | None = None  # their search texts (None: not yet)
        self._matches_set: tuple[list[int], set[int]] | None = None  # (matches, as a set)
        self._ids_set: set[int] | None = None  # the visible ids as a set (None: not yet)
        self._found: OrderedDict[Query, list[int]] = OrderedDict()  # searches done
        self._counts: dict[QuickFilter, int] = dict.fromkeys(QuickFilter, 0)
        self._today: date | None = None
        self._flags: dict[QuickFilter, frozenset[int]] = {}
        self._watched: frozenset[int] = frozenset()
        self._only: frozenset[int] | None = None  # a department chosen in the tree
        self._order = SortOrder.PRESENCE

    # -- API ---------------------------------------------------------------------------------

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        if not isinstance(model, ColleagueModel):
            raise TypeError("ColleagueProxy needs a ColleagueModel")
        old = self.sourceModel()
        if old is not None:
            old.disconnect(self)
        self.beginResetModel()
        super().setSourceModel(model)
        model.rowsAboutToBeRemoved.connect(self._on_source_rows_about_to_be_removed)
        model.applied.connect(self._on_source_applied)
        model.modelReset.connect(self._on_source_reset)
        self._recompute(resort=True)
        self._ids, self._ids_set = self._target(), None
        self._reindex()
        self.endResetModel()

    def source(self) -> ColleagueModel:
        """The source model."""
        model = self.sourceModel()
        if not isinstance(model, ColleagueModel):
            raise RuntimeError("ColleagueProxy has no ColleagueModel")
        return model

    def set_search(self, text: str) -> None:
        """Filter by a search text (name, position, department, email, phone digits)."""
        query = Query.parse(text)
        if query == self._query:
            return
        found = self._found.get(query)
        dropped: list[int] | None = None  # positions in the old matches no longer matching
        if found is not None:
            self._found.move_to_end(query)
            self._matches, self._matches_hay = found, None
        elif query.narrows(self._query):
            ids, hays = self._matches, self._hays()
            keep = query.mask(ids, hays, self.source().keys.digits)
            dropped = list(compress(range(len(ids)), map(not_, keep)))
            self._matches, self._matches_hay = list(compress(ids, keep)), list(compress(hays, keep))
        else:
            self._matches, self._matches_hay = self._search(query, *self._universe())
        self._query = query
        if query:
            self._found[query] = self._matches
            while len(self._found) > REMEMBERED_SEARCHES:
                self._found.popitem(last=False)
        self._count()
        if dropped is not None and self._filter is QuickFilter.EVERYONE:
            # The visible rows are the old matches: the rows to remove are known already.
            self._remove_rows(dropped)
        else:
            self._sync(changed=())

    def set_quick_filter(self, kind: QuickFilter) -> None:
        """Show everyone, those available now, on vacation, or with a birthday today."""
        if kind is self._filter:
            return
        self._filter = kind
        self._sync(changed=())

    def set_watched(self, ids: Iterable[int]) -> None:
        """The colleagues the Watched filter shows."""
        watched = frozenset(ids)
        if watched != self._watched:
            self._watched = watched
            self._flags[QuickFilter.WATCHED] = watched
            if self.sourceModel() is not None:
                self._count()
                self._sync(changed=())

    def set_only(self, ids: Iterable[int] | None) -> None:
        """Show only these colleagues (a department), or everyone with None."""
        only = None if ids is None else frozenset(ids)
        if only != self._only:
            self._only = only
            if self.sourceModel() is not None:
                self._match()
                self._sync(changed=())

    def set_sort_order(self, order: SortOrder) -> None:
        """Sort by presence then name, or by last seen."""
        if order is not self._order:
            self._order = order
            if self.sourceModel() is not None:
                self._sync(changed=(), resort=True)

    def available_total(self) -> int:
        """How many colleagues are available now, whatever the search and the department:
        the one definition (:func:`bx24presence.presence.is_available`), already counted
        with the keys, so the window, the filter and the tray agree at no cost."""
        return len(self._flags.get(QuickFilter.AVAILABLE, ()))

    @property
    def sort_order(self) -> SortOrder:
        """The list's order."""
        return self._order

    @property
    def quick_filter(self) -> QuickFilter:
        """The current quick filter."""
        return self._filter

    @property
    def today(self) -> date | None:
        """The local date the quick filters were worked out for."""
        return self._today

    @property
    def counts(self) -> dict[QuickFilter, int]:
        """How many colleagues each quick filter shows with the current search."""
        return dict(self._counts)

    def set_today(self, today: date) -> None:
        """The local date for vacations and birthdays (changes at midnight)."""
        if today != self._today:
            self._today = today
            if self.sourceModel() is not None:
                self._sync(changed=(), resort=True)

    def colleague_at(self, row: int) -> Colleague:
        """The colleague shown at ``row``."""
        source = self.source()
        src_row = source.row_of(self._ids[row])
        if src_row is None:
            raise IndexError(f"no colleague at row {row}")
        return source.colleague(src_row)

    def row_of(self, colleague_id: int) -> int | None:
        """The row showing a colleague, or None when filtered out."""
        return self._positions().get(colleague_id)

    # -- computing the target order -----------------------------------------------------------

    def _today_date(self) -> date:
        if self._today is None:
            self._today = self.source().local_now().astimezone().date()
        return self._today

    def _recompute(self, *, resort: bool) -> None:
        """Take the display order and the quick-filter sets from the keys (worked out in the
        poller's thread), or work them out here when the keys are stale (a new day, or a
        model filled without keys)."""
        source = self.source()
        if resort:
            keys = source.keys
            today = self._today_date()
            rows = source.colleagues()
            if keys.today == today and len(keys.order) == len(rows):
                order, sets = keys.order, (keys.available, keys.vacation, keys.birthdays)
            else:
                order = display_order(rows, keys.name_rank)
                sets = day_sets(rows, today)
            self._sorted_all = (
                last_seen_order(rows, keys.name_rank)
                if self._order is SortOrder.LAST_SEEN
                else list(order)
            )
            hay = keys.haystack
            self._sorted_hay = list(map(hay.get, self._sorted_all, repeat("")))
            self._flags = dict(
                zip(
                    (QuickFilter.AVAILABLE, QuickFilter.VACATION, QuickFilter.BIRTHDAYS),
                    sets,
                    strict=True,
                )
            )
            self._flags[QuickFilter.WATCHED] = self._watched
        self._match()

    def _match(self) -> None:
        """Search everyone again (the list, its order or the department changed)."""
        self._found.clear()
        self._matches, self._matches_hay = self._search(self._query, *self._universe())
        self._count()

    def _universe(self) -> tuple[list[int], list[str]]:
        """Everyone a search looks through (the chosen department's people), with their
        search texts, in display order."""
        ids, hays = self._sorted_all, self._sorted_hay
        if self._only is not None:
            keep = list(map(self._only.__contains__, ids))
            return list(compress(ids, keep)), list(compress(hays, keep))
        return ids, hays

    def _hays(self) -> list[str]:
        """The search texts of the current matches, in their order."""
        if self._matches_hay is None:
            hay = self.source().keys.haystack
            self._matches_hay = list(map(hay.get, self._matches, repeat("")))
        return self._matches_hay

    def _search(
        self, q: Query, ids: list[int], hays: list[str]
    ) -> tuple[list[int], list[str] | None]:
        """The ids (and texts) among ``ids`` that match ``q`` (see :meth:`Query.select`)."""
        if not q:
            return list(ids), list(hays)
        return q.select(ids, hays, self.source().keys.digits)

    def _match_set(self) -> set[int]:
        """The current matches as a set, built once per search: the counts and the row
        changes both test membership in it."""
        cached = self._matches_set
        if cached is None or cached[0] is not self._matches:
            cached = self._matches_set = (self._matches, set(self._matches))
        return cached[1]

    def _count(self) -> None:
        counts = {QuickFilter.EVERYONE: len(self._matches)}
        everyone = not self._query and self._only is None
        matching = None if everyone else self._match_set()
        for kind, members in self._flags.items():
            if matching is None and kind is not QuickFilter.WATCHED:
                counts[kind] = len(members)
            else:
                # a set against a set walks the smaller one: a few birthdays cost a few tests
                counts[kind] = len(members & (matching or self._match_set()))
        if counts != self._counts:
            self._counts = counts
            self.counts_changed.emit(dict(counts))

    def _target(self) -> list[int]:
        if self._filter is QuickFilter.EVERYONE:
            return list(self._matches)
        return list(filter(self._flags[self._filter].__contains__, self._matches))

    # -- passing changes on ------------------------------------------------------------------

    def _reindex(self) -> None:
        """The rows changed: their positions are worked out again when next asked (a search
        keystroke that resets 10,000 rows need not build a map nobody reads)."""
        self._pos = None

    def _positions(self) -> dict[int, int]:
        pos = self._pos
        if pos is None:
            pos = self._pos = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return pos

    def _remove_rows(self, rows: list[int]) -> None:
        """Remove these rows (ascending) of the visible list, which then holds the matches:
        a narrowing search, where nothing arrives and nothing moves."""
        if len(self._ids) != len(self._matches) + len(rows):
            self._sync(changed=())  # the rows are not the old matches: compare them
            return
        runs = sorted_runs(rows, MAX_RANGES)
        if runs is None:
            self._reset_rows(list(self._matches), None)
            return
        self._remove_runs(runs)
        self._ids_set = None

    def _reset_rows(self, ids: list[int], ids_set: set[int] | None) -> None:
        """Show ``ids`` through one reset (``ids_set``: the same ids as a set, if known)."""
        self.beginResetModel()
        self._ids, self._ids_set = ids, ids_set
        self._reindex()
        self.endResetModel()

    def _remove_runs(self, runs: list[tuple[int, int]]) -> None:
        """Remove these contiguous ranges of rows, ascending, with one signal each."""
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        if runs:
            self._reindex()

    def _sync(self, changed: Iterable[int], *, resort: bool = False) -> None:
        """Move the visible rows to the target order with the fewest, precise signals."""
        if resort:
            self._recompute(resort=True)
        new = self._target()
        cur = self._ids
        new_set = self._match_set() if self._filter is QuickFilter.EVERYONE else set(new)
        cur_set = self._ids_set if self._ids_set is not None else set(cur)
        self._ids_set = new_set  # what self._ids holds once this sync is done
        # Rows are found with C-level passes (map, compress): 10,000 rows in about a
        # millisecond, where a Python loop per row took several.
        gone = list(compress(range(len(cur)), map(not_, map(new_set.__contains__, cur))))
        gone_runs = sorted_runs(gone, MAX_RANGES)
        arriving: list[int] = []
        arrive_runs = None
        if gone_runs is not None:  # else a reset: where rows arrive does not matter
            arriving = list(compress(range(len(new)), map(not_, map(cur_set.__contains__, new))))
            arrive_runs = sorted_runs(arriving, MAX_RANGES)
        if (
            gone_runs is None
            or arrive_runs is None
            or len(gone_runs) + len(arrive_runs) > MAX_RANGES
        ):
            self._reset_rows(new, new_set)
            return
        self._remove_runs(gone_runs)
        survivors = list(filter(cur_set.__contains__, new))
        if self._ids != survivors:
            self.layoutAboutToBeChanged.emit()
            old_persistent = self.persistentIndexList()
            old_ids = [self._ids[p.row()] for p in old_persistent]
            self._ids = survivors
            self._reindex()
            self.changePersistentIndexList(
                old_persistent, [self.index(self._positions()[i], 0) for i in old_ids]
            )
            self.layoutChanged.emit()
        for first, last in arrive_runs:
            self.beginInsertRows(QModelIndex(), first, last)
            self._ids[first:first] = new[first : last + 1]
            self.endInsertRows()
        if arrive_runs:
            self._reindex()
        arrived = {new[r] for r in arriving}
        pos = self._positions()
        rows = [pos[i] for i in changed if i in pos and i not in arrived]
        for first, last in _runs(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0))

    # -- source signals ------------------------------------------------------------------------

    def _on_source_rows_about_to_be_removed(
        self, parent: QModelIndex, first: int, last: int
    ) -> None:
        source = self.source()
        leaving = {source.colleague(r).id for r in range(first, last + 1)}
        self._ids_set = None
        pos = self._positions()
        rows = [pos[i] for i in leaving if i in pos]
        for a, b in reversed(_runs(rows)):
            self.beginRemoveRows(QModelIndex(), a, b)
            del self._ids[a : b + 1]
            self.endRemoveRows()
        if rows:
            self._reindex()
        keep = [i not in leaving for i in self._sorted_all]
        self._sorted_all = list(compress(self._sorted_all, keep))
        self._sorted_hay = list(compress(self._sorted_hay, keep))
        self._matches = [i for i in self._matches if i not in leaving]
        self._matches_hay = None
        self._found.clear()

    def _on_source_applied(self, changed: set[int]) -> None:
        self._sync(changed, resort=True)

    def _on_source_reset(self) -> None:
        self.beginResetModel()
        self._recompute(resort=True)
        self._ids, self._ids_set = self._target(), None
        self._reindex()
        self.endResetModel()

    # -- Qt overrides ------------------------------------------------------------------------

    def index(self, row: int, column: int = 0, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or column != 0 or not 0 <= row < len(self._ids):
            return QModelIndex()
        return self.createIndex(row, 0)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and bool(self._ids)

    def mapToSource(self, proxy_index: _Index) -> QModelIndex:
        if not proxy_index.isValid() or not 0 <= proxy_index.row() < len(self._ids):
            return QModelIndex()
        row = self.source().row_of(self._ids[proxy_index.row()])
        return QModelIndex() if row is None else self.source().index(row, 0)

    def mapFromSource(self, source_index: _Index) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        cid = self.source().colleague(source_index.row()).id
        row = self._positions().get(cid)
        return QModelIndex() if row is None else self.createIndex(row, 0)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
