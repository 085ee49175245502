"""The details pane's photo: the colleague's avatar (or initials) with the presence badge."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap

from bx24presence.domain import Colleague
from bx24presence.qt.avatars.store import AvatarStore, paint_initials
from bx24presence.qt.list.badges import draw_badge


def photo_pixmap(
    c: Colleague, avatars: AvatarStore | None, size: int, dpr: float, background: QColor
) -> QPixmap:
    """``size`` x ``size`` (device-independent): the avatar when it is loaded, else the
    initials; the presence badge in the corner, ringed in ``background``."""
    pix = None
    url = (c.avatar_hr or c.avatar) if dpr > 1 else (c.avatar or c.avatar_hr)
    if avatars is not None and url:
        pix = avatars.pixmap(url, size, dpr)
    canvas = QPixmap(int(size * dpr), int(size * dpr))
    canvas.setDevicePixelRatio(dpr)
    canvas.fill(Qt.GlobalColor.transparent)
    p = QPainter(canvas)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(0, 0, size, size)
    if pix is not None:
        p.drawPixmap(0, 0, pix)
    else:
        paint_initials(p, rect, c.initials, c.color)
    r = size * 0.12
    draw_badge(
        p, c.presence, QPointF(rect.right() - r * 1.2, rect.bottom() - r * 1.2), r, background
    )
    p.end()
    return canvas
