"""Run by test_tray.py in a real X session (Xvfb + trayer): the controller with its tray on
a demo portal; prints what it saw as JSON on the last line."""

from __future__ import annotations

import json
import os
import sys
import time

from PySide6.QtWidgets import QApplication

from bx24presence.qt import i18n
from bx24presence.qt.controller import Controller
from bx24presence.runoptions import RunOptions
from bx24presence.settings import Settings, SettingsStore


def wait(app: QApplication, seconds: float, until) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until():
            return True
        time.sleep(0.01)
    return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    i18n.install(app, "en")
    watched = tuple(int(x) for x in os.environ["WATCHED"].split(","))
    args = RunOptions(portal=os.environ["PORTAL_URL"], demo_users=0)
    c = Controller(app, SettingsStore(Settings(watched=watched)), args)
    out: dict = {"tray_available": c.tray is not None}
    if c.tray is None:
        print(json.dumps(out))
        return 0
    c.start()
    wait(app, 15, lambda: c.tray.snapshot is not None)
    wait(app, 3, lambda: c.tray.icon.geometry().width() > 0)
    geo = c.tray.icon.geometry()
    out["geometry"] = [geo.x(), geo.y(), geo.width(), geo.height()]
    out["visible"] = c.tray.icon.isVisible()
    c.tray.rebuild_menu()
    out["menu"] = [a.text() for a in c.tray.menu.actions()]
    out["tooltip"] = c.tray.icon.toolTip()
    before = c.tray.icon.icon().pixmap(32, 32).toImage()
    statuses = []
    c.session.poller.own_status_set.connect(statuses.append)
    c.tray.choose_status("away")
    c.tray.choose_status("dnd")  # a quick change of mind: only the last one is sent
    wait(app, 10, lambda: bool(statuses))
    out["statuses"] = statuses
    out["own_status"] = c.tray.own_status
    out["icon_changed"] = c.tray.icon.icon().pixmap(32, 32).toImage() != before
    c.shutdown()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
