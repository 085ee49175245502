"""The demo portal's front door: routes, authentication, rate limit, faults and request log."""

from __future__ import annotations

import hmac
import json
import re
import ssl
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from bx24presence.demo.avatars import BLANK_GIF, AvatarCache
from bx24presence.demo.calls import CallContext, insufficient_scope
from bx24presence.demo.envelope import (
    RestError,
    Timing,
    encode,
    method_not_found,
    success_body,
)
from bx24presence.demo.httpd import HttpServer, Request, Response
from bx24presence.demo.limits import FaultInjector, LeakyBucket, RateLimit
from bx24presence.demo.methods import build_dispatcher
from bx24presence.demo.oauth import TokenCheck, TokenStore, token_endpoint
from bx24presence.demo.phpquery import parse_str
from bx24presence.demo.state import PortalState
from bx24presence.demo.userformat import BLANK_GIF_PATH

_AVATAR = re.compile(
    r"^/upload/(?:resize_cache/main/(?P<h1>[0-9a-f]{3})/200_200_2|main/(?P<h2>[0-9a-f]{3}))"
    r"/(?P<id>\d+)\.png$"
)
_HTML = "text/html; charset=utf-8"
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_MAINTENANCE_503 = (
    b"<!DOCTYPE html><html><head><title>Service Temporarily Unavailable</title></head>"
    b"<body><h1>The portal is being updated</h1><p>Please try again in a few minutes.</p>"
    b"</body></html>"
)
_NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body>404 Not Found</body></html>"


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One HTTP request in the portal's log.

    ``path`` has the webhook secret replaced by ``***`` and no query string (tokens may
    travel there). ``status`` is 0 when the connection was dropped without an answer.
    ``at`` is the demo clock's time when the answer was ready. ``bytes_in`` and ``bytes_out``
    count the request's and the answer's bodies (what the benchmarks compare; headers are
    a few hundred bytes either way).
    """

    http_method: str
    path: str
    rest_method: str | None
    status: int
    duration_s: float
    client: str
    at: datetime
    bytes_in: int = 0
    bytes_out: int = 0


def json_response(status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """A JSON answer."""
    return Response(status, encode(body), headers=headers)


def error_response(error: RestError) -> Response:
    """An error answer: no ``time`` object (docs/bitrix24-api.md §5.3)."""
    return json_response(error.status, error.body())


_FAULTS: dict[str, Response] = {
    "500": error_response(RestError(500, "INTERNAL_SERVER_ERROR", "Internal server error")),
    "502-html": Response(502, _NGINX_502, _HTML),
    "503-html": Response(503, _MAINTENANCE_503, _HTML),
    "503-limit": error_response(RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")),
    "429": error_response(
        RestError(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.")
    ),
    "access-denied": error_response(
        RestError(401, "ACCESS_DENIED", "REST is available only on commercial plans")
    ),
    "insufficient-scope": error_response(insufficient_scope("im", "webhook")),
    "not-json": Response(200, b"<html><body>Bitrix24 is being updated</body></html>", _HTML),
}


class PortalServer:
    """Answers every HTTP request of the demo portal and records it."""

    def __init__(
        self,
        state: PortalState,
        *,
        host: str,
        port: int,
        secret: str,
        rate_limit: RateLimit | None,
        faults: FaultInjector,
        tokens: TokenStore,
        on_request: Callable[[RequestRecord], None] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """Prepare; :meth:`start` binds the socket and begins serving (HTTPS with ``tls``)."""
        self.state = state
        self.faults = faults
        self.tokens = tokens
        self.dispatcher = build_dispatcher()
        self.secret = secret
        self.revoked = False
        self._bucket = LeakyBucket(rate_limit) if rate_limit is not None else None
        self._on_request = on_request
        self._avatars = AvatarCache()
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http: HttpServer | None = None
        self._bind = (host, port)
        self._host = host
        self._old_hosts: set[str] = set()
        self._tls = tls

    # Public state ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port; the portal must have been started."""
        if self._http is None:
            raise RuntimeError("the demo portal is not started")
        return self._http.port

    @property
    def host(self) -> str:
        """The host name the portal currently answers to."""
        return self._host

    @property
    def base_url(self) -> str:
        """``http://host:port`` (``https://`` with TLS) of the current host."""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{self._host}:{self.port}"

    @property
    def log(self) -> list[RequestRecord]:
        """A copy of the request log."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        """Forget the logged requests."""
        with self._lock:
            self._log.clear()

    def move_to_host(self, host: str) -> None:
        """The portal's domain changes: the old host answers 302 to the new one (§6.5)."""
        with self._lock:
            self._old_hosts.add(self._host)
            self._old_hosts.discard(host)
            self._host = host
        self.state.base_url = self.base_url

    def start(self) -> None:
        """Bind (port 0 picks a free port) and serve in the background."""
        if self._http is not None:
            raise RuntimeError("the demo portal is already started")
        self._http = HttpServer(*self._bind, self._handle, self._tls)
        self.state.base_url = self.base_url
        self._http.start()

    def stop(self) -> None:
        """Wake sleeping requests, close connections and stop within about a second."""
        self._stopping.set()
        if self._http is not None:
            self._http.stop()

    # Requests ----------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response | None:
        began = time.perf_counter()
        rest_method: str | None = None
        response: Response | None
        try:
            response, rest_method = self._route(request)
        except Exception:
            traceback.print_exc()
            response = error_response(RestError(500, "INTERNAL_SERVER_ERROR", "Internal error"))
        record = RequestRecord(
            http_method=request.method,
            path=self._masked(request.path),
            rest_method=rest_method,
            status=0 if response is None else response.status,
            duration_s=time.perf_counter() - began,
            client=request.client,
            at=self.state.clock.now(),
            bytes_in=len(request.body),
            bytes_out=0 if response is None else len(response.body),
        )
        with self._lock:
            self._log.append(record)
        if self._on_request is not None:
            try:
                self._on_request(record)
            except Exception:  # A broken observer must not break the portal.
                traceback.print_exc()
        return response

    def _route(self, request: Request) -> tuple[Response | None, str | None]:
        with self._lock:
            moved = request.host in self._old_hosts
        if moved:
            location = self.base_url + request.path + (f"?{request.query}" if request.query else "")
            return Response(302, b"", _HTML, (("Location", location),)), None
        path = request.path
        if path.startswith("/rest/"):
            return self._rest(request)
        if path.rstrip("/") == "/oauth/token":
            return self._oauth(request), None
        if path == BLANK_GIF_PATH:
            return Response(200, BLANK_GIF, "image/gif"), None
        avatar = _AVATAR.match(path)
        if avatar:
            return self._avatar(avatar), None
        return Response(404, _NOT_FOUND, _HTML), None

    def _rest(self, request: Request) -> tuple[Response | None, str | None]:
        parts = request.path[len("/rest/") :].split("/")
        webhook = len(parts) == 3
        name = parts[-1] if len(parts) in (1, 3) else ""
        method = unquote(name).lower().removesuffix(".json")
        if self._bucket is not None and not self._bucket.admit(request.client):
            # The cloud's leaky bucket, per client IP; a batch is one request (§5.1).
            error = RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
            return error_response(error), method
        fault = self.faults.take(method)
        if fault == "drop":
            return None, method
        if fault == "hang" and self._stopping.wait(self.faults.hang_s):
            return None, method
        if fault == "slow" and self._stopping.wait(self.faults.slow_s):
            return None, method
        if fault in _FAULTS:
            return _FAULTS[fault], method
        latency = self.faults.latency
        if latency and self._stopping.wait(latency):
            return None, method
        # The method is looked up before authentication (docs/bitrix24-api.md §6.3).
        if not self.dispatcher.exists(method):
            return error_response(method_not_found()), method
        params = _params(request)
        try:
            if webhook:
                caller, kind = self._webhook_user(parts[0], parts[1]), "webhook"
            else:
                caller, kind = self._oauth_user(request, params), "oauth"
            response = self._call(method, params, caller, kind)
        except RestError as error:
            response = error_response(error)
        if fault == "truncated":
            response = replace(response, body=response.body[: len(response.body) // 2])
        return response, method

    def _call(self, method: str, params: dict[str, Any], caller: int, kind: str) -> Response:
        state = self.state
        at = state.clock.timestamp()
        ctx = CallContext(state, self.dispatcher, caller, state.config.scopes, kind, at)
        began = time.perf_counter()
        outcome = self.dispatcher.run(ctx, method, params)
        spent = time.perf_counter() - began
        # The batch call itself is not counted, only its commands (docs/bitrix24-api.md §5.2).
        operating = 0.0 if method == "batch" else state.meter.record(method, at, spent)
        body = success_body(outcome, Timing(at, at + spent, operating), state.clock.tz)
        return json_response(200, body)

    def _webhook_user(self, uid: str, secret: str) -> int:
        """The webhook's user, or 401 ``INVALID_CREDENTIALS`` (wrong id, secret, or revoked)."""
        expected = self.state.config.webhook_user_id
        good_secret = hmac.compare_digest(secret.encode(), self.secret.encode())
        if self.revoked or not good_secret or uid != str(expected):
            raise RestError(401, "INVALID_CREDENTIALS", "Invalid request credentials")
        return expected

    def _oauth_user(self, request: Request, params: dict[str, Any]) -> int:
        """The token's user: ``auth``/``access_token`` or ``Authorization: Bearer`` (§6.2)."""
        token = params.pop("auth", None) or params.pop("access_token", None)
        header = request.headers.get("authorization", "")
        if not token and header.lower().startswith("bearer "):
            token = header[7:].strip()
        if not token or not isinstance(token, str):
            raise RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")
        check, user_id = self.tokens.check(token, self.state.clock.timestamp())
        if check is TokenCheck.EXPIRED:
            raise RestError(401, "expired_token", "The access token provided has expired.")
        if check is TokenCheck.UNKNOWN:
            raise RestError(401, "invalid_token", "The access token provided is invalid.")
        return user_id

    def _oauth(self, request: Request) -> Response:
        params = _params(request)
        portal = {
            "scopes": sorted(self.state.config.scopes),
            "domain": f"{self._host}:{self.port}",
            "base_url": self.base_url,
            "member_id": self.state.member_id,
        }
        status, body = token_endpoint(params, self.tokens, self.state.clock.timestamp(), portal)
        return json_response(status, body)

    def _avatar(self, match: re.Match[str]) -> Response:
        """A user's picture; no authentication, as on portals. Some users' links are broken."""
        user = self.state.users.get(int(match.group("id")))
        wanted = match.group("h1") or match.group("h2")
        if user is None or not user.photo_hash or user.photo_hash != wanted or user.avatar_broken:
            return Response(404, _NOT_FOUND, _HTML)
        png = self._avatars.get(user.id, user.color)
        return Response(200, png, "image/png", (("Cache-Control", "max-age=86400"),))

    def _masked(self, path: str) -> str:
        parts = path.split("/")
        if len(parts) == 5 and parts[1] == "rest":
            parts[3] = "***"
        return "/".join(parts)


def _params(request: Request) -> dict[str, Any]:
    """Query string, then the body: JSON (``application/json``) or a form with PHP brackets."""
    params: dict[str, Any] = parse_str(request.query) if request.query else {}
    if request.method != "POST" or not request.body:
        return params
    content_type = request.headers.get("content-type", "").lower()
    text = request.body.decode("utf-8", "replace")
    if "json" in content_type or (not content_type and text.lstrip().startswith("{")):
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None  # PHP's json_decode gives null: no parameters.
        if isinstance(decoded, dict):
            params.update(decoded)
    else:
        params.update(parse_str(text))
    return params
