"""The main window: search, quick filters, the colleague list, details and freshness."""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QMenu, QWidget

from bx24presence import APP_NAME
from bx24presence.domain import Colleague
from bx24presence.failures import FailureKind
from bx24presence.qt import window_frame
from bx24presence.qt.avatars.store import AvatarStore
from bx24presence.qt.details.pane import DetailsPane
from bx24presence.qt.freshness import failure_banner, status_text
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.list.panel import ListPanel
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.list.view import Anchor
from bx24presence.qt.poller import PollFailed, SnapshotReady
from bx24presence.qt.watchlist import WatchList
from bx24presence.qt.widgets import BannerKind
from bx24presence.qt.window_frame import (
    MIN_SIZE,
    AdaptiveSplitter,
    FittedWindow,
    add_status_widgets,
    fit_to_screen,
)
from bx24presence.qt.window_menu import add_shortcuts, add_watch_actions, copy_name_and_phone
from bx24presence.settings import Settings

log = logging.getLogger(__name__)
TICK_MS = 30_000
#: With no data yet, after this long without an answer the banner says the portal is slow.
SLOW_MS = 5_000


class MainWindow(FittedWindow):
    """The window people look at all day.

    Other views hook in as docks and toolbars, or beside the splitter in :attr:`side`; the
    list's column is :attr:`panel`. :mod:`.window_frame` carries its state to a new session.

    Signals:
        refresh_requested(): "Refresh now" (F5).
        reconnect_requested(): the banner's "Reconnect" after the portal refused the webhook.
        settings_requested(): the user asked for the settings.
        quit_requested(): Ctrl+Q.
        hidden_to_tray(): closing hid the window (a tray icon keeps the app running).
    """

    refresh_requested = Signal()
    reconnect_requested = Signal()
    hidden_to_tray = Signal()
    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        model: ColleagueModel,
        proxy: ColleagueProxy,
        avatars: AvatarStore | None,
        *,
        portal: str,
        portal_label: str,
        watchlist: WatchList | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.watchlist = watchlist or WatchList(Settings())
        self.close_to_tray = False
        self.model = model
        self.proxy = proxy
        self.avatars = avatars
        self.portal_label = portal_label
        self._loaded = False
        self._partial = False
        self._failure: PollFailed | None = None
        self._selected_id: int | None = None
        self._moving = False
        self.setWindowTitle(f"{APP_NAME} — {portal_label}")
        self.setMinimumSize(*MIN_SIZE)
        fit_to_screen(self, 980, 680)
        self.panel = ListPanel(model, proxy, avatars, self.watchlist)
        self.panel.copy_requested.connect(self.copy_selected)
        # The panel's parts, by the names the rest of the app and its tests use.
        self.search, self.filters, self.banner = (
            self.panel.search,
            self.panel.filters,
            self.panel.banner,
        )
        self.list, self.delegate = self.panel.list, self.panel.delegate
        self.stack, self.placeholder = self.panel.stack, self.panel.placeholder
        self.refresh_button = self.panel.refresh_button
        self.settings_button = self.panel.settings_button
        self.search.textChanged.connect(self._on_search_text_changed)
        self.filters.filter_chosen.connect(self._on_filters_filter_chosen)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        self.banner.action_clicked.connect(self._on_banner_action_clicked)
        self.list.activated.connect(self._on_list_activated)
        selection = self.list.selectionModel()
        selection.currentChanged.connect(self._on_list_selection_changed)
        selection.selectionChanged.connect(self._on_list_selection_changed)

        self.details = DetailsPane(avatars, portal=portal, watchlist=self.watchlist)
        self.details.copied.connect(self._on_details_copied)
        self.splitter = AdaptiveSplitter(self.panel, self.details)
        central = QWidget()
        self.side = QHBoxLayout(central)  # other views can sit beside the splitter
        self.side.setContentsMargins(0, 0, 0, 0)
        self.side.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.status_label, self.progress = add_status_widgets(self)
        self.refresh_action, self.settings_action = add_shortcuts(self)
        self.menu_button = window_frame.add_folded_menu(self)  # the toolbar, when narrow
        self.start_fitting()
        proxy.counts_changed.connect(self._on_proxy_counts_changed)
        # While rows move Qt re-selects a neighbour of a removed row; that is not the user's
        # choice, so the selection is settled after the move instead.
        for about_to in (
            proxy.modelAboutToBeReset,
            proxy.layoutAboutToBeChanged,
            proxy.rowsAboutToBeRemoved,
            proxy.rowsAboutToBeInserted,
        ):
            about_to.connect(self._on_proxy_rows_about_to_move)
        proxy.modelReset.connect(self._settle_selection)
        proxy.rowsInserted.connect(self._update_placeholder)
        proxy.rowsRemoved.connect(self._update_placeholder)
        model.applied.connect(self._on_model_applied)
        self.watchlist.changed.connect(self._on_watchlist_changed)
        self.filters.set_counts(proxy.counts)

        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.timeout.connect(self._on_slow_timeout)
        self.set_loading(True)
        self.search.setFocus()

    # -- building ----------------------------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F: focus the search field and select its text."""
        self.search.setFocus()
        self.search.selectAll()

    def choose_filter(self, kind: QuickFilter) -> None:
        """Show one quick filter."""
        self.filters.set_current(kind)
        self._on_filters_filter_chosen(kind)

    # -- data and freshness ------------------------------------------------------------------

    def set_loading(self, loading: bool) -> None:
        """Show or hide the busy indicator."""
        self.progress.setVisible(loading)
        self._update_placeholder()

    def on_snapshot(self, ready: SnapshotReady) -> None:
        """A snapshot was applied to the model (by the composition root)."""
        self._partial = ready.partial
        if not ready.from_cache:
            self._loaded = True
            self._failure = None
            self._slow.stop()
            self.set_loading(False)
            if self.banner.kind is not None:
                self.banner.clear()
        self._update_status()
        self._update_placeholder()

    def on_poll_started(self) -> None:
        """A refresh began."""
        if not self._loaded:
            self.set_loading(True)
            if self._failure is None:
                self._slow.start(SLOW_MS)
                self._update_status()

    def on_poll_failed(self, failure: PollFailed) -> None:
        """Keep the data, say plainly that it is getting old, and what happens next (see
        :func:`bx24presence.qt.freshness.failure_banner`)."""
        self._failure = failure
        self._slow.stop()
        self.set_loading(False)
        self.banner.show_message(*failure_banner(failure, self.model.snapshot))
        self._update_status()
        self._update_placeholder()

    def _on_slow_timeout(self) -> None:
        if self._loaded or self._failure is not None:
            return
        self.banner.show_message(
            BannerKind.INFO,
            QCoreApplication.translate(
                "MainWindow", "The portal is slow to answer; still waiting for its first answer…"
            ),
        )

    def available_count(self) -> int:
        """Colleagues available now, by the one definition the filter and the tray use."""
        return self.proxy.available_total() if self.model.snapshot is not None else 0

    def _update_status(self) -> None:
        self.status_label.setText(
            status_text(
                self.model.snapshot,
                portal_label=self.portal_label,
                failed=self._failure is not None,
                partial=self._partial,
                loaded=self._loaded,
                available=self.available_count(),
            )
        )

    # -- selection, position and details ---------------------------------------------------------

    def selected_colleague(self) -> Colleague | None:
        """The colleague selected in the list."""
        idx = self.list.currentIndex()
        return self.proxy.colleague_at(idx.row()) if idx.isValid() else None

    def select_colleague(self, colleague_id: int) -> bool:
        """Select a colleague (clearing filters that hide them); True when shown."""
        if self.proxy.row_of(colleague_id) is None:
            self.search.clear()
            self.choose_filter(QuickFilter.EVERYONE)
        row = self.proxy.row_of(colleague_id)
        if row is None:
            return False
        self.panel.select_row(row)
        return True

    def _update_placeholder(self, *args: object) -> None:
        self.panel.update_placeholder(failed=self._failure is not None)

    def _show_details(self) -> None:
        """Show the selected colleague while the list shows them; nobody otherwise."""
        cid = self._selected_id
        visible = cid is not None and self.proxy.row_of(cid) is not None
        c = self.model.by_id(cid) if visible and cid is not None else None
        snap = self.model.snapshot
        self.details.show_colleague(
            c,
            server_now=self.model.server_now(),
            today=self.model.local_now().astimezone().date(),
            departments=snap.departments if snap else {},
        )

    def _on_list_selection_changed(self, *args: object) -> None:
        if self._moving or self.list.rows_leaving:
            return
        current = self.list.currentIndex()
        if current.isValid() and self.list.selectionModel().isSelected(current):
            cid = self.proxy.colleague_at(current.row()).id
            if cid != self._selected_id or self.details.colleague is None:
                self._selected_id = cid
                self._show_details()

    def _on_list_activated(self, index: QModelIndex) -> None:
        self.details.setFocus()
        self.details.focusNextChild()

    def _on_proxy_rows_about_to_move(self, *args: object) -> None:
        self._moving = True

    def _settle_selection(self, changed: set[int] | frozenset[int] = frozenset()) -> None:
        """After rows moved: select the user's colleague again where the list still shows
        them, or nobody (and an empty details pane) while a search or filter hides them."""
        self._moving = self.list.rows_leaving = False
        cid = self._selected_id
        row = self.proxy.row_of(cid) if cid is not None else None
        selection = self.list.selectionModel()
        if row is None:
            selection.clearSelection()
        else:
            idx = self.proxy.index(row, 0)
            if self.list.currentIndex() != idx or not selection.isSelected(idx):
                selection.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        shown = self.details.colleague
        if (shown is None) != (row is None) or (
            shown is not None and (shown.id != cid or shown.id in changed)
        ):
            self._show_details()
        self._update_placeholder()

    def _on_model_applied(self, changed: set[int]) -> None:
        self.panel.keep_position()
        if self._selected_id is not None and self.model.by_id(self._selected_id) is None:
            self._selected_id = None
        self._settle_selection(changed)
        self.panel.prefetch_avatars()

    # -- slots -------------------------------------------------------------------------------

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._settle_selection()
        self.panel.start_over()  # a new search starts at the top

    def _on_filters_filter_chosen(self, kind: QuickFilter) -> None:
        self.proxy.set_quick_filter(kind)
        self._settle_selection()
        self.panel.start_over(
            self.proxy.row_of(self._selected_id) if self._selected_id is not None else None
        )

    def _on_proxy_counts_changed(self, counts: dict) -> None:
        self.filters.set_counts(counts)
        self.panel.filter_menu.refresh()
        self.panel.fit_filters()  # longer counts may no longer fit on one line

    def _on_banner_action_clicked(self) -> None:
        if self._failure is not None and self._failure.kind == FailureKind.AUTH:
            self.reconnect_requested.emit()
        else:
            self.refresh_requested.emit()

    def _on_watchlist_changed(self) -> None:
        self.list.viewport().update()
        self.details.refresh_watch_state()

    def watch_actions(self, menu: QMenu, c: Colleague) -> None:
        """Add watch and notify actions for ``c`` to ``menu``."""
        add_watch_actions(menu, self.watchlist, c)

    def toggle_watch_selected(self) -> None:
        """Ctrl+D: star or unstar the selected colleague."""
        c = self.selected_colleague()
        if c is not None:
            self.watchlist.toggle(c.id)

    def _on_details_copied(self, text: str) -> None:
        self.statusBar().showMessage(
            QCoreApplication.translate("MainWindow", "Copied: %1").replace("%1", text), 3000
        )

    def _on_tick_timeout(self) -> None:
        """Keep "12 min ago" texts and the data's age true; move to a new day at midnight."""
        today = self.model.local_now().astimezone().date()
        new_day = today != self.proxy.today
        self.proxy.set_today(today)
        self.panel.keep_position()
        self._settle_selection()
        self.list.viewport().update()
        self._update_status()
        if self.details.colleague is None:
            return
        if new_day:  # vacations and birthdays change at midnight
            self._show_details()
        else:
            # Only the presence text ages; rebuilding the pane would take keyboard focus
            # away from its buttons every 30 seconds.
            self.details.refresh_presence(self.model.server_now())

    def copy_selected(self) -> None:
        """Ctrl+C: the selected colleague's name and first phone number."""
        c = self.selected_colleague()
        if c is not None:
            self._on_details_copied(copy_name_and_phone(c))

    # -- persistence -------------------------------------------------------------------------

    def save_state(self) -> tuple[str, str]:
        """Window geometry and splitter sizes, as base64 texts."""
        return window_frame.save_state(self)

    def restore_state(self, geometry: str, splitter: str) -> None:
        """Restore what :meth:`save_state` gave; bad data is ignored."""
        window_frame.restore_state(self, geometry, splitter)

    @property
    def selected_id(self) -> int | None:
        """The colleague the user selected (while a search or filter hides them too)."""
        return self._selected_id

    def keep_for_first_data(self, colleague_id: int | None, anchor: Anchor | None) -> None:
        """Select ``colleague_id`` and scroll back to ``anchor`` when the data arrives."""
        self._selected_id = colleague_id
        self.panel.hold(anchor)

    # -- Qt overrides ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray:
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        self._tick.stop()
        self._slow.stop()
        super().closeEvent(event)
