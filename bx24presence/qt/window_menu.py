"""The colleague context menu of the main window: watch, notify, copy."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from bx24presence.domain import Colleague
from bx24presence.qt.watchlist import WatchList, fill_notify_menu
from bx24presence.qt.widgets import tr


def add_watch_actions(menu: QMenu, wl: WatchList, c: Colleague) -> None:
    """Add watch and notify actions for ``c`` to ``menu``."""
    watch = menu.addAction(tr("Stop watching") if wl.is_watched(c.id) else tr("Watch"))
    watch.setShortcut(QKeySequence("Ctrl+D"))
    watch.triggered.connect(lambda: wl.toggle(c.id))
    fill_notify_menu(menu.addMenu(tr("Notify me when available")), wl, c.id)


def colleague_menu(parent: QWidget, wl: WatchList, c: Colleague, copy: Callable[[], None]) -> QMenu:
    """The menu for one colleague's row."""
    menu = QMenu(parent)
    add_watch_actions(menu, wl, c)
    menu.addSeparator()
    action = menu.addAction(tr("Copy name and phone"))
    action.triggered.connect(copy)
    return menu
