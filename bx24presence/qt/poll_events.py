"""The poller's messages to the GUI (new data, a failure) and the errors it raises itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bx24presence.api.errors import Failure, NetworkError, ProtocolError, Reason
from bx24presence.domain import Snapshot, SnapshotDiff
from bx24presence.failures import FailureKind, sentence
from bx24presence.qt.list.keys import SortKeys


@dataclass(frozen=True)
class SnapshotReady:
    """A snapshot for the GUI, with everything expensive already worked out in the worker.

    Attributes:
        snapshot: the data.
        diff: the change from the snapshot before (everything "added" for the first one).
        keys: search and sort keys for the proxy model.
        from_cache: True for the snapshot loaded from disk at start-up.
        partial: True for the first rows of the cached snapshot, sent ahead of the rest so
            the window can paint at once; the complete snapshot follows.
        baseline: True when the data stream had a gap before this one (this poller's
            first data, cached data, the first data after failures); the watcher
            (:mod:`bx24presence.watch`) makes such a snapshot a silent baseline.
    """

    snapshot: Snapshot
    diff: SnapshotDiff
    keys: SortKeys
    from_cache: bool = False
    baseline: bool = False
    partial: bool = False


@dataclass(frozen=True)
class PollFailed:
    """A refresh failed.

    Attributes:
        kind: a :class:`~bx24presence.failures.FailureKind`: ``AUTH`` (polling stops until
            the user acts), ``NETWORK``, ``TIMEOUT`` (no answer in time), ``RATE``,
            ``PROTOCOL`` (an answer that makes no sense, an empty company included) or
            ``PORTAL``.
        message: the failure in English, for the log (never holds a secret); shown only
            when there is no ``failure``.
        at: when it failed (local, aware).
        retry_in_s: when the next attempt comes, or None when polling stopped.
        since: when the failures began (the first failure in a row).
        failure: the reason and its data; :meth:`sentence` puts it into words.
    """

    kind: FailureKind | str
    message: str
    at: datetime
    retry_in_s: int | None
    since: datetime
    failure: Failure | None = None

    def sentence(self) -> str:
        """The failure in one sentence of the UI's language (call it in the GUI thread)."""
        return sentence(self.failure) if self.failure is not None else self.message


class EmptyAnswer(ProtocolError):
    """The portal listed nobody, not even the webhook's own user: a malformed answer."""

    default_reason = Reason.NO_COLLEAGUES


class DeadlineExceeded(NetworkError):
    """A refresh took longer than its deadline and was abandoned."""

    default_reason = Reason.TIMEOUT

    def __init__(self, *, deadline_s: float, host: str = "") -> None:
        super().__init__(host=host)
        self.deadline_s = deadline_s
