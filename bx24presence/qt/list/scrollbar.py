"""The colleague list's scroll bar: a plain groove and a rounded handle.

A search changes the list's length on every keystroke, and so the scroll bar's range: Fusion
then draws its bevelled scroll bar again, about 1.7 ms a time on this machine (30 us for
this one, ``benchmarks/bench_search.py``), a tenth of the keystroke's budget. The handle
keeps 3:1 contrast with the groove (WCAG 2.1, 1.4.11), darker while hovered or dragged.
There are no arrow buttons: the wheel, the keyboard, paging clicks and the handle scroll.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOptionComplex,
    QStyleOptionSlider,
    QWidget,
)

from bx24presence.qt.theme import readable

_CC = QStyle.ComplexControl.CC_ScrollBar
_SC = QStyle.SubControl
#: The handle is never shorter than this (pixels), however long the list.
MIN_HANDLE = 24
_INSET = 3


class ListScrollStyle(QProxyStyle):
    """Fusion for everything but the scroll bar, which it draws flat (see the module)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def subControlRect(
        self,
        cc: QStyle.ComplexControl,
        opt: QStyleOptionComplex,
        sc: QStyle.SubControl,
        widget: QWidget | None = None,
    ) -> QRect:
        if cc != _CC or not isinstance(opt, QStyleOptionSlider):
            return super().subControlRect(cc, opt, sc, widget)  # type: ignore[arg-type]
        groove = QRect(opt.rect)
        horizontal = opt.orientation == Qt.Orientation.Horizontal
        length = groove.width() if horizontal else groove.height()
        span = opt.maximum - opt.minimum
        handle = length
        if span > 0:
            handle = max(MIN_HANDLE, length * opt.pageStep // max(1, span + opt.pageStep))
        handle = min(handle, length)
        start = QStyle.sliderPositionFromValue(
            opt.minimum, opt.maximum, opt.sliderPosition, length - handle, opt.upsideDown
        )

        def part(a: int, b: int) -> QRect:
            if horizontal:
                return QRect(groove.left() + a, groove.top(), max(0, b - a), groove.height())
            return QRect(groove.left(), groove.top() + a, groove.width(), max(0, b - a))

        if sc == _SC.SC_ScrollBarGroove:
            return groove
        if sc == _SC.SC_ScrollBarSlider:
            return part(start, start + handle)
        if sc == _SC.SC_ScrollBarSubPage:
            return part(0, start)
        if sc == _SC.SC_ScrollBarAddPage:
            return part(start + handle, length)
        return QRect()  # no arrow buttons, no first/last buttons

    def drawComplexControl(
        self,
        cc: QStyle.ComplexControl,
        opt: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if cc != _CC or not isinstance(opt, QStyleOptionSlider):
            super().drawComplexControl(cc, opt, painter, widget)
            return
        palette: QPalette = opt.palette
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillRect(opt.rect, base)
        if opt.maximum <= opt.minimum:
            return
        active = bool(opt.activeSubControls & _SC.SC_ScrollBarSlider) and bool(
            opt.state & (QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_Sunken)
        )
        text = palette.color(QPalette.ColorRole.Text)
        # Between the text and the background; made to reach 3:1 against the groove.
        mix = 0.55 if active else 0.35
        tone = QColor.fromRgbF(
            base.redF() + (text.redF() - base.redF()) * mix,
            base.greenF() + (text.greenF() - base.greenF()) * mix,
            base.blueF() + (text.blueF() - base.blueF()) * mix,
        )
        handle = QRectF(self.subControlRect(cc, opt, _SC.SC_ScrollBarSlider, widget))
        handle.adjust(_INSET, _INSET, -_INSET, -_INSET)
        radius = min(handle.width(), handle.height()) / 2
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(readable(tone, base, 3.0))
        painter.drawRoundedRect(handle, radius, radius)
        painter.restore()
