"""Row pictures drawn once and copied look like those drawn in place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from bx24presence.domain import Presence
from bx24presence.qt.avatars.paint import paint_initials
from bx24presence.qt.list import stamps as stamps_module
from bx24presence.qt.list.badges import draw_badge
from bx24presence.qt.list.stamps import Stamps


def canvas(dpr: float) -> QImage:
    image = QImage(round(80 * dpr), round(80 * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(QColor("#fafafa"))
    return image


def largest_difference(a: QImage, b: QImage) -> int:
    worst = 0
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = QColor(a.pixel(x, y)), QColor(b.pixel(x, y))
            worst = max(
                worst,
                abs(pa.red() - pb.red()),
                abs(pa.green() - pb.green()),
                abs(pa.blue() - pb.blue()),
            )
    return worst


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("where", [(12.0, 11.0), (12.5, 10.25)])
def test_copies_match_what_is_drawn_in_place(qapp, dpr, where) -> None:
    font = QFont()
    rect = QRectF(where[0], where[1], 40, 40)
    center = QPointF(rect.right() - 6.4 * 0.8, rect.bottom() - 6.4 * 0.8)
    ring = QColor("#ffffff")
    direct, copied = canvas(dpr), canvas(dpr)
    p = QPainter(direct)
    p.setFont(font)
    paint_initials(p, rect, "AS", "#3a7bd5")
    draw_badge(p, Presence.AWAY, center, 6.4, ring)
    p.end()
    stamps = Stamps()
    for _ in range(2):  # drawn, then copied from the cache
        copied.fill(QColor("#fafafa"))
        p = QPainter(copied)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        stamps.draw_initials(p, rect, "AS", "#3a7bd5", font=font, dpr=dpr)
        stamps.draw_badge(p, Presence.AWAY, center, 6.4, ring=ring, dpr=dpr)
        p.end()
        # edge pixels differ by rounding of the second blend: 6 of 255 at most, unseen
        assert largest_difference(direct, copied) <= 8


def test_the_caches_are_bounded(qapp) -> None:
    stamps = Stamps()
    image = canvas(1.0)
    p = QPainter(image)
    for i in range(stamps_module.MAX_INITIALS + 40):
        stamps.draw_initials(
            p, QRectF(0, 0, 40, 40), f"{chr(65 + i % 26)}{i}", None, font=QFont(), dpr=1.0
        )
    for i in range(stamps_module.MAX_BADGES + 10):
        stamps.draw_badge(p, Presence.ONLINE, QPointF(20, 20), 6.4, ring=QColor(i, 0, 0), dpr=1.0)
    p.end()
    assert len(stamps._initials) == stamps_module.MAX_INITIALS
    assert len(stamps._badges) == stamps_module.MAX_BADGES
