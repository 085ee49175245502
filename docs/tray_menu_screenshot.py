"""Render the tray menu, its "My status" submenu and today's notifications side by side.

A tray menu only opens on a click in a real tray, so this renders the same widgets the tray
shows (``QWidget.grab``), with a demo watch list: ``.venv/bin/python docs/tray_menu_screenshot.py
[en|ru] docs/tray-team-menu.png`` (any platform, offscreen too).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("BX24PRESENCE_HOME", tempfile.mkdtemp(prefix="bx24presence-shots-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from bx24presence.qt import i18n
from bx24presence.qt.tray.tray import Tray
from bx24presence.qt.views.own_status import OwnStatus, attach_tray
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import Settings
from bx24presence.watch import Alert
from tests.factories import colleague, snapshot


def main(language: str, out: str) -> int:
    app = QApplication(sys.argv[:1])
    i18n.install(app, language)
    tray = Tray(WatchList(Settings(watched=(1, 2))), notifier=lambda *a: None)
    own = OwnStatus()
    own.confirm("online")
    tray.set_own_status("online")
    attach_tray(tray, own, window_shown=lambda: True, about=lambda: None)
    tray.set_snapshot(snapshot([colleague(1, "Anna Smith"), colleague(2, "Boris Ivanov")]))
    tray.notify(Alert((colleague(1, "Anna Smith"),)))
    tray.rebuild_menu()
    mine = next(a.menu() for a in tray.menu.actions() if a.menu() is not None)
    history = tray.show_history()
    images = []
    for widget in (tray.menu, mine, history):
        widget.adjustSize()
        images.append(widget.grab().toImage())
    width = sum(i.width() for i in images) + 10 * (len(images) + 1)
    height = max(i.height() for i in images) + 20
    sheet = QImage(width, height, QImage.Format.Format_RGB32)
    sheet.fill(QColor("#dddddd"))
    painter = QPainter(sheet)
    x = 10
    for image in images:
        painter.drawImage(x, 10, image)
        x += image.width() + 10
    painter.end()
    sheet.save(out)
    history.close()
    own.stop()
    print("saved", out)
    return 0


if __name__ == "__main__":
    sys.exit(
        main(
            sys.argv[1] if len(sys.argv) > 1 else "en",
            sys.argv[2] if len(sys.argv) > 2 else "docs/tray-team-menu.png",
        )
    )
