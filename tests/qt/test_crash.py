"""The crash funnel: an exception in any thread is logged there and shown in the GUI thread."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QObject, QThread, QTimer, Signal

from bx24presence.qt import crash as errors

pytestmark = pytest.mark.qt_no_exception_capture


class _Raiser(QObject):
    go = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.go.connect(self.boom)

    def boom(self) -> None:
        raise RuntimeError(
            "boom in the worker \ud800 https://x.bitrix24.ru/rest/1/abcdef0123456789/"
        )


@pytest.fixture
def shown(monkeypatch, qapp):
    """Install the hooks for this test; record the reports and the thread that shows them."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(errors, "_relay", None, raising=False)
    got: list[tuple[QThread, str]] = []
    monkeypatch.setattr(
        errors, "show_crash_dialog", lambda report: got.append((QThread.currentThread(), report))
    )
    errors.install_excepthook()
    return got


def test_an_exception_in_a_worker_qthread_shows_the_dialog_in_the_gui_thread(
    qtbot, qapp, shown, caplog
) -> None:
    thread = QThread()
    raiser = _Raiser()
    raiser.moveToThread(thread)
    thread.start()
    try:
        QTimer.singleShot(0, raiser, raiser.boom)
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    finally:
        thread.quit()
        assert thread.wait(2000)
    shown_in, report = shown[0]
    assert shown_in is qapp.thread(), "widgets only in the GUI thread"
    assert "RuntimeError: boom in the worker" in report
    assert "abcdef0123456789" not in report, "the report is redacted"
    report.encode("utf-8")  # the lone surrogate was repaired
    assert any("Unexpected error" in r.getMessage() for r in caplog.records)


def test_an_exception_in_a_python_thread_reaches_the_gui_thread(qtbot, qapp, shown) -> None:
    def work() -> None:
        raise ValueError("from a plain thread")

    t = threading.Thread(target=work, name="plain")
    t.start()
    t.join(5)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0][0] is qapp.thread()
    assert "ValueError: from a plain thread" in shown[0][1]


def test_an_exception_in_the_gui_thread_is_shown_after_the_slot_returns(qtbot, qapp, shown):
    raiser = _Raiser()
    raiser.go.emit()  # direct call in this thread: the hook runs here
    assert shown == [], "the dialog never opens inside the code that raised"
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0][0] is qapp.thread()


def test_a_report_survives_an_exception_whose_text_cannot_be_encoded() -> None:
    try:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
    except UnicodeEncodeError as exc:
        report = errors.crash_report(type(exc), exc, exc.__traceback__)
    report.encode("utf-8")
