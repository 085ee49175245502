"""The own status in the whole app on the demo portal (offscreen: no tray): "do not disturb"
chosen in the window silences alerts at once, and a "back online" asked for while no session
is open reaches the portal when one opens."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from bx24presence.domain import Presence, diff_snapshots
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.controller import Controller
from bx24presence.qt.list.keys import compute_keys
from bx24presence.qt.poller import SnapshotReady
from bx24presence.runoptions import RunOptions
from bx24presence.settings import NotifyRule, Settings, SettingsStore
from bx24presence.state import StateStore


def _controller(qapp: Any, portal: Any, tmp_path: Any, settings: Settings) -> Controller:
    i18n.install(qapp, "en")
    args = RunOptions(portal=portal.webhook_url, demo_users=0)
    return Controller(
        qapp, SettingsStore(settings), args, state=StateStore(path=tmp_path / "state.json")
    )


def _close(c: Controller) -> None:
    c.shutdown()
    if c.session is not None:
        c.session.window.close()


def test_dnd_from_the_window_silences_an_arrival_the_next_poll_reports(
    qtbot: Any, qapp: Any, make_portal: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    portal = make_portal(users=30)
    target = portal.colleague_ids()[2]
    now = portal.clock.now()
    portal.set_activity(target, last_activity=now.replace(year=now.year - 1))
    settings = Settings(watched=(target,), notify={str(target): NotifyRule(mode="always")})
    c = _controller(qapp, portal, tmp_path, settings)
    try:
        assert c.tray is None and c.start()
        qtbot.waitUntil(lambda: c.watcher._available is not None, timeout=10000)
        button = c.session.team.own_button
        dnd = next(a for a in button.menu_.actions() if a.text() == "Do not disturb")
        dnd.trigger()  # from the window: there is no tray
        # The next data was answered before the portal had the change: it still says
        # "online" (a relay's data says nothing at all), and the colleague came online.
        snap = c.session.model.snapshot
        people = tuple(
            dataclasses.replace(p, presence=Presence.ONLINE, last_activity=snap.server_time)
            if p.id == target
            else p
            for p in snap.colleagues
        )
        for own_status in ("online", None):
            new = dataclasses.replace(snap, colleagues=people, own_status=own_status)
            ready = SnapshotReady(
                new,
                diff_snapshots(snap.colleagues, people),
                compute_keys(new, today=c.session.model.local_now().date()),
            )
            c.watcher._available = {p.id for p in snap.colleagues if p.id != target}
            c.session.snapshot_applied.emit(ready)
            assert "Available now" not in c.session.window.statusBar().currentMessage()
        assert c.own.status == "dnd"
    finally:
        _close(c)


def test_the_end_of_dnd_with_no_session_open_reaches_the_portal_when_one_opens(
    qtbot: Any, qapp: Any, make_portal: Any, tmp_path: Any
) -> None:
    portal = make_portal(users=20)
    c = _controller(qapp, portal, tmp_path, Settings())
    try:
        assert c.start()
        qtbot.waitUntil(lambda: c.session.model.snapshot is not None, timeout=10000)
        clock = [datetime.now().astimezone()]
        c.own._clock = lambda: clock[0]
        c.own.dnd_for(timedelta(hours=1))
        qtbot.waitUntil(lambda: portal.status_log[-1:] == ["dnd"], timeout=20000)
        qtbot.waitUntil(lambda: c.own._requested_at is None, timeout=5000)  # answered
        choice = c.session.choice
        c.close_session()  # between sessions (reconnecting, the welcome dialog)
        clock[0] += timedelta(hours=1, seconds=1)
        c.own.check()  # the hour is over while no session is open
        assert c.own.status == "online"
        assert portal.status_log[-1:] == ["dnd"]
        assert StateStore.open(tmp_path / "state.json")[0].current.dnd_until, "kept for a restart"
        c.open_session(choice)
        qtbot.waitUntil(lambda: portal.status_log[-1:] == ["online"], timeout=20000)
        qtbot.waitUntil(lambda: c.own._requested_at is None, timeout=5000)  # answered
        assert StateStore.open(tmp_path / "state.json")[0].current.dnd_until == ""
    finally:
        _close(c)
