"""The locale's name collation for the list's sort keys; the keys themselves live in core.

Search and sort keys are pure (see :mod:`bx24presence.search`); only the collation needs Qt
(``QCollator`` follows the user's locale, numbers in names compared as numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

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


def default_collate(names: list[str]) -> list[int]:
    """Indices of ``names`` in the order of the system locale's collation (numbers in names
    compare as numbers, case ignored)."""
    collator = QCollator(QLocale())
    collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    collator.setNumericMode(True)
    keys = [collator.sortKey(n) for n in names]
    return sorted(range(len(names)), key=keys.__getitem__)


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
