"""The list's column of the window: search, quick filters, banner, the list or a placeholder.

It keeps the user's place while rows move (a background refresh) and starts a new search at
the top; it turns keys in the search field into moves in the list. In a narrow window it is
compact (the filters in one drop-down, thinner margins, Refresh and Settings folded into the
window's menu) and the list keeps :data:`MIN_ROWS` rows of height while the window has it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QObject,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bx24presence.qt.avatars.store import AvatarStore
from bx24presence.qt.list.delegate import AVATAR, ColleagueDelegate
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.list.view import Anchor, ColleagueList
from bx24presence.qt.narrow import FilterMenuButton
from bx24presence.qt.watchlist import WatchList
from bx24presence.qt.widgets import Banner, FilterBar
from bx24presence.qt.window_menu import colleague_menu

_INTO_LIST = (Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The list keeps this many rows while the window has the height (the details pane gives way
# first), and never fewer than FEWEST_ROWS (a banner above it takes the rest).
MIN_ROWS = 4
FEWEST_ROWS = 2


class ListPanel(QWidget):
    """Search field, buttons, filters, banner and list, in one column.

    Signals:
        copy_requested(): Ctrl+C or "Copy name and phone" on the selected colleague.
    """

    copy_requested = Signal()

    def __init__(
        self,
        model: ColleagueModel,
        proxy: ColleagueProxy,
        avatars: AvatarStore | None,
        watchlist: WatchList,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = proxy
        self.avatars = avatars
        self.watchlist = watchlist
        self._anchor: Anchor | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            QCoreApplication.translate(
                "MainWindow", "Search by name, position, department, phone or email"
            )
        )
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(QCoreApplication.translate("MainWindow", "Search colleagues"))
        for button in self.search.findChildren(QToolButton):  # the clear button
            button.setAccessibleName(QCoreApplication.translate("MainWindow", "Clear search"))
            button.setToolTip(QCoreApplication.translate("MainWindow", "Clear search"))
        self.search.installEventFilter(self)
        self.filters = FilterBar()
        self.refresh_button = self._tool_button(
            QCoreApplication.translate("MainWindow", "Refresh"),
            QCoreApplication.translate("MainWindow", "Refresh now (F5)"),
        )
        self.refresh_button.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Refresh now")
        )
        self.settings_button = self._tool_button(
            QCoreApplication.translate("MainWindow", "Settings"),
            QCoreApplication.translate("MainWindow", "Settings (Ctrl+,)"),
        )
        self.banner = Banner()

        self.list = ColleagueList()
        self.list.setAccessibleName(QCoreApplication.translate("MainWindow", "Colleagues"))
        self.delegate = ColleagueDelegate(avatars, self.list, watchlist)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        self.list.setItemDelegate(self.delegate)
        self.row_height = self.delegate.row_height(self.list.font())
        self.list.set_row_height(self.row_height)
        self.list.setMinimumHeight(MIN_ROWS * self.row_height + 2 * self.list.frameWidth())
        self.list.setModel(proxy)
        self.list.installEventFilter(self)
        self.list.verticalScrollBar().valueChanged.connect(self.prefetch_avatars)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.placeholder)

        self.filter_menu = FilterMenuButton(self.filters)
        self.filter_menu.hide()
        self._top = top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.settings_button)
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.filter_menu, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

        # Rows about to move: note what the user looks at, to put it back where it was.
        for about_to in (
            proxy.modelAboutToBeReset,
            proxy.layoutAboutToBeChanged,
            proxy.rowsAboutToBeRemoved,
            proxy.rowsAboutToBeInserted,
        ):
            about_to.connect(self._on_proxy_rows_about_to_move)
        self.set_compact(False)

    @staticmethod
    def _tool_button(text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        return button

    # -- narrow windows ------------------------------------------------------------------------

    def add_top_button(self, button: QToolButton) -> None:
        """Put ``button`` at the end of the search row (the window's folded menu)."""
        self._top.addWidget(button)

    def set_compact(self, compact: bool) -> None:
        """Thin margins (the list is short) or roomy ones."""
        margin, gap = (6, 4) if compact else (8, 6)
        self._layout.setContentsMargins(margin, margin, margin, 2 if compact else margin)
        self._layout.setSpacing(gap)
        self.fit_filters()

    def keep_rows(self, height: int) -> None:
        """The list's least height for a panel ``height`` high: :data:`MIN_ROWS` rows, fewer
        (down to :data:`FEWEST_ROWS`) when the search row, filters and a banner need the room,
        so nothing is pushed out of the panel."""
        frame = 2 * self.list.frameWidth()
        chrome = self.minimumSizeHint().height() - self.list.minimumHeight()
        rows = max(FEWEST_ROWS, min(MIN_ROWS, (height - chrome - frame) // self.row_height))
        self.list.setMinimumHeight(rows * self.row_height + frame)

    def fit_filters(self) -> None:
        """The quick filters as a row of buttons where they fit on one line, else as one
        drop-down (a second line of buttons would cost the list a row)."""
        buttons = [self.filters.button(kind) for kind in QuickFilter]
        flow = self.filters.layout()
        gap = flow.spacing() if flow is not None else 0
        needed = sum(b.sizeHint().width() for b in buttons) + gap * (len(buttons) - 1)
        margins = self._layout.contentsMargins()
        compact = needed > self.width() - margins.left() - margins.right()
        self.filters.setVisible(not compact)
        self.filter_menu.setVisible(compact)

    def set_folded(self, folded: bool) -> None:
        """Refresh and Settings are in the window's menu (folded) or buttons of their own."""
        self.refresh_button.setVisible(not folded)
        self.settings_button.setVisible(not folded)

    # -- position ----------------------------------------------------------------------------

    def keep_position(self) -> None:
        """After rows moved: put the anchored colleague back at the same height on screen."""
        anchor, self._anchor = self._anchor, None
        if anchor is not None:
            self.list.restore(anchor, self.proxy.row_of(anchor.colleague_id))

    def hold(self, anchor: Anchor | None) -> None:
        """Keep ``anchor`` for the next :meth:`keep_position` (a window taking over)."""
        self._anchor = anchor

    def start_over(self, row: int | None = None) -> None:
        """A new search or filter: forget the old place; show ``row`` or the top."""
        self._anchor = None
        if row is not None:
            self.list.scrollTo(self.proxy.index(row, 0))
        else:
            self.list.scroll_to_top()

    def select_row(self, row: int) -> None:
        """Make ``row`` current and selected (highlighted), and scroll it into view."""
        idx = self.proxy.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.list.scrollTo(idx)

    def _on_proxy_rows_about_to_move(self, *args: object) -> None:
        if self._anchor is None:
            self._anchor = self.list.anchor()

    # -- contents ----------------------------------------------------------------------------

    def update_placeholder(self, *, failed: bool) -> None:
        """Show the list, or a sentence saying why it is empty."""
        if self.proxy.rowCount() > 0:
            self.stack.setCurrentWidget(self.list)
            return
        if self.model.snapshot is None:
            text = (
                QCoreApplication.translate("MainWindow", "Loading colleagues…")
                if not failed
                else QCoreApplication.translate("MainWindow", "No data yet.")
            )
        elif self.model.rowCount() == 0:
            text = QCoreApplication.translate("MainWindow", "The portal lists no colleagues.")
        else:
            text = QCoreApplication.translate(
                "MainWindow", "Nobody matches. Press Esc to clear the search."
            )
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def prefetch_avatars(self, *args: object) -> None:
        """Queue avatars of the rows just above and below the viewport."""
        if self.avatars is None or self.proxy.rowCount() == 0:
            return
        first = self.list.indexAt(self.list.viewport().rect().topLeft()).row()
        last = self.list.indexAt(self.list.viewport().rect().bottomLeft()).row()
        if first < 0:
            return
        last = last if last >= 0 else self.proxy.rowCount() - 1
        page = max(1, last - first + 1)
        dpr = self.devicePixelRatioF()
        urls = []
        for row in [
            *range(max(0, first - page), first),
            *range(last + 1, min(self.proxy.rowCount(), last + 1 + page)),
        ]:
            url = self.delegate.avatar_url(self.proxy.colleague_at(row), dpr)
            if url:
                urls.append(url)
        self.avatars.prefetch(urls, AVATAR, dpr)

    def _on_list_context_menu_requested(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        c = self.proxy.colleague_at(index.row())
        menu = colleague_menu(self, self.watchlist, c, self.copy_requested.emit)
        self.list.setCurrentIndex(index)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    # -- Qt overrides ------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_filters()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
            if watched is self.search and key in _INTO_LIST and self.proxy.rowCount():
                # Into the list with the row highlighted that the details pane shows.
                self.list.setFocus()
                current = self.list.currentIndex()
                chosen = current.isValid() and self.list.selectionModel().isSelected(current)
                self.select_row(current.row() if chosen else 0)
                return True
            if watched is self.list and event.matches(QKeySequence.StandardKey.Copy):
                self.copy_requested.emit()
                return True
        return super().eventFilter(watched, event)
