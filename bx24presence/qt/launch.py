"""Starts the windowed app: loads settings and state, sets up Qt, one instance, the
controller, and runs the event loop."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from bx24presence import APP_NAME, __version__, paths
from bx24presence.logconfig import setup_logging
from bx24presence.qt import i18n
from bx24presence.qt.controller import LOG_FILE, Controller
from bx24presence.qt.crash import install_excepthook, install_qt_message_handler
from bx24presence.qt.system.identity import set_identity
from bx24presence.qt.system.single import SingleInstance
from bx24presence.qt.theme import apply_theme
from bx24presence.runoptions import RunOptions
from bx24presence.settings import SettingsStore, reset_settings, settings_path
from bx24presence.state import StateStore

log = logging.getLogger(__name__)


def run_gui(options: RunOptions) -> int:
    """The windowed app, with this run's command-line options."""
    if options.reset_settings:
        loaded = reset_settings()
        store = SettingsStore(loaded.settings, path=settings_path())
    else:
        store, loaded = SettingsStore.open()
    state, state_loaded = StateStore.open(legacy=loaded.moved)
    if state_loaded.notice:
        log.warning("%s", state_loaded.notice)
    settings = store.current
    setup_logging(options.effective_log_level(settings), log_file=paths.log_dir() / LOG_FILE)
    log.info("%s %s starting", APP_NAME, __version__)
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    set_identity(qapp)
    install_qt_message_handler()
    install_excepthook()
    single = SingleInstance()
    if not single.claim():
        return 0
    i18n.install(qapp, settings.language)
    apply_theme(qapp, settings.theme)
    controller = Controller(qapp, store, options, state=state)
    hints = QGuiApplication.styleHints()
    if hints is not None:
        hints.colorSchemeChanged.connect(
            lambda _scheme: apply_theme(qapp, controller.store.current.theme)
        )
    single.activation_requested.connect(controller.bring_to_front)
    if not controller.start():
        single.release()
        return 0
    if loaded.notice and controller.session is not None:
        window = controller.session.window
        QTimer.singleShot(0, lambda: QMessageBox.warning(window, APP_NAME, loaded.notice or ""))
    code = int(qapp.exec())
    single.release()
    return code
