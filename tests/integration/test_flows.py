"""The flows users take, through the real controller, the demo portal over loopback and real
settings and state files: the demo then a real portal, changing and forgetting the portal,
settings applied while a poll runs, a star while the tray notice shows, quitting during a
failed save, and a corrupt state file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from bx24presence import paths
from bx24presence.qt import controller as controller_module
from bx24presence.qt import poller as poller_module
from bx24presence.qt.controller import Controller
from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.dialogs.welcome import WelcomeDialog
from bx24presence.runoptions import RunOptions
from bx24presence.secrets import WEBHOOK_URL, SecretStore
from bx24presence.settings import (
    NotifyRule,
    Settings,
    SettingsStore,
    load_settings,
    save_settings,
    settings_path,
)
from bx24presence.state import StateStore, load_state, state_path

ACCEPTED = QDialog.DialogCode.Accepted
REJECTED = QDialog.DialogCode.Rejected
LOAD_MS = 15000

# -- the user's side: dialogs answered by a script, a tray that records -------------------------


class FakeTray(QObject):
    """The tray's interface without a system tray (offscreen has none); records notices."""

    toggle_window_requested = Signal()
    show_window_requested = Signal()
    colleague_requested = Signal(int)
    refresh_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()
    status_chosen = Signal(str)
    about_requested = Signal()

    notices: ClassVar[list[str]] = []  # shared across restarts within a test; reset by the fixture

    def __init__(self, watchlist: Any) -> None:
        super().__init__()
        self.watchlist = watchlist
        self.own_status: str | None = None

    @staticmethod
    def available() -> bool:
        return True

    def notice(self, title: str, text: str) -> None:
        FakeTray.notices.append(text)

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


class User:
    """Answers the dialogs the app opens, in order, with scripted actions."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.welcome: list[Callable[[WelcomeDialog], int]] = []
        self.settings: list[Callable[[SettingsDialog], int]] = []
        self.warnings: list[str] = []

    def answer_welcome(self, dialog: WelcomeDialog) -> int:
        assert self.welcome, "the app asked for a portal unexpectedly"
        return self.welcome.pop(0)(dialog)

    def answer_settings(self, dialog: SettingsDialog) -> int:
        assert self.settings, "the settings dialog opened unexpectedly"
        return self.settings.pop(0)(dialog)

    # welcome actions

    @staticmethod
    def try_demo(dialog: WelcomeDialog) -> int:
        dialog.demo_button.click()
        return dialog.result()

    def connect(self, url: str) -> Callable[[WelcomeDialog], int]:
        def act(dialog: WelcomeDialog) -> int:
            dialog.show_connect_page()
            dialog.url_edit.setText(url)
            dialog.ok_button.click()  # tests the connection, then connects
            self.qtbot.waitUntil(lambda: dialog.result() == ACCEPTED, timeout=LOAD_MS)
            return dialog.result()

        return act

    @staticmethod
    def cancel(dialog: QDialog) -> int:
        return REJECTED


@pytest.fixture
def user(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> User:
    u = User(qtbot)
    monkeypatch.setattr(WelcomeDialog, "exec", lambda d: u.answer_welcome(d))  # noqa: PLW0108  (a class attribute: the dialog is the argument)
    monkeypatch.setattr(SettingsDialog, "exec", lambda d: u.answer_settings(d))  # noqa: PLW0108
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: u.warnings.append(a[2]))
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: u.warnings.append(a[2]))
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    return u


@pytest.fixture
def tray(monkeypatch: pytest.MonkeyPatch) -> type[FakeTray]:
    FakeTray.notices = []
    monkeypatch.setattr(controller_module, "Tray", FakeTray)
    return FakeTray


@pytest.fixture
def launch(qapp: Any) -> Iterator[Callable[..., Controller]]:
    """Start the app as ``run_gui`` does, from the files on disk; all are shut down after."""
    started: list[Controller] = []

    def start(options: RunOptions | None = None) -> Controller:
        store, loaded = SettingsStore.open()
        state, _ = StateStore.open(legacy=loaded.moved)
        c = Controller(qapp, store, options or RunOptions(demo_users=30), state=state)
        started.append(c)
        assert c.start()
        return c

    yield start
    for c in started:
        quit_app(c)


def quit_app(c: Controller) -> None:
    """What quitting does: aboutToQuit runs the shutdown, the window closes."""
    c.shutdown()
    if c.session is not None:
        c.session.window.close_to_tray = False
        c.session.window.close()
        assert not c.session.poller_thread.is_running()


def loaded(c: Controller, rows: int) -> Callable[[], bool]:
    return lambda: c.session is not None and c.session.model.rowCount() == rows


def hint(portal: Any) -> str:
    return f"http://127.0.0.1:{portal.port}"


# -- the flows ------------------------------------------------------------------------------


def test_demo_then_connect_keeps_the_portal_across_a_restart(
    qtbot, user, launch, make_portal
) -> None:
    portal = make_portal(users=25)
    user.welcome.append(user.try_demo)
    first = launch()
    qtbot.waitUntil(loaded(first, 30), timeout=LOAD_MS)
    # Settings → Change… → a tested webhook → Connect.
    user.settings.append(lambda d: (d.change_button.click(), REJECTED)[1])
    user.welcome.append(user.connect(portal.webhook_url))
    first.open_settings()
    qtbot.waitUntil(loaded(first, 25), timeout=LOAD_MS)
    saved = load_settings().settings
    assert (saved.portal_kind, saved.portal_url_hint) == ("webhook", hint(portal))
    quit_app(first)
    saved = load_settings().settings
    assert (saved.portal_kind, saved.portal_url_hint) == ("webhook", hint(portal)), (
        "closing the demo session must not write the demo back"
    )
    second = launch()  # no dialog: the saved portal opens
    qtbot.waitUntil(loaded(second, 25), timeout=LOAD_MS)
    assert second.session is not None and second.session.choice.demo is None
    assert user.warnings == []


def test_changing_the_portal_sticks(qtbot, user, launch, make_portal) -> None:
    a, b = make_portal(users=20), make_portal(users=22)
    user.welcome.append(user.connect(a.webhook_url))
    first = launch()
    qtbot.waitUntil(loaded(first, 20), timeout=LOAD_MS)
    user.settings.append(lambda d: (d.change_button.click(), REJECTED)[1])
    user.welcome.append(user.connect(b.webhook_url))
    first.open_settings()
    qtbot.waitUntil(loaded(first, 22), timeout=LOAD_MS)
    quit_app(first)
    assert load_settings().settings.portal_url_hint == hint(b)
    assert SecretStore().get(WEBHOOK_URL) == b.webhook_url
    second = launch()
    qtbot.waitUntil(loaded(second, 22), timeout=LOAD_MS)


def test_forgetting_the_portal_keeps_everything_else(
    qtbot, user, tray, launch, make_portal
) -> None:
    portal = make_portal(users=20)
    save_settings(Settings(theme="dark", watched=(3,)))
    user.welcome.append(user.connect(portal.webhook_url))
    first = launch()
    qtbot.waitUntil(loaded(first, 20), timeout=LOAD_MS)
    first.session.window.close()  # hides to the tray: the notice, once
    assert len(tray.notices) == 1
    # Settings → Forget → (confirmed) → the welcome dialog → the demo.
    user.settings.append(lambda d: (d.forget_portal_requested.emit(), REJECTED)[1])
    user.welcome.append(user.try_demo)
    first.open_settings()
    qtbot.waitUntil(loaded(first, 30), timeout=LOAD_MS)
    assert SecretStore().get(WEBHOOK_URL) is None, "the webhook left the keyring"
    saved = load_settings().settings
    assert (saved.portal_kind, saved.portal_url_hint) == ("demo", "")
    assert (saved.theme, saved.watched) == ("dark", (3,))
    quit_app(first)
    second = launch()
    qtbot.waitUntil(loaded(second, 30), timeout=LOAD_MS)
    second.session.window.close()
    assert len(tray.notices) == 1, "the tray notice is shown once, not once per portal"


def test_settings_applied_while_a_poll_runs_keep_what_the_poll_changed(
    qtbot, user, launch, make_portal
) -> None:
    portal = make_portal(users=20)
    now = portal.clock.now()
    target = portal.colleague_ids()[2]
    portal.set_activity(target, last_activity=now.replace(year=now.year - 1))
    save_settings(
        Settings(
            portal_kind="webhook",
            portal_url_hint=hint(portal),
            watched=(target,),
            notify={str(target): NotifyRule(mode="once")},
        )
    )
    SecretStore().set(WEBHOOK_URL, portal.webhook_url)
    c = launch()
    qtbot.waitUntil(loaded(c, 20), timeout=LOAD_MS)
    session = c.session
    assert session is not None
    session.poller.interval_requested.emit(1)
    session.poller.refresh_requested.emit()  # the timer armed for 60 s is re-armed for 1 s
    started: list[int] = []
    session.poller.poll_started.connect(lambda: started.append(1))

    def edit(dialog: SettingsDialog) -> int:
        # While the dialog is open the colleague comes online: a poll spends the one-shot rule.
        portal.set_activity(target, last_activity=portal.clock.now())
        qtbot.waitUntil(lambda: c.watchlist.rule(target) is None, timeout=LOAD_MS)
        # Then the user presses OK while the next refresh is in flight.
        portal.faults.latency = 0.5
        count = len(started)
        qtbot.waitUntil(lambda: len(started) > count, timeout=LOAD_MS)
        dialog.interval.setValue(120)
        dialog.window_min.setValue(30)
        return ACCEPTED

    user.settings.append(edit)
    c.open_settings()
    saved = load_settings().settings
    assert (saved.poll_interval_s, saved.online_window_min) == (120, 30)
    assert dict(saved.notify) == {}, "the spent rule stays spent"
    assert saved.watched == (target,)
    qtbot.waitUntil(lambda: session.poller._interval_s == 120, timeout=LOAD_MS)
    qtbot.waitUntil(lambda: session.poller._window_s == 30 * 60, timeout=LOAD_MS)
    assert user.warnings == []


def test_a_star_while_the_tray_notice_shows_keeps_the_notice_shown(
    qtbot, user, tray, launch, make_portal
) -> None:
    portal = make_portal(users=20)
    first = launch(RunOptions(portal=portal.webhook_url))
    qtbot.waitUntil(loaded(first, 20), timeout=LOAD_MS)
    first.session.window.close()  # hides to the tray: the notice
    assert len(tray.notices) == 1
    colleague = portal.colleague_ids()[4]
    first.watchlist.toggle(colleague)  # a star from the tray's menu, the notice still up
    assert load_settings().settings.watched == (colleague,)
    assert load_state().state.tray_notice_shown
    quit_app(first)
    assert load_state().state.tray_notice_shown
    second = launch(RunOptions(portal=portal.webhook_url))
    qtbot.waitUntil(loaded(second, 20), timeout=LOAD_MS)
    second.session.window.close()
    assert len(tray.notices) == 1, "the notice is not shown again"
    assert second.watchlist.is_watched(colleague)


def test_quitting_during_a_failed_save_asks_nothing_and_keeps_the_files(
    qtbot, user, launch, make_portal, monkeypatch
) -> None:
    portal = make_portal(users=20)
    save_settings(Settings(theme="dark"))
    c = launch(RunOptions(portal=portal.webhook_url))
    qtbot.waitUntil(loaded(c, 20), timeout=LOAD_MS)
    before = settings_path().read_bytes()
    written = paths.write_atomic

    def full(*_a: Any, **_k: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths, "write_atomic", full)
    c.watchlist.toggle(portal.colleague_ids()[1])
    assert user.warnings == ["Could not save settings: No space left on device"]
    quit_app(c)  # the disk is still full: the shutdown saves again, and fails
    assert len(user.warnings) == 1, "no dialog while quitting"
    assert settings_path().read_bytes() == before
    monkeypatch.setattr(paths, "write_atomic", written)
    assert load_settings().settings.theme == "dark"


def test_the_change_that_could_not_be_saved_is_saved_at_quit(
    qtbot, user, launch, make_portal, monkeypatch
) -> None:
    portal = make_portal(users=20)
    c = launch(RunOptions(portal=portal.webhook_url))
    qtbot.waitUntil(loaded(c, 20), timeout=LOAD_MS)
    written = paths.write_atomic

    def full(*_a: Any, **_k: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths, "write_atomic", full)
    colleague = portal.colleague_ids()[1]
    c.watchlist.toggle(colleague)
    monkeypatch.setattr(paths, "write_atomic", written)  # space again
    quit_app(c)
    assert load_settings().settings.watched == (colleague,)


def test_a_corrupt_state_file_costs_no_setting(qtbot, user, launch, make_portal) -> None:
    portal = make_portal(users=20)
    save_settings(Settings(theme="dark", poll_interval_s=120, watched=(2,)))
    path = state_path()
    path.write_bytes(b'{"window_geometry": "AdnQ')  # cut short by a crash
    c = launch(RunOptions(portal=portal.webhook_url))
    qtbot.waitUntil(loaded(c, 20), timeout=LOAD_MS)
    settings = c.store.current
    assert (settings.theme, settings.poll_interval_s, settings.watched) == ("dark", 120, (2,))
    kept = list(path.parent.glob("state.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"window_geometry": "AdnQ'
    quit_app(c)
    assert json.loads(path.read_text())["quick_filter"] == "everyone", "a fresh state is saved"
    assert load_settings().settings.theme == "dark"
