"""The locale's name collation for the list's sort keys; the keys themselves live in core.

Search and sort keys are pure (see :mod:`bx24presence.search`); only the collation needs Qt
(``QCollator`` follows the user's locale, numbers in names compared as numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QCollator, QLocale, Qt

from bx24presence.domain import Snapshot, SnapshotDiff
from bx24presence.search import (
    Query,
    SortKeys,
    colleague_haystack,
    day_sets,
    display_order,
    normalize,
    phone_digits,
)
from bx24presence.search import compute_keys as _compute_keys

__all__ = [
    "Query",
    "SortKeys",
    "colleague_haystack",
    "compute_keys",
    "day_sets",
    "default_collate",
    "display_order",
    "normalize",
    "phone_digits",
]


#: Names sorted in one go; more are sorted in runs of this many and merged.
COLLATE_RUN = 500


def default_collate(names: list[str]) -> list[int]:
    """Indices of ``names`` in the order of the system locale's collation (numbers in names
    compare as numbers, case ignored)."""
    collator = QCollator(QLocale())
    collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    collator.setNumericMode(True)
    keys = [collator.sortKey(n) for n in names]
    by_key = keys.__getitem__
    if len(names) <= COLLATE_RUN:
        return sorted(range(len(names)), key=by_key)
    # One sort of 10,000 sort keys compares them in C++ for 30-100 ms without letting go of
    # the interpreter lock (the window froze for as long). Sorted in runs of a few
    # milliseconds each, then merged pairwise in Python (which lets other threads in between),
    # the order is the same as one stable sort's. (heapq.merge would not do: it compares the
    # keys with ==, which sort keys do not define.)
    runs = [
        sorted(range(i, min(i + COLLATE_RUN, len(names))), key=by_key)
        for i in range(0, len(names), COLLATE_RUN)
    ]
    while len(runs) > 1:
        runs = [
            _merge(runs[i], runs[i + 1], keys) if i + 1 < len(runs) else runs[i]
            for i in range(0, len(runs), 2)
        ]
    return runs[0]


def _merge(a: list[int], b: list[int], keys: list[Any]) -> list[int]:
    """Two sorted runs as one, ``a`` first among equals (a stable merge)."""
    out: list[int] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if keys[b[j]] < keys[a[i]]:
            out.append(b[j])
            j += 1
        else:
            out.append(a[i])
            i += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out


def compute_keys(
    snapshot: Snapshot,
    collate: Callable[[list[str]], list[int]] | None = None,
    today: date | None = None,
    *,
    previous: SortKeys | None = None,
    diff: SnapshotDiff | None = None,
    previous_departments: Mapping[int, str] | None = None,
) -> SortKeys:
    """:func:`bx24presence.search.compute_keys` with the locale's collation by default."""
    return _compute_keys(
        snapshot,
        collate or default_collate,
        today,
        previous=previous,
        diff=diff,
        previous_departments=previous_departments,
    )
