"""PySide's check of imported modules keeps no source lines, and answers as PySide does."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import json, linecache, sys
    sys.path.insert(0, sys.argv[1])
    if sys.argv[2] == "ours":
        import bx24presence.qt  # installs the check
    else:
        import PySide6.QtCore
    feature = sys.modules["PySide6.support.feature"]
    import uses_qt, plain
    print(json.dumps({
        "cached": sorted(k for k in linecache.cache if k.endswith(("uses_qt.py", "plain.py"))),
        "uses_qt": feature.pyside_feature_dict.get("uses_qt"),
        "plain": feature.pyside_feature_dict.get("plain"),
    }))
    """
)


def _run(tmp_path: Path, mode: str) -> dict:
    (tmp_path / "uses_qt.py").write_text("from PySide6.QtCore import QObject\n" * 200)
    (tmp_path / "plain.py").write_text("import os\n" * 200)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_imported_modules_leave_no_lines_in_memory_and_get_pysides_answer(tmp_path) -> None:
    pyside = _run(tmp_path, "pyside")
    # The premise (and a canary for a PySide upgrade): PySide alone caches every line.
    assert len(pyside["cached"]) == 2, "PySide no longer reads sources: drop sourcescan.py"
    ours = _run(tmp_path, "ours")
    assert ours["cached"] == []
    assert (ours["uses_qt"], ours["plain"]) == (pyside["uses_qt"], pyside["plain"]) == (0, -1)
