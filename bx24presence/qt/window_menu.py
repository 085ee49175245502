"""The main window's menu and keys: the colleague context menu (watch, notify, copy) and the
window-wide shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from bx24presence.domain import Colleague
from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.watchlist import WatchList, fill_notify_menu
from bx24presence.qt.widgets import tr

if TYPE_CHECKING:
    from bx24presence.qt.main_window import MainWindow


def add_watch_actions(menu: QMenu, wl: WatchList, c: Colleague) -> None:
    """Add watch and notify actions for ``c`` to ``menu``."""
    watch = menu.addAction(tr("Stop watching") if wl.is_watched(c.id) else tr("Watch"))
    watch.setShortcut(QKeySequence("Ctrl+D"))
    watch.triggered.connect(lambda: wl.toggle(c.id))
    fill_notify_menu(menu.addMenu(tr("Notify me when available")), wl, c.id)


def copy_name_and_phone(c: Colleague) -> str:
    """Ctrl+C: put the colleague's name and first phone number on the clipboard; the text."""
    phones = list(c.phones.as_dict().values())
    text = c.name + (f", {phones[0]}" if phones else "")
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)
    return text


def colleague_menu(parent: QWidget, wl: WatchList, c: Colleague, copy: Callable[[], None]) -> QMenu:
    """The menu for one colleague's row."""
    menu = QMenu(parent)
    add_watch_actions(menu, wl, c)
    menu.addSeparator()
    action = menu.addAction(tr("Copy name and phone"))
    action.triggered.connect(copy)
    return menu


def add_shortcuts(window: MainWindow) -> QAction:
    """The window-wide keys (F5, Ctrl+F, Ctrl+Q, Ctrl+, Ctrl+D, Alt+1..); returns "Refresh"."""

    def act(
        text: str, keys: QKeySequence | str | QKeySequence.StandardKey, slot: object
    ) -> QAction:
        a = QAction(text, window)
        a.setShortcut(QKeySequence(keys))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        window.addAction(a)
        return a

    refresh = act(tr("Refresh now"), "F5", window.refresh_requested)
    act(tr("Search"), QKeySequence.StandardKey.Find, window.focus_search)
    act(tr("Quit"), "Ctrl+Q", window.quit_requested)
    act(tr("Settings"), "Ctrl+,", window.settings_requested)
    act(tr("Watch"), "Ctrl+D", window.toggle_watch_selected)
    for i, kind in enumerate(QuickFilter):
        act(tr("Filter"), f"Alt+{i + 1}", lambda _=False, k=kind: window.choose_filter(k))
    return refresh
