"""The locale's name order, worked out in runs so the interpreter lock is never held long."""

from __future__ import annotations

import random

from PySide6.QtCore import QCollator, QLocale, Qt

from bx24presence.qt.list import keys


def _one_sort(names: list[str]) -> list[int]:
    collator = QCollator(QLocale())
    collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    collator.setNumericMode(True)
    sort_keys = [collator.sortKey(n) for n in names]
    return sorted(range(len(names)), key=sort_keys.__getitem__)


def test_runs_merged_give_the_order_of_one_stable_sort(qapp) -> None:
    rnd = random.Random(7)
    words = ["Анна", "анна", "Ёлкин", "Елкин", "Émile", "emile", "Zoë", "item 10", "item 9"]
    for count in (3, keys.COLLATE_RUN, keys.COLLATE_RUN + 1, 5 * keys.COLLATE_RUN + 17):
        # Many equal names: ties must keep their original order, as a stable sort keeps it.
        names = [f"{rnd.choice(words)} {rnd.randint(1, 12)}" for _ in range(count)]
        assert keys.default_collate(names) == _one_sort(names), count
