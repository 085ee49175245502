"""Show the window on the demo portal with the Team panel open, for the README's screenshots.

Run it under a real X server through the shoot tool, for example::

    shoot --size 1280x800 docs/team-departments.png -- \
        .venv/bin/python docs/team_screenshots.py --tab departments --users 5000

It opens the window maximised (so it fills the chosen screen size), waits for the data and
the department structure, chooses a department, then stays open until ``--seconds`` pass.
``--size 500x400`` gives the window that size instead, and ``--save docs/team-500x400.png``
saves the window itself as it quits (no screenshot tool needed)::

    Xvfb :97 -screen 0 1920x1080x24 -nolisten tcp &
    DISPLAY=:97 QT_QPA_PLATFORM=xcb .venv/bin/python docs/team_screenshots.py \
        --users 400 --size 500x400 --seconds 6 --save docs/team-500x400.png
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("BX24PRESENCE_HOME", tempfile.mkdtemp(prefix="bx24presence-shots-"))
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bx24presence.qt import i18n
from bx24presence.qt.session import Session, start_demo
from bx24presence.qt.theme import apply_theme
from bx24presence.qt.views.own_status import OwnStatus
from bx24presence.settings import Settings

TABS = {"departments": 0, "pickup": 1, "out": 2}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tab", choices=sorted(TABS), default="departments")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--lang", choices=("en", "ru"), default="en")
    parser.add_argument("--search", default="")
    parser.add_argument("--about", action="store_true")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--size", default="", help="WIDTHxHEIGHT instead of the whole screen")
    parser.add_argument("--save", default="", help="save the window here as it quits")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    i18n.install(app, args.lang)
    apply_theme(app, args.theme)
    session = Session(app, Settings(), start_demo(args.users))
    own = OwnStatus()
    session.team.set_own_status(own)
    own.confirm("online")
    session.start(show=True)
    screen = app.primaryScreen()
    if args.size:
        width, height = (int(n) for n in args.size.split("x"))
        session.window.resize(width, height)
    elif screen is not None:
        session.window.setGeometry(screen.availableGeometry())
    team = session.team
    team.team_action.trigger()
    team.dock.tabs.setCurrentIndex(TABS[args.tab])
    end = time.monotonic() + 30
    while time.monotonic() < end and session.model.snapshot is None:
        app.processEvents()
        time.sleep(0.01)
    panel = team.dock.departments
    while time.monotonic() < end and not panel.known_ids():
        app.processEvents()
        time.sleep(0.01)
    if args.tab == "departments" and panel.known_ids() and not args.search:
        second = list(panel.known_ids())[min(2, len(panel.known_ids()) - 1)]
        panel._select(second)
    if args.search:
        session.window.search.setText(args.search)
        session.window.list.setFocus()
        session.window.list.setCurrentIndex(session.proxy.index(0, 0))
        # Keep the "why it matched" note in the status bar until the screenshot is taken.
        again = QTimer(app)
        again.timeout.connect(lambda: team._on_list_current_changed(None, None))
        again.start(2000)
    if args.about:
        team.show_about()
    if args.save:
        QTimer.singleShot(
            int(args.seconds * 1000) - 100, lambda: session.window.grab().save(args.save)
        )
    QTimer.singleShot(int(args.seconds * 1000), app.quit)
    code = app.exec()
    session.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
