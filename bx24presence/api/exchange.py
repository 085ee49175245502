"""One HTTP request of the client: throttle, send in time, read the capped answer, check it.

:class:`Exchange` is the base of :class:`bx24presence.api.client.Bitrix24Client`, which sets
every attribute declared here; the retries, moves and refreshes around a request live there.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from bx24presence.api import jsonio
from bx24presence.api.answers import ResponseTime, check_answer
from bx24presence.api.auth import Auth, redact
from bx24presence.api.errors import (
    ApiError,
    Cancelled,
    NetworkError,
    ProtocolError,
    Reason,
    TimedOut,
)
from bx24presence.api.neterrors import network_error
from bx24presence.api.throttle import LeakyBucket
from bx24presence.api.transport import WATCHDOG, Alarm, CancellableAdapter, read_capped

log = logging.getLogger("bx24presence.api.client")

_REDIRECTS = (301, 302, 303, 307, 308)


class _Moved(Exception):
    def __init__(self, location: str, url: str) -> None:
        super().__init__("moved")
        self.location = location
        self.url = url


class Exchange:
    """Sends one request to the portal and checks its answer (see the module docstring)."""

    _auth: Auth
    _session: Any
    _adapter: CancellableAdapter | None
    _cancel: threading.Event
    _count_lock: threading.Lock
    _reset_at: dict[str, float]
    timeout: tuple[float, float]
    verify: bool | str
    request_deadline_s: float
    max_answer_bytes: int
    bucket: LeakyBucket
    request_count: int
    last_time: ResponseTime | None

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
        body = check_answer(method, status, body, ctype, self._auth.secrets)
        self.bucket.reward()
        t = ResponseTime.parse(body.get("time"))
        if t is not None:
            self.last_time = t
            if t.operating_reset_at:
                self._reset_at[method.lower()] = t.operating_reset_at
        return body

    def _network_error(self, exc: requests.exceptions.RequestException, method: str) -> ApiError:
        """The typed error for a failure of the network (see :mod:`bx24presence.api.neterrors`)."""
        return network_error(exc, method, self._host(), self._auth.secrets)


__all__ = ["Exchange"]
