"""Where the app finds its files that are not Python: icons, the desktop entry, AppStream metainfo.

They live in the top-level ``resources/`` folder of the source tree. The wheel carries them as
``bx24presence/resources/`` (a build-backend mapping in ``pyproject.toml``), and the PyInstaller
bundle puts them at the same place under its ``_internal`` folder; this module looks in those
places in that order of likelihood and never imports Qt.
"""

from __future__ import annotations

import sys
from importlib import resources as importlib_resources
from pathlib import Path

APP_ID = "io.github.bx24presence.bx24presence"
"""The reverse-DNS id: the desktop file's name, the icon's name, the AppStream component id."""

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
"""The PNG sizes generated from the SVG source (``make icons``)."""

_MARKER = Path("icons") / f"{APP_ID}.svg"


class ResourcesMissing(FileNotFoundError):
    """The resources folder is not where the app expects it (a broken install)."""


def _candidates() -> list[Path]:
    found: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        found.append(Path(bundle) / "bx24presence" / "resources")
    # A wheel (pip, pipx): the mapping installs resources/ as the package's data folder.
    found.append(Path(str(importlib_resources.files("bx24presence"))) / "resources")
    # A source tree (an editable install, or PYTHONPATH): resources/ beside the package.
    found.append(Path(__file__).resolve().parent.parent / "resources")
    return found


def resources_dir() -> Path:
    """The folder holding ``icons/``, the ``.desktop`` file and the metainfo.

    Raises:
        ResourcesMissing: no candidate folder holds the icon's source.
    """
    candidates = _candidates()
    for folder in candidates:
        if (folder / _MARKER).is_file():
            return folder
    raise ResourcesMissing(
        "The app's resources are missing (looked in "
        + ", ".join(str(c) for c in candidates)
        + "): reinstall bx24presence."
    )


def icon_svg() -> Path:
    """The icon's SVG source."""
    return resources_dir() / _MARKER


def icon_png(size: int) -> Path:
    """The icon rendered at ``size`` pixels (one of :data:`ICON_SIZES`)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes are {ICON_SIZES}")
    return resources_dir() / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def desktop_file() -> Path:
    """The freedesktop.org desktop entry."""
    return resources_dir() / f"{APP_ID}.desktop"


def metainfo_file() -> Path:
    """The AppStream metainfo."""
    return resources_dir() / f"{APP_ID}.metainfo.xml"
