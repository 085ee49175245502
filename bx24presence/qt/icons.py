"""Small icons drawn from SVG (star, bell, warning, error, info): no emoji font needed.

An emoji draws as an empty box on a desktop without an emoji font (a plain Debian); these
are vector shapes rendered through :class:`QSvgRenderer`, in the colour the caller asks for.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

# 24x24 shapes; "{c}" is the colour.
_SHAPES = {
    "star": '<path fill="{c}" d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6'
    '-4.9-4.6 6.6-.8z"/>',
    "star-outline": '<path fill="none" stroke="{c}" stroke-width="1.8" stroke-linejoin="round"'
    ' d="M12 3.5l2.6 5.4 5.9.7-4.4 4.1 1.2 5.9L12 16.7l-5.3 2.9 1.2-5.9-4.4-4.1 5.9-.7z"/>',
    "bell": '<path fill="{c}" d="M12 2.5c-3.6 0-6 2.7-6 6.3v4.4L4 16.5v1h16v-1l-2-3.3V8.8c0-3.6-2.4'
    '-6.3-6-6.3z"/><circle fill="{c}" cx="12" cy="20" r="2.2"/>',
    "warning": '<path fill="{c}" d="M12 2L1 21.5h22z"/><path fill="#ffffff" d="M11 9h2v6.5h-2z'
    'M11 17.2h2v2h-2z"/>',
    "error": '<circle fill="{c}" cx="12" cy="12" r="10.5"/><path fill="#ffffff" d="M6.5 10.8h11v2.4'
    'h-11z"/>',
    "info": '<circle fill="{c}" cx="12" cy="12" r="10.5"/><path fill="#ffffff" d="M10.8 10h2.4v8h'
    '-2.4zM10.8 6h2.4v2.4h-2.4z"/>',
}
#: The watched star and the notify bell (made readable against the window where drawn).
STAR = "#c98a00"
#: The colours of the banner's icons, readable on its light backgrounds.
BANNER_COLORS = {"warning": "#8a6100", "error": "#c50f1f", "info": "#0f6cbd"}
SIZES = (16, 20, 24, 32, 48)


def svg_text(name: str, color: str) -> str:
    """The SVG document of a shape in ``color``."""
    body = _SHAPES[name].replace("{c}", QColor(color).name())
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body}</svg>'


def render(name: str, color: str, size: int, dpr: float = 1.0) -> QPixmap:
    """A shape as a ``size`` x ``size`` pixmap (device-independent pixels)."""
    pix = QPixmap(QSize(round(size * dpr), round(size * dpr)))
    pix.setDevicePixelRatio(dpr)
    pix.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg_text(name, color).encode()))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(p, QRectF(0, 0, size, size))
    p.end()
    return pix


@cache
def icon(name: str, color: str) -> QIcon:
    """A shape as an icon with the usual sizes (cached per shape and colour)."""
    result = QIcon()
    for size in SIZES:
        result.addPixmap(render(name, color, size))
        result.addPixmap(render(name, color, size, 2.0))
    return result
