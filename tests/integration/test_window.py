"""The whole window (offscreen) on a demo portal: data arrives, changes show, text stays text."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from bx24presence.api.auth import parse_webhook_url
from bx24presence.domain import Presence
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.session import PortalChoice, Session
from bx24presence.settings import Settings


@pytest.fixture
def app_on(qapp, monkeypatch):
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    apps: list[Session] = []

    def make(portal, interval_s: int = 1) -> Session:
        choice = PortalChoice.from_auth(parse_webhook_url(portal.webhook_url))
        app = Session(qapp, Settings(poll_interval_s=15), choice)
        app.poller.set_interval(interval_s)
        apps.append(app)
        app.start()
        return app

    yield make
    for app in apps:
        app.shutdown()
        app.window.close()
        assert not app.poller_thread.is_running()


def loaded(app) -> bool:
    return app.model.rowCount() > 0 and app.window._loaded


def test_window_shows_2000_colleagues_and_a_change_within_one_poll(qtbot, make_portal, app_on):
    portal = make_portal(users=2000)
    app = app_on(portal, interval_s=1)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    assert app.proxy.rowCount() == 2000
    assert "2,000 colleagues" in app.window.status_label.text()
    assert app.window.stack.currentWidget() is app.window.list
    # Select someone offline, then make them come online on the portal.
    quiet = next(c for c in app.model.colleagues() if c.presence is Presence.OFFLINE)
    assert app.window.select_colleague(quiet.id)
    portal.set_activity(quiet.id, last_activity=portal.clock.now())
    started = time.monotonic()
    qtbot.waitUntil(lambda: app.model.by_id(quiet.id).presence is Presence.ONLINE, timeout=5000)
    assert time.monotonic() - started < 1 + 2, "within one poll interval (plus the refresh)"
    assert app.window.selected_colleague().id == quiet.id, "selection survived"
    assert app.window.details._presence.text() == "online"


def test_markup_in_names_shows_literally(qtbot, make_portal, app_on) -> None:
    portal = make_portal(users=30)
    uid = portal.colleague_ids()[2]
    portal.update_user(uid, first_name="<b>x</b>", last_name="")
    app = app_on(portal)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    row = app.proxy.row_of(uid)
    assert app.proxy.index(row, 0).data(Qt.ItemDataRole.DisplayRole) == "<b>x</b>"
    assert app.window.select_colleague(uid)
    name = app.window.details._name
    assert name.text() == "<b>x</b>" and name.textFormat() == Qt.TextFormat.PlainText
    rich = [
        w
        for w in app.window.findChildren(QLabel)
        if w.textFormat() != Qt.TextFormat.PlainText and "<b>x</b>" in w.text()
    ]
    assert rich == []


def test_search_filters_and_status_bar(qtbot, make_portal, app_on) -> None:
    portal = make_portal(users=300)
    app = app_on(portal, interval_s=60)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    w = app.window
    # QTest can type only ASCII; Cyrillic search is covered in tests/qt/test_model.py.
    name = next(c.name for c in app.model.colleagues() if c.name.isascii())
    qtbot.keyClicks(w.search, name)
    assert app.proxy.rowCount() >= 1
    assert all(
        name.lower() in app.proxy.colleague_at(r).name.lower() for r in range(app.proxy.rowCount())
    )
    qtbot.keyClick(w.search, Qt.Key.Key_Escape)
    assert w.search.text() == "" and app.proxy.rowCount() == 300
    w.choose_filter(QuickFilter.AVAILABLE)
    assert app.proxy.rowCount() == app.proxy.counts[QuickFilter.AVAILABLE]
    assert "available" in w.filters.button(QuickFilter.AVAILABLE).text().lower()


def test_unreachable_portal_says_so_and_keeps_data(qtbot, make_portal, app_on) -> None:
    portal = make_portal(users=40)
    app = app_on(portal, interval_s=1)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    portal.stop()
    qtbot.waitUntil(app.window.banner.isVisible, timeout=8000)
    assert "Portal unreachable since" in app.window.banner.text
    assert "showing data from" in app.window.banner.text
    assert app.model.rowCount() == 40
    assert app.window.status_label.text().startswith("Stale")


def test_revoked_webhook_stops_and_says_what_to_do(qtbot, make_portal, app_on) -> None:
    portal = make_portal(users=20)
    portal.revoke()
    app = app_on(portal)
    qtbot.waitUntil(app.window.banner.isVisible, timeout=8000)
    assert app.window.banner.kind == "error"
    assert "Settings" in app.window.banner.text


def test_keyboard(qtbot, make_portal, app_on) -> None:
    portal = make_portal(users=50)
    app = app_on(portal, interval_s=60)
    qtbot.waitUntil(lambda: loaded(app), timeout=10000)
    w = app.window
    w.show()
    qtbot.waitExposed(w)
    qtbot.keyClick(w.search, Qt.Key.Key_Down)
    assert w.list.hasFocus() and w.list.currentIndex().row() == 0
    qtbot.keyClick(w.list, Qt.Key.Key_Down)
    assert w.list.currentIndex().row() == 1
    c = w.selected_colleague()
    assert w.details.colleague == c
    qtbot.keyClick(w.list, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text().startswith(c.name)
