"""The poller's office-relay mode: data from the relay while it lives, the portal when not.

A :class:`RelayFeed` is a child of the :class:`~bx24presence.qt.poller.Poller` and lives
in its thread. At each tick of the poller's timer it goes first: while the relay is
followed it does one bounded blocking read (:class:`~bx24presence.relay.source.RelaySource`)
and re-arms the timer at once, so the portal is never asked; when the relay cannot be used
it falls back, and the poller's own refresh runs as without a relay (the first one after a
random delay, so that an office falling back together does not hit the portal in one
burst). A probe timer asks the relay again every few seconds and returns to it.

What stays personal goes on through the user's own webhook: setting the own status, and
the own status itself is the last one known (a relay's data has none).
"""

from __future__ import annotations

import enum
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from bx24presence.api.reasons import Failure
from bx24presence.failures import sentence
from bx24presence.relay.errors import RelayError, RelayFailure
from bx24presence.textsafe import isolate, repair, strip_bidi

if TYPE_CHECKING:
    from bx24presence.domain import Snapshot
    from bx24presence.qt.poller import Poller
    from bx24presence.relay.source import RelaySource, RelayStatus
    from bx24presence.settings import Settings

log = logging.getLogger(__name__)

#: How often a desktop that fell back asks the relay again.
PROBE_S = 5.0
#: The first portal refresh after a fallback comes after a random delay up to this share
#: of the poll interval (the data shown meanwhile is the relay's last, with its true age).
FALLBACK_SPREAD = 0.5


class RelayMode(enum.Enum):
    """Where the poller's data comes from."""

    #: No relay configured: the portal, as always.
    OFF = "off"
    #: A relay is configured and is being reached.
    CONNECTING = "connecting"
    #: The relay's data, not a single portal request.
    FOLLOWING = "following"
    #: The relay cannot be used: the portal, directly, until the relay is back.
    FALLBACK = "fallback"


@dataclass(frozen=True)
class RelayState:
    """The relay mode, for the window.

    Attributes:
        mode: where the data comes from.
        reason: why the relay is not used (FALLBACK only).
    """

    mode: RelayMode
    reason: RelayFailure | None = None


def relay_text(state: RelayState) -> str:
    """What the status bar says about the relay ("" when no relay is configured)."""
    if state.mode is RelayMode.FALLBACK:
        return QCoreApplication.translate(
            "Relay", "Office relay unavailable, polling the portal directly"
        )
    if state.mode is RelayMode.FOLLOWING:
        return QCoreApplication.translate("Relay", "Via the office relay")
    if state.mode is RelayMode.CONNECTING:
        return QCoreApplication.translate("Relay", "Connecting to the office relay…")
    return ""


def reason_text(reason: RelayFailure) -> str:
    """One translated sentence for why the relay cannot be used."""
    texts = {
        RelayFailure.BAD_ADDRESS: QCoreApplication.translate(
            "Relay", "The office relay's address cannot be used: check it in Settings."
        ),
        RelayFailure.AUTH: QCoreApplication.translate(
            "Relay", "Redis refused the office relay's user name or password."
        ),
        RelayFailure.PERMISSION: QCoreApplication.translate(
            "Relay", "The office relay's Redis user may not read this portal's data."
        ),
        RelayFailure.TLS: QCoreApplication.translate(
            "Relay", "The office relay's TLS certificate could not be verified."
        ),
        RelayFailure.UNREACHABLE: QCoreApplication.translate(
            "Relay", "The office relay (Redis) cannot be reached."
        ),
        RelayFailure.PROTOCOL: QCoreApplication.translate(
            "Relay", "The office relay's data makes no sense."
        ),
        RelayFailure.NO_DATA: QCoreApplication.translate(
            "Relay", "The office relay has published nothing for this portal yet."
        ),
        RelayFailure.GONE: QCoreApplication.translate(
            "Relay", "The office relay has stopped: its heartbeat is gone."
        ),
    }
    return texts[reason]


class RelayFeed(QObject):
    """Feeds the poller from the relay; falls back to the portal and returns by itself.

    Args:
        poller: the poller (the parent: the feed moves into its thread with it).
        factory: builds the source (in the poller's thread); None: no relay.

    Attributes (set before the poller starts, for tests):
        probe_s: how often the relay is asked again after a fallback.
        fallback_delay_s: the delay before the first portal refresh after a fallback
            (None: random, up to half the poll interval).

    Signals:
        state_changed(RelayState): the data's source changed.
        reconfigure_requested(object): a new factory, or None (emit from any thread).
    """

    state_changed = Signal(object)
    reconfigure_requested = Signal(object)

    def __init__(self, poller: Poller, factory: Callable[[], RelaySource] | None) -> None:
        super().__init__(poller)
        self._poller = poller
        self._factory = factory
        self._source: RelaySource | None = None
        self.mode = RelayMode.OFF if factory is None else RelayMode.CONNECTING
        self._reason: RelayFailure | None = None
        self._followed = False  # the relay's data was shown in this session
        self._own_status: str | None = None  # set through the user's webhook meanwhile
        poller.own_status_set.connect(self._on_poller_own_status_set)
        self.probe_s = PROBE_S
        self.fallback_delay_s: float | None = None
        self._stale_key: Any = None
        self._probe = QTimer(self)
        self._probe.setSingleShot(True)
        self._probe.timeout.connect(self._on_probe_timeout)
        self.reconfigure_requested.connect(self.reconfigure)

    # -- the poller's hooks (its thread) -----------------------------------------------------

    def tick(self) -> bool:
        """The poller's timer fired: True when the relay took this tick (no portal poll)."""
        if self.mode in (RelayMode.OFF, RelayMode.FALLBACK):
            return False
        try:
            if self.mode is RelayMode.CONNECTING:
                self._poller.poll_started.emit()
                self._follow(self._source_now().connect().snapshot)
            else:
                step = self._source_now().step()
                if step.updates:
                    self._show(step.updates[-1].snapshot)
                if step.status is not None:
                    self._on_status(step.status)
        except RelayError as exc:
            if self._source is not None and self._source.cancelled:
                return True
            self._fall_back(exc)
            return True
        self._arm(0)
        return True

    def cancel(self) -> None:
        """The app is stopping: end a blocking read at once (callable from any thread)."""
        source = self._source
        if source is not None:
            source.cancel()

    def stop(self) -> None:
        """Stop the probe and close the connection (in the poller's thread)."""
        self._probe.stop()
        self._close()

    @Slot(object)
    def reconfigure(self, factory: Callable[[], RelaySource] | None) -> None:
        """Use another relay, or none (the settings changed)."""
        self._probe.stop()
        self._close()
        self._factory = factory
        self._set_mode(RelayMode.OFF if factory is None else RelayMode.CONNECTING)
        self._poller._baseline_next = True
        self._arm(0)

    # -- internals ---------------------------------------------------------------------------

    def _source_now(self) -> RelaySource:
        if self._source is None:
            assert self._factory is not None  # noqa: S101  (not OFF)
            self._source = self._factory()
        return self._source

    def _close(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            source.close()

    def _arm(self, ms: int) -> None:
        timer = self._poller._timer
        if timer is not None and not self._poller._stopped:
            timer.start(ms)

    def _set_mode(self, mode: RelayMode, reason: RelayFailure | None = None) -> None:
        if mode is not self.mode or reason is not self._reason:
            self.mode = mode
            self._reason = reason
            self.state_changed.emit(RelayState(mode, reason))

    def _follow(self, snapshot: Snapshot) -> None:
        """The relay is (back) in use: show its data now."""
        self._followed = True
        if self.mode is not RelayMode.FOLLOWING:
            log.info("Following the office relay")
            self._probe.stop()
            self._stale_key = None
            self._set_mode(RelayMode.FOLLOWING)
            self._poller._baseline_next = True  # another source: no alerts for the switch
        self._poller._failures = 0
        self._poller._failing_since = None
        self._show(snapshot)

    def _show(self, snapshot: Snapshot) -> None:
        poller = self._poller
        previous = poller._snapshot
        # The relay's data has no own status (it is personal): keep the one known (last
        # set through the user's webhook, else polled); and it is this portal's data, filed
        # (and cached) under the portal's own name.
        own = self._own_status or (previous.own_status if previous is not None else None)
        snapshot = replace(snapshot, portal=poller._portal or snapshot.portal, own_status=own)
        diff = poller._emit(snapshot)
        poller._save(snapshot, membership_changed=bool(diff.added or diff.removed))

    def _on_poller_own_status_set(self, status: str) -> None:
        self._own_status = status

    def _fall_back(self, exc: RelayError) -> None:
        log.warning("Office relay unavailable (%s): polling the portal directly", exc)
        self._set_mode(RelayMode.FALLBACK, exc.reason)
        self._poller._baseline_next = True
        self._probe.start(round(self.probe_s * 1000))
        delay = self.fallback_delay_s
        if not self._followed:
            delay = 0.0  # nothing from the relay to show meanwhile: the portal, now
        elif delay is None:
            delay = random.uniform(0, FALLBACK_SPREAD * self._poller._interval_s)
        self._arm(round(delay * 1000))

    def _on_probe_timeout(self) -> None:
        if self.mode is not RelayMode.FALLBACK or self._poller._stopped:
            return
        try:
            update = self._source_now().connect()
        except RelayError as exc:
            log.debug("The office relay is still unavailable: %s", exc)
            self._set_mode(RelayMode.FALLBACK, exc.reason)
            self._probe.start(round(self.probe_s * 1000))
            return
        log.info("The office relay is back")
        self._follow(update.snapshot)
        self._arm(0)

    def _on_status(self, status: RelayStatus) -> None:
        """The relay's own polls of the portal: say so when they fail (its data gets old)."""
        if not status.stale:
            self._stale_key = None
            return
        key = (status.since, status.reason)
        if key == self._stale_key:
            return
        self._stale_key = key
        from bx24presence.qt.poller import PollFailed  # noqa: PLC0415  (imports this module)

        now = self._poller._clock()
        since = status.since or now - timedelta(seconds=status.data_age_s or 0)
        self._poller.poll_failed.emit(
            PollFailed(
                kind=_KINDS.get(status.reason or "", "timeout"),
                message=_relay_says(status.reason, status.message, status.failure),
                at=now,
                retry_in_s=None,
                since=since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC),
            )
        )


#: The relay's failure kinds as the window's (its webhook refused is not the user's).
_KINDS = {
    "network": "network",
    "rate": "rate",
    "protocol": "protocol",
    "portal": "portal",
    "auth": "portal",
}


def _relay_says(reason: str | None, message: str, failure: Failure | None = None) -> str:
    """The stale relay's words for the banner, in the user's language: the relay's failure
    as a translated sentence when it sent one this version knows, else its own (English)
    message, neutralised."""
    if reason == "auth":
        head = QCoreApplication.translate("Relay", "The portal refused the office relay's webhook.")
    elif reason is None:
        head = QCoreApplication.translate(
            "Relay", "The office relay has had no answer from the portal for a while."
        )
    else:
        head = QCoreApplication.translate(
            "Relay", "The office relay cannot refresh from the portal."
        )
    if failure is not None:
        message = sentence(replace(failure, said=repair(failure.said), host=repair(failure.host)))
    detail = " ".join(strip_bidi(repair(message)).split())[:300]
    return f"{head} ({isolate(detail)})" if detail else head


def relay_factory(
    settings: Settings, portal: str, *, demo: bool = False
) -> Callable[[], RelaySource] | None:
    """The source a desktop follows with these settings, or None: no relay configured, or
    the embedded demo portal (no office relay publishes it)."""
    if not settings.relay_url or demo:
        return None
    from bx24presence.relay.source import desktop_source  # noqa: PLC0415  (Redis on demand)

    return desktop_source(settings.relay_url, settings.relay_user, portal)
