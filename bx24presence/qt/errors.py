"""One funnel for unexpected problems: a dialog with a copyable, redacted traceback, and the log;
Qt's own messages routed into the log."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from bx24presence import APP_NAME, __version__
from bx24presence.logconfig import redact_all

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
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """The traceback as text with every secret removed."""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    return redact_all(f"{APP_NAME} {__version__}, Python {sys.version.split()[0]}\n\n{text}")


def show_crash_dialog(report: str) -> None:
    """A modal dialog; the details are selectable so they can be copied into a bug report."""
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


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    report = crash_report(exc_type, exc, tb)
    log.error("Unexpected error:\n%s", report)
    show_crash_dialog(report)


def install_excepthook() -> None:
    """Route uncaught exceptions (in slots too) to the log and the crash dialog."""
    sys.excepthook = _excepthook


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_LEVELS.get(mode, logging.WARNING), "%s", message)


def install_qt_message_handler() -> None:
    """Send Qt's warnings to our log (where secrets are redacted) instead of stderr."""
    qInstallMessageHandler(_qt_message_handler)
