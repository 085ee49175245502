"""The composition root: builds everything, owns start-up and shutdown."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from bx24presence import APP_NAME, __version__, paths
from bx24presence.api.auth import WebhookAuth, parse_webhook_url
from bx24presence.api.errors import BadPortalUrl
from bx24presence.cache import snapshot_path
from bx24presence.logconfig import register_secret, setup_logging
from bx24presence.memory import limit_arenas
from bx24presence.qt import i18n
from bx24presence.qt.avatars import AvatarStore
from bx24presence.qt.errors import install_excepthook, install_qt_message_handler
from bx24presence.qt.main_window import MainWindow
from bx24presence.qt.model import ColleagueModel
from bx24presence.qt.poller import Poller, PollerThread, PollFailed, SnapshotReady
from bx24presence.qt.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.theme import apply_theme
from bx24presence.settings import (
    LoadResult,
    Settings,
    SettingsSaveError,
    apply_overrides,
    load_settings,
    reset_settings,
    save_settings,
)

if TYPE_CHECKING:
    from bx24presence.sync import Refresher

log = logging.getLogger(__name__)


@dataclass
class PortalChoice:
    """Where to connect for this run."""

    auth: WebhookAuth
    label: str
    allow_http: bool = False
    demo: Any = None  # the in-process DemoPortal, stopped on quit


def portal_label(auth: WebhookAuth, demo: bool) -> str:
    """What the title bar calls the portal: its host (never the secret)."""
    if demo:
        return QApplication.translate("App", "demo portal")
    from urllib.parse import urlsplit  # noqa: PLC0415

    return urlsplit(auth.portal).netloc or auth.portal


class Application(QObject):
    """Owns the portal session (client, poller thread, models) and the window."""

    def __init__(self, qapp: QApplication, settings: Settings, choice: PortalChoice) -> None:
        super().__init__()
        # Hand the interpreter lock over more often than every 5 ms, so the window stays
        # fluid while the poller and avatar threads work (costs them a little throughput).
        sys.setswitchinterval(0.001)
        limit_arenas()
        self.qapp = qapp
        self.settings = settings
        self.choice = choice
        self._clients: list[Any] = []
        cache = paths.cache_dir()
        self.poller = Poller(
            self._make_refresher,
            portal=choice.auth.portal,
            interval_s=settings.poll_interval_s,
            cache_path=snapshot_path(cache, choice.auth.portal) if choice.demo is None else None,
        )
        self.poller_thread = PollerThread(self.poller)
        self.model = ColleagueModel()
        self.proxy = ColleagueProxy()
        self.proxy.setSourceModel(self.model)
        self.avatars = AvatarStore(cache / "avatars")
        self.window = MainWindow(
            self.model,
            self.proxy,
            self.avatars,
            portal=choice.auth.portal,
            portal_label=choice.label,
        )
        self.window.watched = set(settings.watched)
        self.window.delegate.watched = self.window.watched
        self.window.restore_state(settings.window_geometry, settings.splitter_state)
        with contextlib.suppress(ValueError):  # a filter of a newer version
            self.window.choose_filter(QuickFilter(settings.quick_filter))
        self.poller.snapshot_ready.connect(self._on_poller_snapshot_ready)
        self.poller.poll_failed.connect(self._on_poller_poll_failed)
        self.poller.poll_started.connect(self.window.on_poll_started)
        self.window.refresh_requested.connect(self.poller.refresh_now)
        self.window.quit_requested.connect(self.quit)
        self.window.watch_toggled.connect(self._on_window_watch_toggled)
        if self.avatars is not None:
            self.avatars.avatar_ready.connect(self._on_avatars_avatar_ready)
        qapp.aboutToQuit.connect(self.shutdown)
        self._shut = False

    def _make_refresher(self) -> Refresher:
        """Build the REST client (in the poller's thread: the HTTP stack loads there)."""
        from bx24presence.api.client import Bitrix24Client  # noqa: PLC0415
        from bx24presence.api.throttle import RetryPolicy  # noqa: PLC0415
        from bx24presence.sync import Refresher  # noqa: PLC0415

        client = Bitrix24Client(
            self.choice.auth,
            allow_http=self.choice.allow_http,
            # Few quick retries inside one refresh; the poller's own backoff takes over after.
            retry=RetryPolicy(attempts=2, base=1.0, cap=4.0),
        )
        self._clients.append(client)
        return Refresher(client, window_s=self.settings.online_window_min * 60)

    def start(self) -> None:
        """Show the window and start polling."""
        self.window.show()
        self.poller_thread.start()

    def quit(self) -> None:
        """Quit the application."""
        self.qapp.quit()

    def save_settings(self) -> None:
        """Persist the settings; a failure is shown, never fatal."""
        geometry, splitter = self.window.save_state()
        from dataclasses import replace  # noqa: PLC0415

        self.settings = replace(
            self.settings,
            window_geometry=geometry,
            splitter_state=splitter,
            watched=tuple(sorted(self.window.watched)),
            quick_filter=self.proxy.quick_filter.value,
        )
        try:
            save_settings(self.settings)
        except SettingsSaveError as exc:
            log.warning("%s", exc)
            self.window.statusBar().showMessage(str(exc), 10000)

    def shutdown(self) -> None:
        """Stop the poller (joined within 2 s), the avatar loader and the demo portal."""
        if self._shut:
            return
        self._shut = True
        self.save_settings()
        self.poller_thread.stop(2000)
        self.avatars.stop(2000)
        for client in self._clients:
            client.close()
        if self.choice.demo is not None:
            self.choice.demo.stop()

    # -- slots -------------------------------------------------------------------------------

    def _on_poller_snapshot_ready(self, ready: SnapshotReady) -> None:
        self.model.apply(ready.snapshot, ready.diff, ready.keys)
        self.window.on_snapshot(ready)

    def _on_poller_poll_failed(self, failure: PollFailed) -> None:
        self.window.on_poll_failed(failure)

    def _on_window_watch_toggled(self, colleague_id: int, on: bool) -> None:
        self.save_settings()

    def _on_avatars_avatar_ready(self, url: str) -> None:
        self.window.list.viewport().update()


def choose_portal(args: argparse.Namespace, settings: Settings) -> PortalChoice | None:
    """The portal for this run: --demo, --portal, the environment, or the saved one."""
    if args.demo or (settings.portal_kind == "demo" and not args.portal):
        from bx24presence.demo import DemoPortal  # noqa: PLC0415

        demo = DemoPortal(users=args.demo_users).start()
        auth = parse_webhook_url(demo.webhook_url)
        register_secret(auth.secret)
        return PortalChoice(auth=auth, label=portal_label(auth, True), demo=demo)
    from bx24presence.cli import _webhook_from_env_or_store  # noqa: PLC0415

    url = args.portal or _webhook_from_env_or_store()
    if not url:
        return None
    allow_http = bool(args.allow_http or settings.allow_http)
    auth = parse_webhook_url(url, allow_http=allow_http)
    register_secret(auth.secret)
    return PortalChoice(auth=auth, label=portal_label(auth, False), allow_http=allow_http)


def run_gui(args: argparse.Namespace) -> int:
    """The windowed app."""
    loaded: LoadResult = reset_settings() if args.reset_settings else load_settings()
    settings = apply_overrides(
        loaded.settings,
        online_window_min=args.online_window,
        log_level=args.log_level,
        allow_http=True if args.allow_http else None,
    )
    setup_logging(settings.log_level, log_file=paths.log_dir() / "bx24presence.log")
    log.info("%s %s starting", APP_NAME, __version__)
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName(APP_NAME)
    qapp.setWindowIcon(QIcon.fromTheme(APP_NAME))
    install_qt_message_handler()
    install_excepthook()
    i18n.install(qapp, settings.language)
    apply_theme(qapp, settings.theme)
    try:
        choice = choose_portal(args, settings)
    except BadPortalUrl as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 2
    if choice is None:
        QMessageBox.information(
            None,
            APP_NAME,
            QApplication.translate(
                "App",
                "No portal is configured. Start with --demo to try the app, or with --portal"
                " and your webhook URL.",
            ),
        )
        return 2
    app = Application(qapp, settings, choice)
    if loaded.notice:
        QTimer.singleShot(0, lambda: QMessageBox.warning(app.window, APP_NAME, loaded.notice or ""))
    app.start()
    return int(qapp.exec())
