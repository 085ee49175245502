"""Pictures a list row repeats, drawn once and then copied: the initials disc shown until an
avatar arrives, and the presence badge.

A search shows new rows on every keystroke, and their avatars are not in memory yet: each
row painted its initials (a disc, a font fitted to it, the letters) and its badge (a path
with a halo) from scratch, about a third of the row's painting. A copy of a small pixmap
costs a few microseconds. The caches are bounded (a few hundred kilobytes at most).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TypeVar

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

from bx24presence.domain import Presence
from bx24presence.qt.avatars.paint import paint_initials
from bx24presence.qt.list.badges import draw_badge

#: Initials discs kept (40 px at 2x is 25 KB each).
MAX_INITIALS = 64
#: Badges kept: a handful of presences times ring colours and sizes.
MAX_BADGES = 32

K = TypeVar("K")
V = TypeVar("V")
_InitialsKey = tuple[str, str | None, int, int, int, int, float, str]
_BadgeKey = tuple[Presence, float, int, int, int, float]


class Stamps:
    """Bounded caches of row pictures, keyed by everything that changes their pixels."""

    def __init__(self) -> None:
        self._initials: OrderedDict[_InitialsKey, QPixmap] = OrderedDict()
        self._badges: OrderedDict[_BadgeKey, tuple[QPixmap, int]] = OrderedDict()

    def draw_initials(
        self,
        painter: QPainter,
        rect: QRectF,
        initials: str,
        color: str | None,
        *,
        font: QFont,
        dpr: float,
    ) -> None:
        """What :func:`paint_initials` draws in ``rect``, from the cache (to an eighth of a pixel:
        the fraction of a pixel where ``rect`` starts is drawn into the copy)."""
        x, fx = _split(rect.x())
        y, fy = _split(rect.y())
        w, h = rect.width(), rect.height()
        key = (initials, color, round(w * 8), round(h * 8), fx, fy, dpr, font.key())
        pix = self._initials.get(key)
        if pix is None:
            pix = _canvas(math.ceil(w) + 1, math.ceil(h) + 1, dpr)
            p = QPainter(pix)
            p.setFont(font)
            paint_initials(p, QRectF(fx / 8, fy / 8, w, h), initials, color)
            p.end()
            pix = _remember(self._initials, key, pix, MAX_INITIALS)
        else:
            self._initials.move_to_end(key)
        painter.drawPixmap(x, y, pix)

    def draw_badge(
        self,
        painter: QPainter,
        presence: Presence,
        center: QPointF,
        r: float,
        *,
        ring: QColor,
        dpr: float,
    ) -> None:
        """What :func:`draw_badge` draws around ``center``, from the cache (to an eighth of a pixel,
        like :meth:`draw_initials`)."""
        cx, fx = _split(center.x())
        cy, fy = _split(center.y())
        key = (presence, r, ring.rgba(), fx, fy, dpr)
        hit = self._badges.get(key)
        if hit is None:
            middle = math.ceil(r + max(1.5, r * 0.3)) + 1  # the halo, and a pixel to spare
            pix = _canvas(2 * middle + 1, 2 * middle + 1, dpr)
            p = QPainter(pix)
            draw_badge(p, presence, QPointF(middle + fx / 8, middle + fy / 8), r, ring)
            p.end()
            hit = _remember(self._badges, key, (pix, middle), MAX_BADGES)
        else:
            self._badges.move_to_end(key)
        pix, middle = hit
        painter.drawPixmap(cx - middle, cy - middle, pix)

    def clear(self) -> None:
        """Forget every picture (a theme or screen change)."""
        self._initials.clear()
        self._badges.clear()


def _split(v: float) -> tuple[int, int]:
    """A coordinate as whole pixels and eighths of a pixel."""
    whole = math.floor(v)
    eighths = round((v - whole) * 8)
    if eighths == 8:
        return whole + 1, 0
    return whole, eighths


def _canvas(width: int, height: int, dpr: float) -> QPixmap:
    pix = QPixmap(max(1, round(width * dpr)), max(1, round(height * dpr)))
    pix.setDevicePixelRatio(dpr)
    pix.fill(Qt.GlobalColor.transparent)
    return pix


def _remember(cache: OrderedDict[K, V], key: K, value: V, limit: int) -> V:
    cache[key] = value
    while len(cache) > limit:
        cache.popitem(last=False)
    return value
