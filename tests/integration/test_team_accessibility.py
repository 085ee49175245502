"""The team views read through AT-SPI (Linux's accessibility bus), as a screen reader reads
them: the toolbar, the Team panel's tabs and lists, with a name on every control. Skipped
where the bus or pyatspi is missing (see test_accessibility.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.test_accessibility import (
    LAUNCHER,
    NAMED_ROLES,
    READER,
    SYSTEM_PYTHON,
    _free_display,
    _missing,
)

#: The demo with the Team panel open once data arrives (and a search typed
#: and a colleague chosen, which the shared reader waits for).
APP = """
import sys
from bx24presence.qt import main_window
orig = main_window.MainWindow.on_snapshot
def on_snapshot(self, ready):
    orig(self, ready)
    if self.proxy.rowCount() and not self.list.currentIndex().isValid():
        for action in self.actions():
            if action.shortcut().toString() == "Ctrl+T" and not action.isChecked():
                action.trigger()
        self.select_colleague(self.proxy.colleague_at(0).id)
        self.search.setText("e")
main_window.MainWindow.on_snapshot = on_snapshot
from bx24presence.cli import main
sys.exit(main(["--demo", "--demo-users", "30"]))
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> list[list]:
    missing = _missing() if SYSTEM_PYTHON.exists() else str(SYSTEM_PYTHON)
    if missing:
        pytest.skip(f"no accessibility bus here ({missing} missing)")
    home = tmp_path_factory.mktemp("home")
    (home / "app.py").write_text(APP)
    (home / "reader.py").write_text(READER)
    n = _free_display()
    script = f"""
        Xvfb :{n} -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & XVFB=$!
        export DISPLAY=:{n}
        {LAUNCHER} --launch-immediately >/dev/null 2>&1 & BUS=$!
        sleep 1
        QT_QPA_PLATFORM=xcb QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 BX24PRESENCE_HOME={home} \\
            {sys.executable} {home}/app.py >{home}/app.log 2>&1 & APP=$!
        {SYSTEM_PYTHON} {home}/reader.py $APP > {home}/tree.json; RC=$?
        kill $APP $BUS $XVFB 2>/dev/null; wait $APP 2>/dev/null
        exit $RC
    """
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script],
        env=env,
        timeout=90,
        capture_output=True,
        check=False,
    )
    log = (home / "app.log").read_text(errors="replace")[-2000:]
    assert done.returncode == 0, f"no tree (rc {done.returncode}): {log}"
    return json.loads((home / "tree.json").read_text())


def test_the_team_views_name_every_control(tree: list[list]) -> None:
    names = {node[2] for node in tree if node[3]}
    for expected in ("My status", "Team panel", "About", "Departments"):
        assert expected in names, expected
    assert any(n.startswith("All departments: ") and n.endswith(" available") for n in names)
    sort = [n[2] for n in tree if n[1] == "combo box" and n[3]]
    assert sort == ["Sort by presence, then name"], "the order choice says what it is for"
    assert any(n.startswith("Watched: ") for n in names), "the Watched filter, with its count"
    unnamed = [n for n in tree if n[1] in NAMED_ROLES and n[3] and not n[2].strip()]
    assert unnamed == []
    tabs = [n[2] for n in tree if n[1] == "page tab" and n[3]]
    assert {"Departments", "Pick up now", "Who is out"} <= set(tabs)
