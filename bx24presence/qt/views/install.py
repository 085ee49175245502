"""Puts the team views into a portal session's window: a toolbar (own status, sort order,
the Team panel, About on F1), the Team dock, the Watched filter's members, and tooltips
that say why a search result matched."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QHelpEvent, QKeySequence
from PySide6.QtWidgets import QComboBox, QToolBar, QToolTip

from bx24presence.qt.dialogs.about import AboutDialog
from bx24presence.qt.i18n import QT_TRANSLATE_NOOP
from bx24presence.qt.list.proxy import SortOrder
from bx24presence.qt.views.own_status import OwnStatus, OwnStatusButton
from bx24presence.qt.views.panel import TeamDock
from bx24presence.search import Query
from bx24presence.team import match_reason
from bx24presence.textsafe import for_markup

if TYPE_CHECKING:
    from bx24presence.qt.session import Session

log = logging.getLogger(__name__)
#: The structure is asked again for new department ids at most this often.
STRUCTURE_EVERY_S = 600.0

#: Each choice says what it is for: screen readers announce a combo box by its current text.
SORT_TITLES = {
    SortOrder.PRESENCE: QT_TRANSLATE_NOOP("Team", "Sort by presence, then name"),
    SortOrder.LAST_SEEN: QT_TRANSLATE_NOOP("Team", "Sort by last seen"),
}
REASON_TITLES = {
    "position": QT_TRANSLATE_NOOP("Team", "Matched the position: %1"),
    "department": QT_TRANSLATE_NOOP("Team", "Matched the department: %1"),
    "email": QT_TRANSLATE_NOOP("Team", "Matched the e-mail: %1"),
    "phone": QT_TRANSLATE_NOOP("Team", "Matched the phone: %1"),
}


class TeamViews(QObject):
    """The team views of one session's window.

    Signals:
        sort_order_changed(object): the user chose a :class:`SortOrder` (to remember it).
    """

    sort_order_changed = Signal(object)

    def __init__(
        self,
        session: Session,
        *,
        own: OwnStatus | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(session)
        self.session = session
        window = session.window
        self.window = window
        self.proxy = session.proxy
        self.model = session.model
        self._clock = clock
        self._asked_at: float | None = None
        self._asked_ids: frozenset[int] = frozenset()

        self.toolbar = QToolBar(QCoreApplication.translate("Team", "Team"))
        self.toolbar.setObjectName("team-toolbar")
        self.toolbar.setAccessibleName(QCoreApplication.translate("Team", "Team toolbar"))
        self.toolbar.setMovable(False)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.own_button: OwnStatusButton | None = None
        if own is not None:
            self.set_own_status(own)
        self.sort = QComboBox()
        self.sort.setAccessibleName(QCoreApplication.translate("Team", "Sort the list by"))
        self.sort.setToolTip(QCoreApplication.translate("Team", "Sort the list by"))
        self.sort.addItem(
            QCoreApplication.translate("Team", SORT_TITLES[SortOrder.PRESENCE]),
            SortOrder.PRESENCE.value,
        )
        self.sort.addItem(
            QCoreApplication.translate("Team", SORT_TITLES[SortOrder.LAST_SEEN]),
            SortOrder.LAST_SEEN.value,
        )
        try:
            sort_order = SortOrder(session.state.current.list_sort)
        except ValueError:
            sort_order = SortOrder.PRESENCE
        self.sort.setCurrentIndex(self.sort.findData(sort_order.value))
        self.proxy.set_sort_order(sort_order)
        self.sort.currentIndexChanged.connect(self._on_sort_current_index_changed)
        self.toolbar.addWidget(self.sort)

        self.dock = TeamDock(window)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self._sized = False
        self.team_action = self.dock.toggleViewAction()
        self.team_action.setText(QCoreApplication.translate("Team", "Team panel"))
        self.team_action.setToolTip(
            QCoreApplication.translate(
                "Team", "Departments, who can pick up now, who is out (Ctrl+T)"
            )
        )
        self.team_action.setShortcut(QKeySequence("Ctrl+T"))
        window.addAction(self.team_action)
        self.team_action.triggered.connect(self._on_team_action_triggered)
        self.toolbar.addAction(self.team_action)
        self.about_action = self.toolbar.addAction(QCoreApplication.translate("Team", "About"))
        self.about_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action.setToolTip(
            QCoreApplication.translate("Team", "About, data age and keyboard shortcuts (F1)")
        )
        self.about_action.triggered.connect(self.show_about)
        window.addAction(self.about_action)
        self.about: AboutDialog | None = None

        self.loader = None
        poller = getattr(session, "poller", None)
        if poller is not None and poller.thread() is not None:
            from bx24presence.qt.views.departments import DepartmentLoader  # noqa: PLC0415

            self.loader = DepartmentLoader(lambda: poller.refresher().client)
            self.loader.moveToThread(poller.thread())
            poller.thread().finished.connect(self.loader.deleteLater)
            self.loader.loaded.connect(self.dock.departments.set_structure)
            self.loader.failed.connect(self._on_loader_failed)
        self.dock.departments.department_chosen.connect(self._on_departments_department_chosen)
        self.dock.pickup.call_requested.connect(window.details.open_link)
        self.dock.pickup.colleague_chosen.connect(window.select_colleague)
        self.dock.out.colleague_chosen.connect(window.select_colleague)
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        self.model.applied.connect(self._on_model_applied)
        session.watchlist.changed.connect(self._on_watchlist_changed)
        self._on_watchlist_changed()
        window.list.viewport().installEventFilter(self)
        window.list.selectionModel().currentChanged.connect(self._on_list_current_changed)

    # -- API ----------------------------------------------------------------------------------

    def set_own_status(self, own: OwnStatus) -> None:
        """Show the own-status button (first in the toolbar)."""
        if self.own_button is not None:
            return
        self.own_button = OwnStatusButton(own)
        first = self.toolbar.actions()[0] if self.toolbar.actions() else None
        if first is not None:
            self.toolbar.insertWidget(first, self.own_button)
        else:
            self.toolbar.addWidget(self.own_button)

    def show_about(self) -> AboutDialog:
        """F1: the About box."""
        snap = self.model.snapshot
        choice = self.session.choice
        dialog = AboutDialog(
            portal=choice.portal,
            demo=choice.demo is not None,
            fetched_at=snap.fetched_at if snap is not None else None,
            actions=self.window.actions(),
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about = dialog
        dialog.open()
        return dialog

    def why(self, row: int) -> str:
        """Why the colleague at ``row`` matches the search ("" when the name says it)."""
        query = Query.parse(self.window.search.text())
        snap = self.model.snapshot
        if not query or snap is None or not 0 <= row < self.proxy.rowCount():
            return ""
        found = match_reason(self.proxy.colleague_at(row), query.terms, snap.departments)
        if found is None:
            return ""
        return QCoreApplication.translate("Team", REASON_TITLES[found[0]]).replace("%1", found[1])

    # -- slots --------------------------------------------------------------------------------

    def _on_sort_current_index_changed(self, index: int) -> None:
        order = SortOrder(self.sort.itemData(index))
        self.proxy.set_sort_order(order)
        self.session.state.update(list_sort=order.value)
        self.sort_order_changed.emit(order)

    def _on_list_current_changed(self, current: object, previous: object) -> None:
        row = self.window.list.currentIndex().row()
        text = self.why(row) if row >= 0 else ""
        if text:
            self.window.statusBar().showMessage(text, 5000)

    def _on_watchlist_changed(self) -> None:
        self.proxy.set_watched(self.session.watchlist.watched)

    def _on_departments_department_chosen(self, ids: frozenset[int] | None) -> None:
        self.proxy.set_only(ids)

    def _on_model_applied(self, changed: set[int]) -> None:
        snap = self.model.snapshot
        if snap is None:
            return
        today = self.model.local_now().astimezone().date()
        keys = self.model.keys
        available = keys.available if keys.today == today else None  # the list's own sets
        self.dock.set_colleagues(snap.colleagues, today, available=available, changed=changed)
        if self.dock.isVisible():
            self._ask_structure()

    def _on_team_action_triggered(self, checked: bool) -> None:
        """Opened from the keyboard or the toolbar: the keyboard goes to the open tab's list."""
        if checked:
            tab = self.dock.tabs.currentWidget()
            view = getattr(tab, "tree", None)
            if view is not None:
                view.setFocus()
        else:
            self.window.list.setFocus()

    def _on_loader_failed(self, reason: str) -> None:
        self._asked_ids = frozenset()  # asked again after STRUCTURE_EVERY_S
        self.dock.departments.show_failure(reason)

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            if not self._sized:  # the first time: room for names and counts (then the user's)
                self._sized = True
                width = min(360, max(self.dock.minimumSizeHint().width(), self.window.width() // 3))
                self.window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)
            self._ask_structure()

    def _ask_structure(self) -> None:
        """Ask for the structure once, and again for unknown departments (rate-limited)."""
        snap = self.model.snapshot
        if self.loader is None or snap is None:
            return
        ids = frozenset(snap.departments)
        known = set(self.dock.departments.known_ids())
        if self._asked_at is not None and (
            ids <= known
            or ids <= self._asked_ids
            or self._clock() - self._asked_at < STRUCTURE_EVERY_S
        ):
            return
        self._asked_at = self._clock()
        self._asked_ids = ids
        self.loader.requested.emit(sorted(ids))

    # -- Qt overrides ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.window.list.indexAt(event.pos())
            text = self.why(index.row()) if index.isValid() else ""
            if text:
                QToolTip.showText(event.globalPos(), for_markup(text), self.window.list)
                return True
        return super().eventFilter(watched, event)
