"""The About box: version, portal (host only), the data's age and the keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bx24presence import APP_NAME, __version__
from bx24presence.textsafe import isolate


def portal_host(portal: str) -> str:
    """Only the host (and port) of a portal address: never a path, user or secret."""
    try:
        parts = urlsplit(portal if "//" in portal else f"//{portal}")
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    return f"{host}:{port}" if host and port else host


def data_age(fetched_at: datetime | None, now: datetime) -> str:
    """ "no data yet", "just now", "12 min", "3 h 5 min"."""
    if fetched_at is None:
        return QCoreApplication.translate("About", "no data yet")
    minutes = max(0, int((now - fetched_at).total_seconds() // 60))
    if minutes < 1:
        return QCoreApplication.translate("About", "just now")
    if minutes < 60:
        return QCoreApplication.translate("About", "%1 min").replace("%1", str(minutes))
    return (
        QCoreApplication.translate("About", "%1 h %2 min")
        .replace("%1", str(minutes // 60))
        .replace("%2", str(minutes % 60))
    )


def shortcuts(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what) of each action with a shortcut, without duplicates, in order; a run of
    actions doing the same thing (Alt+1 … Alt+5: a quick filter) makes one row."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    run: list[str] = []
    for a in actions:
        keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        text = a.text().replace("&", "")
        if not keys or keys in seen:
            continue
        seen.add(keys)
        if out and out[-1][1] == text:
            run.append(keys)
            out[-1] = (f"{run[0]} … {keys}", text)
        else:
            run = [keys]
            out.append((keys, text))
    return out


class AboutDialog(QDialog):
    """What this app is, what it is connected to, how fresh the data is, and its keys."""

    def __init__(
        self,
        *,
        portal: str,
        demo: bool,
        fetched_at: datetime | None,
        actions: Iterable[QAction],
        clock: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        now = (clock or (lambda: datetime.now(UTC)))()
        self.setWindowTitle(QCoreApplication.translate("About", "About %1").replace("%1", APP_NAME))
        self.setAccessibleName(self.windowTitle())
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        host = (
            QCoreApplication.translate("About", "demo portal")
            if demo
            else (portal_host(portal) or QCoreApplication.translate("About", "not connected"))
        )
        when = (
            fetched_at.astimezone().strftime("%H:%M:%S") + " (" + data_age(fetched_at, now) + ")"
            if fetched_at is not None
            else data_age(None, now)
        )
        for key, label, value in (
            ("version", QCoreApplication.translate("About", "Version:"), __version__),
            ("portal", QCoreApplication.translate("About", "Portal:"), isolate(host)),
            ("data", QCoreApplication.translate("About", "Data from:"), when),
        ):
            v = QLabel(value)
            v.setTextFormat(Qt.TextFormat.PlainText)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            v.setAccessibleName(label.rstrip(":"))
            self.values[key] = v
            form.addRow(label, v)
        rows = shortcuts(actions)
        self.keys = QTableWidget(len(rows), 2)
        self.keys.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("About", "Keys"),
                QCoreApplication.translate("About", "Action"),
            ]
        )
        self.keys.setAccessibleName(QCoreApplication.translate("About", "Keyboard shortcuts"))
        self.keys.verticalHeader().hide()
        self.keys.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.keys.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (keys, text) in enumerate(rows):
            self.keys.setItem(r, 0, QTableWidgetItem(keys))
            self.keys.setItem(r, 1, QTableWidgetItem(text))
        self.keys.resizeColumnsToContents()
        self.keys.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        title = QLabel(f"{APP_NAME} {__version__}")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        blurb = QLabel(
            QCoreApplication.translate(
                "About", "Who is available among your Bitrix24 colleagues, at a glance."
            )
        )
        blurb.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addLayout(form)
        shortcuts_title = QLabel(QCoreApplication.translate("About", "Keyboard shortcuts"))
        layout.addWidget(shortcuts_title)
        layout.addWidget(self.keys, 1)
        layout.addWidget(buttons)
        self.resize(460, 480)
