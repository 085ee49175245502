"""The tray under a real X server with a tray host, and alerts end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bx24presence.domain import Presence
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.controller import Controller
from bx24presence.runoptions import RunOptions
from bx24presence.settings import NotifyRule, Settings, SettingsStore
from bx24presence.textsafe import FSI, PDI

CHILD = Path(__file__).with_name("tray_child.py")


def _free_display() -> int:
    n = 120
    while Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
        n += 1
    return n


@pytest.fixture
def x_with_tray():
    if not (shutil.which("Xvfb") and shutil.which("trayer")):
        pytest.skip("Xvfb and trayer are not installed (make sysdeps installs them)")
    n = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = [xvfb]
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        env = dict(os.environ, DISPLAY=f":{n}")
        procs.append(
            subprocess.Popen(
                [
                    "trayer",
                    "--edge",
                    "top",
                    "--align",
                    "right",
                    "--widthtype",
                    "pixel",
                    "--width",
                    "120",
                    "--height",
                    "32",
                    "--SetDockType",
                    "true",
                    "--transparent",
                    "false",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(1.0)
        yield f":{n}"
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(5)


@pytest.mark.tray
def test_tray_icon_is_embedded_with_a_menu_and_sets_status(x_with_tray, make_portal, tmp_path):
    portal = make_portal(users=30)
    watched = portal.colleague_ids()[1:4]
    env = dict(
        os.environ,
        DISPLAY=x_with_tray,
        QT_QPA_PLATFORM="xcb",
        PORTAL_URL=portal.webhook_url,
        WATCHED=",".join(map(str, watched)),
        BX24PRESENCE_HOME=str(tmp_path / "home"),
        DBUS_SESSION_BUS_ADDRESS="disabled:",
    )
    proc = subprocess.run(
        [sys.executable, str(CHILD)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["tray_available"], "trayer provides a system tray"
    assert out["visible"] and out["geometry"][2] > 0 and out["geometry"][3] > 0, out
    menu = out["menu"]
    for uid in watched:
        user = portal.user(uid)
        entry = f"{FSI}{user.first_name} {user.last_name}{PDI} — "  # names are bidi-isolated
        assert any(t.startswith(entry) for t in menu), menu
    assert "My status" in menu and "Refresh now" in menu and "Quit" in menu
    assert " of 3 available · updated " in out["tooltip"]
    # Only the last of two quick choices reached the portal, and the icon followed.
    assert portal.status_log == ["dnd"]
    assert any(r.rest_method == "im.user.status.set" for r in portal.log)
    assert out["statuses"] == ["dnd"] and out["own_status"] == "dnd" and out["icon_changed"]


def test_a_watched_colleague_coming_online_is_announced(qtbot, qapp, make_portal, monkeypatch):
    """Offscreen there is no tray: the alert goes to the status bar; the rule is spent."""
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    portal = make_portal(users=30)
    now = portal.clock.now()
    target = portal.colleague_ids()[2]
    portal.set_activity(target, last_activity=now.replace(year=now.year - 1))
    args = RunOptions(portal=portal.webhook_url, demo_users=0)
    settings = Settings(watched=(target,), notify={str(target): NotifyRule(mode="once")})
    c = Controller(qapp, SettingsStore(settings), args)
    try:
        assert c.tray is None
        assert c.start()
        c.session.poller.set_interval(1)
        qtbot.waitUntil(lambda: c.watcher._available is not None, timeout=10000)
        portal.set_activity(target, last_activity=portal.clock.now())
        bar = c.session.window.statusBar()
        qtbot.waitUntil(lambda: "Available now" in bar.currentMessage(), timeout=10000)
        user = portal.user(target)
        assert f"{user.first_name} {user.last_name}" in bar.currentMessage()
        assert c.watchlist.rule(target) is None, "one-shot: the rule switched itself off"
        assert c.session.model.by_id(target).presence is Presence.ONLINE
    finally:
        c.shutdown()
        c.session.window.close()
