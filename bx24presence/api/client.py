"""The synchronous Bitrix24 REST client: calls and batches, with retries, moves and refresh.

One session, timeouts and deadlines, typed errors and throttling; one HTTP request is
:mod:`bx24presence.api.exchange`, the reading of answers :mod:`bx24presence.api.answers`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests

from bx24presence.api.answers import (
    ApiResponse,
    BatchResult,
    Command,
    ResponseTime,
    _int_or_none,
    parse_batch,
    parse_iso,
)
from bx24presence.api.auth import Auth
from bx24presence.api.errors import (
    ApiError,
    Cancelled,
    ProtocolError,
    RateLimited,
    Reason,
    TokenExpired,
)
from bx24presence.api.exchange import Exchange, _Moved
from bx24presence.api.moves import judge_move
from bx24presence.api.query import command
from bx24presence.api.throttle import LeakyBucket, RetryPolicy
from bx24presence.api.transport import CancellableAdapter
from bx24presence.trust import default_verify

log = logging.getLogger(__name__)

#: Bitrix24 runs at most 50 commands per batch (``CRestUtil::BATCH_MAX_LENGTH``).
BATCH_MAX = 50
#: Connect and read timeouts: each bounds one wait for the network, not a whole answer.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: One HTTP request, from sending it to the last byte of the answer.
DEFAULT_REQUEST_DEADLINE_S = 60.0
#: One call with every retry and wait (a 429 wait alone may last ``RetryPolicy.max_wait``).
DEFAULT_CALL_DEADLINE_S = 150.0
#: The most an answer may hold, decompressed. The largest answer the app asks for is a batch
#: of 50 ``im.user.list.get`` commands of 50 ids with ``AVATAR_HR``: 2,500 colleagues. From
#: the demo portal that is 2.06 MB (824 bytes a colleague). A real portal's entries are
#: longer: names and positions in Cyrillic escaped as ``\uXXXX`` (6 bytes a letter), CDN
#: avatar URLs, phones; about 1.5 KB a colleague, 3.8 MB a batch. 32 MB leaves more than
#: 8 times that, and still stops a gzip bomb or an endless body a few dozen MB in.
MAX_ANSWER_BYTES = 32 * 1024 * 1024


class _Deadline(threading.local):
    """The deadline set by :meth:`Bitrix24Client.deadline` in this thread."""

    until: float | None = None
    seconds: float | None = None


class Bitrix24Client(Exchange):
    """A synchronous Bitrix24 REST client.

    Time is bounded three ways. ``timeout`` bounds each wait for the network (connecting,
    one read). ``request_deadline_s`` bounds one HTTP request from sending it to the last
    byte of the answer, and ``call_deadline_s`` one :meth:`call` with all its retries and
    waits; :meth:`deadline` bounds everything inside a ``with`` block (a whole refresh).
    A deadline that passes ends the call with :class:`TimedOut` (a :class:`NetworkError`),
    even when the portal keeps sending a byte now and then. Answers are read in chunks and
    capped at ``max_answer_bytes`` decompressed (:class:`ResponseTooLarge`).

    Redirects are never followed by ``requests``: the client follows a move only on the
    portal's own host (see :mod:`bx24presence.api.moves`), so the webhook secret never
    reaches another host.

    Args:
        auth: how to authenticate (webhook or OAuth).
        session: a ``requests.Session`` or anything with the same ``post``/``get``
            (tests may inject a fake); by default a new session.
        timeout: connect and read timeouts for every network wait.
        bucket: the client-side leaky bucket; None disables throttling.
        retry: the retry policy for transient failures.
        allow_http: accept a plain-http portal.
        on_portal_moved: called with the new base URL when the portal moved on its own host
            (a new path, or http to https) and the client followed.
        verify: TLS verification: True for the system's trust store, or the path of a CA
            bundle (a self-hosted portal with a private certificate authority); by default
            the bundle the user named (:func:`bx24presence.trust.default_verify`).
        request_deadline_s: the total time one HTTP request may take.
        call_deadline_s: the total time one call may take, retries and waits included.
        max_answer_bytes: the largest answer accepted, decompressed.
    """

    def __init__(
        self,
        auth: Auth,
        *,
        session: Any = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        bucket: LeakyBucket | None = None,
        retry: RetryPolicy | None = None,
        allow_http: bool = False,
        on_portal_moved: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
        verify: bool | str | None = None,
        request_deadline_s: float = DEFAULT_REQUEST_DEADLINE_S,
        call_deadline_s: float = DEFAULT_CALL_DEADLINE_S,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self._auth = auth
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._adapter: CancellableAdapter | None = None
        if verify is None:
            verify = default_verify()
        if isinstance(self._session, requests.Session):
            self._adapter = CancellableAdapter()
            self._session.mount("https://", self._adapter)
            self._session.mount("http://", self._adapter)
            self._session.headers["User-Agent"] = "bx24presence"
            self._session.verify = verify
        self.timeout = timeout
        self.verify = verify
        self.request_deadline_s = request_deadline_s
        self.call_deadline_s = call_deadline_s
        self.max_answer_bytes = max_answer_bytes
        self.bucket = bucket if bucket is not None else LeakyBucket()
        self.retry = retry or RetryPolicy()
        self.allow_http = allow_http
        self.on_portal_moved = on_portal_moved
        self._rng = rng or random.Random()
        self._cancel = threading.Event()
        self._deadline = _Deadline()
        self._reset_at: dict[str, float] = {}
        self._count_lock = threading.Lock()
        self.request_count = 0
        self.last_time: ResponseTime | None = None

    # -- public ------------------------------------------------------------------------------

    @property
    def auth(self) -> Auth:
        """The current authentication (it changes after a move on the portal's host)."""
        return self._auth

    @property
    def portal(self) -> str:
        """The portal's base URL (no secret)."""
        return self._auth.portal

    @contextlib.contextmanager
    def deadline(self, seconds: float | None) -> Iterator[None]:
        """Bound every call made in this thread inside the block to ``seconds`` in total.

        Nested blocks keep the earlier deadline; None adds none. When it passes, the call in
        progress ends with :class:`TimedOut`, and so does every later call in the block.
        """
        if seconds is None:
            yield
            return
        outer = (self._deadline.until, self._deadline.seconds)
        until = time.monotonic() + max(0.0, seconds)
        if outer[0] is None or until < outer[0]:
            self._deadline.until, self._deadline.seconds = until, seconds
        try:
            yield
        finally:
            self._deadline.until, self._deadline.seconds = outer

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> ApiResponse:
        """Call one REST method, retrying transient failures; raise a typed :class:`ApiError`."""
        body = self._call(method, dict(params or {}))
        return ApiResponse(
            result=body["result"],
            total=_int_or_none(body.get("total")),
            next=_int_or_none(body.get("next")),
            time=ResponseTime.parse(body.get("time")),
        )

    def batch(self, commands: Mapping[str, Command], *, halt: bool = False) -> BatchResult:
        """Run up to 50 named commands in one HTTP request.

        Per-command errors are returned in :attr:`BatchResult.errors`, typed like top-level
        errors; the HTTP request itself succeeds even when commands fail.
        """
        if len(commands) > BATCH_MAX:
            raise ValueError(f"a batch holds at most {BATCH_MAX} commands")
        cmd = {k: command(m, p) for k, (m, p) in commands.items()}
        resp = self.call("batch", {"halt": 1 if halt else 0, "cmd": cmd})
        out = parse_batch(resp.result, commands, timing=resp.time, secrets=self._auth.secrets())
        self._reset_at.update(out.reset_at)
        return out

    def batch_parts(
        self, commands: Mapping[str, Command]
    ) -> Iterator[tuple[list[str], BatchResult]]:
        """Any number of commands, 50 per HTTP request: each request's command names and
        its answer, as it arrives.

        A consumer that parses each part before asking for the next keeps one answer's
        values alive at a time, not all of them: the allocator then reuses one answer's
        short-lived blocks for the next instead of leaving them as holes between the
        long-lived ones (docs/performance.md, "The GUI thread and memory").
        """
        items = list(commands.items())
        for i in range(0, len(items), BATCH_MAX):
            part = dict(items[i : i + BATCH_MAX])
            yield list(part), self.batch(part)

    def batch_many(self, commands: Mapping[str, Command]) -> BatchResult:
        """Any number of commands, 50 per HTTP request; the answers merged into one."""
        merged = BatchResult()
        for _, part in self.batch_parts(commands):
            merged.results.update(part.results)
            merged.errors.update(part.errors)
            merged.totals.update(part.totals)
            merged.nexts.update(part.nexts)
            merged.time = part.time or merged.time
        return merged

    def cancel(self) -> None:
        """Abandon the call in progress and refuse new ones (thread-safe)."""
        self._cancel.set()
        if self._adapter is not None:
            self._adapter.abort()

    def close(self) -> None:
        """Release the HTTP session."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Bitrix24Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        until = started + self.call_deadline_s
        seconds: float | None = self.call_deadline_s
        outer = self._deadline.until
        if outer is not None and outer < until:
            until, seconds = outer, self._deadline.seconds
        attempt = 0
        moves = 0
        refreshed = False
        while True:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            if time.monotonic() >= until:
                raise self._late(method, seconds)
            try:
                return self._send(method, params, until, seconds)
            except _Moved as moved:
                moves += 1
                if moves > 3:
                    raise ProtocolError(reason=Reason.TOO_MANY_REDIRECTS, method=method) from None
                self._follow_move(moved.location, moved.url)
            except TokenExpired:
                if refreshed or not self._auth.can_refresh():
                    raise
                alarm = self._arm(min(until, time.monotonic() + self.request_deadline_s))
                try:
                    self._auth.refresh(self._session, self.timeout)
                finally:
                    if alarm is not None and alarm.disarm():
                        raise self._late(method, seconds) from None
                refreshed = True
            except ApiError as err:
                err.host = err.host or self._host()
                if not err.retryable:
                    raise
                attempt += 1
                if attempt >= self.retry.attempts:
                    err.attempts = attempt
                    raise
                delay = self.retry.delay(attempt, self._rng)
                if isinstance(err, RateLimited):
                    if err.code == "QUERY_LIMIT_EXCEEDED":
                        self.bucket.penalize()
                    elif err.code == "OPERATION_TIME_LIMIT":
                        reset_at = err.reset_at or self._reset_at.get(method.lower())
                        if reset_at:
                            delay = max(delay, reset_at - time.time())
                        if delay > self.retry.max_wait:
                            raise
                if time.monotonic() + delay >= until:
                    # No time left to wait and try again: the last failure says why.
                    err.attempts = attempt
                    raise
                log.info("%s failed (%s); retry %d in %.1f s", method, err, attempt, delay)
                self._sleep(delay)

    def _follow_move(self, location: str, url: str) -> None:
        new_portal = judge_move(
            self._auth.portal,
            location,
            request_url=url,
            allow_http=self.allow_http,
            secrets=self._auth.secrets(),
        )
        if new_portal == self._auth.portal:
            return
        log.warning("The portal moved from %s to %s", self._auth.portal, new_portal)
        self._auth = self._auth.moved_to(new_portal)
        if self.on_portal_moved is not None:
            self.on_portal_moved(new_portal)


__all__ = [
    "BATCH_MAX",
    "DEFAULT_CALL_DEADLINE_S",
    "DEFAULT_REQUEST_DEADLINE_S",
    "DEFAULT_TIMEOUT",
    "MAX_ANSWER_BYTES",
    "ApiResponse",
    "BatchResult",
    "Bitrix24Client",
    "Command",
    "ResponseTime",
    "parse_batch",
    "parse_iso",
]
