"""Render the app icon's SVG source into PNG sizes, a Windows .ico, a macOS .icns and a
contact sheet (``make icons``).

Qt renders (QSvgRenderer, offscreen); the .ico and .icns containers are written here in plain
Python, both holding PNG images, so no image tool is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
APP_ID = "io.github.bx24presence.bx24presence"
SOURCE = ICONS / f"{APP_ID}.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# .icns PNG types: https://en.wikipedia.org/wiki/Apple_Icon_Image_format
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The icon at ``size`` x ``size`` pixels, transparent around it."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buf.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (supported since Windows Vista)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries = b""
    payload = b""
    for size in sizes:
        data = images[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    return header + entries + payload


def icns_bytes(images: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images."""
    chunks = b""
    for kind, size in ICNS_TYPES:
        # ic11..ic14 are the @2x variants: a 32 px image for the 16 pt slot, and so on.
        data = images[size]
        chunks += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks


def contact_sheet(renderer: QSvgRenderer, out: Path) -> None:
    """The icon at 16, 32, 48 and 256 px on a light and a dark panel, with 16 and 32 also
    magnified 4x (nearest pixel) to judge the small sizes."""
    sizes = (16, 32, 48, 256)
    backgrounds = (
        ("light panel", QColor("#f3f3f3"), QColor("#202020")),
        ("dark panel", QColor("#2b2b2b"), QColor("#eeeeee")),
    )
    row_h = 330
    width = 900
    sheet = QImage(width, row_h * len(backgrounds), QImage.Format.Format_ARGB32)
    p = QPainter(sheet)
    font = QFont()
    font.setPixelSize(14)
    p.setFont(font)
    for row, (label, bg, fg) in enumerate(backgrounds):
        top = row * row_h
        p.fillRect(0, top, width, row_h, bg)
        p.setPen(fg)
        p.drawText(QPointF(12, top + 22), label)
        x = 12
        for size in sizes:
            image = render(renderer, size)
            p.drawImage(QPointF(x, top + 40 + (256 - size) // 2), image)
            p.drawText(QPointF(x, top + 316), f"{size} px")
            x += max(size, 40) + 24
        for size in (16, 32):
            image = render(renderer, size).scaled(
                size * 4,
                size * 4,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
            p.drawImage(QPointF(x, top + 40 + (256 - size * 4) // 2), image)
            p.drawText(QPointF(x, top + 316), f"{size} px, 4x")
            x += size * 4 + 24
    p.end()
    sheet.save(str(out))


def main() -> int:
    """Write every generated icon next to the SVG source, and the contact sheet in docs/."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"error: cannot read {SOURCE}", file=sys.stderr)
        return 1
    pngs: dict[int, bytes] = {}
    for size in PNG_SIZES:
        pngs[size] = png_bytes(render(renderer, size))
        folder = ICONS / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{APP_ID}.png").write_bytes(pngs[size])
    (ICONS / f"{APP_ID}.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICONS / f"{APP_ID}.icns").write_bytes(icns_bytes(pngs))
    contact_sheet(renderer, ROOT / "docs" / "icon-sizes.png")
    print(f"wrote {len(PNG_SIZES)} PNG sizes, .ico and .icns in {ICONS}, docs/icon-sizes.png")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
