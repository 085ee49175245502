"""A plain, synchronous Bitrix24 REST client: one session, timeouts, typed errors, retries,
throttling, batches, domain moves and OAuth refresh."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from bx24presence.api import jsonio
from bx24presence.api.auth import Auth, check_scheme, redact
from bx24presence.api.errors import (
    ApiError,
    AuthError,
    BadPortalUrl,
    Cancelled,
    CertificateError,
    NetworkError,
    ProtocolError,
    RateLimited,
    TokenExpired,
    error_from_envelope,
)
from bx24presence.api.query import command
from bx24presence.api.throttle import LeakyBucket, RetryPolicy
from bx24presence.api.transport import CancellableAdapter

log = logging.getLogger(__name__)

#: Bitrix24 runs at most 50 commands per batch (``CRestUtil::BATCH_MAX_LENGTH``).
BATCH_MAX = 50
DEFAULT_TIMEOUT = (5.0, 30.0)
_REDIRECTS = (301, 302, 303, 307, 308)


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 text to an aware datetime; None for ``false``, empty or malformed values."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


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
        """Tolerant parse: keys may be missing, ``start`` int or float (reference 5.3)."""
        if not isinstance(raw, dict):
            return None
        return cls(
            start=_num(raw.get("start")),
            finish=_num(raw.get("finish")),
            duration=_num(raw.get("duration")),
            date_finish=parse_iso(raw.get("date_finish")),
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

    def raise_auth_errors(self) -> None:
        """Authentication and scope failures in any command are fatal for the whole call."""
        for err in self.errors.values():
            if isinstance(err, AuthError):
                raise err


Command = tuple[str, Mapping[str, Any]]


def _as_map(value: Any, keys: list[str], what: str) -> dict[str, Any]:
    """A batch map that PHP may have encoded as ``[]`` or as a list (reference, section 4)."""
    if value is None or value == []:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        # A gapless numeric map arrives as a list: positions follow the command order.
        return {keys[i] if i < len(keys) else str(i): v for i, v in enumerate(value)}
    raise ProtocolError(f"The portal's batch answer has a malformed '{what}' map.")


class Bitrix24Client:
    """A synchronous Bitrix24 REST client.

    Args:
        auth: how to authenticate (webhook or OAuth).
        session: a ``requests.Session`` or anything with the same ``post``/``get``
            (tests may inject a fake); by default a new session.
        timeout: connect and read timeouts for every call.
        bucket: the client-side leaky bucket; None disables throttling.
        retry: the retry policy for transient failures.
        allow_http: accept a plain-http portal after a domain move.
        on_portal_moved: called with the new base URL when the portal answers 302.
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
    ) -> None:
        self._auth = auth
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._adapter: CancellableAdapter | None = None
        if isinstance(self._session, requests.Session):
            self._adapter = CancellableAdapter()
            self._session.mount("https://", self._adapter)
            self._session.mount("http://", self._adapter)
            self._session.headers["User-Agent"] = "bx24presence"
        self.timeout = timeout
        self.bucket = bucket if bucket is not None else LeakyBucket()
        self.retry = retry or RetryPolicy()
        self.allow_http = allow_http
        self.on_portal_moved = on_portal_moved
        self._rng = rng or random.Random()
        self._cancel = threading.Event()
        self._reset_at: dict[str, float] = {}
        self._count_lock = threading.Lock()
        self.request_count = 0
        self.last_time: ResponseTime | None = None

    # -- public ------------------------------------------------------------------------------

    @property
    def auth(self) -> Auth:
        """The current authentication (it changes after a domain move)."""
        return self._auth

    @property
    def portal(self) -> str:
        """The portal's base URL (no secret)."""
        return self._auth.portal

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
        keys = list(commands)
        cmd = {k: command(m, p) for k, (m, p) in commands.items()}
        resp = self.call("batch", {"halt": 1 if halt else 0, "cmd": cmd})
        raw = resp.result
        if raw == []:
            raw = {}
        if not isinstance(raw, dict):
            raise ProtocolError("The portal's batch answer is not an object.", method="batch")
        out = BatchResult(time=resp.time)
        out.results = _as_map(raw.get("result"), keys, "result")
        for k, err in _as_map(raw.get("result_error"), keys, "result_error").items():
            sub = commands[k][0] if k in commands else None
            out.errors[k] = error_from_envelope(err, status=None, method=sub)
        for k, v in _as_map(raw.get("result_total"), keys, "result_total").items():
            if (n := _int_or_none(v)) is not None:
                out.totals[k] = n
        for k, v in _as_map(raw.get("result_next"), keys, "result_next").items():
            if (n := _int_or_none(v)) is not None:
                out.nexts[k] = n
        for k, v in _as_map(raw.get("result_time"), keys, "result_time").items():
            t = ResponseTime.parse(v)
            if t and t.operating_reset_at and k in commands:
                self._reset_at[commands[k][0].lower()] = t.operating_reset_at
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

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self._cancel.wait(seconds):
            raise Cancelled("cancelled")

    def _redact(self, text: str) -> str:
        return redact(text, *self._auth.secrets())

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        moves = 0
        refreshed = False
        while True:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            try:
                return self._send(method, params)
            except _Moved as moved:
                moves += 1
                if moves > 3:
                    raise ProtocolError(
                        "The portal keeps redirecting; its address may have changed more than"
                        " once. Check the webhook address.",
                        method=method,
                    ) from None
                self._follow_move(moved.location)
            except TokenExpired:
                if refreshed or not self._auth.can_refresh():
                    raise
                self._auth.refresh(self._session, self.timeout)
                refreshed = True
            except ApiError as err:
                if not err.retryable:
                    raise
                attempt += 1
                if attempt >= self.retry.attempts:
                    err.message = f"{err.message} (gave up after {attempt} attempts)"
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
                log.info("%s failed (%s); retry %d in %.1f s", method, err, attempt, delay)
                self._sleep(delay)

    def _follow_move(self, location: str) -> None:
        parts = urlsplit(location)
        host = (parts.hostname or "").lower()
        if not host:
            raise ProtocolError("The portal redirected to an invalid address.")
        try:
            check_scheme(parts.scheme.lower(), host, allow_http=self.allow_http)
        except BadPortalUrl as exc:
            raise ProtocolError(f"The portal moved to an address that is refused: {exc}") from None
        path = parts.path
        prefix = path[: path.find("/rest/")] if "/rest/" in path else ""
        port = f":{parts.port}" if parts.port else ""
        new_portal = f"{parts.scheme.lower()}://{host}{port}{prefix}"
        if new_portal == self._auth.portal:
            return
        log.warning("The portal moved from %s to %s", self._auth.portal, new_portal)
        self._auth = self._auth.moved_to(new_portal)
        if self.on_portal_moved is not None:
            self.on_portal_moved(new_portal)

    def _send(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """One HTTP request: throttle, POST as JSON, check status and shape."""
        self._sleep(self.bucket.reserve())
        url = self._auth.url_for(method)
        started = time.monotonic()
        with self._count_lock:
            self.request_count += 1
        try:
            resp = self._session.post(
                url,
                json=params,
                headers=self._auth.headers(),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            if self._cancel.is_set():
                raise Cancelled("cancelled") from None
            raise self._network_error(exc, method) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        try:
            status = resp.status_code
            log.debug("POST %s %s -> %s in %.0f ms", self._redact(url), method, status, elapsed_ms)
            if status in _REDIRECTS and resp.headers.get("Location"):
                raise _Moved(resp.headers["Location"])
            try:
                body = jsonio.loads_bytes(resp.content)
            except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
                body = None
            ctype = resp.headers.get("Content-Type", "")
        except requests.exceptions.RequestException as exc:
            if self._cancel.is_set():
                raise Cancelled("cancelled") from None
            raise self._network_error(exc, method) from None
        finally:
            resp.close()
        return self._check(method, status, body, ctype)

    def _check(self, method: str, status: int, body: Any, ctype: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            kind = "an HTML page" if "html" in ctype.lower() else "something that is not JSON"
            hint = " (a proxy or maintenance page: the portal may be down)" if status >= 500 else ""
            raise ProtocolError(
                f"The portal answered {method} with {kind}, HTTP {status}{hint}.",
                retryable=status >= 500 or status == 429,
                status=status,
                method=method,
            )
        if "error" in body and (status >= 400 or "result" not in body):
            raise error_from_envelope(body, status=status, method=method)
        if status >= 400:
            raise ProtocolError(
                f"The portal answered {method} with HTTP {status} and no error code.",
                retryable=status >= 500,
                status=status,
                method=method,
            )
        if "result" not in body:
            raise ProtocolError(
                f"The portal's answer to {method} has no 'result'.", status=status, method=method
            )
        self.bucket.reward()
        t = ResponseTime.parse(body.get("time"))
        if t is not None:
            self.last_time = t
            if t.operating_reset_at:
                self._reset_at[method.lower()] = t.operating_reset_at
        return body

    def _network_error(self, exc: requests.exceptions.RequestException, method: str) -> ApiError:
        host = urlsplit(self._auth.portal).hostname or "the portal"
        text = self._redact(str(exc))
        if isinstance(exc, requests.exceptions.SSLError):
            return CertificateError(
                f"The certificate of {host} is not trusted; the connection was refused."
                " (If the portal uses a private certificate authority, install it in the"
                " system's trust store.)",
                method=method,
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return NetworkError(f"{host} did not answer in time.", method=method)
        low = text.lower()
        if any(
            s in low
            for s in (
                "name or service not known",
                "nodename nor servname",
                "getaddrinfo failed",
                "temporary failure in name resolution",
                "no address associated",
            )
        ):
            return NetworkError(
                f"The host {host} could not be found: check the address and the network.",
                method=method,
            )
        if "refused" in low:
            return NetworkError(f"{host} refused the connection.", method=method)
        if "remotedisconnected" in low or "reset" in low or "aborted" in low:
            return NetworkError(f"{host} closed the connection without answering.", method=method)
        return NetworkError(f"Could not reach {host}: {text}", method=method)


class _Moved(Exception):
    def __init__(self, location: str) -> None:
        super().__init__("moved")
        self.location = location


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


__all__ = [
    "BATCH_MAX",
    "ApiResponse",
    "BatchResult",
    "Bitrix24Client",
    "Command",
    "ResponseTime",
    "parse_iso",
]
