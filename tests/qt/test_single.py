"""A second instance activates the first and gives way."""

from __future__ import annotations

import subprocess
import sys

from bx24presence.qt.system.single import SingleInstance, server_name


def test_second_instance_activates_the_first(qtbot) -> None:
    first = SingleInstance("bx24presence-test-single")
    assert first.claim()
    try:
        with qtbot.waitSignal(first.activation_requested, timeout=3000):
            second = SingleInstance("bx24presence-test-single")
            assert not second.claim()
    finally:
        first.release()


def test_a_second_process_gives_way(qtbot) -> None:
    first = SingleInstance(server_name())
    assert first.claim()
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from bx24presence.qt.system.single import SingleInstance\n"
        "app = QCoreApplication([])\n"
        "sys.exit(0 if not SingleInstance().claim() else 1)\n"
    )
    try:
        with qtbot.waitSignal(first.activation_requested, timeout=10000):
            proc = subprocess.Popen([sys.executable, "-c", code])
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10000)
        assert proc.returncode == 0
    finally:
        first.release()


def test_a_stale_socket_does_not_block(qtbot) -> None:
    first = SingleInstance("bx24presence-test-stale")
    assert first.claim()
    first.release()
    again = SingleInstance("bx24presence-test-stale")
    assert again.claim()
    again.release()
