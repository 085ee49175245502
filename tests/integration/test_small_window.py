"""A small window stays useful (offscreen, a real session on the demo portal): at 500x400 the
list shows at least four rows with the details pane below it, every toolbar action can be
reached without an overflow chevron, and the Team panel does not squeeze the list away."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from bx24presence.api.auth import parse_webhook_url
from bx24presence.qt import i18n
from bx24presence.qt.session import PortalChoice, Session
from bx24presence.qt.views.own_status import OwnStatus
from bx24presence.settings import Settings
from bx24presence.state import StateStore

ROWS = 4


@pytest.fixture
def session_at(qapp: Any, qtbot: Any, make_portal: Any) -> Any:
    made: list[Session] = []

    def make(lang: str, size: tuple[int, int]) -> Session:
        i18n.install(qapp, lang)
        portal = make_portal(users=60)
        choice = PortalChoice.from_auth(parse_webhook_url(portal.webhook_url))
        s = Session(qapp, Settings(), choice, state=StateStore())
        made.append(s)
        own = OwnStatus()
        s.team.set_own_status(own)
        own.confirm("online")
        s.window.resize(*size)
        s.start()
        qtbot.waitExposed(s.window)
        qtbot.waitUntil(lambda: s.model.rowCount() > 0, timeout=10000)
        s.window.select_colleague(s.proxy.colleague_at(5).id)
        qtbot.wait(50)
        return s

    yield make
    for s in made:
        s.shutdown()
        s.window.close()
        s.team.own_button.own.stop()
    i18n.install(qapp, "en")


def inside(window: QWidget, widget: QWidget) -> bool:
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return widget.isVisible() and window.rect().contains(rect)


def rows_shown(s: Session) -> float:
    return s.window.list.viewport().height() / s.window.list.verticalHeader().defaultSectionSize()


def menu_entries(menu: QMenu) -> list[str]:
    menu.aboutToShow.emit()
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def reachable(s: Session) -> list[str]:
    """Each toolbar action that a click inside the window reaches, by its label: its own
    widget on a toolbar, or an entry of the window's menu button."""
    w = s.window
    menu_button = getattr(w, "menu_button", None)
    folded = set()
    if menu_button is not None and inside(w, menu_button):
        folded = set(menu_entries(menu_button.menu()))
    found = []
    for bar in w.findChildren(QToolBar):
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            label = action.text() or (widget.accessibleName() if widget else "")
            names = {action.text(), getattr(widget, "text", str)(), label} - {""}
            shown = bar.isVisible() and widget is not None and inside(w, widget)
            if shown or names & folded:
                found.append(label)
    return found


def toolbar_labels(s: Session) -> list[str]:
    labels = []
    for bar in s.window.findChildren(QToolBar):
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            labels.append(action.text() or (widget.accessibleName() if widget else ""))
    return labels


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_500x400_shows_four_rows_the_details_and_every_action(session_at: Any, lang: str) -> None:
    s = session_at(lang, (500, 400))
    w = s.window
    assert (w.width(), w.height()) == (500, 400)
    assert rows_shown(s) >= ROWS, f"{rows_shown(s):.1f} rows"
    assert w.details.isVisible() and w.details.height() >= w.details.minimumHeight() > 0
    assert w.details.colleague is not None
    labels = toolbar_labels(s)
    assert len(labels) == 4, labels  # own status, sort order, Team panel, About
    assert reachable(s) == labels
    # The quick filter on says its count whole.
    assert getattr(
        w.panel, "filter_menu", w.filters
    ).isVisible() and w.panel.filter_menu.text().endswith("60")
    assert inside(w, w.panel.filter_menu)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_team_panel_at_500_leaves_the_list_its_rows(
    session_at: Any, qtbot: Any, lang: str
) -> None:
    s = session_at(lang, (500, 400))
    s.team.team_action.trigger()
    qtbot.waitUntil(s.team.dock.isVisible)
    qtbot.wait(50)
    assert rows_shown(s) >= ROWS, f"{rows_shown(s):.1f} rows"
    assert s.window.list.viewport().width() >= 250
    assert reachable(s) == toolbar_labels(s)
    s.team.team_action.trigger()  # closed again: the details are back
    qtbot.waitUntil(s.window.details.isVisible)


def test_full_screen_keeps_the_toolbar_and_the_filter_chips(session_at: Any) -> None:
    s = session_at("en", (1920, 1080))
    w = s.window
    bars = w.findChildren(QToolBar)
    assert bars and all(bar.isVisible() for bar in bars)
    assert not w.menu_button.isVisible()
    assert reachable(s) == toolbar_labels(s)
    assert w.filters.isVisible() and not w.panel.filter_menu.isVisible()
    assert w.refresh_button.isVisible() and w.settings_button.isVisible()


def test_the_folded_menu_shows_the_own_status_as_it_changes(session_at: Any, qtbot: Any) -> None:
    """The toolbar is hidden at 500 wide: the Menu button carries the own status' badge."""
    s = session_at("en", (500, 400))
    own, button = s.team.own_button.own, s.team.own_button
    assert s.window.menu_button.icon().cacheKey() == button.icon().cacheKey()
    own.choose("dnd")
    qtbot.waitUntil(
        lambda: s.window.menu_button.icon().cacheKey() == button.icon().cacheKey(), timeout=2000
    )


def test_a_banner_at_500x400_takes_rows_never_pushes_the_list_out(
    session_at: Any, qtbot: Any
) -> None:
    s = session_at("en", (500, 400))
    w = s.window
    w.banner.show_message(
        "warning",
        "Could not reach the portal (gave up after 2 attempts). The data is 5 min old.",
        "Retry now",
    )
    qtbot.waitUntil(lambda: rows_shown(s) < ROWS)
    qtbot.wait(50)
    assert rows_shown(s) >= 3, f"{rows_shown(s):.1f} rows"
    # The whole list, frame and all, lies inside its column: nothing drawn under the details.
    assert w.list.mapTo(w.panel, QPoint(0, w.list.height())).y() <= w.panel.height()
    assert (w.width(), w.height()) == (500, 400), "the window does not grow"
    w.banner.clear()
    qtbot.waitUntil(lambda: rows_shown(s) >= ROWS)
