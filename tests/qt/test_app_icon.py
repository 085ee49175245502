"""The app icon: the application's identity and window icon, and the tray icon's base."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication

from bx24presence import assets
from bx24presence.qt.system.identity import app_icon, app_icon_pixmap, set_identity
from bx24presence.qt.tray.tray import tray_pixmap


def _is_icon_blue(color: QColor) -> bool:
    return color.alpha() > 200 and color.blue() > 150 and color.red() < 90


def test_identity_matches_the_desktop_entry(qapp) -> None:
    set_identity(qapp)
    assert QGuiApplication.desktopFileName() == assets.APP_ID
    assert QGuiApplication.applicationName() == "bx24presence"
    assert QGuiApplication.organizationName()
    assert QGuiApplication.applicationVersion()
    assert not QGuiApplication.windowIcon().isNull()


def test_icon_has_every_size(qapp) -> None:
    sizes = sorted(s.width() for s in app_icon().availableSizes())
    assert sizes == sorted(assets.ICON_SIZES)
    image = app_icon_pixmap(32).toImage()
    assert _is_icon_blue(image.pixelColor(4, 16)), "the badge's left edge"
    assert image.pixelColor(0, 0).alpha() < 40, "rounded corners stay transparent"


def test_tray_icon_is_drawn_on_the_app_icon(qapp) -> None:
    for size in (16, 22, 32, 64):
        image = tray_pixmap("dnd", 3, stale=False, size=size).toImage()
        # The top-left of the badge is the app icon's blue; the own status sits bottom-right.
        probe = image.pixelColor(int(size * 0.12), int(size * 0.3))
        assert _is_icon_blue(probe), (size, probe.name())
        corner = image.pixelColor(int(size * 0.735), int(size * 0.735))
        assert not _is_icon_blue(corner), "the own-status badge is drawn on top"


def test_checked_in_sizes_match_the_svg_source(qapp) -> None:
    """Someone who edits the SVG also runs `make icons`."""
    from PySide6.QtGui import QImage

    for size in (16, 48, 256):
        rendered = app_icon_pixmap(size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
        stored = QImage(str(assets.icon_png(size))).convertToFormat(QImage.Format.Format_ARGB32)
        assert stored.size() == rendered.size()
        total = 0
        for y in range(0, size, max(1, size // 32)):
            for x in range(0, size, max(1, size // 32)):
                a, b = rendered.pixelColor(x, y), stored.pixelColor(x, y)
                total += abs(a.red() - b.red()) + abs(a.green() - b.green())
                total += abs(a.blue() - b.blue()) + abs(a.alpha() - b.alpha())
        samples = len(range(0, size, max(1, size // 32))) ** 2
        assert total / samples < 8, f"{size} px differs from the SVG: run make icons"
