"""One funnel for unexpected problems: a dialog with a copyable, redacted traceback, and the log;
Qt's own messages routed into the log.

An exception can escape in any thread: a slot of the poller's worker thread, a Python thread.
Widgets may only be built in the GUI thread (building one elsewhere crashes Qt), so the hooks
log where the exception happened and hand the report to a relay object that lives in the GUI
thread; the dialog is shown there, through a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    Qt,
    QThread,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from bx24presence import APP_NAME, __version__
from bx24presence.logconfig import redact_all
from bx24presence.textsafe import repair

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_showing = False


def crash_report(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> str:
    """The traceback as text with every secret removed (and text that cannot be encoded,
    such as a lone surrogate from a colleague's name, repaired)."""
    try:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
    except Exception:  # a broken __str__ must not break the report
        text = f"{exc_type.__name__} (its details could not be formatted)\n"
    return redact_all(
        repair(f"{APP_NAME} {__version__}, Python {sys.version.split()[0]}\n\n{text}")
    )


def in_gui_thread() -> bool:
    """Whether the calling thread is the application's GUI thread."""
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def show_crash_dialog(report: str) -> None:
    """A modal dialog; the details are selectable so they can be copied into a bug report.

    Only ever called in the GUI thread (see :class:`CrashRelay`).
    """
    global _showing  # noqa: PLW0603  (one dialog at a time, whatever raises next)
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        box = QMessageBox()
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(APP_NAME)
        box.setText(
            QApplication.translate(
                "Errors",
                "Something went wrong inside bx24presence. It keeps running; the details below"
                " are also in the log.",
            )
        )
        box.setDetailedText(report)
        box.exec()
    finally:
        _showing = False


class CrashRelay(QObject):
    """Lives in the GUI thread and shows crash reports there, whichever thread sends them.

    Signals:
        report_ready(str): a redacted report to show (emit from any thread).
    """

    report_ready = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        # Queued even from the GUI thread: the dialog never opens inside the code that raised.
        self.report_ready.connect(self._on_report_ready, Qt.ConnectionType.QueuedConnection)

    def _on_report_ready(self, report: str) -> None:
        # Looked up at call time, so that tests can watch which thread shows the dialog.
        sys.modules[__name__].show_crash_dialog(report)


_relay: CrashRelay | None = None


def report_crash(report: str) -> None:
    """Show ``report`` in the crash dialog, from any thread: it is marshalled to the GUI
    thread. Without an application (or before :func:`install_excepthook`), nothing is shown."""
    relay = _relay
    if relay is None or QCoreApplication.instance() is None:
        return
    relay.report_ready.emit(report)


def _excepthook(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        app = QCoreApplication.instance()
        if app is not None:
            # quit() posts to the GUI thread; safe from any thread.
            QCoreApplication.quit()
        return
    try:
        report = crash_report(exc_type, exc, tb)
        where = threading.current_thread().name
        log.error("Unexpected error in thread %s:\n%s", where, report)
        report_crash(report)
    except Exception:  # the hook itself must never raise
        log.critical("An error occurred while reporting an error", exc_info=True)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    _excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install_excepthook() -> None:
    """Route uncaught exceptions (in slots of any thread, and in Python threads) to the log
    and the crash dialog. Call in the GUI thread, after the application exists."""
    global _relay  # noqa: PLW0603  (one relay per process, in the GUI thread)
    if _relay is None:
        _relay = CrashRelay()
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_LEVELS.get(mode, logging.WARNING), "%s", message)


def install_qt_message_handler() -> None:
    """Send Qt's warnings to our log (where secrets are redacted) instead of stderr."""
    qInstallMessageHandler(_qt_message_handler)
