"""The wake timer asks the watcher's sleep rule and says when the computer slept."""

from __future__ import annotations

from bx24presence.qt.system.wake import WakeDetector


def test_it_reports_what_the_rule_finds(qtbot) -> None:
    answers = [None, 3600.0]
    woke: list[float] = []
    detector = WakeDetector(lambda: answers.pop(0) if answers else None, interval_ms=5)
    detector.woke.connect(woke.append)
    qtbot.waitUntil(lambda: woke == [3600.0], timeout=2000)
    detector.stop()
    assert not detector._timer.isActive()
