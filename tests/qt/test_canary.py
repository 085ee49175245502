"""Canary: a PySide6 release that leaks references to None kills the app after minutes.

PySide6-Essentials 6.12.0 on Python < 3.12 loses one reference to None on every call of a
Qt method that returns nothing; after about 5,000 calls the interpreter aborts with
"none_dealloc". pyproject.toml excludes that release; this test makes any future release
with the same fault fail CI instead of users.
"""

from __future__ import annotations

import subprocess
import sys

CANARY = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
timer = QTimer()
for _ in range(200):
    label.setText("warm-up")
before_none = sys.getrefcount(None)
before_true = sys.getrefcount(True)
for i in range(20000):
    label.setText("x")
    timer.stop()
after_none = sys.getrefcount(None)
after_true = sys.getrefcount(True)
print(before_none - after_none, before_true - after_true)
"""


def test_void_calls_do_not_leak_none_references() -> None:
    # In a subprocess: a broken release aborts the interpreter, which must fail this test
    # rather than the whole run.
    proc = subprocess.run(
        [sys.executable, "-c", CANARY], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, f"Qt canary crashed: {proc.stderr[-500:]}"
    lost_none, lost_true = (int(x) for x in proc.stdout.split())
    assert lost_none <= 0, f"{lost_none} references to None lost in 40,000 void Qt calls"
    assert lost_true <= 100, f"{lost_true} references to True lost"
