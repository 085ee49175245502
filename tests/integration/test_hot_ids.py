"""The window tells the poller who is on screen and who is watched, so a steady poll
re-reads exactly their details (the rest rotate)."""

from __future__ import annotations

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.list.hot import visible_ids
from bx24presence.qt.list.model import IdRole
from bx24presence.qt.session import PortalChoice, Session
from bx24presence.settings import Settings


@pytest.fixture
def session(qapp, qtbot, make_portal, monkeypatch):
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    portal = make_portal(users=300)
    choice = PortalChoice.from_auth(parse_webhook_url(portal.webhook_url))
    s = Session(qapp, Settings(poll_interval_s=15), choice)
    s.window.resize(600, 500)
    s.start()
    qtbot.waitUntil(lambda: s.model.rowCount() > 0 and s.window._loaded, timeout=15000)
    yield s
    s.shutdown()
    s.window.close()


def test_on_screen_and_watched_colleagues_are_hot(qtbot, session) -> None:
    sent: list[frozenset[int]] = []
    real = session.poller.set_hot_ids
    session.hot._send = lambda ids: (sent.append(frozenset(ids)), real(ids))[1]
    session.window.show()
    qtbot.waitExposed(session.window)
    session.hot.send_now()
    shown = visible_ids(session.window.list)
    assert shown and sent[-1] >= set(shown)
    assert len(shown) < session.model.rowCount()

    far = session.proxy.index(session.proxy.rowCount() - 1, 0).data(IdRole)
    assert far not in shown
    session.watchlist.set_watched(far, True)
    qtbot.waitUntil(lambda: bool(sent) and far in sent[-1], timeout=3000)

    session.window.list.scrollToBottom()
    qtbot.waitUntil(lambda: visible_ids(session.window.list)[-1] in sent[-1], timeout=3000)
    assert frozenset(session.poller._hot_ids) == sent[-1]


def test_a_closed_session_sends_nothing_more(qtbot, session) -> None:
    """The watch list is shared with the tray and outlives a session: a change after the
    session closed must not wake its timer (it would reach a deleted view and poller)."""
    session.shutdown()
    session.hot.schedule()
    session.watchlist.set_watched(1, True)
    assert not session.hot._timer.isActive()
