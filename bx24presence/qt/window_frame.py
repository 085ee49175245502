"""The main window's frame: its size on the screen, the list-and-details splitter that turns
vertical when narrow, the toolbar that folds into a menu, the status bar, and the state saved
or carried to a new session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QToolBar,
    QWidget,
)

from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.list.view import Anchor
from bx24presence.qt.narrow import FoldedMenuButton

if TYPE_CHECKING:
    from bx24presence.qt.main_window import MainWindow

#: Narrower than this, the details pane goes below the list instead of beside it.
NARROW_PX = 720
MIN_SIZE = (460, 360)
# Marks a toolbar hidden by folding (shown again when there is room), not by the user.
FOLDED = "bx24presence-folded"
# Below the list, the details pane takes this share of a tall window (a short one gives the
# list everything but the details' first line).
DETAILS_SHARE = 2 / 5
TALL_PX = 600


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` x ``height``, but never beyond the screen's free area."""
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width, height = min(width, area.width()), min(height, area.height())
    window.resize(max(width, MIN_SIZE[0]), max(height, MIN_SIZE[1]))


class AdaptiveSplitter(QSplitter):
    """List beside details, or above them when the window is narrow (500 px): both keep
    their full width, and the details scroll instead of being cut off."""

    def __init__(self, first: QWidget, second: QWidget) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.addWidget(first)
        self.addWidget(second)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setChildrenCollapsible(False)
        self.setSizes([600, 400])  # until the user moves it (then it is remembered)

    def fit(self, window_width: int, height: int | None = None) -> None:
        """Take the orientation a window this wide needs; below the list, the details get a
        share of a tall window and keep their height as it grows (the list takes the rest)."""
        vertical = window_width < NARROW_PX
        wanted = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        self.setStretchFactor(0, 1 if vertical else 3)
        self.setStretchFactor(1, 0 if vertical else 2)
        if self.orientation() != wanted:
            self.setOrientation(wanted)
            if vertical:
                total = height if height is not None else self.height()
                details = int(total * DETAILS_SHARE) if total >= TALL_PX else 0
                self.setSizes([total - details, details])  # minimums (the list's) win
            else:
                self.setSizes([self.width() * 3 // 5, self.width() - self.width() * 3 // 5])


def add_folded_menu(window: MainWindow) -> FoldedMenuButton:
    """The menu button a narrow window shows instead of its toolbar, Refresh and Settings."""
    button = FoldedMenuButton(
        lambda: top_toolbars(window), (window.refresh_action, window.settings_action)
    )
    button.hide()
    window.panel.add_top_button(button)
    return button


def top_toolbars(window: MainWindow) -> list[QToolBar]:
    """The toolbars at the top of ``window``."""
    return [
        bar
        for bar in window.findChildren(QToolBar)
        if window.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea
    ]


def side_docks_width(window: MainWindow) -> int:
    """How much width open docks beside the central area take."""
    sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
    return sum(
        dock.width()
        for dock in window.findChildren(QDockWidget)
        if dock.isVisible() and not dock.isFloating() and window.dockWidgetArea(dock) in sides
    )


def fit_layout(window: MainWindow) -> None:
    """Arrange ``window`` for its size: a toolbar that does not fit (or any, in a narrow
    window) folds into the menu button; the central area's width decides whether the details
    go beside or below the list; a narrow window with the Team panel open hides the details,
    so the list keeps its rows."""
    width = window.width()
    bars = top_toolbars(window)
    fold = width < NARROW_PX or any(bar.sizeHint().width() > width for bar in bars)
    for bar in bars:
        if fold and bar.isVisibleTo(window):
            bar.setProperty(FOLDED, True)
            bar.hide()
        elif not fold and bar.property(FOLDED):
            bar.setProperty(FOLDED, False)
            bar.show()
    window.menu_button.setVisible(fold)
    window.menu_button.refresh()
    window.panel.set_folded(fold)
    docks = side_docks_width(window)
    central = width - docks
    # The splitter's own height is the old one while the window is being resized.
    bars_height = sum(bar.height() for bar in bars if bar.isVisibleTo(window))
    status = window.statusBar().sizeHint().height()
    height = window.height() - bars_height - status
    vertical = central < NARROW_PX
    window.panel.set_compact(vertical)  # their minimum heights first: the splitter keeps them
    window.details.set_compact(vertical)
    window.details.setVisible(not (docks and width < NARROW_PX))
    below = 0
    if vertical and window.details.isVisibleTo(window):
        below = window.details.minimumHeight() + window.splitter.handleWidth()
    window.panel.keep_rows(height - below)
    window.splitter.fit(central, height)


class FittedWindow(QMainWindow):
    """A main window arranged for its size by :func:`fit_layout`: on a resize, when a
    toolbar's size changes (a longer own status), when a dock opens or closes, and when the
    banner above the list comes or goes."""

    def start_fitting(self) -> None:
        """Arrange the window now, and from now on (call once its parts exist)."""
        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.timeout.connect(self.fit)
        self._fitting = True
        cast("MainWindow", self).banner.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        """Arrange the window for its size."""
        if getattr(self, "_fitting", False):
            fit_layout(cast("MainWindow", self))

    def _fit_soon(self, *args: object) -> None:
        if getattr(self, "_fitting", False):
            self._fit.start()

    def addToolBar(self, *args: Any) -> Any:
        bar = super().addToolBar(*args)
        added = bar if isinstance(bar, QToolBar) else args[-1]
        if isinstance(added, QToolBar):
            added.installEventFilter(self)
        self._fit_soon()
        return bar

    def addDockWidget(self, *args: Any) -> None:
        super().addDockWidget(*args)
        for dock in args:
            if isinstance(dock, QDockWidget):
                dock.visibilityChanged.connect(self._fit_soon)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        toolbar_resized = kind == QEvent.Type.LayoutRequest and isinstance(watched, QToolBar)
        banner = kind in (QEvent.Type.Show, QEvent.Type.Hide) and watched is getattr(
            self, "banner", None
        )
        if toolbar_resized or banner:
            self._fit_soon()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


def add_status_widgets(window: MainWindow) -> tuple[QLabel, QProgressBar]:
    """The status bar's line (data age and counts) and its busy indicator."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(QCoreApplication.translate("MainWindow", "Status"))
    progress = QProgressBar()
    progress.setRange(0, 0)
    progress.setMaximumWidth(120)
    progress.setTextVisible(False)
    progress.setAccessibleName(QCoreApplication.translate("MainWindow", "Loading"))
    window.statusBar().addWidget(label, 1)
    window.statusBar().addPermanentWidget(progress)
    return label, progress


def save_state(window: MainWindow) -> tuple[str, str]:
    """Window geometry and splitter sizes, as base64 texts."""
    geometry = bytes(window.saveGeometry().toBase64().data()).decode()
    splitter = bytes(window.splitter.saveState().toBase64().data()).decode()
    return geometry, splitter


def restore_state(window: MainWindow, geometry: str, splitter: str) -> None:
    """Restore what :func:`save_state` gave; bad data is ignored."""
    if geometry:
        window.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
    if splitter:
        window.splitter.restoreState(QByteArray.fromBase64(splitter.encode()))
    fit_layout(window)


@dataclass(frozen=True)
class Carried:
    """What a new session's window takes over from the old one when the portal or webhook
    changes: where it is, what the user searched, filtered, selected and looked at."""

    geometry: QRect
    splitter: QByteArray
    search: str
    quick_filter: QuickFilter
    selected_id: int | None
    anchor: Anchor | None


def carry(window: MainWindow) -> Carried:
    """The state of ``window`` for its successor."""
    return Carried(
        geometry=window.geometry(),
        splitter=window.splitter.saveState(),
        search=window.search.text(),
        quick_filter=window.proxy.quick_filter,
        selected_id=window.selected_id,
        anchor=window.list.anchor(),
    )


def take_over(window: MainWindow, carried: Carried) -> None:
    """Put ``window`` where its predecessor was, with the same search, filter and selection
    (selected again, and scrolled back, when the new data arrives)."""
    window.setGeometry(carried.geometry)
    window.splitter.restoreState(carried.splitter)
    fit_layout(window)
    window.search.setText(carried.search)
    window.choose_filter(carried.quick_filter)
    window.keep_for_first_data(carried.selected_id, carried.anchor)
