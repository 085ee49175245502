"""PySide's check of each imported module, answered from the file's bytes, nothing kept.

PySide6's ``feature`` support asks of every module imported after it whether its source
mentions "PySide6", through ``inspect.getsource``. That reads each module through
``linecache``, which keeps every line of every module for the life of the process: about
100,000 lines and 10 MB with this app's imports, and 40-50 ms of start-up. Reading the
file's bytes gives the same answer for a source module and keeps nothing; anything else (a
compiled or built-in module) still gets PySide's own answer.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

_MARK = "_bx24presence_sourcescan"


def install() -> bool:
    """Answer PySide's check from the file's bytes; True when installed now (False: already,
    or this PySide has no such check)."""
    import PySide6.QtCore  # noqa: F401, PLC0415  (loads PySide's support modules)

    feature = sys.modules.get("PySide6.support.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original) or getattr(original, _MARK, False):
        return False

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                return b"PySide6" in Path(path).read_bytes()
            except OSError:
                return False
        return bool(original(module))

    setattr(uses_pyside, _MARK, True)
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
