"""The tray icon: own status and a count of watched colleagues available, a menu of them with
live status, "My status", and availability notifications."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from bx24presence.domain import Colleague, Snapshot
from bx24presence.failures import FailureKind, sentence
from bx24presence.qt.texts import markup_text, menu_text, presence_text
from bx24presence.qt.tray.history import HistoryDialog, NotificationHistory
from bx24presence.qt.tray.icon import STATUS_PRESENCE, badge_pixmap, tray_pixmap
from bx24presence.qt.tray.texts import (
    OWN_STATUSES,
    alert_texts,
    escape,
    stale_note,
    status_title,
)
from bx24presence.qt.watchlist import WatchList
from bx24presence.watch import Alert, is_available, watched_counts

if TYPE_CHECKING:
    from bx24presence.qt.poller import PollFailed

__all__ = [
    "DEBOUNCE_MS",
    "MENU_LIMIT",
    "OWN_STATUSES",
    "Notifier",
    "Tray",
    "alert_texts",
    "status_title",
    "tray_pixmap",
]

MENU_LIMIT = 25
DEBOUNCE_MS = 600

#: Shows a desktop notification: (title, body, icon, milliseconds). The texts it gets are
#: markup-safe: notification servers with body markup (org.freedesktop.Notifications) and Qt's
#: own balloon read them as rich text.
Notifier = Callable[[str, str, "QIcon | QSystemTrayIcon.MessageIcon", int], None]


class Tray(QObject):
    """The system tray icon and its menu, rebuilt each time it opens.

    Signals:
        toggle_window_requested(): left click.
        show_window_requested(): "Show window".
        colleague_requested(int): a watched colleague (or a notification) was clicked.
        refresh_requested(): "Refresh now".
        settings_requested(): "Settings…".
        quit_requested(): "Quit".
        status_chosen(str): the user chose an own status (debounced).
        about_requested(): "About…".
    """

    toggle_window_requested = Signal()
    show_window_requested = Signal()
    colleague_requested = Signal(int)
    refresh_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()
    status_chosen = Signal(str)
    about_requested = Signal()

    def __init__(
        self,
        watchlist: WatchList,
        *,
        clock: Callable[[], datetime] | None = None,
        notifier: Notifier | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.watchlist = watchlist
        self._clock = clock or (lambda: datetime.now().astimezone())
        self.snapshot: Snapshot | None = None
        self.own_status: str | None = None
        self.stale_since: datetime | None = None
        self.failure: PollFailed | None = None
        self._last_alert: Alert | None = None
        self.history = NotificationHistory(self._clock)
        #: Whether the window is on screen (the menu then offers "Hide window").
        self.window_shown: Callable[[], bool] = lambda: False
        #: Adds more own-status choices (timed "do not disturb") to the "My status" menu.
        self.status_extras: Callable[[QMenu], object] | None = None
        self.icon = QSystemTrayIcon(self)
        self._notifier: Notifier = notifier or self.icon.showMessage
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.icon.messageClicked.connect(self._on_icon_message_clicked)
        self._pending_status = ""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        watchlist.changed.connect(self.update)
        self.update()

    @staticmethod
    def available() -> bool:
        """Whether the desktop has a system tray."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        """Put the icon in the tray."""
        self.icon.show()

    def hide(self) -> None:
        """Take the icon out of the tray."""
        self.icon.hide()

    # -- state -------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """New data arrived: fresh again."""
        self.snapshot = snapshot
        self.stale_since = None
        self.failure = None
        if snapshot.own_status:
            self.own_status = snapshot.own_status
        self.update()

    def set_stale(self, since: datetime, failure: PollFailed | None = None) -> None:
        """Refreshes fail since ``since``; ``failure`` says why (the tooltip's second line)."""
        self.stale_since = since
        self.failure = failure
        self.update()

    def set_own_status(self, status: str) -> None:
        """The portal confirmed the user's own status."""
        self.own_status = status
        self.update()

    def counts(self) -> tuple[int, int]:
        """(available, total) of the watched colleagues, or of everyone when none is watched."""
        today = self._clock().date()
        if self.watchlist.watched:
            return watched_counts(self.snapshot, self.watchlist.watched, today)
        if self.snapshot is None:
            return 0, 0
        cs = self.snapshot.colleagues
        return sum(1 for c in cs if is_available(c, today)), len(cs)

    def tooltip_text(self) -> str:
        """ "12 of 150 available · updated 12:03" (and the stale state)."""
        if self.snapshot is None:
            text = QCoreApplication.translate("Tray", "bx24presence: connecting…")
        else:
            available, total = self.counts()
            when = self.snapshot.fetched_at.astimezone().strftime("%H:%M")
            text = (
                QCoreApplication.translate("Tray", "%1 of %2 available · updated %3")
                .replace("%1", str(available))
                .replace("%2", str(total))
                .replace("%3", when)
            )
        if self.stale_since is not None:
            text += " · " + self._stale_text()
        if self.own_status:
            text += "\n" + QCoreApplication.translate("Tray", "My status: %1").replace(
                "%1", status_title(self.own_status)
            )
        return text

    def _stale_text(self) -> str:
        """Since when refreshes fail and, on a line of its own, why (the portal's own words
        left out: the tooltip may be read as rich text)."""
        failure = self.failure
        kind = failure.kind if failure is not None else FailureKind.NETWORK
        since = self.stale_since.astimezone().strftime("%H:%M") if self.stale_since else ""
        text = stale_note(kind, since)
        if failure is not None:
            why = (
                sentence(dataclasses.replace(failure.failure, said=""))
                if failure.failure is not None
                else failure.message
            )
            text += "\n" + why.replace("<", "\u2039").replace(">", "\u203a")
        return text

    def update(self) -> None:
        """Redraw the icon and the tooltip."""
        available, _ = self.counts()
        count = available if self.watchlist.watched else 0
        icon = QIcon()
        for size in (16, 22, 32, 48, 64):
            icon.addPixmap(
                tray_pixmap(self.own_status, count, stale=self.stale_since is not None, size=size)
            )
        self.icon.setIcon(icon)
        self.icon.setToolTip(self.tooltip_text())

    # -- menu --------------------------------------------------------------------------------

    def rebuild_menu(self) -> None:
        """Fill the menu with the current state (called as it opens)."""
        m = self.menu
        m.clear()
        header = m.addAction(self.tooltip_text().split("\n")[0])
        header.setEnabled(False)
        m.addSeparator()
        people = self._watched_people()
        if people:
            now = self.snapshot.server_time if self.snapshot else self._clock()
            for c in people[:MENU_LIMIT]:
                a = m.addAction(f"{menu_text(c.name)} — {presence_text(c, now)}")
                a.setIcon(QIcon(badge_pixmap(c.presence)))
                a.triggered.connect(lambda _=False, cid=c.id: self.colleague_requested.emit(cid))
            if len(people) > MENU_LIMIT:
                more = m.addAction(
                    QCoreApplication.translate("Tray", "…and %1 more").replace(
                        "%1", str(len(people) - MENU_LIMIT)
                    )
                )
                more.triggered.connect(self.show_window_requested)
        else:
            hint = m.addAction(
                QCoreApplication.translate(
                    "Tray", "Star colleagues in the window to watch them here"
                )
            )
            hint.setEnabled(False)
        m.addSeparator()
        mine = m.addMenu(QCoreApplication.translate("Tray", "My status"))
        group = QActionGroup(mine)
        group.setExclusive(True)
        for status in OWN_STATUSES:
            a = mine.addAction(status_title(status))
            a.setIcon(QIcon(badge_pixmap(STATUS_PRESENCE[status])))
            a.setCheckable(True)
            a.setChecked(status == (self._pending_status or self.own_status))
            a.setActionGroup(group)
            a.triggered.connect(lambda _=False, s=status: self.choose_status(s))
        if self.status_extras is not None:
            mine.addSeparator()
            self.status_extras(mine)
        m.addSeparator()
        self._add(m, QCoreApplication.translate("Tray", "Refresh now"), self.refresh_requested)
        if self.window_shown():
            self._add(
                m, QCoreApplication.translate("Tray", "Hide window"), self.toggle_window_requested
            )
        else:
            self._add(
                m, QCoreApplication.translate("Tray", "Show window"), self.show_window_requested
            )
        m.addAction(QCoreApplication.translate("Tray", "Today's notifications…")).triggered.connect(
            self.show_history
        )
        self._add(m, QCoreApplication.translate("Tray", "Settings…"), self.settings_requested)
        self._add(m, QCoreApplication.translate("Tray", "About…"), self.about_requested)
        m.addSeparator()
        self._add(m, QCoreApplication.translate("Tray", "Quit"), self.quit_requested)

    def _add(self, menu: QMenu, text: str, signal: SignalInstance) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(signal)
        return action

    def _watched_people(self) -> list[Colleague]:
        if self.snapshot is None:
            return []
        by_id = self.snapshot.by_id()
        people = [by_id[i] for i in self.watchlist.watched if i in by_id]
        return sorted(people, key=lambda c: (c.presence.rank, c.name.casefold()))

    def choose_status(self, status: str) -> None:
        """Set the own status, debounced: quick changes send only the last one."""
        self._pending_status = status
        self.own_status = status
        self.update()
        self._debounce.start()

    # -- notifications -------------------------------------------------------------------------

    def notify(self, alert: Alert) -> None:
        """Show a notification for one colleague, or a summary for several."""
        self._last_alert = alert
        self.history.add(alert)
        now = self.snapshot.server_time if self.snapshot else self._clock()
        title, text = alert_texts(alert, now)
        icon = QIcon(badge_pixmap(alert.colleagues[0].presence, 64))
        self._notifier(title, text, icon, 10_000)

    def notice(self, title: str, text: str) -> None:
        """A plain informational notification (``text`` may quote the portal: escaped)."""
        self._last_alert = None
        self._notifier(
            escape(title), markup_text(text), QSystemTrayIcon.MessageIcon.Information, 8000
        )

    def show_history(self) -> HistoryDialog:
        """Today's notifications, in a small window."""
        dialog = HistoryDialog(self.history, self.colleague_requested.emit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._history_dialog = dialog
        dialog.show()
        dialog.activateWindow()
        return dialog

    # -- slots -------------------------------------------------------------------------------

    def _on_debounce_timeout(self) -> None:
        if self._pending_status:
            self.status_chosen.emit(self._pending_status)
            self._pending_status = ""

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.toggle_window_requested.emit()

    def _on_icon_message_clicked(self) -> None:
        alert = self._last_alert
        if alert is not None:
            self.colleague_requested.emit(alert.colleagues[0].id)
        else:
            self.show_window_requested.emit()
