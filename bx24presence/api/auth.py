"""Authentication behind one seam: incoming webhooks and OAuth tokens; URL parsing; redaction."""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from bx24presence.api import jsonio
from bx24presence.api.errors import ApiError, AuthError, BadPortalUrl, Reason, portal_text
from bx24presence.api.redaction import REDACTED, redact  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)

#: A token answer is a few hundred bytes.
TOKEN_ANSWER_MAX = 1024 * 1024

# A webhook path: /rest/<user id>/<secret>/ optionally followed by a method and .json.
_WEBHOOK_PATH = re.compile(r"^(?P<prefix>.*?)/rest/(?P<uid>\d+)/(?P<secret>[^/?#\s]+)(?:/.*)?$")


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine (plain HTTP is accepted there)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(scheme: str, host: str, port: int | None) -> str:
    """``scheme://host[:port]``, the port left out when it is the scheme's default."""
    h = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{h}" if port in (None, default) else f"{scheme}://{h}:{port}"


def check_scheme(scheme: str, host: str, *, allow_http: bool) -> None:
    """Refuse plain HTTP except on loopback or when explicitly allowed."""
    if scheme == "https":
        return
    if scheme != "http":
        raise BadPortalUrl(Reason.BAD_SCHEME, host=host, scheme=scheme)
    if not (allow_http or is_loopback_host(host)):
        raise BadPortalUrl(Reason.PLAIN_HTTP, host=host)


class Auth(Protocol):
    """How requests to one portal are authenticated."""

    @property
    def portal(self) -> str:
        """The portal's base URL: scheme, host, port and any path prefix; no secret."""
        ...

    def url_for(self, method: str) -> str:
        """The URL to call ``method`` at."""
        ...

    def headers(self) -> dict[str, str]:
        """Extra request headers (the bearer token for OAuth)."""
        ...

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in logs or messages."""
        ...

    def moved_to(self, portal: str) -> Auth:
        """The same credentials on a renamed portal (after a 302 domain change)."""
        ...

    def can_refresh(self) -> bool:
        """Whether an expired token can be refreshed."""
        ...

    def refresh(self, session: Any, timeout: tuple[float, float]) -> None:
        """Get a fresh access token (OAuth); raise :class:`AuthError` when that fails."""
        ...


@dataclass(frozen=True)
class WebhookAuth:
    """An incoming webhook: ``<portal>/rest/<user_id>/<secret>/``."""

    portal: str
    user_id: int
    secret: str

    def url_for(self, method: str) -> str:
        return f"{self.portal}/rest/{self.user_id}/{self.secret}/{method}.json"

    def headers(self) -> dict[str, str]:
        return {}

    def secrets(self) -> tuple[str, ...]:
        return (self.secret,)

    def moved_to(self, portal: str) -> WebhookAuth:
        return replace(self, portal=portal)

    def can_refresh(self) -> bool:
        return False

    def refresh(self, session: Any, timeout: tuple[float, float]) -> None:
        raise AuthError(reason=Reason.RENEWAL_FAILED, detail="a webhook cannot be refreshed")

    @property
    def webhook_url(self) -> str:
        """The full webhook URL (a secret: never log or show it)."""
        return f"{self.portal}/rest/{self.user_id}/{self.secret}/"

    def __repr__(self) -> str:
        return f"WebhookAuth(portal={self.portal!r}, user_id={self.user_id}, secret={REDACTED!r})"


def parse_webhook_url(text: str, *, allow_http: bool = False) -> WebhookAuth:
    """Accept a webhook URL the way people paste it.

    Surrounding spaces and quotes, a missing ``https://``, a missing trailing slash, and a
    method with ``.json`` pasted at the end are all accepted. Raises :class:`BadPortalUrl`
    with a message that never contains the secret.
    """
    raw = text.strip().strip("'\"<>").strip()
    if not raw:
        raise BadPortalUrl(Reason.NO_ADDRESS)
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise BadPortalUrl(Reason.INVALID_ADDRESS) from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host or not re.fullmatch(r"[a-z0-9.\-:\[\]_]+", host):
        raise BadPortalUrl(Reason.NO_HOST_NAME)
    m = _WEBHOOK_PATH.match(parts.path)
    if not m:
        raise BadPortalUrl(Reason.NOT_A_WEBHOOK, host=host)
    check_scheme(scheme, host, allow_http=allow_http)
    prefix = m.group("prefix").rstrip("/")
    portal = origin(scheme, host, port) + prefix
    return WebhookAuth(portal=portal, user_id=int(m.group("uid")), secret=m.group("secret"))


def parse_portal_url(text: str, *, allow_http: bool = False) -> str:
    """A portal base URL (``https://host``) from what a user typed; for OAuth set-ups."""
    raw = text.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    if not host:
        raise BadPortalUrl(Reason.NO_HOST_NAME)
    check_scheme(parts.scheme.lower(), host, allow_http=allow_http)
    return origin(parts.scheme.lower(), host, parts.port)


@dataclass(frozen=True)
class OAuthTokens:
    """An OAuth access and refresh token pair."""

    access_token: str
    refresh_token: str

    def __repr__(self) -> str:
        return "OAuthTokens(***)"


class OAuthAuth:
    """OAuth 2.0 access to ``<portal>/rest/<method>`` with refresh on ``expired_token``.

    Args:
        portal: the portal's base URL.
        tokens: the current tokens.
        client_id, client_secret: the application's credentials.
        token_url: the OAuth server's token endpoint.
        on_tokens: called with the new tokens after each refresh, so they can be stored.
    """

    def __init__(
        self,
        portal: str,
        tokens: OAuthTokens,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = "https://oauth.bitrix.info/oauth/token/",  # noqa: S107  (a URL)
        on_tokens: Callable[[OAuthTokens], None] | None = None,
    ) -> None:
        self._portal = portal.rstrip("/")
        self._tokens = tokens
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._on_tokens = on_tokens
        self._lock = threading.Lock()

    @property
    def portal(self) -> str:
        return self._portal

    @property
    def tokens(self) -> OAuthTokens:
        return self._tokens

    def url_for(self, method: str) -> str:
        return f"{self._portal}/rest/{method}.json"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._tokens.access_token}"}

    def secrets(self) -> tuple[str, ...]:
        return (self._tokens.access_token, self._tokens.refresh_token, self._client_secret)

    def moved_to(self, portal: str) -> OAuthAuth:
        return OAuthAuth(
            portal,
            self._tokens,
            client_id=self._client_id,
            client_secret=self._client_secret,
            token_url=self._token_url,
            on_tokens=self._on_tokens,
        )

    def can_refresh(self) -> bool:
        return bool(self._tokens.refresh_token)

    def refresh(self, session: Any, timeout: tuple[float, float]) -> None:
        """Exchange the refresh token for new tokens (OAuth ``grant_type=refresh_token``)."""
        params = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._tokens.refresh_token,
        }
        with self._lock:
            body = self._token_answer(session, params, timeout)
            if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
                code = body.get("error") if isinstance(body, dict) else None
                raise AuthError(
                    reason=Reason.LOGIN_EXPIRED
                    if code == "invalid_grant"
                    else Reason.RENEWAL_FAILED,
                    code=str(code) if isinstance(code, str) else None,
                )
            renewed = body.get("refresh_token")
            self._tokens = OAuthTokens(
                access_token=body["access_token"],
                refresh_token=renewed
                if isinstance(renewed, str) and renewed
                else self._tokens.refresh_token,
            )
            log.info("OAuth access token renewed")
        if self._on_tokens is not None:
            self._on_tokens(self._tokens)

    def _token_answer(self, session: Any, params: dict[str, str], timeout: Any) -> Any:
        """The token server's JSON answer: never redirected, read with a size cap."""
        # Here, not at the top: the window paints from the cache before the HTTP stack
        # (requests, urllib3: about 100 ms of imports) is loaded by the poller's thread.
        from bx24presence.api.transport import read_capped  # noqa: PLC0415

        try:
            resp = session.get(
                self._token_url, params=params, timeout=timeout, allow_redirects=False, stream=True
            )
            try:
                if 300 <= resp.status_code < 400:
                    raise AuthError(
                        reason=Reason.RENEWAL_FAILED,
                        detail="the OAuth server redirected the request elsewhere; not followed",
                    )
                data = read_capped(resp, TOKEN_ANSWER_MAX, what="the OAuth server's answer")
            finally:
                resp.close()
            return jsonio.decode_answer(data)
        except AuthError:
            raise
        except ApiError as exc:
            raise AuthError(reason=Reason.RENEWAL_FAILED, detail=str(exc)) from None
        except Exception as exc:
            raise AuthError(
                reason=Reason.RENEWAL_FAILED, detail=portal_text(str(exc), self.secrets())
            ) from None

    def __repr__(self) -> str:
        return f"OAuthAuth(portal={self._portal!r}, tokens=***)"
