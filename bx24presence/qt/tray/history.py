"""The day's notification history: who came online while you were waiting, and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bx24presence.textsafe import isolate
from bx24presence.watch import Alert

#: Entries kept at most (a day of alerts is far fewer; this bounds a flapping portal).
MAX_ENTRIES = 500


@dataclass(frozen=True)
class Entry:
    """One notification: when it was shown and who it was about."""

    at: datetime
    names: tuple[str, ...]
    ids: tuple[int, ...]


class NotificationHistory:
    """The notifications shown today (local day); yesterday's go at the first look after
    midnight. Kept in memory only: it is a convenience, not a record."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._entries: list[Entry] = []

    def add(self, alert: Alert) -> None:
        """Remember an alert that was shown."""
        self._entries.append(
            Entry(
                self._clock(),
                tuple(c.name for c in alert.colleagues),
                tuple(c.id for c in alert.colleagues),
            )
        )
        del self._entries[:-MAX_ENTRIES]

    def today(self) -> list[Entry]:
        """Today's entries, newest first."""
        day = self._clock().date()
        self._entries = [e for e in self._entries if e.at.date() == day]
        return list(reversed(self._entries))


def entry_text(entry: Entry) -> str:
    """ "14:05  Anna Smith is available" or "14:05  3 watched colleagues: A, B, C"."""
    when = entry.at.strftime("%H:%M")
    names = [isolate(n) for n in entry.names]
    if len(names) == 1:
        return f"{when}  " + QCoreApplication.translate("History", "%1 became available").replace(
            "%1", names[0]
        )
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return f"{when}  " + QCoreApplication.translate("History", "%1 became available: %2").replace(
        "%1",
        QCoreApplication.translate("History", "%1 watched colleagues").replace(
            "%1", str(len(names))
        ),
    ).replace("%2", shown)


class HistoryDialog(QDialog):
    """Today's notifications; activating one shows that colleague."""

    def __init__(
        self,
        history: NotificationHistory,
        on_colleague: Callable[[int], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("History", "Today's notifications"))
        self.setAccessibleName(self.windowTitle())
        self.list = QListWidget()
        self.list.setAccessibleName(QCoreApplication.translate("History", "Today's notifications"))
        entries = history.today()
        for e in entries:
            item = QListWidgetItem(entry_text(e))
            item.setData(Qt.ItemDataRole.UserRole, e.ids[0] if e.ids else None)
            self.list.addItem(item)
        self._on_colleague = on_colleague
        self.list.itemActivated.connect(self._on_list_item_activated)
        empty = QLabel(QCoreApplication.translate("History", "No notifications today."))
        empty.setVisible(not entries)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(420, 360)

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        cid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(cid, int) and self._on_colleague is not None:
            self._on_colleague(cid)
