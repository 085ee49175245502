"""The composition root: builds the settings and state stores' listeners, the tray, the
watcher, the portal session and its window, and wires their signals; start-up and shutdown."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bx24presence import APP_NAME, autostart, paths
from bx24presence.api.errors import BadPortalUrl
from bx24presence.failures import sentence
from bx24presence.logconfig import setup_logging
from bx24presence.portalchoice import decide_portal
from bx24presence.qt import connect, support
from bx24presence.qt.alerts import Alerts
from bx24presence.qt.dialogs.relaygroup import store_relay_password
from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.poller import PollFailed, SnapshotReady
from bx24presence.qt.session import PortalChoice, Session, open_portal
from bx24presence.qt.settings_bridge import SettingsSignals
from bx24presence.qt.system.wake import WakeDetector
from bx24presence.qt.theme import apply_theme
from bx24presence.qt.tray.tray import Tray
from bx24presence.qt.views.own_status import OwnStatus, StateDndStore, attach_tray
from bx24presence.qt.watchlist import WatchList
from bx24presence.qt.window_frame import carry, take_over
from bx24presence.runoptions import RunOptions
from bx24presence.secrets import REDIS_PASSWORD
from bx24presence.settings import (
    Settings,
    SettingsChange,
    SettingsSaveError,
    SettingsStore,
)
from bx24presence.state import StateStore
from bx24presence.watch import Watcher

if TYPE_CHECKING:
    from bx24presence.secrets import SecretStore

log = logging.getLogger(__name__)
LOG_FILE = "bx24presence.log"


class Controller(QObject):
    """Owns everything that outlives a portal session, and wires it to the session.

    Settings live in ``store`` (changed only by patches), state in ``state``; options of
    this run in ``options`` (never saved).
    """

    def __init__(
        self,
        qapp: QApplication,
        store: SettingsStore,
        options: RunOptions | None = None,
        *,
        state: StateStore | None = None,
    ) -> None:
        super().__init__()
        self.qapp = qapp
        self.store = store
        self.state = state if state is not None else StateStore()
        self.options = options if options is not None else RunOptions()
        self.session: Session | None = None
        self._secrets: SecretStore | None = None
        self._shut = False
        self._started = False
        self.settings_signals = SettingsSignals(store, self)
        self.settings_signals.changed.connect(self._on_settings_changed)
        self.settings_signals.save_failed.connect(self._on_settings_save_failed)
        self.watchlist = WatchList(store, self)
        self.watcher = Watcher(interval_s=store.current.poll_interval_s)
        self.tray: Tray | None = None
        self.own = OwnStatus(store=StateDndStore(self.state), parent=self)
        self.own.status_requested.connect(self._on_tray_status_chosen)
        if Tray.available():
            self.tray = Tray(self.watchlist)
            self.tray.toggle_window_requested.connect(self.toggle_window)
            self.tray.show_window_requested.connect(self.bring_to_front)
            self.tray.colleague_requested.connect(self.show_colleague)
            self.tray.refresh_requested.connect(self._on_tray_refresh_requested)
            self.tray.settings_requested.connect(self.open_settings)
            self.tray.quit_requested.connect(self.quit)
            self.tray.status_chosen.connect(self.own.choose)
            attach_tray(self.tray, self.own, window_shown=self._window_shown, about=self.about)
            self.tray.show()
        qapp.setQuitOnLastWindowClosed(self.tray is None)
        self.alerts = Alerts(self.watcher, self.watchlist, store, self.tray, self, own=self.own)
        self.wake = WakeDetector(self.watcher.check_sleep, parent=self)
        self.wake.woke.connect(self._on_wake_woke)
        qapp.aboutToQuit.connect(self.shutdown)

    @property
    def settings(self) -> Settings:
        """The current settings (read-only; change them with ``store.update``)."""
        return self.store.current

    # -- secrets -----------------------------------------------------------------------------

    def secrets(self) -> SecretStore:
        """The secret store (the keyring module loads on first use)."""
        if self._secrets is None:
            from bx24presence.secrets import SecretStore  # noqa: PLC0415

            self._secrets = SecretStore()
        return self._secrets

    # -- start-up ----------------------------------------------------------------------------

    def start(self) -> bool:
        """Open the portal decided for this run, or ask; False when the user closed the
        welcome dialog."""
        try:
            choice = open_portal(decide_portal(self.options, self.store.current), self.options)
        except BadPortalUrl as exc:
            QMessageBox.critical(None, APP_NAME, sentence(exc))
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
        """The welcome dialog (:func:`bx24presence.qt.connect.ask_for_portal`)."""
        return connect.ask_for_portal(
            self.store,
            self.secrets(),
            demo_users=self.options.demo_users,
            connect_only=connect_only,
            parent=parent,
        )

    def open_session(self, choice: PortalChoice) -> None:
        """Start polling ``choice`` in a new window (or only in the tray)."""
        session = Session(
            self.qapp,
            self.store,
            choice,
            self.watchlist,
            state=self.state,
            online_window_min=self.options.online_window_min,
        )
        session.snapshot_applied.connect(self._on_session_snapshot_applied)
        session.poll_failed.connect(self._on_session_poll_failed)
        session.window.settings_requested.connect(self.open_settings)
        session.window.reconnect_requested.connect(self.reconnect)
        session.window.hidden_to_tray.connect(self._on_window_hidden_to_tray)
        session.window.close_to_tray = self.tray is not None
        session.poller.own_status_set.connect(self._on_poller_own_status_set)
        session.poller.own_status_failed.connect(self._on_poller_own_status_failed)
        session.team.set_own_status(self.own)
        self.session = session
        self.alerts.session_started()
        in_tray = self.store.current.start_minimised and self.tray is not None
        in_tray = in_tray and not self._started
        self._started = True
        session.start(show=not in_tray)
        waiting = self.own.unsent or self.own.in_flight  # asked for while no session was open
        if waiting is not None:  # (or on the way through the closed one)
            self._on_tray_status_chosen(waiting)

    def reconnect(self) -> None:
        """The banner's "Reconnect…" after the portal refused the webhook: connect again
        (a new webhook, or the demo) and start a new session; nothing changes if cancelled."""
        parent = self.session.window if self.session is not None else None
        choice = self.ask_for_portal(connect_only=True, parent=parent)
        if choice is None:
            return
        self._replace_session(choice)

    def _replace_session(self, choice: PortalChoice) -> None:
        """A new webhook or portal: the new window continues where the old one was (place,
        search, filter, selection)."""
        carried = carry(self.session.window) if self.session is not None else None
        self.close_session()
        self.open_session(choice)
        if carried is not None and self.session is not None:
            take_over(self.session.window, carried)

    def close_session(self) -> None:
        """Stop the current session and close its window."""
        if self.session is not None:
            self.session.shutdown()
            self.session.window.close()
            self.session.window.deleteLater()
            self.session.deleteLater()
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

    def open_settings(self) -> None:
        """The settings dialog; applies what it edits as one patch."""
        parent = self.session.window if self.session is not None else None
        secrets = self.secrets()
        label = self.session.choice.label if self.session is not None else ""
        dialog = SettingsDialog(
            self.store.current,
            portal_label=label,
            secret_storage=secrets.backend_description(),
            secret_fallback=secrets.is_fallback,
            demo=self.session is not None and self.session.choice.demo is not None,
            confirm=lambda q: (
                QMessageBox.question(parent, APP_NAME, q) == QMessageBox.StandardButton.Yes
            ),
            relay_password_stored=secrets.get(REDIS_PASSWORD) is not None,
            parent=parent,
        )
        dialog.change_portal_requested.connect(lambda: self._change_portal(dialog))
        dialog.forget_portal_requested.connect(self._forget_portal)
        dialog.open_log_folder_requested.connect(self.open_log_folder)
        dialog.export_diagnostics_requested.connect(lambda: self.export_diagnostics(dialog))
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.apply_settings(**dialog.changes())
        relay_url = self.store.current.relay_url
        stored = store_relay_password(secrets, dialog.relay.password(), relay_url, parent)
        if stored and self.session is not None:
            self.session.restart_relay()

    def apply_settings(self, **changes: Any) -> None:
        """Apply a patch from the user; start at login is changed on the system first."""
        wanted = changes.get("start_at_login")
        if wanted is not None and wanted != self.store.current.start_at_login:
            try:
                autostart.set_start_at_login(wanted)
            except OSError as exc:
                QMessageBox.warning(
                    None,
                    APP_NAME,
                    QApplication.translate(
                        "App", "Start at login could not be changed: %1"
                    ).replace("%1", str(exc)),
                )
                del changes["start_at_login"]
        self.store.update(**changes)

    def _change_portal(self, dialog: QWidget) -> None:
        choice = self.ask_for_portal(connect_only=True, parent=dialog)
        if choice is not None:
            dialog.close()
            self._replace_session(choice)

    def _forget_portal(self) -> None:
        try:
            self.secrets().delete("webhook_url")
        except OSError as exc:
            log.warning("Could not delete the webhook: %s", exc)
        self.close_session()
        self.store.update(portal_kind="", portal_url_hint="")
        choice = self.ask_for_portal(connect_only=False)
        if choice is None:
            self.qapp.quit()
            return
        self.open_session(choice)

    def _on_settings_changed(self, change: SettingsChange) -> None:
        new = change.new
        if "theme" in change.changed:
            apply_theme(self.qapp, new.theme)
        if "log_level" in change.changed:
            setup_logging(new.log_level, log_file=paths.log_dir() / LOG_FILE)
        if "online_window_min" in change.changed:
            self.options = self.options.without_online_window()
        if "poll_interval_s" in change.changed:
            self.watcher.interval_s = new.poll_interval_s

    def _on_settings_save_failed(self, error: SettingsSaveError) -> None:
        if self._shut:  # no dialog while quitting: the log has it
            return
        parent = self.session.window if self.session is not None else None
        QMessageBox.warning(parent, APP_NAME, str(error))

    def open_log_folder(self) -> None:
        """Show the log folder in the file manager."""
        support.open_log_folder()

    def export_diagnostics(self, parent: QWidget | None = None) -> Path | None:
        """Ask where, then write the diagnostics zip (the webhook's secret removed)."""
        secrets = []
        if self.session is not None and self.session.choice.auth is not None:
            secrets.append(self.session.choice.auth.secret)
        return support.export_diagnostics_as(parent, self.store.current, secrets)

    # -- shutdown ----------------------------------------------------------------------------

    def _on_session_snapshot_applied(self, ready: SnapshotReady) -> None:
        if ready.partial or self.session is None:
            return
        snap = ready.snapshot
        if self.tray is not None:
            self.tray.set_snapshot(snap)
        if self.own.retry_due is not None and not ready.from_cache:  # the portal answers again
            self._on_tray_status_chosen(self.own.retry_due)
        if snap.own_status:
            self.own.observe(snap.own_status)
        self.alerts.observe(ready, window=self.session.window)  # own "dnd" from self.own

    def _on_session_poll_failed(self, failure: PollFailed) -> None:
        if self.tray is not None:
            self.tray.set_stale(failure.since, failure)

    def _on_window_hidden_to_tray(self) -> None:
        if self.tray is not None and not self.state.current.tray_notice_shown:
            self.tray.notice(
                APP_NAME,
                QApplication.translate(
                    "App", "bx24presence keeps running in the tray. Use Quit in its menu to exit."
                ),
            )
            self.state.update(tray_notice_shown=True)

    def _on_tray_refresh_requested(self) -> None:
        if self.session is not None:
            self.session.poller.refresh_requested.emit()

    def _on_tray_status_chosen(self, status: str) -> None:
        """Send an own status; with no session open it stays in ``own.unsent`` until one is."""
        if self.session is not None:
            self.own.sent(status)
            self.session.poller.status_requested.emit(status)

    def _window_shown(self) -> bool:
        w = self.session.window if self.session is not None else None
        return w is not None and w.isVisible() and not w.isMinimized()

    def about(self) -> None:
        """The About box, over the window."""
        if self.session is not None:
            self.bring_to_front()
            self.session.team.show_about()

    def _on_poller_own_status_set(self, status: str) -> None:
        self.own.confirm(status)
        if self.tray is not None:
            self.tray.set_own_status(status)

    def _on_poller_own_status_failed(self, message: str) -> None:
        self.own.failed()
        if self.tray is not None:
            self.tray.notice(
                APP_NAME,
                QApplication.translate("App", "Your status could not be set: %1").replace(
                    "%1", message
                ),
            )

    def _on_wake_woke(self, seconds: float) -> None:
        log.info("Woke after about %.0f s asleep: refreshing", seconds)
        if self.session is not None:
            self.session.poller.refresh_requested.emit()

    def shutdown(self) -> None:
        """Remember the window, stop the session's threads (joined within 2 s each); a
        failed save is logged, never a dialog while quitting."""
        if self._shut:
            return
        self._shut = True
        self.wake.stop()
        if self.session is not None:
            self.session.shutdown()
        if self.store.unsaved:
            self.store.save()
        self.settings_signals.close()
        self.watchlist.close()
        if self.tray is not None:
            self.tray.hide()
