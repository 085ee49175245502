"""The main window's menu and keys: the colleague context menu (watch, notify, copy) and the
window-wide shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from bx24presence.domain import Colleague
from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.watchlist import WatchList, fill_notify_menu

if TYPE_CHECKING:
    from bx24presence.qt.main_window import MainWindow


def add_watch_actions(menu: QMenu, wl: WatchList, c: Colleague) -> None:
    """Add watch and notify actions for ``c`` to ``menu``."""
    watch = menu.addAction(
        QCoreApplication.translate("MainWindow", "Stop watching")
        if wl.is_watched(c.id)
        else QCoreApplication.translate("MainWindow", "Watch")
    )
    watch.setShortcut(QKeySequence("Ctrl+D"))
    watch.triggered.connect(lambda: wl.toggle(c.id))
    fill_notify_menu(
        menu.addMenu(QCoreApplication.translate("MainWindow", "Notify me when available")), wl, c.id
    )


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
    action = menu.addAction(QCoreApplication.translate("MainWindow", "Copy name and phone"))
    action.triggered.connect(copy)
    return menu


def add_shortcuts(window: MainWindow) -> tuple[QAction, QAction]:
    """The window-wide keys (F5, Ctrl+F, Ctrl+Q, Ctrl+, Ctrl+D, Alt+1..); returns "Refresh"
    and "Settings" (a narrow window's menu offers them)."""

    def act(
        text: str, keys: QKeySequence | str | QKeySequence.StandardKey, slot: object
    ) -> QAction:
        a = QAction(text, window)
        a.setShortcut(QKeySequence(keys))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        window.addAction(a)
        return a

    refresh = act(
        QCoreApplication.translate("MainWindow", "Refresh now"), "F5", window.refresh_requested
    )
    act(
        QCoreApplication.translate("MainWindow", "Search"),
        QKeySequence.StandardKey.Find,
        window.focus_search,
    )
    act(QCoreApplication.translate("MainWindow", "Quit"), "Ctrl+Q", window.quit_requested)
    settings = act(
        QCoreApplication.translate("MainWindow", "Settings"), "Ctrl+,", window.settings_requested
    )
    act(QCoreApplication.translate("MainWindow", "Watch"), "Ctrl+D", window.toggle_watch_selected)
    for i, kind in enumerate(QuickFilter):
        act(
            QCoreApplication.translate("MainWindow", "Filter"),
            f"Alt+{i + 1}",
            lambda _=False, k=kind: window.choose_filter(k),
        )
    return refresh, settings
