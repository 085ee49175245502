"""Start at login: an XDG autostart entry on Linux, the HKCU Run key on Windows, a
LaunchAgent on macOS."""

from __future__ import annotations

import contextlib
import logging
import os
import plistlib
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bx24presence import APP_NAME
from bx24presence.assets import APP_ID

log = logging.getLogger(__name__)

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT_LABEL = "io.github.bx24presence"


def launch_command(
    *,
    frozen: bool | None = None,
    executable: str | None = None,
    platform: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """How to start the app at login: the program that is running now.

    A bundle (PyInstaller sets ``sys.frozen``) starts its own executable. Otherwise the
    ``bx24presence-gui`` (or ``bx24presence``) launcher of the installation that runs this
    code: beside its Python first, so a pipx install is not confused with a development venv
    found on ``PATH``, then on ``PATH``. ``python -m bx24presence`` with the running Python
    is the last resort.
    """
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    executable = executable or sys.executable
    platform = platform or sys.platform
    if frozen:
        return [executable]
    suffix = ".exe" if platform == "win32" else ""
    names = [f"{APP_NAME}-gui{suffix}", f"{APP_NAME}{suffix}"]
    # Not resolved: a venv's python is a symlink to the system one, the launchers are beside it.
    bindir = Path(executable).parent
    for name in names:
        candidate = bindir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    for name in names:
        found = which(name)
        if found:
            return [found]
    python = executable
    if platform == "win32" and python.lower().endswith("python.exe"):
        candidate_w = python[: -len("python.exe")] + "pythonw.exe"
        python = candidate_w if os.path.exists(candidate_w) else python
    return [python, "-m", APP_NAME]


def xdg_autostart_path() -> Path:
    """``$XDG_CONFIG_HOME/autostart/bx24presence.desktop``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / f"{APP_NAME}.desktop"


def launch_agent_path() -> Path:
    """``~/Library/LaunchAgents/<label>.plist``."""
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


_DESKTOP_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def desktop_exec_arg(arg: str) -> str:
    """One argument of a desktop entry's ``Exec`` key, quoted as the Desktop Entry
    Specification says (double quotes, backslash before ``"`` `` ` `` ``$`` ``\\``;
    ``%`` doubled), not as a shell does."""
    arg = arg.replace("%", "%%")
    if not arg or any(c in _DESKTOP_RESERVED for c in arg):
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'
    return arg


def _desktop_entry(command: list[str]) -> str:
    # The string escape (backslash doubled) applies on top of the quoting, as the spec says.
    exec_line = " ".join(desktop_exec_arg(part) for part in command).replace("\\", "\\\\")
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=bx24presence\n"
        "Comment=See which of your Bitrix24 colleagues are available right now\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_ID}\n"
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
