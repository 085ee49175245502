"""Draw the tray icon's states at tray sizes on a light and a dark panel (docs/icon-tray.png)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from bx24presence.qt.tray.tray import tray_pixmap

OUT = Path(__file__).resolve().parent.parent / "docs" / "icon-tray.png"
STATES = (
    ("online", 3, False, "online, 3"),
    ("dnd", 0, False, "do not disturb"),
    ("away", 1, False, "away, 1"),
    ("break", 0, False, "on a break"),
    ("online", 12, True, "stale, 12"),
)
SIZES = (16, 22, 32, 64)


def main() -> int:
    """Write the sheet."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    col_w, row_h = 180, 110
    sheet = QPixmap(col_w * len(STATES), row_h * 2)
    p = QPainter(sheet)
    font = QFont()
    font.setPixelSize(12)
    p.setFont(font)
    for row, (bg, fg) in enumerate((("#f3f3f3", "#202020"), ("#2b2b2b", "#eeeeee"))):
        top = row * row_h
        p.fillRect(0, top, sheet.width(), row_h, QColor(bg))
        p.setPen(QColor(fg))
        for col, (status, count, stale, label) in enumerate(STATES):
            x = col * col_w + 8
            for size in SIZES:
                pix = tray_pixmap(status, count, stale=stale, size=size)
                p.drawPixmap(int(x), top + 12 + (64 - size) // 2, pix)
                x += size + 6
            p.drawText(QPointF(col * col_w + 8, top + 96), label)
    p.end()
    sheet.save(str(OUT))
    print(f"wrote {OUT}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
