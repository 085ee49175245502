"""A desktop (offscreen Qt, the real poller in its thread) with an office relay: it follows the
relay without a single portal request, falls back to its own portal when Redis stops or the
relay's heartbeat does, says so, and returns to the relay when it is back.

The relay polls one demo portal; the desktop's own webhook is a second demo portal with the
same company (same seed), so that every request the desktop makes is counted apart.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.throttle import RetryPolicy
from bx24presence.domain import Presence
from bx24presence.qt import poller as poller_module
from bx24presence.qt.poller import Poller, PollerThread, PollFailed, SnapshotReady
from bx24presence.qt.relayfeed import RelayMode, RelayState
from bx24presence.qt.relayindicator import RelayIndicator
from bx24presence.relay.address import ENV_REDIS_PASSWORD, portal_host
from bx24presence.relay.errors import RelayFailure
from bx24presence.relay.source import desktop_source
from bx24presence.sync import Refresher
from tests.relay.conftest import DESKTOP_PASSWORD, wait_for


class Desktop:
    """One desktop's poller thread and everything it emitted."""

    def __init__(self, thread: PollerThread, own_portal) -> None:
        self.thread = thread
        self.poller = thread.poller
        self.own_portal = own_portal
        self.snapshots: list[SnapshotReady] = []
        self.failures: list[PollFailed] = []
        self.states: list[RelayState] = []
        self.poller.snapshot_ready.connect(self.snapshots.append)
        self.poller.poll_failed.connect(self.failures.append)
        self.poller.relay.state_changed.connect(self.states.append)

    @property
    def mode(self) -> RelayMode | None:
        return self.states[-1].mode if self.states else None

    @property
    def latest(self):
        return self.snapshots[-1].snapshot if self.snapshots else None


@pytest.fixture
def start_desktop(qtbot, redis_server, keys, portal, make_portal, monkeypatch):
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    monkeypatch.setenv(ENV_REDIS_PASSWORD, DESKTOP_PASSWORD)
    desktops: list[Desktop] = []

    def start(*, probe_s: float = 0.2, fallback_delay_s: float = 0.0) -> Desktop:
        own = make_portal(users=40)  # the same company as the relay's portal (same seed)

        def refresher() -> Refresher:
            client = Bitrix24Client(
                parse_webhook_url(own.webhook_url), timeout=(1.0, 3.0), retry=RetryPolicy(1)
            )
            return Refresher(client)

        url = redis_server.url("bx24-desktop", portal=portal_host(portal.base_url))
        poller = Poller(
            refresher,
            portal=own.base_url,
            interval_s=1,
            relay=desktop_source(url, "", own.base_url),
        )
        poller.relay.probe_s = probe_s
        poller.relay.fallback_delay_s = fallback_delay_s
        desktop = Desktop(PollerThread(poller), own)
        desktops.append(desktop)
        desktop.thread.start()
        return desktop

    yield start
    for d in desktops:
        assert d.thread.stop(2000), "the poller thread must always join"


def _wait(qtbot, predicate, timeout=8000):
    qtbot.waitUntil(lambda: bool(predicate()), timeout=timeout)


def test_a_desktop_follows_the_relay_with_zero_portal_requests(
    qtbot, portal, start_relay, start_desktop
) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    desktop = start_desktop()
    _wait(qtbot, lambda: desktop.mode is RelayMode.FOLLOWING and desktop.snapshots)
    first = desktop.snapshots[0]
    assert [c.id for c in first.snapshot.colleagues] == portal.colleague_ids()
    assert first.baseline and first.snapshot.portal == desktop.own_portal.base_url
    # An offline colleague comes online on the portal: the relay's poll reaches the list.
    uid = next(c.id for c in first.snapshot.colleagues if c.presence is Presence.OFFLINE)
    portal.set_activity(uid, last_activity=portal.clock.now())
    _wait(qtbot, lambda: desktop.latest.by_id()[uid].presence is Presence.ONLINE)
    changed = next(r for r in desktop.snapshots if uid in {c.id for c in r.diff.changed})
    assert not any(r.baseline for r in desktop.snapshots[1:]), "followed, not reloaded"
    # The freshness shown is the portal data's age: when the relay fetched it.
    published = relay.service.publisher.published
    assert (
        changed.snapshot.fetched_at
        <= published.fetched_at
        < changed.snapshot.fetched_at + timedelta(seconds=5)
    )
    assert desktop.own_portal.request_count == 0, "not a single request to the portal"
    assert not desktop.failures
    # What is personal still goes through the user's own webhook.
    desktop.poller.status_requested.emit("dnd")
    _wait(qtbot, lambda: desktop.own_portal.status_log == ["dnd"])
    # The portal records a request once its answer is written: wait for the record too.
    _wait(qtbot, lambda: desktop.own_portal.log)
    assert [r.rest_method for r in desktop.own_portal.log] == ["im.user.status.set"]
    # The relay's next data keeps the status the user set (it has none of its own).
    shown = len(desktop.snapshots)
    _wait(qtbot, lambda: len(desktop.snapshots) > shown + 1)
    assert desktop.latest.own_status == "dnd"


def test_redis_stopped_the_desktop_polls_its_portal_and_returns(
    qtbot, portal, start_relay, start_desktop, redis_server
) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    desktop = start_desktop()
    _wait(qtbot, lambda: desktop.mode is RelayMode.FOLLOWING)
    assert desktop.own_portal.request_count == 0

    redis_server.stop()
    _wait(qtbot, lambda: desktop.mode is RelayMode.FALLBACK)
    assert desktop.states[-1].reason is RelayFailure.UNREACHABLE
    # Its own poll of its own portal: data with its own requests and age.
    _wait(qtbot, lambda: desktop.own_portal.request_count > 0 and desktop.latest.requests > 0)
    polled = desktop.latest
    assert [c.id for c in polled.colleagues] == portal.colleague_ids()

    redis_server.start()  # empty: the relay republishes, the desktop's probe finds it
    _wait(qtbot, lambda: desktop.mode is RelayMode.FOLLOWING, timeout=10000)
    _wait(qtbot, lambda: desktop.latest.requests == 0)
    count = desktop.own_portal.request_count
    qtbot.wait(1500)  # more than one poll interval of the desktop
    assert desktop.own_portal.request_count == count, "back on the relay: no more portal polls"
    modes = [
        m
        for i, m in enumerate(s.mode for s in desktop.states)
        if i == 0 or m is not desktop.states[i - 1].mode
    ]
    assert modes == [RelayMode.FOLLOWING, RelayMode.FALLBACK, RelayMode.FOLLOWING]


def test_the_relay_stopping_its_heartbeat_the_desktop_falls_back_and_returns(
    qtbot, start_relay, start_desktop
) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    desktop = start_desktop()
    _wait(qtbot, lambda: desktop.mode is RelayMode.FOLLOWING)
    relay.stop()
    _wait(qtbot, lambda: desktop.mode is RelayMode.FALLBACK)
    assert desktop.states[-1].reason is RelayFailure.GONE
    _wait(qtbot, lambda: desktop.own_portal.request_count > 0)
    again = start_relay()
    wait_for(lambda: again.service.polls >= 1)
    _wait(qtbot, lambda: desktop.mode is RelayMode.FOLLOWING)
    _wait(qtbot, lambda: desktop.latest.requests == 0)


def test_no_relay_at_first_the_desktop_polls_its_portal_at_once(
    qtbot, start_desktop, redis_server
) -> None:
    redis_server.stop()
    # An office falling back together spreads its first portal polls; a desktop that has
    # nothing from the relay to show does not wait.
    desktop = start_desktop(probe_s=30, fallback_delay_s=30)
    _wait(qtbot, lambda: desktop.mode is RelayMode.FALLBACK and desktop.snapshots, timeout=5000)
    assert desktop.latest.requests > 0


def test_the_status_bar_says_the_desktop_polls_the_portal_directly(qtbot) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    poller = Poller(lambda: None, portal="https://x.example", relay=lambda: None)  # type: ignore[arg-type,return-value]
    indicator = RelayIndicator.attach(window.statusBar(), poller.relay)
    assert indicator.text() == "Connecting to the office relay…"
    indicator.on_state(RelayState(RelayMode.FALLBACK, RelayFailure.GONE))
    assert indicator.text() == "Office relay unavailable, polling the portal directly"
    assert "heartbeat" in indicator.toolTip() and indicator.accessibleName()
    indicator.on_state(RelayState(RelayMode.FOLLOWING))
    assert indicator.text() == "Via the office relay" and indicator.isVisibleTo(window)
    poller.deleteLater()


def test_a_relay_whose_portal_fails_is_shown_stale_not_left(
    qtbot, portal, start_relay, start_desktop
) -> None:
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    desktop = start_desktop()
    _wait(qtbot, lambda: desktop.mode is RelayMode.FOLLOWING)
    portal.revoke()  # the relay's webhook refused: its data gets old, the relay says why
    _wait(qtbot, lambda: desktop.failures)
    failure = desktop.failures[0]
    assert failure.kind == "portal", "the relay's webhook is not the user's: no Reconnect"
    assert "office relay's webhook" in failure.message and failure.retry_in_s is None
    assert desktop.mode is RelayMode.FOLLOWING, "the relay lives: the desktop stays on it"
    assert desktop.own_portal.request_count == 0
    qtbot.wait(500)
    assert len(desktop.failures) == 1, "said once, not at every heartbeat"
