"""The tray's pictures: the icon (own status, count bubble, stale mark) and menu badges."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

from bx24presence.domain import Presence
from bx24presence.qt.list.badges import draw_badge
from bx24presence.qt.system.identity import app_icon_pixmap

#: The presence each own status shows as.
STATUS_PRESENCE = {
    "online": Presence.ONLINE,
    "dnd": Presence.DND,
    "away": Presence.AWAY,
    "break": Presence.BREAK,
}


def tray_pixmap(own_status: str | None, count: int, *, stale: bool, size: int = 64) -> QPixmap:
    """The icon: the app icon with a badge for the own status (shape and colour) on its
    presence dot, a count bubble of watched colleagues available, and a warning mark when
    the data is stale."""
    pix = app_icon_pixmap(size)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    presence = STATUS_PRESENCE.get(own_status or "online", Presence.ONLINE)
    draw_badge(p, presence, QPointF(size * 0.735, size * 0.735), size * 0.22, QColor("white"))
    if count > 0:
        # A tray draws the icon at 16-24 px: the bubble then takes most of the corner, so
        # the count stays about 10 px tall instead of 6.
        small = size <= 24
        limit = 10 if small else 100
        text = str(count) if count < limit else f"{limit - 1}+"
        height, width = size * (0.62 if small else 0.42), size * (0.62 if small else 0.48)
        bubble = QRectF(size - width, 0, width, height)
        p.setPen(QColor("white"))
        p.setBrush(QColor("#1a1a1a"))
        p.drawRoundedRect(bubble, height / 2, height / 2)
        f = QFont()
        f.setBold(True)
        f.setPixelSize(max(1, int(height * (0.78 if len(text) < 3 else 0.55))))
        p.setFont(f)
        p.drawText(bubble, Qt.AlignmentFlag.AlignCenter, text)
    if stale:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#f0b400"))
        p.drawEllipse(QRectF(0, size * 0.66, size * 0.34, size * 0.34))
        p.setPen(QColor("#1a1a1a"))
        f = QFont()
        f.setBold(True)
        f.setPixelSize(int(size * 0.28))
        p.setFont(f)
        p.drawText(
            QRectF(0, size * 0.66, size * 0.34, size * 0.34), Qt.AlignmentFlag.AlignCenter, "!"
        )
    p.end()
    return pix


def badge_pixmap(presence: Presence, size: int = 16) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    draw_badge(p, presence, QPointF(size / 2, size / 2), size * 0.4, None)
    p.end()
    return pix
