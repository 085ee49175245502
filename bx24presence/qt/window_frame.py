"""The main window's frame: its size on the screen, the list-and-details splitter that turns
vertical when narrow, the status bar, and the state saved or carried to a new session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QProgressBar, QSplitter, QWidget

from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.list.view import Anchor

if TYPE_CHECKING:
    from bx24presence.qt.main_window import MainWindow

#: Narrower than this, the details pane goes below the list instead of beside it.
NARROW_PX = 720
MIN_SIZE = (460, 360)


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

    def fit(self, window_width: int) -> None:
        """Take the orientation a window this wide needs."""
        vertical = window_width < NARROW_PX
        wanted = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        if self.orientation() != wanted:
            self.setOrientation(wanted)
            total = self.height() if vertical else self.width()
            self.setSizes([total * 3 // 5, total - total * 3 // 5])


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
    window.splitter.fit(window.width())


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
    window.splitter.fit(carried.geometry.width())
    window.search.setText(carried.search)
    window.choose_filter(carried.quick_filter)
    window.keep_for_first_data(carried.selected_id, carried.anchor)
