"""Own status with a timed "do not disturb", the proxy's Watched filter, department filter and
last-seen order, the tray's Hide window / history / About, and names on every control."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QTreeView

from bx24presence.domain import Presence
from bx24presence.qt.list.keys import compute_keys
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter, SortOrder
from bx24presence.qt.tray.history import HistoryDialog, NotificationHistory, entry_text
from bx24presence.qt.tray.tray import Tray
from bx24presence.qt.views.own_status import (
    MemoryDndStore,
    OwnStatus,
    OwnStatusButton,
    StateDndStore,
    fill_status_menu,
)
from bx24presence.qt.views.panel import TeamDock
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import Settings
from bx24presence.state import StateStore
from bx24presence.team import Department, Structure
from bx24presence.watch import Alert
from tests.factories import LOCAL_NOW, SERVER_NOW, TODAY, colleague, snapshot


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# -- own status ----------------------------------------------------------------------------------


def test_dnd_for_an_hour_returns_by_itself(qapp: QApplication) -> None:
    clock = Clock(SERVER_NOW)
    own = OwnStatus(clock=clock)
    sent: list[str] = []
    own.status_requested.connect(sent.append)
    own.confirm("away")
    own.dnd_for(timedelta(hours=1))
    assert sent == ["dnd"] and own.status == "dnd"
    assert own.title() == "Do not disturb until 13:00"
    clock.now += timedelta(minutes=59)
    own.check()
    assert sent == ["dnd"]
    clock.now += timedelta(minutes=2)  # e.g. the computer slept through the end
    own.check()
    assert sent == ["dnd", "away"] and own.status == "away" and own.dnd_until is None
    own.stop()


def test_dnd_until_tomorrow_ends_at_nine(qapp: QApplication) -> None:
    clock = Clock(SERVER_NOW)
    own = OwnStatus(clock=clock)
    own.dnd_until_tomorrow()
    assert own.dnd_until == datetime.combine(
        SERVER_NOW.date() + timedelta(days=1),
        datetime.min.time().replace(hour=9),
        SERVER_NOW.tzinfo,
    )
    assert own.title() == "Do not disturb until tomorrow 09:00"
    own.stop()


def test_a_restart_reads_the_end_from_the_state_file(qapp: QApplication, tmp_path: Any) -> None:
    path = tmp_path / "state.json"
    clock = Clock(SERVER_NOW)
    first = OwnStatus(clock=clock, store=StateDndStore(StateStore(path=path)))
    first.confirm("online")
    first.dnd_for(timedelta(hours=1))
    first.stop()
    # A new process: the period is still running, then ends on time.
    clock.now += timedelta(minutes=30)
    again = OwnStatus(clock=clock, store=StateDndStore(StateStore.open(path)[0]))
    assert again.status == "dnd" and again.dnd_until == SERVER_NOW + timedelta(hours=1)
    sent: list[str] = []
    again.status_requested.connect(sent.append)
    clock.now += timedelta(minutes=31)
    again.check()
    assert sent == ["online"]
    again.sent("online")
    again.confirm("online")  # the portal has it: the ended period is done with
    assert StateStore.open(path)[0].current.dnd_until == ""
    again.stop()


def test_an_absurd_end_time_is_not_believed(qapp: QApplication) -> None:
    store = MemoryDndStore()
    store.save(SERVER_NOW + timedelta(days=400), "online")
    own = OwnStatus(clock=Clock(SERVER_NOW), store=store)
    assert own.dnd_until is None
    own.stop()


def test_a_poll_answered_before_the_change_does_not_cancel_the_timer(qapp: QApplication) -> None:
    own = OwnStatus(clock=Clock(SERVER_NOW))
    own.dnd_for(timedelta(hours=1))
    own.observe("online")
    assert own.status == "dnd" and own.dnd_until is not None
    own.stop()


def test_window_button_sets_the_status_without_a_tray(qtbot: Any) -> None:
    own = OwnStatus(clock=Clock(SERVER_NOW))
    button = OwnStatusButton(own)
    qtbot.addWidget(button)
    sent: list[str] = []
    own.status_requested.connect(sent.append)
    actions = fill_status_menu(button.menu_, own)
    assert [a.text() for a in actions] == [
        "Online",
        "Do not disturb",
        "Away",
        "On a break",
        "Do not disturb for 1 hour",
        "Do not disturb until tomorrow 9:00",
    ]
    actions[2].trigger()
    assert sent == ["away"] and button.text() == "My status: Away"
    actions[4].trigger()
    assert sent[-1] == "dnd" and "until 13:00" in button.text()
    assert button.accessibleName() == "My status"
    own.stop()


# -- proxy: Watched, department, last seen ------------------------------------------------------


@pytest.fixture
def proxy(qapp: QApplication) -> Iterator[ColleagueProxy]:
    people = [
        colleague(1, "Ann", last_activity=SERVER_NOW - timedelta(hours=5)),
        colleague(2, "Bob", presence=Presence.OFFLINE, last_activity=SERVER_NOW),
        colleague(3, "Cid", last_activity=SERVER_NOW - timedelta(minutes=3), departments=(2,)),
        colleague(4, "Dee", presence=Presence.OFFLINE, last_activity=None),
    ]
    snap = snapshot(people)
    model = ColleagueModel()
    model.set_clock(lambda: LOCAL_NOW)
    model.apply(snap, keys=compute_keys(snap, today=TODAY))
    p = ColleagueProxy()
    p.setSourceModel(model)
    yield p


def ids(p: ColleagueProxy) -> list[int]:
    return [p.colleague_at(r).id for r in range(p.rowCount())]


def test_watched_quick_filter_and_its_count(proxy: ColleagueProxy, qtmodeltester: Any) -> None:
    proxy.set_watched({3, 4, 99})
    assert proxy.counts[QuickFilter.WATCHED] == 2  # 99 is not on the portal
    proxy.set_quick_filter(QuickFilter.WATCHED)
    assert ids(proxy) == [3, 4]
    proxy.set_watched({4})
    assert ids(proxy) == [4]
    qtmodeltester.check(proxy)


def test_department_restricts_rows_and_counts(proxy: ColleagueProxy) -> None:
    proxy.set_only({1, 3})
    assert ids(proxy) == [1, 3]
    assert proxy.counts[QuickFilter.EVERYONE] == 2
    assert proxy.counts[QuickFilter.AVAILABLE] == 2
    proxy.set_search("cid")
    assert ids(proxy) == [3]
    proxy.set_search("")
    proxy.set_only(None)
    assert len(ids(proxy)) == 4


def test_sort_by_last_seen(proxy: ColleagueProxy) -> None:
    assert ids(proxy) == [1, 3, 2, 4]  # presence, then name
    proxy.set_sort_order(SortOrder.LAST_SEEN)
    assert ids(proxy) == [2, 3, 1, 4]
    proxy.set_sort_order(SortOrder.PRESENCE)
    assert ids(proxy) == [1, 3, 2, 4]


# -- tray -----------------------------------------------------------------------------------------


@pytest.fixture
def tray(qapp: QApplication) -> Iterator[Tray]:
    t = Tray(WatchList(Settings()), clock=lambda: SERVER_NOW, notifier=lambda *a: None)
    yield t
    t.hide()
    t.menu.deleteLater()
    t.deleteLater()


def menu_texts(t: Tray) -> list[str]:
    t.rebuild_menu()
    return [a.text() for a in t.menu.actions()]


def test_tray_says_hide_window_when_the_window_shows(tray: Tray) -> None:
    shown = [False]
    tray.window_shown = lambda: shown[0]
    assert "Show window" in menu_texts(tray) and "Hide window" not in menu_texts(tray)
    shown[0] = True
    texts = menu_texts(tray)
    assert "Hide window" in texts and "Show window" not in texts
    toggled: list[bool] = []
    tray.toggle_window_requested.connect(lambda: toggled.append(True))
    next(a for a in tray.menu.actions() if a.text() == "Hide window").trigger()
    assert toggled == [True]
    assert "About…" in texts and "Today's notifications…" in texts


def test_tray_keeps_the_days_notifications(tray: Tray, qtbot: Any) -> None:
    a = colleague(1, "Anna")
    tray.notify(Alert((a,)))
    tray.notify(Alert((colleague(2, "Bo"), colleague(3, "Cy"))))
    entries = tray.history.today()
    assert [e.ids for e in entries] == [(2, 3), (1,)]
    assert entry_text(entries[1]).endswith("Anna\u2069 became available")
    dialog = tray.show_history()
    assert dialog.list.count() == 2
    chosen: list[int] = []
    tray.colleague_requested.connect(chosen.append)
    dialog.list.itemActivated.emit(dialog.list.item(1))
    assert chosen == [1]
    dialog.close()


def test_history_forgets_yesterday(qtbot: Any) -> None:
    clock = Clock(SERVER_NOW)
    h = NotificationHistory(clock)
    h.add(Alert((colleague(1),)))
    clock.now += timedelta(days=1)
    assert h.today() == []
    dialog = HistoryDialog(h)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 0


# -- accessible names -----------------------------------------------------------------------------


def test_every_control_of_the_team_dock_has_a_name(qtbot: Any) -> None:
    dock = TeamDock()
    qtbot.addWidget(dock)
    dock.show()
    dock.departments.set_structure(
        Structure({1: Department(1, "Acme", None, 2), 2: Department(2, "Sales", 1, None)})
    )
    people = (
        colleague(2, "Head Person", departments=(1,)),
        colleague(3, departments=(2,), absent_until=TODAY + timedelta(days=1)),
    )
    dock.set_colleagues(people, TODAY)
    assert dock.departments.count_text(1) == "1 of 2"
    assert dock.departments.count_text(2) == "0 of 1"
    dock.departments._select(1)
    assert dock.departments.head.text() == "Head: \u2068Head Person\u2069"
    controls = [
        *dock.findChildren(QAbstractButton),
        *dock.findChildren(QComboBox),
        *dock.findChildren(QTreeView),
    ]
    unnamed = [
        type(w).__name__
        for w in controls
        if w.isVisibleTo(dock)
        and not (w.accessibleName() or w.text() if hasattr(w, "text") else w.accessibleName())
    ]
    assert unnamed == []
    dock.tabs.setCurrentWidget(dock.out)
    assert dock.out.groups == ["Back tomorrow (1)"]


def test_a_closed_team_panel_counts_nothing_until_it_opens(qtbot: Any) -> None:
    """Refreshes cost a closed panel nothing; opening it shows the current counts."""
    dock = TeamDock()
    qtbot.addWidget(dock)
    dock.departments.set_structure(
        Structure({1: Department(1, "Acme", None, None), 2: Department(2, "Sales", 1, None)})
    )
    dock.set_colleagues((colleague(2, departments=(1,)),), TODAY)
    dock.set_colleagues((colleague(2, departments=(1,)), colleague(3, departments=(2,))), TODAY)
    assert dock.departments.count_text(1) in ("", "0 of 0"), "not worked out while closed"
    dock.show()
    assert dock.departments.count_text(1) == "2 of 2"
    assert dock.departments.count_text(2) == "1 of 1"
    dock.set_colleagues((colleague(3, departments=(2,)),), TODAY)  # open: counted at once
    assert dock.departments.count_text(1) == "1 of 1", "someone left: the totals follow"
    # One hired and one gone in the same refresh, with only presence changes reported.
    dock.set_colleagues((colleague(4, departments=(1,)),), TODAY, changed=())
    assert dock.departments.count_text(2) == "0 of 0"
    assert dock.departments.count_text(1) == "1 of 1"


# -- hostile portal text and failures ---------------------------------------------------------


def test_department_names_are_plain_text_and_tooltips_escaped(qtbot: Any) -> None:
    from bx24presence.qt.views.departments import DepartmentPanel

    panel = DepartmentPanel()
    qtbot.addWidget(panel)
    evil = '<img src="http://attacker.example/x.png">\u202eSales'
    panel.set_structure(Structure({1: Department(1, evil, None, None)}))
    panel.set_colleagues((colleague(1, departments=(1,)),), TODAY)
    item = panel._items[1][0]
    assert "<img" in item.text()  # shown as written (QStandardItem text is plain)
    assert "<img" not in item.toolTip() and "\u202e" not in item.toolTip()


def test_a_refused_structure_request_is_reported_not_raised(qapp: QApplication) -> None:
    from bx24presence.api.errors import ScopeError
    from bx24presence.qt.views.departments import DepartmentLoader

    class Refusing:
        def call(self, method: str, params: Any = None) -> Any:
            raise ScopeError(scope="department")

    loader = DepartmentLoader(Refusing)
    failed: list[str] = []
    loader.failed.connect(failed.append)
    loader.load([1, 2])
    assert failed and "'department' scope" in failed[0]


def test_a_broken_answer_is_reported_and_shown(qtbot: Any) -> None:
    from bx24presence.qt.views.departments import DepartmentLoader, DepartmentPanel

    class Broken:
        def call(self, method: str, params: Any = None) -> Any:
            raise RuntimeError("boom")

    loader = DepartmentLoader(Broken)
    panel = DepartmentPanel()
    qtbot.addWidget(panel)
    loader.failed.connect(panel.show_failure)
    loader.load([1])
    assert panel.head.text() == "Departments could not be loaded: unexpected error (see the log)"


def test_a_number_the_allow_list_refuses_is_shown_but_never_called(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from bx24presence.domain import Phones
    from bx24presence.qt.views.team_lists import PickupList

    pickup = PickupList()
    qtbot.addWidget(pickup)
    bad = colleague(1, "Eve", phones=Phones(personal_mobile="javascript:alert(1)"))
    good = colleague(2, "Bob", last_activity=SERVER_NOW - timedelta(hours=1))
    pickup.set_colleagues((bad, good), TODAY)
    calls: list[str] = []
    pickup.call_requested.connect(calls.append)
    rows = {
        pickup.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole + 1): pickup.tree.topLevelItem(
            i
        )
        for i in range(pickup.tree.topLevelItemCount())
    }
    assert rows[1].text(1) == "javascript:alert(1)"
    pickup._on_tree_item_clicked(rows[1], 1)
    pickup._on_tree_item_activated(rows[1], 0)
    assert calls == []
    pickup._on_tree_item_clicked(rows[2], 1)
    assert calls == ["tel:+74950000201"]


def test_a_poll_older_than_a_change_does_not_flip_the_status_back(qapp: QApplication) -> None:
    clock = Clock(SERVER_NOW)
    own = OwnStatus(clock=clock)
    own.confirm("online")
    own.choose("away")
    own.observe("online")  # answered before the portal got "away"
    assert own.status == "away"
    own.confirm("away")  # the portal accepted it
    clock.now += timedelta(seconds=30)
    own.observe("online")  # changed elsewhere since (the Bitrix24 app)
    assert own.status == "online"
    own.choose("break")
    clock.now += timedelta(minutes=3)  # never confirmed: polls are believed again
    own.observe("online")
    assert own.status == "online"
    own.stop()
