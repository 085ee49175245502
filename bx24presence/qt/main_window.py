"""The main window: search, quick filters, the colleague list, details and freshness."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bx24presence import APP_NAME
from bx24presence.domain import Colleague
from bx24presence.qt.avatars.store import AvatarStore
from bx24presence.qt.details.pane import DetailsPane
from bx24presence.qt.list.delegate import AVATAR, ColleagueDelegate
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.list.view import ColleagueList
from bx24presence.qt.poller import PollFailed, SnapshotReady
from bx24presence.qt.watchlist import WatchList, fill_notify_menu
from bx24presence.qt.widgets import Banner, FilterBar, number, tr
from bx24presence.settings import Settings

log = logging.getLogger(__name__)
TICK_MS = 30_000
#: With no data yet, after this long without an answer the banner says the portal is slow.
SLOW_MS = 5_000


class MainWindow(QMainWindow):
    """The window people look at all day.

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
        self.setWindowTitle(f"{APP_NAME} — {portal_label}")
        self.resize(980, 680)
        self.setMinimumSize(520, 360)

        # Search and filters.
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by name, position, department, phone or email"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(tr("Search colleagues"))
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.installEventFilter(self)
        self.filters = FilterBar()
        self.filters.filter_chosen.connect(self._on_filters_filter_chosen)
        self.refresh_button = QToolButton()
        self.refresh_button.setText(tr("Refresh"))
        self.refresh_button.setToolTip(tr("Refresh now (F5)"))
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.settings_button = QToolButton()
        self.settings_button.setText(tr("Settings"))
        self.settings_button.setToolTip(tr("Settings (Ctrl+,)"))
        self.settings_button.clicked.connect(self.settings_requested)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.settings_button)

        self.banner = Banner()
        self.banner.action_clicked.connect(self._on_banner_action_clicked)

        # The list.
        self.list = ColleagueList()
        self.list.setAccessibleName(tr("Colleagues"))
        self.delegate = ColleagueDelegate(avatars, self.list, self.watchlist)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        self.list.setItemDelegate(self.delegate)
        self.list.set_row_height(self.delegate.row_height(self.list.font()))
        self.list.setModel(proxy)
        self.list.installEventFilter(self)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list.activated.connect(self._on_list_activated)
        self.list.verticalScrollBar().valueChanged.connect(self._prefetch_avatars)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.placeholder)

        self.details = DetailsPane(avatars, portal=portal, watchlist=self.watchlist)
        self.details.copied.connect(self._on_details_copied)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(8, 8, 0, 8)
        lv.addLayout(top)
        lv.addWidget(self.filters)
        lv.addWidget(self.banner)
        lv.addWidget(self.stack, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([600, 400])  # until the user moves it (then it is remembered)
        self.setCentralWidget(self.splitter)

        # Status bar.
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(tr("Loading"))
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)

        self._actions()
        proxy.counts_changed.connect(self._on_proxy_counts_changed)
        proxy.modelAboutToBeReset.connect(self._remember_selection)
        proxy.modelReset.connect(self._restore_selection)
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

    # -- actions -----------------------------------------------------------------------------

    def _actions(self) -> None:
        def act(
            text: str, keys: QKeySequence | str | QKeySequence.StandardKey, slot: object
        ) -> QAction:
            a = QAction(text, self)
            a.setShortcut(QKeySequence(keys))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        self.refresh_action = act(tr("Refresh now"), "F5", self.refresh_requested)
        act(tr("Search"), QKeySequence.StandardKey.Find, self.focus_search)
        act(tr("Quit"), "Ctrl+Q", self.quit_requested)
        act(tr("Settings"), "Ctrl+,", self.settings_requested)
        act(tr("Watch"), "Ctrl+D", self.toggle_watch_selected)
        for i, kind in enumerate(QuickFilter):
            act(tr("Filter"), f"Alt+{i + 1}", lambda _=False, k=kind: self.choose_filter(k))

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
            if self.banner.kind in ("warning", "error", "info"):
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
        """Keep the data, say plainly that it is getting old, and what happens next.

        The portal refused the webhook (``auth``): polling has stopped; an error banner with
        "Reconnect…". Otherwise a warning banner with "Retry now" that says since when the
        portal is unreachable (``network``, ``timeout``), limits requests (``rate``) or answers
        unusably (the rest), the age of the data shown, why, and when the next attempt comes.
        """
        self._failure = failure
        self._slow.stop()
        self.set_loading(False)
        snap = self.model.snapshot
        since = failure.since.astimezone().strftime("%H:%M")
        if failure.kind == "auth":
            self.banner.show_message(
                "error",
                tr(
                    "%1 Polling has stopped: reconnect with a working webhook"
                    " (or fix it in Settings)."
                ).replace("%1", failure.message),
                tr("Reconnect…"),
            )
        else:
            if snap is not None:
                data = snap.fetched_at.astimezone().strftime("%H:%M")
                if failure.kind in ("network", "timeout"):
                    text = tr("Portal unreachable since %1, showing data from %2.")
                elif failure.kind == "rate":
                    text = tr(
                        "The portal has been limiting requests since %1, showing data from %2."
                    )
                else:
                    text = tr("The portal's answers are unusable since %1, showing data from %2.")
                text = text.replace("%1", since).replace("%2", data)
            else:
                if failure.kind in ("network", "timeout"):
                    text = tr("Portal unreachable since %1; no data yet.")
                elif failure.kind == "rate":
                    text = tr("The portal has been limiting requests since %1; no data yet.")
                else:
                    text = tr("The portal's answers are unusable since %1; no data yet.")
                text = text.replace("%1", since)
            detail = failure.message
            if failure.retry_in_s is not None:
                detail += " " + tr("Next attempt in %1 s.").replace("%1", str(failure.retry_in_s))
            self.banner.show_message("warning", f"{text} {detail}", tr("Retry now"))
        self._update_status()
        self._update_placeholder()

    def _on_slow_timeout(self) -> None:
        if self._loaded or self._failure is not None:
            return
        self.banner.show_message(
            "info", tr("The portal is slow to answer; still waiting for its first answer…")
        )

    def _update_status(self) -> None:
        snap = self.model.snapshot
        if snap is None:
            text = tr("Connecting to %1…") if self._failure is None else tr("No data from %1 yet.")
            self.status_label.setText(text.replace("%1", self.portal_label))
            return
        when = snap.fetched_at.astimezone().strftime("%H:%M:%S")
        total = number(len(snap.colleagues))
        available = number(snap.available_count)
        if self._failure is not None:
            age = max(0, int((datetime.now(UTC) - snap.fetched_at).total_seconds() // 60))
            text = tr("Stale: data from %1 (%2 min old) · %3 colleagues · %4 available")
            text = text.replace("%1", when).replace("%2", str(age))
        elif self._partial:
            self.status_label.setText(tr("Loading saved data…"))
            return
        elif not self._loaded:
            text = tr("Saved data from %1, refreshing… · %3 colleagues · %4 available").replace(
                "%1", when
            )
        else:
            text = tr("Updated %1 · %3 colleagues · %4 available").replace("%1", when)
        self.status_label.setText(text.replace("%3", total).replace("%4", available))

    def _update_placeholder(self, *args: object) -> None:
        if self.proxy.rowCount() > 0:
            self.stack.setCurrentWidget(self.list)
            return
        if self.model.snapshot is None:
            text = tr("Loading colleagues…") if self._failure is None else tr("No data yet.")
        elif self.model.rowCount() == 0:
            text = tr("The portal lists no colleagues.")
        else:
            text = tr("Nobody matches. Press Esc to clear the search.")
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    # -- selection and details ---------------------------------------------------------------

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
        idx = self.proxy.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.list.scrollTo(idx)
        return True

    def _show_details(self) -> None:
        c = self.selected_colleague()
        if c is None and self._selected_id is not None:
            c = self.model.by_id(self._selected_id)
        snap = self.model.snapshot
        self.details.show_colleague(
            c,
            server_now=self.model.server_now(),
            today=self.model.local_now().astimezone().date(),
            departments=snap.departments if snap else {},
        )

    def _on_list_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self._selected_id = self.proxy.colleague_at(current.row()).id
            self._show_details()

    def _on_list_activated(self, index: QModelIndex) -> None:
        self.details.setFocus()
        self.details.focusNextChild()

    def _remember_selection(self) -> None:
        c = self.selected_colleague()
        self._selected_id = c.id if c is not None else self._selected_id

    def _restore_selection(self) -> None:
        if (
            self._selected_id is not None
            and (row := self.proxy.row_of(self._selected_id)) is not None
        ):
            idx = self.proxy.index(row, 0)
            self.list.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._update_placeholder()

    def _on_model_applied(self, changed: set[int]) -> None:
        if self._selected_id is not None and (
            self._selected_id in changed or self.details.colleague is None
        ):
            self._show_details()
        elif self._selected_id is not None and self.model.by_id(self._selected_id) is None:
            self._selected_id = None
            self._show_details()
        self._prefetch_avatars()

    def _prefetch_avatars(self, *args: object) -> None:
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

    # -- slots -------------------------------------------------------------------------------

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_placeholder()

    def _on_filters_filter_chosen(self, kind: QuickFilter) -> None:
        self._remember_selection()
        self.proxy.set_quick_filter(kind)
        self._restore_selection()

    def _on_proxy_counts_changed(self, counts: dict) -> None:
        self.filters.set_counts(counts)

    def _on_banner_action_clicked(self) -> None:
        if self._failure is not None and self._failure.kind == "auth":
            self.reconnect_requested.emit()
        else:
            self.refresh_requested.emit()

    def _on_watchlist_changed(self) -> None:
        self.list.viewport().update()
        self.details.refresh_watch_state()

    def watch_actions(self, menu: QMenu, c: Colleague) -> None:
        """Add watch and notify actions for ``c`` to ``menu``."""
        wl = self.watchlist
        watch = menu.addAction(tr("Stop watching") if wl.is_watched(c.id) else tr("Watch"))
        watch.setShortcut(QKeySequence("Ctrl+D"))
        watch.triggered.connect(lambda: wl.toggle(c.id))
        fill_notify_menu(menu.addMenu(tr("Notify me when available")), wl, c.id)

    def _on_list_context_menu_requested(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        c = self.proxy.colleague_at(index.row())
        menu = QMenu(self)
        self.watch_actions(menu, c)
        menu.addSeparator()
        copy = menu.addAction(tr("Copy name and phone"))
        copy.triggered.connect(self.copy_selected)
        self.list.setCurrentIndex(index)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def toggle_watch_selected(self) -> None:
        """Ctrl+D: star or unstar the selected colleague."""
        c = self.selected_colleague()
        if c is not None:
            self.watchlist.toggle(c.id)

    def _on_details_copied(self, text: str) -> None:
        self.statusBar().showMessage(tr("Copied: %1").replace("%1", text), 3000)

    def _on_tick_timeout(self) -> None:
        """Keep "12 min ago" texts and the data's age true; move to a new day at midnight."""
        today = self.model.local_now().astimezone().date()
        new_day = today != self.proxy.today
        self.proxy.set_today(today)
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
        if c is None:
            return
        phones = list(c.phones.as_dict().values())
        text = c.name + (f", {phones[0]}" if phones else "")
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        self.statusBar().showMessage(tr("Copied: %1").replace("%1", text), 3000)

    # -- persistence -------------------------------------------------------------------------

    def save_state(self) -> tuple[str, str]:
        """Window geometry and splitter sizes, as base64 texts."""
        geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        splitter = bytes(self.splitter.saveState().toBase64().data()).decode()
        return geometry, splitter

    def restore_state(self, geometry: str, splitter: str) -> None:
        """Restore what :meth:`save_state` gave; bad data is ignored."""
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        if splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode()))

    # -- Qt overrides ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search:
                if key == Qt.Key.Key_Escape and self.search.text():
                    self.search.clear()
                    return True
                if (
                    key
                    in (Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and self.proxy.rowCount()
                ):
                    self.list.setFocus()
                    if not self.list.currentIndex().isValid():
                        self.list.setCurrentIndex(self.proxy.index(0, 0))
                    return True
            elif watched is self.list:
                if event.matches(QKeySequence.StandardKey.Copy):
                    self.copy_selected()
                    return True
                if key == Qt.Key.Key_Escape and self.search.text():
                    self.search.clear()
                    return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray:
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        self._tick.stop()
        super().closeEvent(event)
