"""Search keystrokes over 10,000 colleagues: our proxy against a plain QSortFilterProxyModel.

Types and erases names, positions and phone numbers one keystroke at a time and times each
keystroke (filter, count the quick filters, update the view's model), then does the same
with a QSortFilterProxyModel whose filterAcceptsRow reads the row through data() (the
baseline, measured in the same run).

    .venv/bin/python benchmarks/bench_search.py [users]
"""

from __future__ import annotations

import sys
import time

from common import demo_snapshot, summary
from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import QApplication, QListView

from bx24presence.qt.list.keys import compute_keys
from bx24presence.qt.list.model import ColleagueModel, ColleagueRole
from bx24presence.qt.list.proxy import ColleagueProxy


class PlainProxy(QSortFilterProxyModel):
    """The obvious implementation: Python filterAcceptsRow over data()."""

    text = ""

    def filterAcceptsRow(self, row, parent):
        c = self.sourceModel().index(row, 0).data(ColleagueRole)
        hay = " ".join((c.name, c.work_position or "", c.email or "")).casefold()
        return self.text in hay


def keystrokes(words: list[str]) -> list[str]:
    out = []
    for w in words:
        out += [w[:i] for i in range(1, len(w) + 1)]
        out += [w[:i] for i in range(len(w) - 1, -1, -1)]
    return out


def main(argv: list[str]) -> int:
    users = int(argv[0]) if argv else 10000
    app = QApplication.instance() or QApplication([])
    snap = demo_snapshot(users)
    names = [c.name for c in snap.colleagues]
    c0 = snap.colleagues[len(names) // 3]
    phone = next(iter(c0.phones.as_dict().values()), "4950")
    queries = keystrokes([c0.last_name or c0.name, "engineer", "иван", phone[-7:]])

    model = ColleagueModel()
    model.apply(snap, keys=compute_keys(snap))
    proxy = ColleagueProxy()
    proxy.setSourceModel(model)
    view = QListView()
    view.setUniformItemSizes(True)
    view.setModel(proxy)
    ours = []
    for q in queries:
        t = time.perf_counter()
        proxy.set_search(q)
        app.processEvents()
        ours.append((time.perf_counter() - t) * 1000)

    plain = PlainProxy()
    plain.setSourceModel(model)
    plain.sort(0)
    view2 = QListView()
    view2.setUniformItemSizes(True)
    view2.setModel(plain)
    base = []
    for q in queries[:40]:
        t = time.perf_counter()
        plain.text = q.casefold()
        plain.invalidateRowsFilter()
        app.processEvents()
        base.append((time.perf_counter() - t) * 1000)

    print(f"search over {users} colleagues, {len(queries)} keystrokes")
    print(f"  bx24presence proxy:       {summary(ours)}")
    print(f"  QSortFilterProxyModel:    {summary(base)}  (first 40 keystrokes)")
    print(f"  budget 20 ms per keystroke: {'met' if max(ours) <= 20 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
