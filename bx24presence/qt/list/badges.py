"""Presence badges: a distinct shape and colour per state, so colour is never the only cue."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from bx24presence.domain import Presence

COLORS = {
    Presence.ONLINE: QColor("#1f9d55"),
    Presence.MOBILE: QColor("#1f9d55"),
    Presence.AWAY: QColor("#d98e04"),
    Presence.DND: QColor("#d93f3f"),
    Presence.BREAK: QColor("#6c5ce7"),
    Presence.OFFLINE: QColor("#8a8f98"),
}


def badge_path(presence: Presence, center: QPointF, r: float) -> QPainterPath:
    """The outline of a badge of radius ``r``: circle (online), phone (mobile), crescent
    (away), circle with a bar cut out (do not disturb), diamond (break), ring (offline)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    cx, cy = center.x(), center.y()
    circle = QRectF(cx - r, cy - r, 2 * r, 2 * r)
    if presence is Presence.ONLINE:
        path.addEllipse(circle)
    elif presence is Presence.MOBILE:
        body = QRectF(cx - r * 0.62, cy - r, r * 1.24, 2 * r)
        path.addRoundedRect(body, r * 0.3, r * 0.3)
        path.addRect(QRectF(cx - r * 0.38, cy - r * 0.7, r * 0.76, r * 1.1))
    elif presence is Presence.AWAY:
        moon = QPainterPath()
        moon.addEllipse(circle)
        bite = QPainterPath()
        bite.addEllipse(QRectF(cx - r * 0.25, cy - r * 1.35, 2 * r, 2 * r))
        path = moon.subtracted(bite)
    elif presence is Presence.DND:
        path.addEllipse(circle)
        path.addRoundedRect(QRectF(cx - r * 0.62, cy - r * 0.2, r * 1.24, r * 0.4), 1, 1)
    elif presence is Presence.BREAK:
        path.moveTo(cx, cy - r)
        path.lineTo(cx + r, cy)
        path.lineTo(cx, cy + r)
        path.lineTo(cx - r, cy)
        path.closeSubpath()
    else:
        path.addEllipse(circle)
        inner = r * 0.5
        path.addEllipse(QRectF(cx - inner, cy - inner, 2 * inner, 2 * inner))
    return path


def draw_badge(
    painter: QPainter, presence: Presence, center: QPointF, r: float, ring: QColor | None
) -> None:
    """Paint a badge; ``ring`` is a halo in the background colour that separates it from the
    avatar beneath."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if ring is not None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ring)
        halo = r + max(1.5, r * 0.3)
        painter.drawEllipse(center, halo, halo)
    painter.setPen(QPen(Qt.PenStyle.NoPen))
    painter.setBrush(COLORS[presence])
    painter.drawPath(badge_path(presence, center, r))
    painter.restore()


def draw_bell(painter: QPainter, center: QPointF, r: float, color: QColor) -> None:
    """A small bell: the sign of a "notify me when available" rule."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    cx, cy = center.x(), center.y()
    path = QPainterPath()
    path.moveTo(cx - r, cy + r * 0.55)
    path.cubicTo(cx - r * 0.7, cy + r * 0.2, cx - r * 0.75, cy - r, cx, cy - r)
    path.cubicTo(cx + r * 0.75, cy - r, cx + r * 0.7, cy + r * 0.2, cx + r, cy + r * 0.55)
    path.closeSubpath()
    painter.drawPath(path)
    painter.drawEllipse(QPointF(cx, cy + r * 0.85), r * 0.28, r * 0.28)
    painter.restore()
