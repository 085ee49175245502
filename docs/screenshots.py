"""Take the README's screenshots of the real windows on the demo portal.

Run under an X server (the real xcb platform, not offscreen), e.g.::

    Xvfb :95 -screen 0 1280x800x24 -nolisten tcp &
    DISPLAY=:95 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots.py [names...]

Each scenario drives the app like a user would and saves ``docs/<name>.png``. The
``window-sizes`` scenario saves ``docs/window-{500x400,1920x1080}-{light,dark}-{en,ru}.png``
(the screen must be at least 1920x1080: ``Xvfb :97 -screen 0 1920x1080x24``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("BX24PRESENCE_HOME", tempfile.mkdtemp(prefix="bx24presence-shots-"))
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")

from PySide6.QtWidgets import QApplication, QWidget

from bx24presence.qt import i18n
from bx24presence.qt.session import Session, choose_portal
from bx24presence.qt.theme import apply_theme
from bx24presence.runoptions import RunOptions
from bx24presence.settings import Settings, SettingsStore

OUT = Path(__file__).resolve().parent
SCENARIOS: dict[str, Callable[[QApplication], None]] = {}


def scenario(fn: Callable[[QApplication], None]) -> Callable[[QApplication], None]:
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def wait(app: QApplication, seconds: float, until: Callable[[], bool] | None = None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return
        time.sleep(0.01)


def save(widget: QWidget, name: str) -> None:
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print("saved", path)


def demo_app(app: QApplication, users: int = 1000, theme: str = "light") -> Session:
    apply_theme(app, theme)
    args = RunOptions(demo=True, demo_users=users)
    settings = Settings()
    application = Session(app, settings, choose_portal(args, settings))
    application.window.resize(1100, 700)
    application.start()
    wait(app, 15, lambda: application.window._loaded)
    wait(app, 2)  # avatars
    return application


@scenario
def window_sizes(app: QApplication) -> None:
    """The window at 500x400 and 1920x1080, light and dark, English and Russian, with the
    own-status button the app adds and a colleague chosen."""
    from bx24presence.qt.session import start_demo  # noqa: PLC0415
    from bx24presence.qt.views.own_status import OwnStatus  # noqa: PLC0415

    for width, height in ((500, 400), (1920, 1080)):
        for theme in ("light", "dark"):
            for lang in ("en", "ru"):
                i18n.install(app, lang)
                apply_theme(app, theme)
                a = Session(app, Settings(), start_demo(400))
                own = OwnStatus()
                a.team.set_own_status(own)
                own.confirm("online")
                a.window.resize(width, height)
                a.start()
                wait(app, 15, lambda a=a: a.window._loaded)
                pick(a)
                wait(app, 2)  # avatars
                save(a.window, f"window-{width}x{height}-{theme}-{lang}")
                a.shutdown()
                a.window.close()
                own.stop()
    i18n.install(app, "en")
    apply_theme(app, "light")


@scenario
def window_menu(app: QApplication) -> None:
    """The 500x400 window's Menu open on "My status": the folded toolbar, every action
    reachable (saves docs/window-500x400-menu.png from the screen, menus included)."""
    from PySide6.QtCore import QPoint  # noqa: PLC0415

    from bx24presence.qt.session import start_demo  # noqa: PLC0415
    from bx24presence.qt.views.own_status import OwnStatus  # noqa: PLC0415

    apply_theme(app, "light")
    a = Session(app, Settings(), start_demo(400))
    own = OwnStatus()
    a.team.set_own_status(own)
    own.confirm("online")
    a.window.resize(500, 400)
    a.window.move(0, 0)
    a.start()
    wait(app, 15, lambda: a.window._loaded)
    pick(a)
    wait(app, 2)
    button = a.window.menu_button
    menu = button.menu()
    menu.popup(button.mapToGlobal(QPoint(0, button.height())))
    wait(app, 0.5)
    mine = next(x for x in menu.actions() if x.menu() is not None)
    menu.setActiveAction(mine)
    wait(app, 0.3)
    sub = mine.menu()
    if not sub.isVisible():
        sub.popup(menu.mapToGlobal(QPoint(menu.width(), 0)))
    wait(app, 0.8)
    corner = a.window.mapToGlobal(QPoint(0, 0))
    right = max(corner.x() + a.window.width(), sub.geometry().right() + 1)
    save_screen(app, "window-500x400-menu", (corner.x(), corner.y(), right - corner.x(), 400))
    menu.hide()
    a.shutdown()
    a.window.close()
    own.stop()


def pick(application: Session, name_part: str | None = None) -> None:
    model = application.model
    people = model.colleagues()
    chosen = next(
        (c for c in people if name_part and name_part in c.name),
        next(
            (
                c
                for c in people
                if c.presence.is_available and c.phones and c.email and c.work_position
            ),
            people[0],
        ),
    )
    application.window.select_colleague(chosen.id)


def _main(app: QApplication, theme: str, name: str) -> None:
    a = demo_app(app, theme=theme)
    pick(a)
    wait(app, 1.5)
    save(a.window, name)
    a.shutdown()


@scenario
def main_light(app: QApplication) -> None:
    _main(app, "light", "main-light")


@scenario
def main_dark(app: QApplication) -> None:
    _main(app, "dark", "main-dark")


@scenario
def main_ru(app: QApplication) -> None:
    i18n.install(app, "ru")
    try:
        _main(app, "light", "main-ru")
    finally:
        i18n.install(app, "en")


@scenario
def long_name(app: QApplication) -> None:
    a = demo_app(app)
    longest = max(a.model.colleagues(), key=lambda c: len(c.name))
    a.window.search.setText(longest.name.split()[0])
    wait(app, 0.5)
    a.window.select_colleague(longest.id)
    a.window.resize(820, 600)
    wait(app, 1.5)
    save(a.window, "long-name")
    a.shutdown()


@scenario
def stale(app: QApplication) -> None:
    a = demo_app(app)
    a.poller.set_interval(15)
    pick(a)
    a.choice.demo.stop()
    a.window.refresh_requested.emit()
    wait(app, 10, a.window.banner.isVisible)
    wait(app, 1)
    save(a.window, "stale")
    a.shutdown()


def _dialog_test(app: QApplication, name: str, revoke: bool) -> None:
    from bx24presence.demo import DemoPortal  # noqa: PLC0415
    from bx24presence.qt.dialogs.welcome import WelcomeDialog  # noqa: PLC0415

    with DemoPortal(users=50) as portal:
        if revoke:
            portal.revoke()
        d = WelcomeDialog(connect_only=True)
        d.show()
        d.url_edit.setText(portal.webhook_url)
        d.test_connection()
        wait(app, 15, lambda: d.check is not None)
        wait(app, 0.5)
        save(d, name)
        d.close()


@scenario
def welcome(app: QApplication) -> None:
    from bx24presence.qt.dialogs.welcome import WelcomeDialog  # noqa: PLC0415

    apply_theme(app, "light")
    d = WelcomeDialog()
    d.show()
    wait(app, 0.5)
    save(d, "welcome")
    d.close()


@scenario
def connect_failed(app: QApplication) -> None:
    _dialog_test(app, "connect-failed", revoke=True)


@scenario
def connect_ok(app: QApplication) -> None:
    _dialog_test(app, "connect-ok", revoke=False)


@scenario
def settings(app: QApplication) -> None:
    from bx24presence.qt.dialogs.settings import SettingsDialog  # noqa: PLC0415

    d = SettingsDialog(
        Settings(portal_kind="webhook", portal_url_hint="https://acme.bitrix24.com"),
        portal_label="acme.bitrix24.com",
        secret_storage="the system keyring (Secret Service)",  # noqa: S106  (a description)
        secret_fallback=False,
    )
    d.show()
    wait(app, 0.5)
    save(d, "settings")
    d.close()


def save_screen(
    app: QApplication, name: str, crop: tuple[int, int, int, int] | None = None
) -> None:
    screen = app.primaryScreen()
    pix = screen.grabWindow(0)
    if crop is not None:
        pix = pix.copy(*crop)
    path = OUT / f"{name}.png"
    pix.save(str(path))
    print("saved", path)


@scenario
def tray(app: QApplication) -> None:
    """Needs a tray host on the display (trayer)."""
    from bx24presence.qt.controller import Controller  # noqa: PLC0415
    from bx24presence.watch import Alert  # noqa: PLC0415

    args = RunOptions(demo=True, demo_users=300)
    c = Controller(app, SettingsStore(Settings(start_minimised=True)), args)
    if c.tray is None:
        print("no system tray on this display: start trayer first")
        return
    c.start()
    wait(app, 15, lambda: c.tray.snapshot is not None)
    people = [p for p in c.session.model.colleagues() if p.presence.is_available][:4]
    people += [p for p in c.session.model.colleagues() if not p.presence.is_available][:3]
    for p in people:
        c.watchlist.set_watched(p.id, True)
    c.tray.set_own_status("online")
    wait(app, 2)
    geo = c.tray.icon.geometry()
    width = app.primaryScreen().geometry().width()
    save_screen(app, "tray-icon", (width - 260, 0, 260, 60))
    c.tray.menu.popup(geo.bottomLeft())
    wait(app, 1.5)
    menu = c.tray.menu.geometry()
    save_screen(
        app,
        "tray-menu",
        (
            menu.x() - 20,
            0,
            menu.width() + 40 + max(0, width - menu.right() - 20),
            menu.bottom() + 20,
        ),
    )
    c.tray.menu.hide()
    c.tray.notify(Alert((people[0],)))
    wait(app, 2)
    save_screen(app, "tray-notification", (width - 520, 0, 520, 220))
    c.shutdown()


@scenario
def tray_states(app: QApplication) -> None:
    """The tray icon's states, magnified: own status shapes, the count, stale data."""
    from PySide6.QtCore import QRect, Qt  # noqa: PLC0415
    from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: PLC0415

    from bx24presence.qt.tray.tray import tray_pixmap  # noqa: PLC0415

    states = [
        ("online", 3, False, "online, 3 available"),
        ("dnd", 0, False, "do not disturb"),
        ("away", 1, False, "away"),
        ("break", 0, False, "on a break"),
        ("online", 12, True, "stale data"),
    ]
    canvas = QPixmap(5 * 150, 130)
    canvas.fill(QColor("#3c3f41"))
    p = QPainter(canvas)
    p.setPen(QColor("white"))
    for i, (status, count, stale, label) in enumerate(states):
        p.drawPixmap(i * 150 + 43, 10, tray_pixmap(status, count, stale=stale, size=64))
        p.drawText(QRect(i * 150, 85, 150, 40), Qt.AlignmentFlag.AlignHCenter, label)
    p.end()
    canvas.save(str(OUT / "tray-states.png"))
    print("saved", OUT / "tray-states.png")


def main(argv: list[str]) -> int:
    app = QApplication(sys.argv[:1])
    i18n.install(app, "en")
    for name in argv or list(SCENARIOS):
        SCENARIOS[name](app)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
