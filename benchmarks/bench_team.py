"""Team views at scale: what one refresh costs the GUI thread with the Team panel open.

Prints, for N colleagues of the demo portal (default 5,000; more with ``--users``): the
department counts worked out again (presence changed, membership the same; and with a
membership change), the pick-up and who-is-out lists rebuilt, the list restricted to a
department, and the list sorted by last seen. Run: ``.venv/bin/python benchmarks/bench_team.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import demo_snapshot, summary


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from bx24presence.api.auth import parse_webhook_url
    from bx24presence.api.client import Bitrix24Client
    from bx24presence.demo import DemoPortal
    from bx24presence.qt.list.keys import compute_keys
    from bx24presence.qt.list.model import ColleagueModel
    from bx24presence.qt.list.proxy import ColleagueProxy, SortOrder
    from bx24presence.qt.views.departments import fetch_structure
    from bx24presence.qt.views.panel import TeamDock
    from bx24presence.team import available_ids

    app = QApplication.instance() or QApplication([])
    snap = demo_snapshot(args.users)
    with (
        DemoPortal(users=args.users, rate_limit=None) as portal,
        Bitrix24Client(parse_webhook_url(portal.webhook_url)) as client,
    ):
        structure = fetch_structure(client, sorted(snap.departments))
    today = snap.fetched_at.astimezone().date()
    people = snap.colleagues
    print(f"{len(people)} colleagues, {len(structure.departments)} departments")

    dock = TeamDock()
    dock.show()
    dock.departments.set_structure(structure)
    dock.set_colleagues(people, today)
    app.processEvents()

    def moved(i: int) -> tuple:
        return tuple(
            dataclasses.replace(c, last_activity=None) if c.id % args.rounds == i else c
            for c in people
        )

    variants = [moved(i) for i in range(args.rounds)]
    # As in the app: who is available comes with the list's keys (worked out in the poller's
    # thread), and the model says which ids changed.
    extras = [
        (available_ids(v, today), {c.id for c in v if c.id % args.rounds in (i, i - 1)})
        for i, v in enumerate(variants)
    ]
    for tab, name in ((0, "departments tab"), (1, "pick-up tab"), (2, "who-is-out tab")):
        dock.tabs.setCurrentIndex(tab)
        ms = []
        for v, (available, changed) in zip(variants, extras, strict=True):
            start = time.perf_counter()
            dock.set_colleagues(v, today, available=available, changed=changed)
            ms.append((time.perf_counter() - start) * 1000)
        app.processEvents()
        print(f"refresh, presence changed, {name:15s} {summary(ms)}")
    ms = []
    for i, v in enumerate(variants):
        regrouped = tuple(
            dataclasses.replace(c, departments=c.departments[:1]) if c.id % 7 == i % 7 else c
            for c in v
        )
        start = time.perf_counter()
        dock.departments.set_colleagues(regrouped, today)
        ms.append((time.perf_counter() - start) * 1000)
    print(f"refresh, membership changed, tree       {summary(ms)}")

    model = ColleagueModel()
    model.apply(snap, keys=compute_keys(snap, today=today))
    proxy = ColleagueProxy()
    proxy.setSourceModel(model)
    dept = max(structure.departments, key=lambda d: len(dock.departments._groups.get(d, ())))
    ms = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        proxy.set_only(dock.departments._groups[dept])
        proxy.set_only(None)
        ms.append((time.perf_counter() - start) * 500)
    print(f"choose a department (and back)          {summary(ms)}")
    ms = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        proxy.set_sort_order(SortOrder.LAST_SEEN)
        proxy.set_sort_order(SortOrder.PRESENCE)
        ms.append((time.perf_counter() - start) * 500)
    print(f"sort by last seen (and back)            {summary(ms)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
