"""Install or remove the desktop entry, AppStream metainfo and icons for the current user.

    python packaging/desktop.py install [--exec COMMAND] [--data-home DIR]
    python packaging/desktop.py uninstall [--data-home DIR]

Files go under ``$XDG_DATA_HOME`` (default ``~/.local/share``): ``applications/``,
``metainfo/`` and ``icons/hicolor/SIZE/apps/``. The entry's ``Exec`` becomes the launcher of
the installation running this script (see bx24presence.autostart.launch_command) unless
``--exec`` names another, such as the bundle's executable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bx24presence import assets  # noqa: E402
from bx24presence.autostart import desktop_exec_arg, launch_command  # noqa: E402


def data_home(explicit: str | None = None) -> Path:
    """``--data-home``, else ``$XDG_DATA_HOME``, else ``~/.local/share``."""
    value = explicit or os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".local" / "share"


def targets(home: Path) -> dict[Path, Path]:
    """Every installed file (destination -> source)."""
    res = assets.resources_dir()
    files = {
        home / "applications" / f"{assets.APP_ID}.desktop": assets.desktop_file(),
        home / "metainfo" / f"{assets.APP_ID}.metainfo.xml": assets.metainfo_file(),
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{assets.APP_ID}.svg": (
            assets.icon_svg()
        ),
    }
    for size in assets.ICON_SIZES:
        rel = Path("icons") / "hicolor" / f"{size}x{size}" / "apps" / f"{assets.APP_ID}.png"
        files[home / rel] = res / rel
    return files


def desktop_text(command: list[str]) -> str:
    """The packaged desktop entry with ``Exec`` set to ``command``."""
    exec_line = " ".join(desktop_exec_arg(part) for part in command).replace("\\", "\\\\")
    lines = assets.desktop_file().read_text(encoding="utf-8").splitlines()
    return "\n".join(f"Exec={exec_line}" if ln.startswith("Exec=") else ln for ln in lines) + "\n"


def install(home: Path, command: list[str]) -> list[Path]:
    """Copy the files; returns what was written."""
    written = []
    for dest, src in targets(home).items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.suffix == ".desktop":
            dest.write_text(desktop_text(command), encoding="utf-8")
        else:
            shutil.copyfile(src, dest)
        written.append(dest)
    _refresh(home)
    return written


def uninstall(home: Path) -> list[Path]:
    """Remove the files (those already gone are skipped); returns what was removed."""
    removed = []
    for dest in targets(home):
        if dest.exists():
            dest.unlink()
            removed.append(dest)
    _refresh(home)
    return removed


def _refresh(home: Path) -> None:
    # Menus notice new entries by themselves; the cache update only makes it immediate.
    tool = shutil.which("update-desktop-database")
    if tool and (home / "applications").is_dir():
        subprocess.run([tool, "-q", str(home / "applications")], check=False)


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("install", "uninstall"))
    parser.add_argument("--exec", dest="command", help="the command the menu entry runs")
    parser.add_argument("--data-home", help="instead of $XDG_DATA_HOME or ~/.local/share")
    args = parser.parse_args(argv)
    home = data_home(args.data_home)
    if args.action == "install":
        command = [args.command] if args.command else launch_command()
        for path in install(home, command):
            print(f"installed {path}")
        print(f"menu entry runs: {' '.join(command)}")
    else:
        removed = uninstall(home)
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print(f"nothing to remove under {home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
