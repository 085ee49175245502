"""The team views in a real session on the demo portal (offscreen): the department tree with
live counts that filter the list, who can pick up now, who is out, the Watched filter, the
last-seen order (remembered), why a result matched, and the About box."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from bx24presence.api.auth import parse_webhook_url
from bx24presence.presence import is_available
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.list.proxy import QuickFilter, SortOrder
from bx24presence.qt.session import PortalChoice, Session
from bx24presence.qt.views.departments import ALL, fetch_structure
from bx24presence.settings import Settings
from bx24presence.state import StateStore


@pytest.fixture
def session_on(qapp, monkeypatch):
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    made: list[Session] = []

    def make(portal, interval_s: int = 1, state: StateStore | None = None) -> Session:
        choice = PortalChoice.from_auth(parse_webhook_url(portal.webhook_url))
        s = Session(qapp, Settings(poll_interval_s=15), choice, state=state or StateStore())
        s.poller.set_interval(interval_s)
        made.append(s)
        s.start()
        return s

    yield make
    for s in made:
        s.shutdown()
        s.window.close()
        assert not s.poller_thread.is_running()


def loaded(s: Session) -> bool:
    return s.model.rowCount() > 0 and s.model.snapshot is not None


def today(s: Session):
    return s.model.local_now().astimezone().date()


def test_department_tree_counts_filter_and_survive_presence(qtbot, make_portal, session_on):
    portal = make_portal(users=400)
    s = session_on(portal)
    qtbot.waitUntil(lambda: loaded(s), timeout=10000)
    team = s.team
    team.team_action.trigger()
    panel = team.dock.departments
    qtbot.waitUntil(lambda: len(panel.known_ids()) > 0, timeout=10000)
    assert len(panel.known_ids()) == len(portal.departments)
    # Names and the hierarchy come from im.department.get's full names.
    for did, dept in portal.departments.items():
        assert panel.known_ids()[did].name == dept.name
        assert panel.known_ids()[did].parent == dept.parent
    # "3 of 12" with the one definition of available, sub-departments included.
    snap = s.model.snapshot
    leaf = next(
        d for d in portal.departments if not any(x.parent == d for x in portal.departments.values())
    )
    people = [c for c in snap.colleagues if leaf in c.departments]
    avail = sum(1 for c in people if is_available(c, today(s)))
    assert panel.count_text(leaf) == f"{avail} of {len(people)}"
    assert panel.count_text(ALL) == (
        f"{sum(1 for c in snap.colleagues if is_available(c, today(s)))} of {len(snap.colleagues)}"
    )
    # Choosing it filters the list.
    panel._select(leaf)
    assert s.proxy.rowCount() == len(people)
    assert {s.proxy.colleague_at(r).id for r in range(s.proxy.rowCount())} == {c.id for c in people}
    # Expand something, then change presence: counts move, the tree keeps its state.
    root_item = panel._items[next(iter(portal.departments))][0]
    panel.tree.setExpanded(root_item.index(), True)
    quiet = next(c for c in people if not is_available(c, today(s)))
    portal.set_activity(quiet.id, last_activity=portal.clock.now())
    qtbot.waitUntil(lambda: panel.count_text(leaf) == f"{avail + 1} of {len(people)}", timeout=8000)
    assert panel.chosen() == leaf
    assert panel.tree.isExpanded(root_item.index())
    assert s.proxy.rowCount() == len(people)
    # Back to everyone.
    panel._select(ALL)
    assert s.proxy.rowCount() == len(snap.colleagues)


def test_structure_from_department_get_with_the_department_scope(make_portal, make_client):
    portal = make_portal(users=60, scopes=("im", "user_brief", "department"))
    structure = fetch_structure(make_client(portal), [])
    assert {d: (x.name, x.parent, x.head) for d, x in structure.departments.items()} == {
        d: (x.name, x.parent, x.manager_id or None) for d, x in portal.departments.items()
    }


def test_pickup_out_watched_sort_and_why(qtbot, make_portal, session_on, tmp_path):
    portal = make_portal(users=300)
    state = StateStore(path=tmp_path / "state.json")
    s = session_on(portal, state=state)
    qtbot.waitUntil(lambda: loaded(s), timeout=10000)
    team = s.team
    team.team_action.trigger()
    # Who can pick up now: available, with a phone, most recent first.
    team.dock.tabs.setCurrentWidget(team.dock.pickup)

    def expected() -> list[int]:
        snap = s.model.snapshot
        return [
            c.id
            for c in sorted(
                (c for c in snap.colleagues if c.phones and is_available(c, today(s))),
                # Ties (the same last activity) by name, then id, as the view orders them.
                key=lambda c: (-c.last_activity.timestamp(), c.name.casefold(), c.id),
            )
        ]

    # A poll may land between two looks: compare against the snapshot the list is showing.
    qtbot.waitUntil(lambda: team.dock.pickup.shown[:5] == expected()[:5], timeout=5000)
    snap = s.model.snapshot
    calls: list[str] = []
    s.window.details._open_url = lambda url: calls.append(url.toString()) or True
    item = team.dock.pickup.tree.topLevelItem(0)
    team.dock.pickup._on_tree_item_clicked(item, 1)
    assert calls and calls[0].startswith("tel:")
    # Who is out, grouped by the day they are back.
    team.dock.tabs.setCurrentWidget(team.dock.out)
    on_vacation = [c for c in snap.colleagues if c.absent_until and c.absent_until > today(s)]
    groups = team.dock.out.groups
    assert sum(int(g.rsplit("(", 1)[1].rstrip(")")) for g in groups) == len(on_vacation)
    # Watched filter beside the quick filters.
    watched = [c.id for c in snap.colleagues[:3]]
    for cid in watched:
        s.watchlist.toggle(cid)
    s.window.choose_filter(QuickFilter.WATCHED)
    assert sorted(s.proxy.colleague_at(r).id for r in range(s.proxy.rowCount())) == watched
    assert s.proxy.counts[QuickFilter.WATCHED] == 3
    s.window.choose_filter(QuickFilter.EVERYONE)
    # Sort by last seen, remembered in the state file.
    team.sort.setCurrentIndex(team.sort.findData(SortOrder.LAST_SEEN.value))
    seen = [s.proxy.colleague_at(r).last_activity for r in range(s.proxy.rowCount())]
    known = [t for t in seen if t is not None]
    assert known == sorted(known, reverse=True)
    assert StateStore.open(tmp_path / "state.json")[0].current.list_sort == "last_seen"
    # Why a result matched: a department hit.
    _dep_id, dep_name = next((d, n) for d, n in snap.departments.items() if n)
    s.window.search.setText(dep_name)
    rows = s.proxy.rowCount()
    assert rows > 0
    reasons = {team.why(r) for r in range(rows)}
    assert f"Matched the department: {dep_name}" in reasons


def test_about_box_says_version_host_and_age_never_the_secret(qtbot, make_portal, session_on):
    portal = make_portal(users=30)
    s = session_on(portal)
    qtbot.waitUntil(lambda: loaded(s), timeout=10000)
    dialog = s.team.show_about()
    texts = " ".join(label.text() for label in dialog.values.values())
    assert portal.secret not in texts
    assert "127.0.0.1" in texts and "0.1" in texts
    keys = {dialog.keys.item(r, 0).text() for r in range(dialog.keys.rowCount())}
    assert {"F1", "F5", "Ctrl+T"} <= keys
    assert s.team.about_action.shortcut().toString() == "F1"
    dialog.close()


def test_counts_recompute_at_5000_without_a_stall(qtbot, make_portal, session_on):
    portal = make_portal(users=5000)
    s = session_on(portal, interval_s=60)
    qtbot.waitUntil(lambda: loaded(s), timeout=30000)
    s.team.team_action.trigger()
    panel = s.team.dock.departments
    qtbot.waitUntil(lambda: len(panel.known_ids()) > 0, timeout=10000)
    snap = s.model.snapshot
    day = today(s)
    panel.set_colleagues(snap.colleagues, day)  # warm
    worst = 0.0
    for i in range(5):
        # Another presence each time: the texts really change; membership stays.
        moved = tuple(
            c
            if c.id % 5 != i
            else type(c)(**{**{f: getattr(c, f) for f in c.__slots__}, "last_activity": None})
            for c in snap.colleagues
        )
        start = time.perf_counter()
        s.team.dock.set_colleagues(moved, day)
        worst = max(worst, time.perf_counter() - start)
    assert worst < 0.05, f"{worst * 1000:.1f} ms"
    assert timedelta(seconds=worst) < timedelta(milliseconds=50)
    assert panel.tree.model().rowCount() >= 1
    assert Qt.ItemDataRole.AccessibleTextRole


def test_own_status_from_the_window_without_a_tray_and_dnd_returns(qtbot, qapp, make_portal):
    """No tray (the offscreen desktop has none): the window's button sets the status on the
    portal, "for 1 hour" ends by itself, and a restart in between still knows the end."""
    from bx24presence.qt.controller import Controller
    from bx24presence.runoptions import RunOptions
    from bx24presence.settings import SettingsStore
    from bx24presence.state import state_path

    portal = make_portal(users=40)
    c = Controller(
        qapp,
        SettingsStore(Settings()),
        RunOptions(portal=portal.webhook_url),
        state=StateStore(path=state_path()),
    )
    try:
        assert c.tray is None
        assert c.start()
        qtbot.waitUntil(lambda: loaded(c.session), timeout=10000)
        button = c.session.team.own_button
        assert button is not None and button.isVisibleTo(c.session.window)
        clock = [datetime.now().astimezone()]
        c.own._clock = lambda: clock[0]
        hour = next(a for a in button.menu_.actions() if a.text() == "Do not disturb for 1 hour")
        hour.trigger()
        qtbot.waitUntil(lambda: portal.status_log[-1:] == ["dnd"], timeout=20000)
        qtbot.waitUntil(lambda: "until" in button.text(), timeout=5000)
        assert StateStore.open(state_path())[0].current.dnd_until  # the end, in state.json
        clock[0] += timedelta(hours=1, seconds=1)
        c.own.check()
        qtbot.waitUntil(lambda: portal.status_log[-1:] == ["online"], timeout=20000)
        # The portal has it; the window shows it once the answer is back in the GUI thread.
        qtbot.waitUntil(lambda: button.text() == "My status: Online", timeout=5000)
        # The ended period leaves state.json once the portal's answer is in the GUI thread.
        qtbot.waitUntil(
            lambda: StateStore.open(state_path())[0].current.dnd_until == "", timeout=5000
        )
    finally:
        c.shutdown()
        if c.session is not None:
            c.session.window.close()
