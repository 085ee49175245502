"""The colleague list view: a one-column QTableView that behaves like a list.

QListView lays out every row on each change: in Qt 6 its ``isHidden(row)`` builds a model
index per row, which costs 20,000 Python calls for a 10,000-row proxy (about 0.26 s a
layout, far longer when the poller thread holds the interpreter lock). A table with fixed,
uniform row heights computes row positions arithmetically and asks the model only for the
rows it paints.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from bx24presence.qt.list.model import ColleagueRole, IdRole
from bx24presence.qt.list.scrollbar import ListScrollStyle


@dataclass(frozen=True)
class Anchor:
    """A colleague and how far below the viewport's top their row is (pixels)."""

    colleague_id: int
    offset: int


class ColleagueList(QTableView):
    """A fast list of uniform rows that keeps its place while the rows move around it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        vh = self.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setMinimumSectionSize(1)
        # A flat scroll bar: Fusion's costs a tenth of a search keystroke (see the module).
        self._scroll_style = ListScrollStyle()
        self._scroll_style.setParent(self)
        self.verticalScrollBar().setStyle(self._scroll_style)
        #: True from the moment rows start to leave until the owner settles the selection:
        #: Qt then selects a neighbour of a removed current row, which is not the user's choice.
        self.rows_leaving = False

    def set_row_height(self, height: int) -> None:
        """Every row has this height."""
        self.verticalHeader().setDefaultSectionSize(height)
        self.verticalScrollBar().setSingleStep(max(1, height // 3))

    def repaint_avatar(self, url: str) -> None:
        """Repaint the visible rows that show the avatar at ``url`` (it has just arrived),
        not the whole list: a picture arriving while the user types then costs one row's
        paint instead of a screenful's."""
        model = self.model()
        if model is None:
            return
        viewport = self.viewport()
        first = self.rowAt(0)
        if first < 0:
            return
        last = self.rowAt(viewport.height() - 1)
        if last < 0:
            last = model.rowCount() - 1
        for row in range(first, last + 1):
            index = model.index(row, 0)
            c = index.data(ColleagueRole)
            if c is not None and url in (c.avatar, c.avatar_hr):
                viewport.update(self.visualRect(index))

    def row_height(self) -> int:
        """The height of every row."""
        return self.verticalHeader().defaultSectionSize()

    def anchor(self) -> Anchor | None:
        """What to keep in place across a change of rows: the selected colleague when their
        row is in view, else the first colleague in view (None for an empty list)."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return None
        height = max(1, self.row_height())
        current = self.currentIndex()
        if current.isValid() and self.selectionModel().isSelected(current):
            offset = self.rowViewportPosition(current.row())
            if -height < offset < self.viewport().height():
                return self._anchor_at(current, offset)
        top = self.verticalScrollBar().value()
        row = min(model.rowCount() - 1, top // height)
        return self._anchor_at(model.index(row, 0), row * height - top)

    def restore(self, anchor: Anchor | None, row: int | None) -> None:
        """Scroll so that ``row`` (where the anchor's colleague is now) sits where it was."""
        if anchor is None or row is None:
            return
        self.updateGeometries()  # the scroll range must know the new row count first
        self.verticalScrollBar().setValue(row * self.row_height() - anchor.offset)

    def scroll_to_top(self) -> None:
        """Show the first rows (a new search starts at the top)."""
        self.updateGeometries()
        self.verticalScrollBar().setValue(0)

    @staticmethod
    def _anchor_at(index: QModelIndex | QPersistentModelIndex, offset: int) -> Anchor | None:
        cid = index.data(IdRole)
        return Anchor(int(cid), offset) if isinstance(cid, int) else None

    # -- Qt overrides ------------------------------------------------------------------------

    def rowsAboutToBeRemoved(
        self, parent: QModelIndex | QPersistentModelIndex, start: int, end: int
    ) -> None:
        self.rows_leaving = True
        super().rowsAboutToBeRemoved(parent, start, end)

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # A table's Home and End move along the row; in a list they go to the first and last
        # colleague, as in every other list on the desktop.
        model = self.model()
        if model is not None and model.rowCount():
            if action == QAbstractItemView.CursorAction.MoveHome:
                return model.index(0, 0)
            if action == QAbstractItemView.CursorAction.MoveEnd:
                return model.index(model.rowCount() - 1, 0)
        return super().moveCursor(action, modifiers)
