"""Start at login: an XDG autostart entry on Linux, the HKCU Run key on Windows, a
LaunchAgent on macOS."""

from __future__ import annotations

import contextlib
import logging
import os
import plistlib
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from bx24presence import APP_NAME

log = logging.getLogger(__name__)

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT_LABEL = "io.github.bx24presence"


def launch_command() -> list[str]:
    """How to start the app at login: the installed launcher, else this Python."""
    gui = shutil.which(f"{APP_NAME}-gui") if sys.platform == "win32" else shutil.which(APP_NAME)
    if gui:
        return [gui]
    python = sys.executable
    if sys.platform == "win32" and python.lower().endswith("python.exe"):
        candidate = python[: -len("python.exe")] + "pythonw.exe"
        python = candidate if os.path.exists(candidate) else python
    return [python, "-m", APP_NAME]


def xdg_autostart_path() -> Path:
    """``$XDG_CONFIG_HOME/autostart/bx24presence.desktop``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / f"{APP_NAME}.desktop"


def launch_agent_path() -> Path:
    """``~/Library/LaunchAgents/<label>.plist``."""
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def _desktop_entry(command: list[str]) -> str:
    exec_line = " ".join(shlex.quote(part) for part in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=bx24presence\n"
        "Comment=See which of your Bitrix24 colleagues are available right now\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_NAME}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def set_start_at_login(
    enabled: bool, *, platform: str | None = None, winreg_module: Any = None
) -> None:
    """Register or unregister the app to start with the desktop session.

    Raises ``OSError`` when the system refuses (the caller shows the reason).
    """
    platform = platform or sys.platform
    command = launch_command()
    if platform == "win32":
        winreg = winreg_module or __import__("winreg")
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            if enabled:
                value = " ".join(f'"{p}"' if " " in p else p for p in command)
                winreg.SetValueEx(key, APP_NAME, 0, winreg.REG_SZ, value)
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, APP_NAME)
        return
    path = launch_agent_path() if platform == "darwin" else xdg_autostart_path()
    if not enabled:
        path.unlink(missing_ok=True)
        log.info("Start at login disabled")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if platform == "darwin":
        plist = {"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": command, "RunAtLoad": True}
        path.write_bytes(plistlib.dumps(plist))
    else:
        path.write_text(_desktop_entry(command), encoding="utf-8")
    log.info("Start at login enabled (%s)", path)


def is_start_at_login(*, platform: str | None = None, winreg_module: Any = None) -> bool:
    """Whether the app is registered to start at login."""
    platform = platform or sys.platform
    if platform == "win32":
        winreg = winreg_module or __import__("winreg")
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.QueryValueEx(key, APP_NAME)
        except OSError:
            return False
        return True
    path = launch_agent_path() if platform == "darwin" else xdg_autostart_path()
    return path.exists()
