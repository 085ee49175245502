"""The composition root: settings, the secret store, one instance, the first run, the
portal session and its window, settings changes, and shutdown."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from bx24presence import APP_NAME, __version__, autostart, paths
from bx24presence.api.errors import BadPortalUrl
from bx24presence.diagnostics import export_diagnostics
from bx24presence.logconfig import setup_logging
from bx24presence.qt import i18n
from bx24presence.qt.crash import install_excepthook, install_qt_message_handler
from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.dialogs.welcome import WelcomeDialog
from bx24presence.qt.poller import PollFailed, SnapshotReady
from bx24presence.qt.session import Application, PortalChoice, choose_portal, start_demo
from bx24presence.qt.system.identity import set_identity
from bx24presence.qt.system.single import SingleInstance
from bx24presence.qt.system.wake import WakeDetector
from bx24presence.qt.theme import apply_theme
from bx24presence.qt.tray.tray import Tray
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import (
    LoadResult,
    Settings,
    SettingsSaveError,
    apply_overrides,
    load_settings,
    portal_hint_from_url,
    reset_settings,
    save_settings,
)
from bx24presence.watch import Watcher

if TYPE_CHECKING:
    from bx24presence.secrets import SecretStore

log = logging.getLogger(__name__)
LOG_FILE = "bx24presence.log"


def tr(text: str) -> str:
    """Translate in the application's context."""
    return QApplication.translate("App", text)


class Controller(QObject):
    """Owns everything that outlives a portal session."""

    def __init__(self, qapp: QApplication, settings: Settings, args: argparse.Namespace) -> None:
        super().__init__()
        self.qapp = qapp
        self.settings = settings
        self.args = args
        self.session: Application | None = None
        self._store: SecretStore | None = None
        self.watchlist = WatchList(settings)
        self.watchlist.changed.connect(self._on_watchlist_changed)
        self.watcher = Watcher(interval_s=settings.poll_interval_s)
        self.tray: Tray | None = None
        if Tray.available():
            self.tray = Tray(self.watchlist)
            self.tray.toggle_window_requested.connect(self.toggle_window)
            self.tray.show_window_requested.connect(self.bring_to_front)
            self.tray.colleague_requested.connect(self.show_colleague)
            self.tray.refresh_requested.connect(self._on_tray_refresh_requested)
            self.tray.settings_requested.connect(self.open_settings)
            self.tray.quit_requested.connect(self.quit)
            self.tray.status_chosen.connect(self._on_tray_status_chosen)
            self.tray.show()
        qapp.setQuitOnLastWindowClosed(self.tray is None)
        self.wake = WakeDetector(threshold_s=max(60.0, 2.0 * settings.poll_interval_s), parent=self)
        self.wake.woke.connect(self._on_wake_woke)
        qapp.aboutToQuit.connect(self.shutdown)
        self._shut = False
        self._started = False

    # -- secrets -----------------------------------------------------------------------------

    def store(self) -> SecretStore:
        """The secret store (the keyring module loads on first use)."""
        if self._store is None:
            from bx24presence.secrets import SecretStore  # noqa: PLC0415

            self._store = SecretStore()
        return self._store

    # -- start-up ----------------------------------------------------------------------------

    def start(self) -> bool:
        """Open the saved portal, or ask; False when the user closed the welcome dialog."""
        try:
            choice = choose_portal(self.args, self.settings)
        except BadPortalUrl as exc:
            QMessageBox.critical(None, APP_NAME, str(exc))
            return False
        if choice is None:
            choice = self.ask_for_portal(connect_only=False)
            if choice is None:
                return False
        self.open_session(choice)
        return True

    def ask_for_portal(
        self, *, connect_only: bool, parent: QWidget | None = None
    ) -> PortalChoice | None:
        """The welcome dialog; stores a successfully tested webhook in the keyring."""
        dialog = WelcomeDialog(parent, connect_only=connect_only)
        if dialog.exec() != WelcomeDialog.DialogCode.Accepted:
            return None
        if dialog.choice == "demo":
            self._save(dataclasses.replace(self.settings, portal_kind="demo", portal_url_hint=""))
            return start_demo(self.args.demo_users)
        check = dialog.check
        if check is None or check.auth is None:
            return None
        auth = check.auth
        try:
            self.store().set("webhook_url", auth.webhook_url)
        except OSError as exc:
            QMessageBox.warning(
                parent, APP_NAME, tr("The webhook could not be stored: %1").replace("%1", str(exc))
            )
        self._save(
            dataclasses.replace(
                self.settings,
                portal_kind="webhook",
                portal_url_hint=portal_hint_from_url(auth.portal),
                allow_http=dialog.allow_http,
            )
        )
        return PortalChoice.from_auth(auth, allow_http=dialog.allow_http)

    def open_session(self, choice: PortalChoice) -> None:
        """Start polling ``choice`` in a new window (or only in the tray)."""
        session = Application(self.qapp, self.settings, choice, self.watchlist)
        session.settings_changed.connect(self._on_session_settings_changed)
        session.snapshot_applied.connect(self._on_session_snapshot_applied)
        session.poll_failed.connect(self._on_session_poll_failed)
        session.window.settings_requested.connect(self.open_settings)
        session.window.reconnect_requested.connect(self.reconnect)
        session.window.hidden_to_tray.connect(self._on_window_hidden_to_tray)
        session.window.close_to_tray = self.tray is not None
        session.poller.own_status_set.connect(self._on_poller_own_status_set)
        session.poller.own_status_failed.connect(self._on_poller_own_status_failed)
        self.session = session
        self.watcher.reset()
        in_tray = self.settings.start_minimised and self.tray is not None and not self._started
        self._started = True
        session.start(show=not in_tray)

    def reconnect(self) -> None:
        """The banner's "Reconnect…" after the portal refused the webhook: connect again
        (a new webhook, or the demo) and start a new session; nothing changes if cancelled."""
        parent = self.session.window if self.session is not None else None
        choice = self.ask_for_portal(connect_only=True, parent=parent)
        if choice is None:
            return
        self.close_session()
        self.open_session(choice)

    def close_session(self) -> None:
        """Stop the current session and close its window."""
        if self.session is not None:
            self._save(self.session.collect_settings())
            self.session.shutdown()
            self.session.window.close()
            self.session.window.deleteLater()
            self.session = None

    def quit(self) -> None:
        """Quit from the tray menu."""
        if self.session is not None:
            self.session.quit()
        else:
            self.qapp.quit()

    def toggle_window(self) -> None:
        """Left click on the tray icon: show or hide the window."""
        if self.session is None:
            return
        if self.session.window.isVisible() and not self.session.window.isMinimized():
            self.session.window.hide()
        else:
            self.bring_to_front()

    def show_colleague(self, colleague_id: int) -> None:
        """Open the window on one colleague's details."""
        self.bring_to_front()
        if self.session is not None:
            self.session.window.select_colleague(colleague_id)

    def bring_to_front(self) -> None:
        """Another launch asked for the window."""
        if self.session is not None:
            w = self.session.window
            w.show()
            w.setWindowState(w.windowState() & ~w.windowState().WindowMinimized)
            w.raise_()
            w.activateWindow()

    # -- settings ----------------------------------------------------------------------------

    def _save(self, settings: Settings) -> bool:
        self.settings = settings
        try:
            save_settings(settings)
        except (SettingsSaveError, ValueError) as exc:
            log.warning("%s", exc)
            parent = self.session.window if self.session is not None else None
            QMessageBox.warning(parent, APP_NAME, str(exc))
            return False
        return True

    def open_settings(self) -> None:
        """The settings dialog; applies and saves what changed."""
        parent = self.session.window if self.session is not None else None
        store = self.store()
        label = self.session.choice.label if self.session is not None else ""
        dialog = SettingsDialog(
            self.settings,
            portal_label=label,
            secret_storage=store.backend_description(),
            secret_fallback=store.is_fallback,
            confirm=lambda q: (
                QMessageBox.question(parent, APP_NAME, q) == QMessageBox.StandardButton.Yes
            ),
            parent=parent,
        )
        dialog.change_portal_requested.connect(lambda: self._change_portal(dialog))
        dialog.forget_portal_requested.connect(self._forget_portal)
        dialog.open_log_folder_requested.connect(self.open_log_folder)
        dialog.export_diagnostics_requested.connect(lambda: self.export_diagnostics(dialog))
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.apply_settings(dialog.settings())

    def apply_settings(self, new: Settings) -> None:
        """Take new settings into use and save them."""
        old = self.settings
        if new.theme != old.theme:
            apply_theme(self.qapp, new.theme)
        if new.log_level != old.log_level:
            setup_logging(new.log_level, log_file=paths.log_dir() / LOG_FILE)
        if new.start_at_login != old.start_at_login:
            try:
                autostart.set_start_at_login(new.start_at_login)
            except OSError as exc:
                QMessageBox.warning(
                    None,
                    APP_NAME,
                    tr("Start at login could not be changed: %1").replace("%1", str(exc)),
                )
                new = dataclasses.replace(new, start_at_login=old.start_at_login)
        if self.session is not None:
            self.session.apply_settings(new)
        self.watcher.interval_s = new.poll_interval_s
        self.wake.threshold_s = max(60.0, 2.0 * new.poll_interval_s)
        self._save(new)

    def _change_portal(self, dialog: QWidget) -> None:
        choice = self.ask_for_portal(connect_only=True, parent=dialog)
        if choice is not None:
            dialog.close()
            self.close_session()
            self.open_session(choice)

    def _forget_portal(self) -> None:
        try:
            self.store().delete("webhook_url")
        except OSError as exc:
            log.warning("Could not delete the webhook: %s", exc)
        self.close_session()
        self._save(dataclasses.replace(self.settings, portal_kind="", portal_url_hint=""))
        choice = self.ask_for_portal(connect_only=False)
        if choice is None:
            self.qapp.quit()
            return
        self.open_session(choice)

    def open_log_folder(self) -> None:
        """Show the log folder in the file manager."""
        folder = paths.ensure_dir(paths.log_dir())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def export_diagnostics(self, parent: QWidget | None = None) -> Path | None:
        """Ask where, then write the diagnostics zip."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            tr("Export diagnostics"),
            str(Path.home() / "bx24presence-diagnostics.zip"),
            tr("Zip archives (*.zip)"),
        )
        if not name:
            return None
        secrets = []
        if self.session is not None and self.session.choice.auth is not None:
            secrets.append(self.session.choice.auth.secret)
        try:
            path = export_diagnostics(
                Path(name),
                settings=self.settings,
                log_dir=paths.log_dir(),
                secrets=secrets,
                qt_version=qVersion(),
            )
        except OSError as exc:
            QMessageBox.warning(
                parent,
                APP_NAME,
                tr("Could not write %1: %2").replace("%1", name).replace("%2", str(exc)),
            )
            return None
        QMessageBox.information(
            parent, APP_NAME, tr("Diagnostics saved to %1").replace("%1", str(path))
        )
        return path

    # -- shutdown ----------------------------------------------------------------------------

    def _on_session_settings_changed(self, settings: Settings) -> None:
        self._save(settings)

    def _on_watchlist_changed(self) -> None:
        if self.session is None:
            self._save(self.watchlist.to_settings(self.settings))

    def _on_session_snapshot_applied(self, ready: SnapshotReady) -> None:
        if ready.partial or self.session is None:
            return
        snap = ready.snapshot
        if self.tray is not None:
            self.tray.set_snapshot(snap)
        own = snap.own_status or (self.tray.own_status if self.tray else None)
        result = self.watcher.observe(
            snap, self.watchlist.rules, baseline=ready.baseline, own_dnd=own == "dnd"
        )
        if result.spent:
            self.watchlist.drop_rules(result.spent)
        if not self.settings.notifications:
            return
        for alert in result.alerts:
            if self.tray is not None:
                self.tray.notify(alert)
            else:
                names = ", ".join(c.name for c in alert.colleagues)
                self.session.window.statusBar().showMessage(
                    tr("Available now: %1").replace("%1", names), 15000
                )

    def _on_session_poll_failed(self, failure: PollFailed) -> None:
        if self.tray is not None:
            self.tray.set_stale(failure.since)

    def _on_window_hidden_to_tray(self) -> None:
        if self.tray is not None and not self.settings.hidden_to_tray_notice_shown:
            self.tray.notice(
                APP_NAME,
                tr("bx24presence keeps running in the tray. Use Quit in its menu to exit."),
            )
            self._save(dataclasses.replace(self.settings, hidden_to_tray_notice_shown=True))

    def _on_tray_refresh_requested(self) -> None:
        if self.session is not None:
            self.session.poller.refresh_requested.emit()

    def _on_tray_status_chosen(self, status: str) -> None:
        if self.session is not None:
            self.session.poller.status_requested.emit(status)

    def _on_poller_own_status_set(self, status: str) -> None:
        if self.tray is not None:
            self.tray.set_own_status(status)

    def _on_poller_own_status_failed(self, message: str) -> None:
        if self.tray is not None:
            self.tray.notice(
                APP_NAME, tr("Your status could not be set: %1").replace("%1", message)
            )

    def _on_wake_woke(self, seconds: float) -> None:
        log.info("Woke after about %.0f s asleep: refreshing", seconds)
        self.watcher.reset()
        if self.session is not None:
            self.session.poller.mark_baseline()
            self.session.poller.refresh_requested.emit()

    def shutdown(self) -> None:
        """Save, stop the session's threads (joined within 2 s each)."""
        if self._shut:
            return
        self._shut = True
        self.wake.stop()
        if self.session is not None:
            self._save(self.session.collect_settings())
            self.session.shutdown()
        if self.tray is not None:
            self.tray.hide()


def run_gui(args: argparse.Namespace) -> int:
    """The windowed app."""
    loaded: LoadResult = reset_settings() if args.reset_settings else load_settings()
    settings = apply_overrides(
        loaded.settings,
        online_window_min=args.online_window,
        log_level=args.log_level,
        allow_http=True if args.allow_http else None,
    )
    setup_logging(settings.log_level, log_file=paths.log_dir() / LOG_FILE)
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
    controller = Controller(qapp, settings, args)
    hints = QGuiApplication.styleHints()
    if hints is not None:
        hints.colorSchemeChanged.connect(
            lambda _scheme: apply_theme(qapp, controller.settings.theme)
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
