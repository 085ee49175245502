"""The own status reaches the portal however it was asked for: a request no session took is
kept until one opens (and across a restart while the portal does not have it), a failed one
is sent again a few times at most; alerts read "do not disturb" from the one owner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QApplication, QMainWindow

from bx24presence.domain import Presence, diff_snapshots
from bx24presence.qt.alerts import Alerts
from bx24presence.qt.list.keys import compute_keys
from bx24presence.qt.poller import SnapshotReady
from bx24presence.qt.views.own_status import (
    MAX_TRIES,
    OwnStatus,
    OwnStatusButton,
    StateDndStore,
    fill_status_menu,
)
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import NotifyRule, Settings, SettingsStore
from bx24presence.state import StateStore
from bx24presence.watch import Watcher
from tests.factories import SERVER_NOW, TODAY, colleague, snapshot


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_end_of_a_period_with_no_session_is_kept_and_read_again_at_start(
    qapp: QApplication, tmp_path: Any
) -> None:
    path = tmp_path / "state.json"
    clock = Clock(SERVER_NOW)
    own = OwnStatus(clock=clock, store=StateDndStore(StateStore(path=path)))
    own.confirm("online")
    own.dnd_for(timedelta(hours=1))
    own.sent("dnd")
    own.confirm("dnd")
    clock.now += timedelta(hours=1, seconds=1)
    own.check()  # nobody took the request: no session is open
    assert own.status == "online" and own.unsent == "online"
    own.stop()
    # The app quits before a session opens: the next start still returns the user online.
    again = OwnStatus(clock=clock, store=StateDndStore(StateStore.open(path)[0]))
    sent: list[str] = []
    again.status_requested.connect(sent.append)
    again.check()
    assert sent == ["online"] and again.unsent == "online"
    again.sent("online")
    again.confirm("online")
    assert again.unsent is None and again.in_flight is None
    assert StateStore.open(path)[0].current.dnd_until == ""
    again.stop()


def test_going_online_from_the_tray_with_no_session_survives_a_restart(
    qapp: QApplication, tmp_path: Any
) -> None:
    path = tmp_path / "state.json"
    clock = Clock(SERVER_NOW)
    own = OwnStatus(clock=clock, store=StateDndStore(StateStore(path=path)))
    own.confirm("dnd")  # set in the Bitrix24 app
    own.choose("online")
    assert own.unsent == "online"
    own.stop()
    again = OwnStatus(clock=clock, store=StateDndStore(StateStore.open(path)[0]))
    sent: list[str] = []
    again.status_requested.connect(sent.append)
    again.check()
    assert sent == ["online"]
    again.stop()


def test_a_failed_request_is_kept_and_given_up_after_a_few_tries(qapp: QApplication) -> None:
    own = OwnStatus(clock=Clock(SERVER_NOW))
    own.confirm("dnd")
    own.choose("online")
    for _ in range(MAX_TRIES - 1):
        assert own.unsent == "online"
        own.sent("online")
        assert own.retry_due is None  # on its way
        own.failed()
        assert own.retry_due == "online"
    own.sent("online")
    own.failed()
    assert own.unsent is None and own.retry_due is None
    own.stop()


def test_an_earlier_answer_keeps_the_later_request(qapp: QApplication) -> None:
    own = OwnStatus(clock=Clock(SERVER_NOW))
    own.choose("away")
    own.sent("away")
    own.choose("online")
    own.confirm("away")
    assert own.unsent == "online"
    own.stop()


def _ready(people: list[Any], own_status: str | None, *, baseline: bool = False) -> SnapshotReady:
    snap = snapshot(people, own_status=own_status)
    return SnapshotReady(
        snap,
        diff_snapshots((), snap.colleagues),
        compute_keys(snap, today=TODAY),
        baseline=baseline,
    )


def test_dnd_chosen_in_the_window_silences_the_very_next_alert(qtbot: Any) -> None:
    """No tray: "do not disturb" from the window's button counts at once, before any poll has
    seen it (the next snapshot may have been answered before the portal got it)."""
    store = SettingsStore(
        Settings(watched=(2, 3), notify={"2": NotifyRule(mode="always"), "3": NotifyRule()})
    )
    watchlist = WatchList(store)
    own = OwnStatus(clock=Clock(SERVER_NOW))
    own.confirm("online")
    window = QMainWindow()
    qtbot.addWidget(window)
    alerts = Alerts(
        Watcher(interval_s=60, clock=lambda: SERVER_NOW), watchlist, store, None, own=own
    )
    away = Presence.OFFLINE
    people = [colleague(1), colleague(2, presence=away), colleague(3, presence=away)]
    alerts.observe(_ready(people, "online", baseline=True), window=window)
    button = OwnStatusButton(own)
    qtbot.addWidget(button)
    dnd = fill_status_menu(button.menu_, own)[1]
    dnd.trigger()  # "Do not disturb", from the window
    assert own.status == "dnd"
    people[1] = colleague(2)  # a watched colleague came online
    result = alerts.observe(_ready(people, "online"), window=window)
    assert result.alerts == []
    assert window.statusBar().currentMessage() == ""
    # Back online: the next arrival is announced again.
    fill_status_menu(button.menu_, own)[0].trigger()
    people[2] = colleague(3)
    result = alerts.observe(_ready(people, "online"), window=window)
    assert [a.colleagues[0].id for a in result.alerts] == [3]
    assert "Person 00003" in window.statusBar().currentMessage()
    own.stop()
    watchlist.close()
