"""A desktop's view of the office relay: follow it, and say when to fall back (Qt-free).

:class:`RelaySource` loads the relay's snapshot once, then follows its stream of diffs with
a blocking read bounded in time, and reads the heartbeat about once per relay period. It
raises :class:`RelayError` when the desktop must poll the portal itself: Redis cannot be
reached (``UNREACHABLE``), the heartbeat is gone or older than two periods (``GONE``), the
relay has published nothing (``NO_DATA``), or the credentials, certificate or data are
refused. After such a failure :meth:`RelaySource.connect` is the probe: it comes back by
catching up from the last entry when few versions were missed, else by one reload.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from bx24presence.api.auth import is_loopback_host
from bx24presence.api.reasons import Failure
from bx24presence.domain import SnapshotDiff
from bx24presence.relay import codec
from bx24presence.relay.address import connect, parse_relay_url, portal_host, redis_password
from bx24presence.relay.errors import RelayError, RelayFailure
from bx24presence.relay.reader import RelayFollower, RelayReader, RelayUpdate

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: The longest blocking read: a desktop's worker thread answers other requests (and a stop)
#: between reads; an entry that arrives ends the read at once, so this costs no latency.
DEFAULT_BLOCK_MS = 1000
#: The relay is gone when its last heartbeat is older than this many of its periods (it
#: writes one every period; the key itself expires after three).
GONE_AFTER_PERIODS = 2
#: A desktop's Redis timeouts: short, so that stopping the app never waits on a dead server.
CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 4.0
#: Catch up by diffs after a fallback only when at most this many versions were missed;
#: more would cost more to decode than one reload of the snapshot.
MAX_CATCH_UP = 20
#: Bounds on the heartbeat check period, whatever the relay's period says.
CHECK_MIN_S = 0.05
CHECK_MAX_S = 5.0


@dataclass(frozen=True)
class RelayStatus:
    """What the relay says about its own polls of the portal (from its heartbeat).

    Attributes:
        stale: the relay's polls fail, or its data is older than two intervals.
        since: when the relay's failures began (None when unknown or not failing).
        reason: the relay's failure kind (``network``, ``timeout``, ``auth``, ``rate``,
            ``protocol``, ``portal``), None when only the data's age makes it stale.
        message: the relay's English sentence about the failure (untrusted text, capped).
        failure: the failure as a value, when the relay sent one this desktop understands
            (then the desktop says it in its own language).
        data_age_s: how old the portal's data is now, by the relay's account.
    """

    stale: bool
    since: datetime | None
    reason: str | None
    message: str
    data_age_s: float | None
    failure: Failure | None = None


@dataclass(frozen=True)
class RelayStep:
    """What one :meth:`RelaySource.step` brought.

    Attributes:
        updates: new data, oldest first (usually none or one).
        status: the relay's status when the heartbeat was read in this step, else None.
    """

    updates: tuple[RelayUpdate, ...]
    status: RelayStatus | None = None


def _status(beat: codec.Heartbeat) -> RelayStatus:
    return RelayStatus(
        stale=beat.is_stale,
        since=beat.since,
        reason=beat.reason,
        message=beat.message,
        data_age_s=beat.current_data_age_s,
        failure=beat.failure,
    )


class RelaySource:
    """Follows one relay for one desktop. Not thread-safe, except :meth:`cancel`.

    Args:
        open_reader: builds the reader (called on first use, in the caller's thread); may
            raise :class:`RelayError` (``BAD_ADDRESS`` for a bad address).
        block_ms: the longest blocking read of the stream.
        clock: monotonic seconds (injectable).
    """

    def __init__(
        self,
        open_reader: Callable[[], RelayReader],
        *,
        block_ms: int = DEFAULT_BLOCK_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_reader = open_reader
        self.block_ms = block_ms
        self._clock = clock
        self._reader: RelayReader | None = None
        self._follower: RelayFollower | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()  # the reader, between the worker and cancel()
        self._period_s = 1.0
        self._next_check = 0.0
        #: The relay's status at the last heartbeat read (None before the first).
        self.status: RelayStatus | None = None

    # -- the worker's side -------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The relay version held (0 before the first load)."""
        return self._follower.version if self._follower is not None else 0

    @property
    def reloads(self) -> int:
        """Snapshot loads so far (the first one included)."""
        return self._follower.reloads if self._follower is not None else 0

    def connect(self) -> RelayUpdate:
        """Start following, or come back after a failure: the whole directory now.

        Checks the heartbeat first (a dead relay's leftover snapshot is not followed), then
        loads the snapshot; holding one already, catches up from its entry instead when few
        versions were missed (diffs, or one reload when the chain broke).

        Raises:
            RelayError: the relay cannot be used (the desktop polls the portal).
        """
        reader = self._reader_now()
        beat = self._check(reader)
        follower = self._follower
        if follower is None or follower.snapshot is None or follower.reader is not reader:
            follower = self._follower = RelayFollower(reader)
            return self._guard(follower.start)
        if beat.version - follower.version > MAX_CATCH_UP or beat.version < follower.version:
            return self._guard(follower.start)
        updates = self._guard(lambda: follower.poll(0))
        snapshot = follower.snapshot
        assert snapshot is not None  # noqa: S101  (start() or poll() set it)
        reloaded = any(u.reloaded for u in updates)
        return RelayUpdate(snapshot, SnapshotDiff(), reloaded=reloaded, version=follower.version)

    def step(self) -> RelayStep:
        """Wait up to ``block_ms`` for entries, apply them, and read the heartbeat when due.

        Raises:
            RelayError: the relay cannot be used any more (the desktop falls back).
        """
        follower = self._follower
        if follower is None or follower.snapshot is None:
            return RelayStep((self.connect(),))
        block = int(min(self.block_ms, max(CHECK_MIN_S, self._period_s) * 1000))
        updates = tuple(self._guard(lambda: follower.poll(block)))
        status = None
        if self._clock() >= self._next_check:
            self._check(self._reader_now())
            status = self.status
        return RelayStep(updates, status)

    def close(self) -> None:
        """Close the connection (the held snapshot is forgotten)."""
        with self._lock:
            reader, self._reader = self._reader, None
        self._follower = None
        if reader is not None:
            reader.close()

    # -- any thread --------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop for good: a blocking read in flight ends at once (callable from any thread)."""
        self._cancelled.set()
        with self._lock:
            reader = self._reader
        if reader is not None:
            try:
                # Shuts the sockets down: a read blocked in another thread returns.
                reader.redis.connection_pool.disconnect()
            except Exception:  # closing never matters enough to fail
                log.debug("Closing the relay's connections failed", exc_info=True)

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    # -- internals ---------------------------------------------------------------------------

    def _reader_now(self) -> RelayReader:
        if self._cancelled.is_set():
            raise RelayError(RelayFailure.UNREACHABLE, "stopping")
        with self._lock:
            reader = self._reader
        if reader is None:
            reader = self._open_reader()
            with self._lock:
                self._reader = reader
            if self._cancelled.is_set():
                self.cancel()
        return reader

    def _guard(self, work: Callable[[], _T]) -> _T:
        """Run a Redis read, once more at once if the connection was lost (a pooled one may
        be stale after a Redis restart); a protocol error forgets the snapshot held."""
        try:
            return work()
        except RelayError as exc:
            if self._cancelled.is_set():
                raise
            if exc.reason is RelayFailure.PROTOCOL:
                self._follower = None
                raise
            if exc.reason is not RelayFailure.UNREACHABLE:
                raise
        return work()

    def _check(self, reader: RelayReader) -> codec.Heartbeat:
        beat = self._guard(reader.heartbeat)
        if beat is None:
            raise RelayError(RelayFailure.GONE, "no heartbeat")
        self._period_s = min(max(beat.period_s, CHECK_MIN_S), CHECK_MAX_S)
        if beat.age_s > GONE_AFTER_PERIODS * beat.period_s:
            raise RelayError(
                RelayFailure.GONE,
                f"the last heartbeat is {beat.age_s:.1f} s old (the relay writes one every"
                f" {beat.period_s:g} s)",
            )
        self._next_check = self._clock() + self._period_s
        self.status = _status(beat)
        return beat


def open_desktop_reader(relay_url: str, user: str, portal: str) -> RelayReader:
    """A reader for a desktop: its saved address and user, the password from the
    environment or the keyring, and the namespace of its own portal (unless the address
    names one with ``portal=``).

    Raises:
        RelayError: ``BAD_ADDRESS`` when the address or the portal cannot be used.
    """
    address = parse_relay_url(relay_url)
    if user:
        address = replace(address, username=user)
    keys = address.keys(address.portal or portal_host(portal))
    redis = connect(
        address,
        redis_password(address),
        command_timeout_s=COMMAND_TIMEOUT_S,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        retries=0,
        client_name="bx24presence-desktop",
    )
    return RelayReader(redis, keys)


def desktop_source(relay_url: str, user: str, portal: str) -> Callable[[], RelaySource]:
    """A factory of the source a desktop follows (the connection is made on first use)."""

    def make() -> RelaySource:
        return RelaySource(lambda: open_desktop_reader(relay_url, user, portal))

    return make


class AddressProblem(enum.Enum):
    """Why a relay address typed by a person cannot be saved."""

    #: Not ``redis://`` or ``rediss://``.
    SCHEME = "scheme"
    #: No host name.
    NO_HOST = "no-host"
    #: A password in the address (it belongs in the keyring; settings are plain text).
    PASSWORD = "password"  # noqa: S105  (a reason's name, not a secret)
    #: Plain ``redis://`` to another computer: the directory would travel unencrypted.
    PLAIN = "plain"
    #: The ``ca=`` file does not exist.
    NO_CA_FILE = "no-ca-file"
    #: Anything else the address parser refuses (database, options, portal, prefix).
    INVALID = "invalid"


def address_problem(text: str) -> AddressProblem | None:
    """What is wrong with a desktop's relay address, or None ("" is fine: no relay)."""
    text = text.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        _ = parts.port
    except ValueError:
        return AddressProblem.INVALID
    if parts.scheme.lower() not in ("redis", "rediss"):
        return AddressProblem.SCHEME
    if not parts.hostname:
        return AddressProblem.NO_HOST
    if parts.password is not None:
        return AddressProblem.PASSWORD
    if parts.scheme.lower() == "redis" and not is_loopback_host(parts.hostname):
        return AddressProblem.PLAIN
    try:
        address = parse_relay_url(text)
    except RelayError:
        return AddressProblem.INVALID
    if address.ca_file is not None and not Path(address.ca_file).is_file():
        return AddressProblem.NO_CA_FILE
    return None
