"""A plain, synchronous Bitrix24 REST client: one session, timeouts and deadlines, size caps,
typed errors, retries, throttling, batches, domain moves and OAuth refresh."""

from __future__ import annotations

import contextlib
import http.client
import logging
import math
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from bx24presence.api import jsonio
from bx24presence.api.auth import Auth, redact
from bx24presence.api.errors import (
    ApiError,
    AuthError,
    Cancelled,
    CertificateError,
    NetworkError,
    ProtocolError,
    RateLimited,
    Reason,
    TimedOut,
    TokenExpired,
    error_from_envelope,
    malformed,
    portal_text,
)
from bx24presence.api.moves import judge_move
from bx24presence.api.query import command
from bx24presence.api.throttle import LeakyBucket, RetryPolicy
from bx24presence.api.transport import WATCHDOG, Alarm, CancellableAdapter, read_capped
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
_REDIRECTS = (301, 302, 303, 307, 308)
#: Times outside these years are not times a portal means (``0000-00-00``, hostile values);
#: the bounds also keep every later datetime sum or difference in range.
_YEARS = (1900, 2999)


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 text to a datetime; None for ``false``, empty, malformed or absurd values.

    The result is naive when the text has no offset: the caller decides which offset such a
    time means (see :meth:`ResponseTime.parse` and ``parse.parse_user``).
    """
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if _YEARS[0] <= dt.year <= _YEARS[1] else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and len(value) < 64:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class ResponseTime:
    """The ``time`` block of a successful response (absent from errors)."""

    start: float | None = None
    finish: float | None = None
    duration: float | None = None
    date_finish: datetime | None = None
    operating_reset_at: float | None = None
    operating: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> ResponseTime | None:
        """Tolerant parse: keys may be missing, ``start`` int or float (docs/bitrix24-api.md §5.3).

        ``date_finish`` is always aware: a portal sends it with its offset; one without is
        taken as UTC (the ``time`` block's Unix times are UTC too).
        """
        if not isinstance(raw, dict):
            return None
        date_finish = parse_iso(raw.get("date_finish"))
        if date_finish is not None and date_finish.tzinfo is None:
            date_finish = date_finish.replace(tzinfo=UTC)
        return cls(
            start=_num(raw.get("start")),
            finish=_num(raw.get("finish")),
            duration=_num(raw.get("duration")),
            date_finish=date_finish,
            operating_reset_at=_num(raw.get("operating_reset_at")),
            operating=_num(raw.get("operating")),
        )


@dataclass(frozen=True)
class ApiResponse:
    """A successful call: ``result`` plus the list paging keys and the ``time`` block."""

    result: Any
    total: int | None = None
    next: int | None = None
    time: ResponseTime | None = None


@dataclass
class BatchResult:
    """The five maps of a ``batch`` answer, keyed by command name, with typed errors."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, ApiError] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    time: ResponseTime | None = None
    #: ``operating_reset_at`` of methods near their time limit, by lower-case method name.
    reset_at: dict[str, float] = field(default_factory=dict)

    def raise_auth_errors(self) -> None:
        """Authentication and scope failures in any command are fatal for the whole call."""
        for err in self.errors.values():
            if isinstance(err, AuthError):
                raise err


Command = tuple[str, Mapping[str, Any]]


def _as_map(value: Any, keys: list[str], what: str) -> dict[str, Any]:
    """A batch map that PHP may have encoded as ``[]`` or as a list (docs/bitrix24-api.md §4)."""
    if value is None or value == []:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        # A gapless numeric map arrives as a list: positions follow the command order.
        return {keys[i] if i < len(keys) else str(i): v for i, v in enumerate(value)}
    raise malformed(f"the batch answer has a malformed '{what}' map", method="batch")


def parse_batch(
    raw: Any,
    commands: Mapping[str, Command],
    *,
    timing: ResponseTime | None = None,
    secrets: tuple[str, ...] = (),
) -> BatchResult:
    """The ``result`` of a ``batch`` answer to a :class:`BatchResult`.

    Raises :class:`ProtocolError` when it is not a batch answer, or when it answers none of
    the commands (a portal answers every command with a result or an error).
    """
    if raw == []:
        raw = {}
    if not isinstance(raw, dict):
        raise malformed("the batch answer is not an object", method="batch")
    keys = list(commands)
    out = BatchResult(time=timing)
    out.results = _as_map(raw.get("result"), keys, "result")
    for k, err in _as_map(raw.get("result_error"), keys, "result_error").items():
        sub = commands[k][0] if k in commands else None
        out.errors[k] = error_from_envelope(err, status=None, method=sub, secrets=secrets)
    for k, v in _as_map(raw.get("result_total"), keys, "result_total").items():
        if (n := _int_or_none(v)) is not None:
            out.totals[k] = n
    for k, v in _as_map(raw.get("result_next"), keys, "result_next").items():
        if (n := _int_or_none(v)) is not None:
            out.nexts[k] = n
    for k, v in _as_map(raw.get("result_time"), keys, "result_time").items():
        t = ResponseTime.parse(v)
        if t is not None and t.operating_reset_at and k in commands:
            out.reset_at[commands[k][0].lower()] = t.operating_reset_at
    if commands and not any(k in out.results or k in out.errors for k in commands):
        raise malformed("the batch answer holds no results at all", method="batch")
    return out


class _Deadline(threading.local):
    """The deadline set by :meth:`Bitrix24Client.deadline` in this thread."""

    until: float | None = None
    seconds: float | None = None


class Bitrix24Client:
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

    def batch_many(self, commands: Mapping[str, Command]) -> BatchResult:
        """Any number of commands, 50 per HTTP request; the answers merged into one."""
        merged = BatchResult()
        items = list(commands.items())
        for i in range(0, len(items), BATCH_MAX):
            part = self.batch(dict(items[i : i + BATCH_MAX]))
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

    def _host(self) -> str:
        return urlsplit(self._auth.portal).hostname or ""

    def _late(self, method: str, seconds: float | None) -> TimedOut:
        return TimedOut(deadline_s=seconds, method=method, host=self._host())

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self._cancel.wait(seconds):
            raise Cancelled("cancelled")

    def _redact(self, text: str) -> str:
        return redact(text, *self._auth.secrets())

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

    def _arm(self, when: float) -> Alarm | None:
        """Shut this thread's connection when ``when`` passes (unblocks any read)."""
        if self._adapter is None:
            return None
        adapter, ident = self._adapter, threading.get_ident()
        return WATCHDOG.arm(when, lambda: adapter.abort_thread(ident))

    def _send(
        self, method: str, params: dict[str, Any], until: float, seconds: float | None
    ) -> dict[str, Any]:
        """One HTTP request: throttle, POST as JSON, read the capped answer, check it."""
        wait = self.bucket.reserve()
        if time.monotonic() + wait >= until:
            raise self._late(method, seconds)
        self._sleep(wait)
        url = self._auth.url_for(method)
        started = time.monotonic()
        request_until = min(until, started + self.request_deadline_s)
        late_s = seconds if request_until >= until else self.request_deadline_s
        left = max(0.01, request_until - started)
        timeout = (min(self.timeout[0], left), min(self.timeout[1], left))
        with self._count_lock:
            self.request_count += 1
        alarm = self._arm(request_until)

        def failed(exc: Exception) -> ApiError | Cancelled:
            if self._cancel.is_set():
                return Cancelled("cancelled")
            if (alarm is not None and alarm.fired) or time.monotonic() >= request_until:
                return self._late(method, late_s)
            if isinstance(exc, requests.exceptions.RequestException):
                return self._network_error(exc, method)
            return NetworkError(reason=Reason.DROPPED, method=method, host=self._host())

        try:
            try:
                resp = self._session.post(
                    url,
                    json=params,
                    headers=self._auth.headers(),
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                    verify=self.verify,
                )
            except (requests.exceptions.RequestException, OSError) as exc:
                raise failed(exc) from None
            except ValueError:
                # requests parses a redirect's Location even when it does not follow it.
                raise ProtocolError(reason=Reason.REDIRECT_MALFORMED, method=method) from None
            try:
                status = resp.status_code
                location = resp.headers.get("Location")
                ctype = str(resp.headers.get("Content-Type", ""))
                if status in _REDIRECTS and location:
                    raise _Moved(location, url)
                data = read_capped(
                    resp,
                    self.max_answer_bytes,
                    until=request_until,
                    on_late=lambda: self._late(method, late_s),
                )
            except (requests.exceptions.RequestException, OSError) as exc:
                raise failed(exc) from None
            finally:
                resp.close()
        finally:
            if alarm is not None and alarm.disarm():
                # The deadline shut the connection: whatever the read saw is not the answer.
                raise self._late(method, late_s) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug(
            "POST %s %s -> %s, %d bytes in %.0f ms",
            self._redact(url),
            method,
            status,
            len(data),
            elapsed_ms,
        )
        try:
            body = jsonio.decode_answer(data)
        except ValueError:  # malformed JSON, not UTF-8, too deep
            body = None
        del data
        return self._check(method, status, body, ctype)

    def _check(self, method: str, status: int, body: Any, ctype: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            # The Content-Type header is data: an HTML page comes from a proxy or a login page.
            html = "html" in ctype.lower()
            raise ProtocolError(
                reason=Reason.HTML_PAGE if html else Reason.NOT_JSON,
                retryable=status >= 500 or status == 429,
                status=status,
                method=method,
            )
        if "error" in body and (status >= 400 or "result" not in body):
            raise error_from_envelope(
                body, status=status, method=method, secrets=self._auth.secrets()
            )
        if status >= 400:
            raise ProtocolError(
                reason=Reason.HTTP_STATUS, retryable=status >= 500, status=status, method=method
            )
        if "result" not in body:
            raise malformed(f"the answer to {method} has no 'result'", status=status, method=method)
        self.bucket.reward()
        t = ResponseTime.parse(body.get("time"))
        if t is not None:
            self.last_time = t
            if t.operating_reset_at:
                self._reset_at[method.lower()] = t.operating_reset_at
        return body

    def _network_error(self, exc: requests.exceptions.RequestException, method: str) -> ApiError:
        """The typed error for a failure of the network, by the types of the exceptions
        ``requests`` wraps (never by their words, which vary by platform and version)."""
        host = self._host()
        kw: dict[str, Any] = {"method": method, "host": host}
        causes = list(_causes(exc))
        if isinstance(exc, requests.exceptions.SSLError):
            plain = any(
                isinstance(c, ssl.SSLError)
                and not isinstance(c, ssl.SSLCertVerificationError)
                and getattr(c, "reason", None) in _NOT_TLS
                for c in causes
            )
            return CertificateError(reason=Reason.NOT_TLS if plain else Reason.CERTIFICATE, **kw)
        if isinstance(exc, requests.exceptions.Timeout):
            return TimedOut(**kw)
        detail = portal_text(str(exc), self._auth.secrets())
        if any(isinstance(c, socket.gaierror) for c in causes):
            return NetworkError(reason=Reason.HOST_NOT_FOUND, **kw)
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return NetworkError(reason=Reason.REFUSED, **kw)
        if any(isinstance(c, _DROPPED) for c in causes):
            return NetworkError(reason=Reason.DROPPED, **kw)
        return NetworkError(reason=Reason.UNREACHABLE, detail=detail, **kw)


#: OpenSSL's reasons when what answered an https address does not speak TLS (a plain-http
#: server: its answer is read as a TLS record of a wrong version).
_NOT_TLS = frozenset(
    {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE"}
)
#: A connection that ended without an answer.
_DROPPED = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    urllib3.exceptions.ProtocolError,
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps (``requests`` and ``urllib3`` nest them in their
    arguments and ``reason``), depth and count bounded."""
    todo: list[BaseException] = [exc]
    seen: set[int] = set()
    while todo and len(seen) < 32:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        nested = [*e.args, getattr(e, "reason", None), e.__cause__, e.__context__]
        todo.extend(n for n in nested if isinstance(n, BaseException))


class _Moved(Exception):
    def __init__(self, location: str, url: str) -> None:
        super().__init__("moved")
        self.location = location
        self.url = url


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(text)
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


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
