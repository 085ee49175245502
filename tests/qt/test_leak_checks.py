"""The leak checks of tests/conftest.py see what they must: a Python thread, a running
QThread and an active QTimer left behind, and nothing once they are stopped."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, QTimer

from tests.conftest import Running


def test_a_timer_left_active_is_reported(qtbot) -> None:
    before = Running(qt=True)
    owner = QObject()
    timer = QTimer(owner)
    timer.start(60_000)
    assert before.leaks(grace_s=0) == ["QTimer(60000 ms) of QObject"]
    timer.stop()
    assert before.leaks(grace_s=0) == []


def test_a_qthread_left_running_is_reported(qtbot) -> None:
    before = Running(qt=True)
    thread = QThread()
    thread.start()
    try:
        assert before.leaks(grace_s=0) == ["1 QThread(s) still running"]
    finally:
        thread.quit()
        assert thread.wait(2000)
    assert before.leaks(grace_s=0) == []


def test_a_python_thread_left_running_is_reported() -> None:
    before = Running(qt=False)
    done = threading.Event()
    t = threading.Thread(target=done.wait, name="left-behind", daemon=True)
    t.start()
    try:
        assert before.leaks(grace_s=0) == ["thread 'left-behind'"]
    finally:
        done.set()
        t.join(2)
    assert before.leaks(grace_s=1) == []
