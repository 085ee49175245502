"""The Qt half of ``--self-test``: icon, translations, one rendered window, the tray."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, qVersion
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QSystemTrayIcon

from bx24presence import APP_NAME, assets
from bx24presence.api.auth import parse_webhook_url
from bx24presence.qt import i18n
from bx24presence.qt.crash import install_qt_message_handler
from bx24presence.qt.system.identity import app_icon, app_icon_pixmap, set_identity
from bx24presence.qt.texts import Status
from bx24presence.selftest import SelfTestFailed
from bx24presence.settings import Settings

LOAD_TIMEOUT_S = 20.0
#: How many pixels of the first row must differ from the list's background.
MIN_PAINTED_PIXELS = 50


def check_gui(portal: Any) -> list[tuple[str, str]]:
    """Run the Qt checks against a running demo portal; report lines, or SelfTestFailed."""
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication([APP_NAME])
    install_qt_message_handler()
    set_identity(qapp)
    report = [("qt", f"{qVersion()}, platform {QGuiApplication.platformName()}")]
    report.append(("icon", _check_icon()))
    report.append(("translations", _check_translations(qapp)))
    report.append(("window", _check_window(qapp, portal)))
    tray = QSystemTrayIcon.isSystemTrayAvailable()
    report.append(("tray", "available" if tray else "not available on this platform"))
    return report


def _check_icon() -> str:
    icon = app_icon()
    sizes = sorted(s.width() for s in icon.availableSizes())
    if icon.isNull() or sizes != sorted(assets.ICON_SIZES):
        raise SelfTestFailed(f"icon: expected sizes {assets.ICON_SIZES}, found {sizes}")
    if QGuiApplication.windowIcon().isNull():
        raise SelfTestFailed("icon: the application has no window icon")
    middle = app_icon_pixmap(64).toImage().pixelColor(32, 32)
    if middle.alpha() == 0:
        raise SelfTestFailed("icon: the SVG source renders empty")
    return f"{len(sizes)} sizes, {sizes[0]}-{sizes[-1]} px, SVG renders"


def _check_translations(qapp: QApplication) -> str:
    catalog = i18n.catalog_path("ru")
    try:
        i18n.install(qapp, "ru")
        got = QCoreApplication.translate("App", "demo portal")
        # Russian has three plural forms: 1 минуту, 2 минуты, 5 минут.
        forms = {Status.tr("%n min ago", None, k).replace(str(k), "") for k in (1, 2, 5)}
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        qt_own = cancel.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "")
    finally:
        i18n.install(qapp, "en")
    if got == "demo portal":
        raise SelfTestFailed(f"translations: the Russian catalog is not used ({catalog})")
    if len(forms) != 3:
        raise SelfTestFailed("translations: the Russian plural forms are missing")
    own = "found" if qt_own != "Cancel" else "missing"
    size = catalog.stat().st_size // 1024
    return f"ru: {size} KB catalog, plural forms; Qt's own Russian texts {own}"


def _check_window(qapp: QApplication, portal: Any) -> str:
    from bx24presence.qt.session import PortalChoice, Session  # noqa: PLC0415

    choice = PortalChoice.from_auth(parse_webhook_url(portal.webhook_url))
    session = Session(qapp, Settings(), choice)
    try:
        session.window.resize(900, 600)
        session.start(show=True)
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        failure: list[Any] = []
        session.poll_failed.connect(failure.append)
        while session.proxy.rowCount() == 0 and not failure:
            if time.monotonic() > deadline:
                raise SelfTestFailed(f"window: no rows within {LOAD_TIMEOUT_S:.0f} s")
            qapp.processEvents()
            time.sleep(0.01)
        if failure:
            raise SelfTestFailed(f"window: the poller failed: {failure[0]}")
        for _ in range(5):
            qapp.processEvents()
        painted = _painted_pixels(session)
        if painted < MIN_PAINTED_PIXELS:
            raise SelfTestFailed(f"window: the first row is blank ({painted} pixels painted)")
        return f"{session.proxy.rowCount()} rows, first row painted ({painted} pixels)"
    finally:
        session.shutdown()
        session.window.close()
        qapp.processEvents()


def _painted_pixels(session: Any) -> int:
    view = session.window.list
    image: QImage = view.viewport().grab().toImage()
    rect = view.visualRect(session.proxy.index(0, 0))
    background: QColor = view.viewport().palette().color(view.viewport().backgroundRole())
    if rect.isEmpty() or image.isNull():
        return 0
    dpr = image.devicePixelRatio()
    painted = 0
    bg = (background.red(), background.green(), background.blue())
    for y in range(int(rect.top() * dpr), int(rect.bottom() * dpr), 2):
        for x in range(int(rect.left() * dpr), int(rect.right() * dpr), 2):
            c = image.pixelColor(x, y)
            if max(abs(c.red() - bg[0]), abs(c.green() - bg[1]), abs(c.blue() - bg[2])) > 24:
                painted += 1
    return painted
