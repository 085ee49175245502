"""The collapsible Team panel: departments, who can pick up now, who is out, as tabs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from bx24presence.domain import Colleague
from bx24presence.qt.views.departments import ALL, DepartmentPanel
from bx24presence.qt.views.team_lists import OutList, PickupList


class TeamDock(QDockWidget):
    """A dock beside the list; hidden until asked for (Ctrl+T). Only the tab on show is
    brought up to date on a refresh: the others catch up when they are shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("Team", "Team"), parent)
        self.setObjectName("team-dock")
        self.setAccessibleName(QCoreApplication.translate("Team", "Team"))
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.departments = DepartmentPanel()
        self.pickup = PickupList()
        self.out = OutList()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(QCoreApplication.translate("Team", "Team views"))
        # Short titles fit the dock's usual width; a narrow window gets scroll buttons rather
        # than a dock that pushes over the list.
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.addTab(self.departments, QCoreApplication.translate("Team", "Departments"))
        self.tabs.addTab(self.pickup, QCoreApplication.translate("Team", "Pick up now"))
        self.tabs.addTab(self.out, QCoreApplication.translate("Team", "Who is out"))
        self.tabs.setTabToolTip(
            1, QCoreApplication.translate("Team", "Colleagues available now who have a phone")
        )
        self.tabs.setTabToolTip(
            2,
            QCoreApplication.translate("Team", "Colleagues on vacation, by the day they are back"),
        )
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.visibilityChanged.connect(self._on_visibility_changed)
        self.setWidget(self.tabs)
        self.setMinimumWidth(180)
        self._colleagues: tuple[Colleague, ...] = ()
        self._today: date | None = None
        self._available: frozenset[int] | None = None
        self._stale = {1, 2}
        self._counts_stale = False

    def set_colleagues(
        self,
        colleagues: tuple[Colleague, ...],
        today: date,
        *,
        available: frozenset[int] | None = None,
        changed: Iterable[int] | None = None,
    ) -> None:
        """New data: the department counts while the panel is shown or a department filters
        the list; the visible list tab now, the others when shown. A closed panel with no
        department chosen (the usual case) costs nothing per refresh: its counts and
        memberships are worked out when it opens (10,000 colleagues: about 5 ms of the GUI
        thread per refresh, and 3 MB, saved)."""
        self._colleagues = colleagues
        self._today = today
        self._available = available
        if self.isVisible() or self.departments.chosen() != ALL:
            self.departments.set_colleagues(colleagues, today, available=available, changed=changed)
            self._counts_stale = False
        else:
            self._counts_stale = True
        self._stale = {1, 2}
        self._refresh_current()

    def _refresh_current(self) -> None:
        tab = self.tabs.currentIndex()
        if self._today is None or tab not in self._stale or not self.isVisible():
            return
        self._stale.discard(tab)
        if tab == 1:
            self.pickup.set_colleagues(self._colleagues, self._today, self._available)
        else:
            self.out.set_colleagues(self._colleagues, self._today)

    def _on_tabs_current_changed(self, index: int) -> None:
        self._refresh_current()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            if self._counts_stale and self._today is not None:
                self._counts_stale = False
                self.departments.set_colleagues(
                    self._colleagues, self._today, available=self._available
                )
            self._refresh_current()
