"""The portal session: client, poller thread, models and window for one portal; and the
connection (:class:`PortalChoice`) it opens."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from bx24presence import paths
from bx24presence.api.auth import WebhookAuth, parse_webhook_url
from bx24presence.api.errors import AuthError, Reason
from bx24presence.cache import snapshot_path
from bx24presence.logconfig import register_secret
from bx24presence.memory import tune_allocator
from bx24presence.portalchoice import PortalDecision, PortalSource, decide_portal, saved_webhook_url
from bx24presence.qt.avatars.store import AvatarStore
from bx24presence.qt.list.hot import HotIds
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.main_window import MainWindow
from bx24presence.qt.poller import Poller, PollerThread, PollFailed, SnapshotReady
from bx24presence.qt.relayfeed import relay_factory
from bx24presence.qt.relayindicator import RelayIndicator
from bx24presence.qt.settings_bridge import SettingsSignals
from bx24presence.qt.views.install import TeamViews
from bx24presence.qt.watchlist import WatchList, as_store
from bx24presence.runoptions import DEFAULT_DEMO_USERS, RunOptions
from bx24presence.settings import Settings, SettingsChange, SettingsStore
from bx24presence.state import StateStore

if TYPE_CHECKING:
    from bx24presence.sync import Refresher

log = logging.getLogger(__name__)
#: How long the poller's cache write waits for the window to apply a snapshot (s).
APPLY_WAIT_S = 0.5


@dataclass
class PortalChoice:
    """Where to connect for this run.

    Attributes:
        portal: the portal's base URL (no secret); names the cached snapshot.
        label: what the title bar calls it.
        auth: the webhook, when known now; else ``load_secret`` gives its URL in the poller
            thread (a keyring can take seconds, which the window must not wait for).
        load_secret: returns the stored webhook URL, or None.
        allow_http: accept plain http for this portal.
        demo: the in-process demo portal, stopped with the session.
    """

    portal: str
    label: str
    auth: WebhookAuth | None = None
    load_secret: Callable[[], str | None] | None = field(default=None, repr=False)
    allow_http: bool = False
    demo: Any = None

    @classmethod
    def from_auth(
        cls, auth: WebhookAuth, *, allow_http: bool = False, demo: Any = None
    ) -> PortalChoice:
        """A choice for a webhook known now."""
        register_secret(auth.secret)
        return cls(
            portal=auth.portal,
            label=portal_label(auth.portal, demo is not None),
            auth=auth,
            allow_http=allow_http,
            demo=demo,
        )

    def resolve_auth(self) -> WebhookAuth:
        """The webhook: known, or loaded from the secret store (raises AuthError if none)."""
        if self.auth is None:
            url = self.load_secret() if self.load_secret is not None else None
            if not url:
                raise AuthError(reason=Reason.NO_WEBHOOK)
            self.auth = parse_webhook_url(url, allow_http=self.allow_http)
            register_secret(self.auth.secret)
        return self.auth


def portal_label(portal: str, demo: bool) -> str:
    """What the title bar calls the portal: its host (never the secret)."""
    if demo:
        return QApplication.translate("App", "demo portal")
    return urlsplit(portal).netloc or portal


def start_demo(users: int) -> PortalChoice:
    """Start the embedded demo portal and a choice for it."""
    from bx24presence.demo import DemoPortal  # noqa: PLC0415

    demo = DemoPortal(users=users).start()
    return PortalChoice.from_auth(parse_webhook_url(demo.webhook_url), demo=demo)


def open_portal(decision: PortalDecision, options: RunOptions | None = None) -> PortalChoice | None:
    """The connection for a decided portal: the demo started, a webhook parsed, or the saved
    webhook to load later (None on the first run: ask the user).

    Raises:
        BadPortalUrl: A webhook given for this run is malformed.
    """
    demo_users = options.demo_users if options is not None else DEFAULT_DEMO_USERS
    if decision.source is PortalSource.DEMO:
        return start_demo(demo_users)
    allow_http = decision.allow_http
    if decision.webhook_url:
        return PortalChoice.from_auth(
            parse_webhook_url(decision.webhook_url, allow_http=allow_http), allow_http=allow_http
        )
    if decision.source is PortalSource.SAVED and decision.portal_hint:
        return PortalChoice(
            portal=decision.portal_hint,
            label=portal_label(decision.portal_hint, False),
            load_secret=saved_webhook_url,
            allow_http=allow_http,
        )
    return None


def choose_portal(options: RunOptions, settings: Settings) -> PortalChoice | None:
    """:func:`open_portal` of :func:`~bx24presence.portalchoice.decide_portal`."""
    return open_portal(decide_portal(options, settings), options)


class Session(QObject):
    """One portal session: REST client (built in the poller thread), poller, models, avatar
    loader and the main window. It reads the settings from the store and follows its
    changes; it never saves settings. It talks to the poller's thread only through the
    poller's queued signals.

    Args:
        qapp: The application.
        settings: The settings store (or settings to hold in memory, for tests).
        choice: The portal.
        watchlist: The watch list shared with the tray; one of its own when None.
        state: Where the window's geometry and last quick filter are kept.
        online_window_min: ``--online-window`` for this run (until the user changes the
            setting), or None.

    Signals:
        snapshot_applied(object): a :class:`SnapshotReady` is now in the model.
        poll_failed(object): a refresh failed (:class:`PollFailed`).
    """

    snapshot_applied = Signal(object)
    poll_failed = Signal(object)

    def __init__(
        self,
        qapp: QApplication,
        settings: SettingsStore | Settings,
        choice: PortalChoice,
        watchlist: WatchList | None = None,
        *,
        state: StateStore | None = None,
        online_window_min: int | None = None,
    ) -> None:
        super().__init__()
        self.store = as_store(settings)
        self.state = state if state is not None else StateStore()
        self._own_watchlist = watchlist is None
        self.watchlist = watchlist if watchlist is not None else WatchList(self.store, self)
        # Hand the interpreter lock over every 0.1 ms rather than every 5: PySide lets go of
        # the lock around each Qt call, so painting a screen of rows (hundreds of calls)
        # waits for the lock hundreds of times while the poller works; at 1 ms a paint
        # could take 60-100 ms, at 0.1 ms it stays within a few (benchmarks/bench_gui.py).
        # It costs the poller and avatar threads a little throughput.
        sys.setswitchinterval(0.0001)
        tune_allocator()
        self.qapp = qapp
        self.choice = choice
        self._clients: list[Any] = []
        current = self.store.current
        self._online_window_s = (online_window_min or current.online_window_min) * 60
        cache = paths.cache_dir()
        self.poller = Poller(
            self._make_refresher,
            portal=choice.portal,
            interval_s=current.poll_interval_s,
            cache_path=snapshot_path(cache, choice.portal) if choice.demo is None else None,
            relay=relay_factory(current, choice.portal, demo=choice.demo is not None),
            apply_wait_s=APPLY_WAIT_S,
        )
        self.poller_thread = PollerThread(self.poller)
        self.model = ColleagueModel()
        self.proxy = ColleagueProxy()
        self.proxy.setSourceModel(self.model)
        self.avatars = AvatarStore(cache / "avatars", portal=choice.portal)
        self.window = MainWindow(
            self.model,
            self.proxy,
            self.avatars,
            portal=choice.portal,
            portal_label=choice.label,
            watchlist=self.watchlist,
        )
        self.relay_indicator = RelayIndicator.attach(self.window.statusBar(), self.poller.relay)
        remembered = self.state.current
        self.window.restore_state(remembered.window_geometry, remembered.splitter_state)
        with contextlib.suppress(ValueError):  # a filter of a newer version
            self.window.choose_filter(QuickFilter(remembered.quick_filter))
        self.poller.snapshot_ready.connect(self._on_poller_snapshot_ready)
        self.poller.poll_failed.connect(self._on_poller_poll_failed)
        self.poller.poll_started.connect(self.window.on_poll_started)
        self.window.refresh_requested.connect(self.poller.refresh_requested)
        self.window.quit_requested.connect(self.quit)
        self.avatars.avatar_ready.connect(self._on_avatars_avatar_ready)
        self._settings = SettingsSignals(self.store, self)
        self._settings.changed.connect(self._on_settings_changed)
        self.team = TeamViews(self)  # toolbar, Team panel, Watched filter, why a result matched
        self.hot = HotIds(
            self.window.list, lambda: self.watchlist.watched, self.poller.set_hot_ids, self
        )
        self.watchlist.changed.connect(self.hot.schedule)
        self.snapshot_applied.connect(self.hot.schedule)
        self._shut = False

    def _make_refresher(self) -> Refresher:
        """Build the REST client (in the poller's thread: the HTTP stack loads there)."""
        from bx24presence.api.client import Bitrix24Client  # noqa: PLC0415
        from bx24presence.api.throttle import RetryPolicy  # noqa: PLC0415
        from bx24presence.sync import Refresher  # noqa: PLC0415

        auth = self.choice.resolve_auth()
        client = Bitrix24Client(
            auth,
            allow_http=self.choice.allow_http,
            # Few quick retries inside one refresh; the poller's own backoff takes over after.
            retry=RetryPolicy(attempts=2, base=1.0, cap=4.0),
        )
        self._clients.append(client)
        return Refresher(client, window_s=self._online_window_s)

    def restart_relay(self) -> None:
        """Follow the office relay of the current settings (or none), from scratch."""
        current = self.store.current
        self.poller.relay.reconfigure_requested.emit(
            relay_factory(current, self.choice.portal, demo=self.choice.demo is not None)
        )

    def start(self, *, show: bool = True) -> None:
        """Show the window (unless starting in the tray) and start polling."""
        if show:
            self.window.show()
        self.poller_thread.start()

    def quit(self) -> None:
        """Quit the application (Qt 6 aborts a quit when a window refuses to close, so the
        window stops hiding to the tray first)."""
        self.window.close_to_tray = False
        self.qapp.quit()

    def save_window_state(self) -> None:
        """Remember the window's geometry and quick filter (state, not settings)."""
        geometry, splitter = self.window.save_state()
        self.state.update(
            window_geometry=geometry,
            splitter_state=splitter,
            quick_filter=self.proxy.quick_filter.value,
        )

    def shutdown(self) -> None:
        """Remember the window, stop the poller (joined within 2 s), the avatar loader and
        the demo portal."""
        if self._shut:
            return
        self._shut = True
        self.hot.stop()
        self._settings.close()
        if self._own_watchlist:
            self.watchlist.close()
        try:
            self.save_window_state()
        except Exception:  # never in the way of quitting
            log.exception("Could not remember the window state")
        self.poller_thread.stop(2000)
        self.avatars.stop(2000)
        for client in self._clients:
            client.close()
        if self.choice.demo is not None:
            self.choice.demo.stop()

    # -- slots -------------------------------------------------------------------------------

    def _on_settings_changed(self, change: SettingsChange) -> None:
        """Take new polling and presence settings into use (queued into the poller's thread)."""
        if "poll_interval_s" in change.changed:
            self.poller.interval_requested.emit(change.new.poll_interval_s)
        if "online_window_min" in change.changed:
            self._online_window_s = change.new.online_window_min * 60
            self.poller.online_window_requested.emit(self._online_window_s)
            self.poller.refresh_requested.emit()
        if change.changed & {"relay_url", "relay_user"}:
            self.restart_relay()

    def _on_poller_snapshot_ready(self, ready: SnapshotReady) -> None:
        self.model.apply(ready.snapshot, ready.diff, ready.keys)
        self.window.on_snapshot(ready)
        self.snapshot_applied.emit(ready)
        # After the repaint this queues (posted events go before a zero timer).
        QTimer.singleShot(0, self.poller.applied)

    def _on_poller_poll_failed(self, failure: PollFailed) -> None:
        self.window.on_poll_failed(failure)
        self.poll_failed.emit(failure)

    def _on_avatars_avatar_ready(self, url: str) -> None:
        self.window.list.repaint_avatar(url)
