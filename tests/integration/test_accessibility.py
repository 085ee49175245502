"""The window read from outside the way a screen reader reads it: through AT-SPI, Linux's
accessibility bus. Needs Xvfb, dbus-run-session, at-spi-bus-launcher and the system's
python3 with pyatspi (Debian: python3-pyatspi at-spi2-core); skipped where any is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = Path("/usr/bin/python3")

#: Starts the demo (30 colleagues) and selects the first colleague once data arrives.
APP = """
import sys
from bx24presence.qt import main_window
orig = main_window.MainWindow.on_snapshot
def on_snapshot(self, ready):
    orig(self, ready)
    if self.proxy.rowCount() and not self.list.currentIndex().isValid():
        self.select_colleague(self.proxy.colleague_at(0).id)
        self.search.setText("e")
main_window.MainWindow.on_snapshot = on_snapshot
from bx24presence.cli import main
sys.exit(main(["--demo", "--demo-users", "30"]))
"""

#: Prints the app's tree as JSON [depth, role, name, showing, checked] once the window is
#: there with a search typed (pyatspi).
READER = """
import json, sys, time
import pyatspi
pid = int(sys.argv[1])
def walk(acc, depth, out):
    try:
        state = acc.getState()
        out.append([
            depth,
            acc.getRoleName(),
            acc.name or "",
            state.contains(pyatspi.STATE_SHOWING),
            state.contains(pyatspi.STATE_CHECKED),
        ])
        for i in range(min(acc.childCount, 300)):
            child = acc.getChildAtIndex(i)
            if child is not None:
                walk(child, depth + 1, out)
    except Exception:
        pass
for _ in range(60):
    desk = pyatspi.Registry.getDesktop(0)
    for i in range(desk.childCount):
        app = desk.getChildAtIndex(i)
        try:
            if app is not None and app.get_process_id() == pid:
                out = []
                walk(app, 0, out)
                names = {n[2] for n in out}
                if "Clear search" in names and any(n.startswith("Open chat") for n in names):
                    time.sleep(0.5)  # settled: read once more
                    out = []
                    walk(app, 0, out)
                    print(json.dumps(out))
                    sys.exit(0)
        except Exception:
            pass
    time.sleep(0.5)
sys.exit(3)
"""


def _missing() -> str | None:
    for tool in ("Xvfb", "dbus-run-session"):
        if shutil.which(tool) is None:
            return tool
    if not LAUNCHER.exists():
        return str(LAUNCHER)
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import pyatspi"], capture_output=True, check=False
    )
    return None if probe.returncode == 0 else "pyatspi"


def _free_display() -> int:
    n = 120
    while Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
        n += 1
    return n


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


NAMED_ROLES = {"push button", "toggle button", "check box", "radio button", "text", "entry",
               "combo box", "table", "spin button"}  # fmt: skip


def test_every_control_has_a_name(tree: list[list]) -> None:
    unnamed = [n for n in tree if n[1] in NAMED_ROLES and n[3] and not n[2].strip()]
    assert unnamed == []


def test_the_names_say_what_each_control_is_for(tree: list[list]) -> None:
    names = {node[2] for node in tree}
    for expected in ("Search colleagues", "Clear search", "Colleagues", "Refresh now"):
        assert expected in names
    assert "Name" not in names, "the colleague's name is announced, not the word Name"
    everyone = [n for n in tree if n[2].startswith("Everyone: ")]
    assert everyone and everyone[0][1] in ("toggle button", "check box") and everyone[0][4]
    available = [n for n in tree if n[2].startswith("Available now: ")]
    assert available and not available[0][4], "the filters say which one is on"
    assert any(n[2].startswith("Open chat with ") for n in tree)
