"""Avatar pictures from bytes: raster formats only, refused before decoding when too large."""

from __future__ import annotations

import math

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader, QPainter

#: Larger pictures count as failed: decoding one would blow the app's memory budget.
MAX_SOURCE_PIXELS = 4096 * 4096
#: Larger decoded pictures count as failed (2048 x 2048 at 32 bits); JPEG decodes scaled down.
MAX_DECODED_BYTES = 16 * 1024 * 1024
#: The formats avatars may have (what Bitrix24 stores); never SVG, SVGZ, XPM, TGA...
RASTER_FORMATS = frozenset({b"png", b"jpeg", b"jpg", b"jfif", b"gif", b"webp", b"bmp"})


def decode_round(data: bytes, size_px: int, dpr: float) -> QImage | None:
    """The round avatar at display size from downloaded bytes, or None when refused.

    Thread-safe (QImage only): the avatar store calls it from its decoding thread.
    """
    image = decode(data, physical(size_px, dpr))
    return round_image(image, size_px, dpr) if image is not None else None


def physical(size_px: int, dpr: float) -> int:
    """Device pixels of a logical size."""
    return max(1, round(size_px * dpr))


def round_image(image: QImage, size_px: int, dpr: float) -> QImage:
    """Scale ``image`` to cover a square, crop the middle and clip it to a circle.

    Thread-safe: works on QImage only. The result is ``size_px * dpr`` physical pixels
    square, premultiplied ARGB with transparent corners, and carries ``dpr`` as its
    device pixel ratio.
    """
    side = physical(size_px, dpr)
    scaled = image.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    x = max(0, (scaled.width() - side) // 2)
    y = max(0, (scaled.height() - side) // 2)
    square = scaled.copy(x, y, side, side)

    out = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.GlobalColor.white)
        painter.drawEllipse(QRectF(0, 0, side, side))
        # The antialiased disc is a mask: SourceIn keeps the picture only where it is.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.drawImage(0, 0, square)
    finally:
        painter.end()
    out.setDevicePixelRatio(dpr)
    return out


def decode(data: bytes, side: int) -> QImage | None:
    """Decode a raster picture no smaller than ``side`` square where the format allows; None
    if it is bad, not a raster format we accept, or would take too much memory.

    SVG and any other markup are refused by their first bytes before Qt looks at them (an SVG
    may reference other files and its renderer is a large attack surface). QImageReader reads
    the size and pixel format from the header, so a picture whose decoded bytes would pass
    :data:`MAX_DECODED_BYTES` is refused before it is decoded (a 130 KB PNG of 4096 x 4096
    16-bit RGBA pixels decodes to 128 MiB), and formats that can (JPEG) decode straight to
    about the display size, so only the scaled picture counts against the cap.

    The format is told from the first bytes here, and Qt asks no other image plugin: the
    probing of every plugin (SVG's among them) creates and connects objects, and in a worker
    thread that can deadlock with the GUI thread destroying objects.
    """
    fmt = raster_format(data)
    if fmt is None or looks_like_markup(data):
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    if not buffer.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    try:
        reader = QImageReader(buffer, QByteArray(fmt))
        reader.setDecideFormatFromContent(False)
        if not reader.canRead():
            return None
        reader.setAutoTransform(True)
        size = reader.size()
        if not size.isValid() or size.isEmpty():
            return None
        if size.width() * size.height() > MAX_SOURCE_PIXELS:
            return None
        decoded = size
        shortest = min(size.width(), size.height())
        if shortest > side:
            scale = side / shortest
            scaled = QSize(
                max(side, math.ceil(size.width() * scale)),
                max(side, math.ceil(size.height() * scale)),
            )
            reader.setScaledSize(scaled)
            if reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize):
                decoded = scaled  # decoded at that size; others decode in full, then scale
        if decoded.width() * decoded.height() * _bytes_per_pixel(reader) > MAX_DECODED_BYTES:
            return None
        image = reader.read()
    finally:
        buffer.close()
    return None if image.isNull() else image


def raster_format(data: bytes) -> bytes | None:
    """The raster format ``data`` starts like (one of :data:`RASTER_FORMATS`), or None."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return b"png"
    if head.startswith(b"\xff\xd8\xff"):
        return b"jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return b"gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return b"webp"
    if head.startswith(b"BM"):
        return b"bmp"
    return None


def looks_like_markup(data: bytes) -> bool:
    """Whether ``data`` starts like SVG, XML or HTML (or is gzip: SVGZ); no raster picture does."""
    head = data[:64].lstrip(b" \t\r\n\x0c").removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"<", b"\x1f\x8b"))


def _bytes_per_pixel(reader: QImageReader) -> int:
    """What one decoded pixel costs, from the header (at least 4: Qt converts to 32 bits)."""
    fmt = reader.imageFormat()
    if fmt == QImage.Format.Format_Invalid:
        return 8  # unknown until decoded: assume the widest (16 bits per channel)
    return max(4, QImage(1, 1, fmt).depth() // 8)
