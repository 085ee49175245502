"""One-way layers: nothing outside bx24presence/qt imports PySide6 (STYLE.md rule 1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bx24presence

ROOT = Path(bx24presence.__file__).parent


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(ROOT)], prefix="bx24presence."):
        if info.name == "bx24presence.qt" or info.name.startswith("bx24presence.qt."):
            continue
        if info.name == "bx24presence.__main__":
            continue
        names.append(info.name)
    return sorted(names)


def test_core_modules_exist() -> None:
    names = core_modules()
    for expected in (
        "bx24presence.domain",
        "bx24presence.presence",
        "bx24presence.sync",
        "bx24presence.api.client",
        "bx24presence.cli",
    ):
        assert expected in names


def test_no_core_module_loads_qt() -> None:
    """Import every core module in a fresh interpreter and check PySide6 stayed out."""
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'bx24presence.qt')\n"
        "bad = sorted(m for m in sys.modules if m.startswith(qt))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt loaded by core modules: {out.stdout}"


def test_the_window_paints_before_the_http_stack_is_loaded() -> None:
    """Importing the window's session must not load requests and urllib3 (about 100 ms):
    the list paints from the cache first, and the poller's thread loads them when it first
    asks the portal (the first-paint budget is 0.6 s from process start)."""
    code = (
        "import sys, bx24presence.qt.session; "
        "print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
