"""Placeholder avatars: a disc in the colleague's colour with their initials."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

#: Placeholder colour when a colleague has no Bitrix24 colour (the portal's own grey).
FALLBACK_COLOR = "#556574"

_DARK_TEXT = "#1f2933"


def paint_initials(painter: QPainter, rect: QRectF, initials: str, color: str | None) -> None:
    """Paint a placeholder avatar: a disc in the colleague's colour with their initials.

    Args:
        painter: an active painter; its state is restored afterwards.
        rect: where to paint; the disc fills the largest centred square inside it.
        initials: one or two letters (more are cut off; empty paints the disc only).
        color: the Bitrix24 colour (``#rrggbb``); invalid or None gives the fallback grey.
    """
    fill = QColor.fromString(color) if color and QColor.isValidColorName(color) else QColor()
    if not fill.isValid():
        fill = QColor.fromString(FALLBACK_COLOR)
    side = min(rect.width(), rect.height())
    disc = QRectF(
        rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2, side, side
    )
    text = initials.strip()[:2]

    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawEllipse(disc)
        if text and side >= 1:
            font = painter.font()
            font.setBold(True)
            font.setPixelSize(max(1, round(side * (0.42 if len(text) == 1 else 0.38))))
            # Wide letters ("WM") must stay inside the disc: shrink to 70% of its width.
            width = QFontMetricsF(font).horizontalAdvance(text)
            if width > side * 0.7:
                font.setPixelSize(max(1, math.floor(font.pixelSize() * side * 0.7 / width)))
            painter.setFont(font)
            light = _luminance(fill) > 0.55
            painter.setPen(QColor.fromString(_DARK_TEXT) if light else QColor(Qt.GlobalColor.white))
            painter.drawText(disc, int(Qt.AlignmentFlag.AlignCenter), text)
    finally:
        painter.restore()


def _luminance(color: QColor) -> float:
    """Relative luminance (WCAG 2) of an sRGB colour, 0 (black) to 1 (white)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )
