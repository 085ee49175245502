"""The client's error hierarchy, and the mapping from Bitrix24 error envelopes to it.

Every message here is safe to show and to log: it never contains the webhook secret or a
token, and no text that came from the portal reaches it raw. Such texts (``error``,
``error_description``, a redirect's target) pass through :func:`portal_text` where the
error is made: the secrets are redacted, controls and bidi overrides neutralised, and the
length capped. :class:`ApiError` itself neutralises every message once more, so that a
consumer (the command line, the GUI's banner, the log) can print any of them as is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bx24presence.api.redaction import redact
from bx24presence.textsafe import for_terminal, repair

#: A text from the portal is cut to this many characters in a message.
PORTAL_TEXT_MAX = 300
#: A whole message is never longer than this.
MESSAGE_MAX = 1000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def portal_text(value: Any, secrets: Iterable[str] = (), limit: int = PORTAL_TEXT_MAX) -> str:
    """A text that came from the portal (or a proxy), fit for an error message.

    Numbers become text; anything else that is not text (an object, a list) becomes ``""``.
    The webhook secret and tokens are redacted, lone surrogates repaired, controls, bidi
    overrides and line breaks neutralised, and the result cut to ``limit`` characters.
    """
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return ""
    # Redact before cutting (a cut could leave part of a secret), but never scan megabytes.
    text = redact(repair(value[: limit * 64]), *secrets)
    return _cut(" ".join(for_terminal(text).split()), limit)


def _safe_message(message: str) -> str:
    return _cut(for_terminal(redact(repair(str(message)))), MESSAGE_MAX)


class BadPortalUrl(ValueError):
    """The portal or webhook address cannot be used as given (a usage error, exit code 2)."""


class Cancelled(Exception):
    """The call was abandoned because the client was cancelled (the app is quitting)."""


class ApiError(Exception):
    """Any failure to get a usable answer from the portal.

    Attributes:
        code: the portal's ``error`` code, when it sent one.
        status: the HTTP status, when a response arrived.
        method: the REST method being called.
        retryable: whether trying again later may help.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        method: str | None = None,
    ) -> None:
        message = _safe_message(message)
        super().__init__(message)
        self.message = message
        # The code is compared by consumers (``err.code == "ACCESS_DENIED"``) and shown.
        self.code = (portal_text(code, limit=100) or None) if code is not None else None
        self.status = status
        self.method = method

    def __str__(self) -> str:
        return self.message


class AuthError(ApiError):
    """Authentication or permission failure: retrying will not help; the user must act."""


class ScopeError(AuthError):
    """The webhook or token lacks a scope; ``scope`` names it when known."""

    def __init__(self, message: str, *, scope: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.scope = scope


class TokenExpired(AuthError):
    """An OAuth access token expired (``expired_token``): refresh it and repeat the call."""


class RateLimited(ApiError):
    """The portal refused the request for its rate or time limits.

    ``reset_at`` is the Unix time when a 429 operating limit resets, when known.
    """

    retryable = True

    def __init__(self, message: str, *, reset_at: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reset_at = reset_at


class NetworkError(ApiError):
    """The portal could not be reached: DNS, refused connection, timeout, dropped connection."""

    retryable = True


class TimedOut(NetworkError):
    """The portal did not answer, or did not finish answering, in time: a read timed out, or
    the total deadline of a request, a call or a refresh passed (a portal that trickles its
    answer a byte a second). Retried while the deadline leaves time; worth trying later."""

    retryable = True

    def __init__(self, message: str, *, deadline_s: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.deadline_s = deadline_s


class CertificateError(NetworkError):
    """The portal's TLS certificate is not trusted. Not transient: not retried."""

    retryable = False


class ProtocolError(ApiError):
    """The portal answered something that is not the Bitrix24 REST dialect (HTML from a proxy,
    malformed JSON, an unexpected shape). Retried when it came with a 5xx status."""

    def __init__(self, message: str, *, retryable: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retryable = retryable


class ResponseTooLarge(ProtocolError):
    """The answer grew past the size cap while it was read (decompressed bytes); reading
    stopped there. Not retried: the next answer would be as large."""

    def __init__(self, message: str, *, limit_bytes: int, **kw: Any) -> None:
        super().__init__(message, retryable=False, **kw)
        self.limit_bytes = limit_bytes


class RedirectRefused(ProtocolError):
    """The portal redirected the request somewhere the client will not send the webhook
    secret: another host, plain http, or a page that is not the REST API. Not followed and
    not retried. ``target`` names where it pointed (a host, never a secret)."""

    def __init__(self, message: str, *, target: str = "", **kw: Any) -> None:
        super().__init__(message, retryable=False, **kw)
        self.target = target


class PortalMoved(RedirectRefused):
    """The portal says it has moved to ``new_portal`` (a base URL without any secret), an
    https address on the same site (another port of the same host, or the same registrable
    domain). Not followed on its own: the user confirms the new address, then the app uses
    ``auth.moved_to(new_portal)``."""

    def __init__(self, message: str, *, new_portal: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.new_portal = new_portal


class PortalError(ApiError):
    """The portal answered with a Bitrix24 error code for this method (400 method errors, 5xx)."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retryable = (self.status or 0) >= 500


_AUTH_CODES = {
    "NO_AUTH_FOUND": "The portal did not recognise the webhook (wrong authorization data).",
    "INVALID_CREDENTIALS": "The webhook was rejected: it is wrong, expired or has been deleted.",
    "INVALID_TOKEN": "The access token was rejected.",
    "WRONG_AUTH_TYPE": "This kind of authorization is not accepted for this method.",
    "AUTHORIZATION_ERROR": "The portal refused the authorization.",
    "USER_ACCESS_ERROR": "The webhook's user has no access to this method.",
    "APPLICATION_NOT_FOUND": "The application is not installed on the portal.",
    "PORTAL_DELETED": "The portal has been deleted.",
    "INVALID_REQUEST": "The portal refused the request (it requires HTTPS).",
    "ACCESS_ERROR": "The webhook's user has no access to this data"
    " (extranet users cannot list the company).",
    "INVALID_GRANT": "The saved login has expired; log in to the portal again.",
}


def scope_for_method(method: str) -> str | None:
    """The scope a REST method needs, for messages about a missing scope."""
    m = method.lower()
    if m.startswith("im."):
        return "im"
    if m.startswith("user."):
        return "user_brief"
    if m.startswith("department."):
        return "department"
    return None


def _scope_from_text(text: str) -> str | None:
    low = text.lower()
    for scope in ("user_brief", "user_basic", "im", "user", "department"):
        if f"'{scope}'" in low or f'"{scope}"' in low or f"scope {scope}" in low:
            return scope
    return None


def _reset_at(body: Any) -> float | None:
    """``operating_reset_at`` when an error envelope carries a ``time`` block (the cloud
    documents none on errors, but a proxy or a newer version may send one)."""
    t = body.get("time") if isinstance(body, dict) else None
    value = t.get("operating_reset_at") if isinstance(t, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def error_from_envelope(
    body: Any, *, status: int | None, method: str | None, secrets: Iterable[str] = ()
) -> ApiError:
    """Turn a Bitrix24 error envelope ``{"error", "error_description"}`` into a typed error.

    ``secrets`` are redacted from the portal's texts (a portal may echo the webhook).
    """
    raw_code = body.get("error", "") if isinstance(body, dict) else ""
    raw_desc = body.get("error_description", "") if isinstance(body, dict) else ""
    secrets = tuple(secrets)
    code = portal_text(raw_code, secrets, limit=100)
    desc = portal_text(raw_desc, secrets)
    upper = code.upper()
    where = f" ({method})" if method else ""
    kw: dict[str, Any] = {"code": code or None, "status": status, "method": method}
    if upper == "EXPIRED_TOKEN":
        return TokenExpired("The access token has expired.", **kw)
    if upper == "INSUFFICIENT_SCOPE":
        scope = _scope_from_text(desc) or (scope_for_method(method) if method else None)
        what = f"the '{scope}' scope" if scope else "a scope this app needs"
        return ScopeError(
            f"The webhook lacks {what}; edit it in Bitrix24 and tick {what}.",
            scope=scope,
            **kw,
        )
    if upper == "ACCESS_DENIED":
        if "commercial" in desc.lower() or "subscription" in desc.lower() or "rest" in desc.lower():
            return AuthError(
                "REST access is not available on this portal's plan"
                " (Bitrix24 offers it on commercial plans).",
                **kw,
            )
        return AuthError(f"Access denied{where}: {desc or 'no reason given'}.", **kw)
    if upper in _AUTH_CODES:
        return AuthError(_AUTH_CODES[upper], **kw)
    if upper == "QUERY_LIMIT_EXCEEDED":
        return RateLimited("The portal's request limit was reached (too many requests).", **kw)
    if upper == "OPERATION_TIME_LIMIT":
        return RateLimited(
            f"The portal paused this method for its time limit{where}.",
            reset_at=_reset_at(body),
            **kw,
        )
    if upper == "OVERLOAD_LIMIT":
        return RateLimited("The portal has blocked REST calls for overload.", **kw)
    if upper == "ERROR_METHOD_NOT_FOUND":
        return PortalError(f"The portal does not know the method{where}.", **kw)
    if status in (401, 403):
        return AuthError(
            f"The portal refused access{where}: {desc or code or 'no reason given'}.", **kw
        )
    text = desc or code or "no details"
    return PortalError(f"The portal reported an error{where}: {code}: {text}".rstrip(), **kw)
