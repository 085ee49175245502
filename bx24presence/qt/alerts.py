"""Delivers what the watcher decides (:mod:`bx24presence.watch` holds the rules): spent rules
leave the watch list, alerts go to the tray's notifications, or to the window's status bar
when there is no tray; none while the user's own status is "do not disturb"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMainWindow

from bx24presence.qt.poller import SnapshotReady
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import SettingsStore
from bx24presence.watch import Watcher

if TYPE_CHECKING:
    from bx24presence.qt.views.own_status import OwnStatus
    from bx24presence.watch import WatchResult

#: How long an alert stays in the status bar without a tray.
STATUS_MS = 15000


class Alerts(QObject):
    """Feeds complete snapshots to the watcher and delivers its alerts.

    Args:
        watcher: The rules (baselines, one-shot rules, summaries, do not disturb).
        watchlist: Whose arrival matters; spent rules are dropped from it.
        store: The settings (``notifications`` switches delivery off).
        tray: The tray, or None (then the window's status bar).
        own: The one owner of the user's own status: "do not disturb" is read from it as each
            snapshot is observed, so a status chosen a moment ago (in the window or the tray)
            counts before any poll has seen it.
    """

    def __init__(
        self,
        watcher: Watcher,
        watchlist: WatchList,
        store: SettingsStore,
        tray: Any | None,
        parent: QObject | None = None,
        *,
        own: OwnStatus | None = None,
    ) -> None:
        super().__init__(parent)
        self.watcher = watcher
        self.watchlist = watchlist
        self.store = store
        self.tray = tray
        self.own = own

    def session_started(self) -> None:
        """A new session (start, reconnect, another portal): its first data is a baseline."""
        self.watcher.reset()

    def observe(
        self, ready: SnapshotReady, *, window: QMainWindow, own_dnd: bool | None = None
    ) -> WatchResult:
        """Decide and deliver the alerts of one complete snapshot; ``own_dnd`` None reads
        "do not disturb" from :attr:`own`."""
        if own_dnd is None:
            own_dnd = self.own is not None and self.own.status == "dnd"
        result = self.watcher.observe(
            ready.snapshot, self.watchlist.rules, baseline=ready.baseline, own_dnd=own_dnd
        )
        if result.spent:
            self.watchlist.drop_rules(result.spent)
        if not self.store.current.notifications:
            return result
        for alert in result.alerts:
            if self.tray is not None:
                self.tray.notify(alert)
            else:
                names = ", ".join(c.name for c in alert.colleagues)
                window.statusBar().showMessage(
                    QApplication.translate("App", "Available now: %1").replace("%1", names),
                    STATUS_MS,
                )
        return result
