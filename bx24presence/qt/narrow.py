"""The narrow window's compact controls: the toolbar and the Refresh and Settings buttons fold
into one menu button, and the quick filters into one drop-down, so the list keeps its height.

Nothing is lost by folding: every toolbar action is in the menu (a tool button's own menu as a
submenu, a combo box as an exclusive choice), every filter with its count in the drop-down,
and the keyboard shortcuts stay on the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QComboBox,
    QMenu,
    QToolBar,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from bx24presence.qt.flow import TOGGLE_STYLE
from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.widgets import CountButton, FilterBar


class FilterMenuButton(CountButton):
    """The quick filters as one drop-down: "Everyone 400 ▾", each filter with its count in the
    menu. It mirrors a :class:`FilterBar` (choosing clicks that bar's button)."""

    def __init__(self, bar: FilterBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setCheckable(True)
        self.setChecked(True)  # drawn as the chosen filter
        # Room on the right for the menu's arrow, clear of the count.
        self.setStyleSheet(TOGGLE_STYLE + " QToolButton { padding-right: 20px; }")
        self.setToolTip(QCoreApplication.translate("MainWindow", "Quick filter (Alt+1 to Alt+5)"))
        self.menu_ = QMenu(self)
        self.menu_.setAccessibleName(QCoreApplication.translate("MainWindow", "Quick filter"))
        self.menu_.aboutToShow.connect(self._fill)
        self.setMenu(self.menu_)
        self.toggled.connect(lambda _on: self.setChecked(True))
        for kind in QuickFilter:
            bar.button(kind).toggled.connect(self.refresh)
        self.refresh()

    def current(self) -> QuickFilter:
        """The filter on."""
        return next(
            (k for k in QuickFilter if self.bar.button(k).isChecked()), QuickFilter.EVERYONE
        )

    def refresh(self, *args: object) -> None:
        """Show the filter on, with its count (as the bar's button says it)."""
        kind = self.current()
        button = self.bar.button(kind)
        self.reserve(self.bar.reserved(kind))
        self.setText(button.text())
        self.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Quick filter: %1").replace(
                "%1", button.accessibleName()
            )
        )

    def _fill(self) -> None:
        self.menu_.clear()
        group = QActionGroup(self.menu_)
        group.setExclusive(True)
        for i, kind in enumerate(QuickFilter):
            button = self.bar.button(kind)
            action = self.menu_.addAction(button.text())
            action.setCheckable(True)
            action.setChecked(button.isChecked())
            action.setShortcut(f"Alt+{i + 1}")
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the window has them
            action.setActionGroup(group)
            action.triggered.connect(lambda _=False, b=button: b.click())


class FoldedMenuButton(QToolButton):
    """ "Menu ▾": what the toolbars and the folded buttons hold, in one menu. Its icon is the
    first toolbar button's (the own status' badge), so the status still shows at a glance."""

    def __init__(
        self,
        toolbars: Callable[[], Iterable[QToolBar]],
        actions: Iterable[QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._toolbars = toolbars
        self._actions = list(actions)
        self.setText(QCoreApplication.translate("MainWindow", "Menu"))
        self.setAccessibleName(QCoreApplication.translate("MainWindow", "Menu"))
        self.setToolTip(
            QCoreApplication.translate(
                "MainWindow", "My status, the sort order, the Team panel, About, Refresh, Settings"
            )
        )
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.menu_ = QMenu(self)
        self.menu_.setAccessibleName(QCoreApplication.translate("MainWindow", "Menu"))
        self.menu_.aboutToShow.connect(self.fill)
        self.setMenu(self.menu_)

    def refresh(self) -> None:
        """Take the icon of the first toolbar button that has one."""
        for bar in self._toolbars():
            for action in bar.actions():
                widget = bar.widgetForAction(action)
                if isinstance(widget, QToolButton) and not widget.icon().isNull():
                    self.setIcon(widget.icon())
                    return

    def fill(self) -> None:
        """Build the menu from what the toolbars hold now."""
        menu = self.menu_
        menu.clear()
        for bar in self._toolbars():
            for action in bar.actions():
                if action.isSeparator():
                    menu.addSeparator()
                elif isinstance(action, QWidgetAction):
                    _add_widget(menu, action.defaultWidget())
                elif action.isVisible():
                    menu.addAction(action)
            menu.addSeparator()
        for action in self._actions:
            menu.addAction(action)


def _add_widget(menu: QMenu, widget: QWidget | None) -> None:
    """A toolbar widget as menu entries: a tool button's menu, or a combo box's choices."""
    if isinstance(widget, QToolButton) and widget.menu() is not None:
        sub = widget.menu()
        sub.setTitle(widget.text())
        sub.setIcon(widget.icon())
        menu.addMenu(sub)
    elif isinstance(widget, QComboBox):
        sub = menu.addMenu(widget.accessibleName() or widget.toolTip())
        group = QActionGroup(sub)
        group.setExclusive(True)
        for i in range(widget.count()):
            action = sub.addAction(widget.itemText(i))
            action.setCheckable(True)
            action.setChecked(i == widget.currentIndex())
            action.setActionGroup(group)
            action.triggered.connect(lambda _=False, c=widget, i=i: c.setCurrentIndex(i))
