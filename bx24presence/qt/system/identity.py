"""The app's identity in Qt: name, organisation, version, desktop file name and icon."""

from __future__ import annotations

import logging

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from bx24presence import APP_NAME, __version__, assets

log = logging.getLogger(__name__)

ORGANIZATION = "bx24presence"
ORGANIZATION_DOMAIN = "bx24presence.github.io"

_icon: QIcon | None = None


def app_icon() -> QIcon:
    """The app icon at every generated size (an empty icon, logged, if the files are missing)."""
    global _icon  # noqa: PLW0603  (one QIcon for the process: windows and tray share it)
    if _icon is None or _icon.isNull():
        icon = QIcon()
        try:
            for size in assets.ICON_SIZES:
                icon.addFile(str(assets.icon_png(size)))
        except assets.ResourcesMissing as exc:
            log.warning("%s", exc)
        _icon = icon
    return _icon


def app_icon_pixmap(size: int) -> QPixmap:
    """The icon drawn at ``size`` pixels: from the SVG source, so any size is sharp."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    try:
        renderer = QSvgRenderer(str(assets.icon_svg()))
    except assets.ResourcesMissing as exc:
        log.warning("%s", exc)
        return pix
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pix


def set_identity(app: QGuiApplication) -> None:
    """Name the app as its desktop entry does, so the window, tray and task bar match it."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(assets.APP_ID)
    app.setWindowIcon(app_icon())
