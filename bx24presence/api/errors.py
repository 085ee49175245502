"""The client's typed failures: a :class:`Reason` and its data on every error, and the mapping
from Bitrix24 error envelopes to them.

An error is made with a reason and the parameters a sentence needs (the host, the scope's
name, the portal's code, when to retry) as data; :mod:`bx24presence.failures` alone turns a
reason into words, translated for the window and in English for the command line and the
log (``str(err)``). Nothing here recognises an error by the words of a message.

No text that came from the portal is used raw: such texts (``error``, ``error_description``,
a redirect's target) pass through :func:`portal_text` where the error is made: the secrets
are redacted, controls and bidi overrides neutralised, and the length capped. The English
text of an error is neutralised once more, so that a consumer (the command line, the log)
can print it as is. It never holds the webhook secret or a token.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bx24presence.api.reasons import Failure, Reason
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


def _english(failure: Failure) -> str:
    # Imported here: the sentences module imports this one.
    from bx24presence.failures import english  # noqa: PLC0415

    return english(failure)


class BadPortalUrl(ValueError):
    """The portal or webhook address cannot be used as given (a usage error, exit code 2).

    Attributes:
        reason: one of the address reasons (``NO_ADDRESS`` ... ``PLAIN_HTTP``).
        host: the host named, when there is one.
        scheme: the scheme given, for ``BAD_SCHEME``.
    """

    def __init__(self, reason: Reason, *, host: str = "", scheme: str = "") -> None:
        self.reason = reason
        self.host = portal_text(host, limit=100)
        self.scheme = portal_text(scheme, limit=20)
        super().__init__(reason.value)

    @property
    def failure(self) -> Failure:
        """The failure as a value (the command line's English names its option)."""
        detail = "--allow-http" if self.reason is Reason.PLAIN_HTTP else ""
        return Failure(self.reason, host=self.host, scheme=self.scheme, detail=detail)

    def __str__(self) -> str:
        return _safe_message(_english(self.failure))


class Cancelled(Exception):
    """The call was abandoned because the client was cancelled (the app is quitting)."""


class ApiError(Exception):
    """Any failure to get a usable answer from the portal.

    Made with a :class:`Reason` and its data; ``str()`` is the English sentence
    (:func:`bx24presence.failures.english`), safe to print and to log. A message given
    positionally replaces that sentence (for tests and stand-ins), never the reason.

    Attributes:
        reason: why (each class has a default).
        code: the portal's ``error`` code, when it sent one.
        status: the HTTP status, when a response arrived.
        method: the REST method being called.
        host: the portal's host, when known (the client fills it in).
        said: the portal's own words about the error, neutralised.
        detail: technical detail in English, for the log and the command line.
        attempts: how many attempts were made (set when the client gives up).
        retryable: whether trying again later may help.
    """

    retryable = False
    default_reason = Reason.UNEXPECTED

    def __init__(
        self,
        message: str = "",
        *,
        reason: Reason | None = None,
        code: str | None = None,
        status: int | None = None,
        method: str | None = None,
        host: str = "",
        said: str = "",
        detail: str = "",
    ) -> None:
        self.reason = reason or self.default_reason
        self._message = _safe_message(message) if message else ""
        super().__init__(self._message or self.reason.value)
        # The code is compared by consumers (``err.code == "ACCESS_DENIED"``) and shown.
        self.code = (portal_text(code, limit=100) or None) if code is not None else None
        self.status = status
        self.method = method
        self.host = portal_text(host, limit=100)
        self.said = said
        self.detail = _safe_message(detail) if detail else ""
        self.attempts = 0

    @property
    def failure(self) -> Failure:
        """The failure as a value (for signals, the banner, the connection test)."""
        reset_at = getattr(self, "reset_at", None)
        return Failure(
            self.reason,
            host=self.host,
            scope=getattr(self, "scope", None) or "",
            code=self.code or "",
            method=self.method or "",
            status=self.status,
            seconds=getattr(self, "deadline_s", None),
            retry_at=reset_at if isinstance(reset_at, int | float) else None,
            limit_bytes=getattr(self, "limit_bytes", None),
            target=portal_text(getattr(self, "target", ""), limit=100),
            new_portal=portal_text(getattr(self, "new_portal", ""), limit=200),
            said=self.said,
            # A message given by hand (a stand-in) is detail for the log and the terminal.
            detail=self.detail or self._message,
            attempts=self.attempts,
        )

    @property
    def message(self) -> str:
        """The English text: the given message, or the reason's sentence."""
        return self._message or _safe_message(_english(self.failure))

    def __str__(self) -> str:
        return self.message


class AuthError(ApiError):
    """Authentication or permission failure: retrying will not help; the user must act."""

    default_reason = Reason.WEBHOOK_REJECTED


class ScopeError(AuthError):
    """The webhook or token lacks a scope; ``scope`` names it when known."""

    default_reason = Reason.MISSING_SCOPE

    def __init__(self, message: str = "", *, scope: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.scope = scope


class TokenExpired(AuthError):
    """An OAuth access token expired (``expired_token``): refresh it and repeat the call."""

    default_reason = Reason.TOKEN_EXPIRED


class RateLimited(ApiError):
    """The portal refused the request for its rate or time limits.

    ``reset_at`` is the Unix time when a 429 operating limit resets, when known.
    """

    retryable = True
    default_reason = Reason.RATE_LIMITED

    def __init__(self, message: str = "", *, reset_at: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reset_at = reset_at


class NetworkError(ApiError):
    """The portal could not be reached: DNS, refused connection, timeout, dropped connection."""

    retryable = True
    default_reason = Reason.UNREACHABLE


class TimedOut(NetworkError):
    """The portal did not answer, or did not finish answering, in time: a read timed out, or
    the total deadline of a request, a call or a refresh passed (a portal that trickles its
    answer a byte a second). Retried while the deadline leaves time; worth trying later."""

    retryable = True
    default_reason = Reason.TIMEOUT

    def __init__(self, message: str = "", *, deadline_s: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.deadline_s = deadline_s


class CertificateError(NetworkError):
    """The portal's TLS certificate is not trusted, or what answered does not speak TLS
    (``NOT_TLS``). Not transient: not retried."""

    retryable = False
    default_reason = Reason.CERTIFICATE


class ProtocolError(ApiError):
    """The portal answered something that is not the Bitrix24 REST dialect (HTML from a proxy,
    malformed JSON, an unexpected shape). Retried when it came with a 5xx status."""

    default_reason = Reason.MALFORMED

    def __init__(self, message: str = "", *, retryable: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retryable = retryable


def malformed(detail: str, **kw: Any) -> ProtocolError:
    """An answer of the wrong shape; ``detail`` says what, in English, for the log."""
    return ProtocolError(reason=Reason.MALFORMED, detail=detail, **kw)


class ResponseTooLarge(ProtocolError):
    """The answer grew past the size cap while it was read (decompressed bytes); reading
    stopped there. Not retried: the next answer would be as large."""

    default_reason = Reason.TOO_LARGE

    def __init__(self, message: str = "", *, limit_bytes: int, **kw: Any) -> None:
        super().__init__(message, retryable=False, **kw)
        self.limit_bytes = limit_bytes


class RedirectRefused(ProtocolError):
    """The portal redirected the request somewhere the client will not send the webhook
    secret: another host, plain http, or a page that is not the REST API. Not followed and
    not retried. ``target`` names where it pointed (a host, never a secret)."""

    default_reason = Reason.REDIRECT_REFUSED

    def __init__(self, message: str = "", *, target: str = "", **kw: Any) -> None:
        super().__init__(message, retryable=False, **kw)
        self.target = target


class PortalMoved(RedirectRefused):
    """The portal says it has moved to ``new_portal`` (a base URL without any secret), an
    https address on the same site (another port of the same host, or the same registrable
    domain). Not followed on its own: the user confirms the new address, then the app uses
    ``auth.moved_to(new_portal)``."""

    default_reason = Reason.PORTAL_MOVED

    def __init__(self, message: str = "", *, new_portal: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.new_portal = new_portal


class PortalError(ApiError):
    """The portal answered with a Bitrix24 error code for this method (400 method errors, 5xx)."""

    default_reason = Reason.PORTAL_ERROR

    def __init__(self, message: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retryable = (self.status or 0) >= 500


#: Authentication codes and the reason each means (docs/bitrix24-api.md §6).
_AUTH_CODES = {
    "NO_AUTH_FOUND": Reason.WEBHOOK_REJECTED,
    "INVALID_CREDENTIALS": Reason.WEBHOOK_REJECTED,
    "INVALID_TOKEN": Reason.TOKEN_REJECTED,
    "WRONG_AUTH_TYPE": Reason.WRONG_AUTH_TYPE,
    "AUTHORIZATION_ERROR": Reason.WEBHOOK_REJECTED,
    "USER_ACCESS_ERROR": Reason.NO_ACCESS,
    "APPLICATION_NOT_FOUND": Reason.APP_NOT_INSTALLED,
    "PORTAL_DELETED": Reason.PORTAL_DELETED,
    "INVALID_REQUEST": Reason.HTTPS_REQUIRED,
    "ACCESS_ERROR": Reason.EXTRANET,
    "INVALID_GRANT": Reason.LOGIN_EXPIRED,
}
#: Words of the portal's own ``ACCESS_DENIED`` description that mean "no REST on this plan"
#: (the portal sends no separate code for it: docs/bitrix24-api.md §6).
_PLAN_WORDS = ("commercial", "subscription", "rest")


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
    """The scope's name as the portal's description of ``insufficient_scope`` quotes it (a
    parameter of the reason, read where the error is made)."""
    described = text.lower()
    for scope in ("user_brief", "user_basic", "im", "user", "department"):
        if any(form in described for form in (f"'{scope}'", f'"{scope}"', f"scope {scope}")):
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
    kw: dict[str, Any] = {"code": code or None, "status": status, "method": method}
    if upper == "EXPIRED_TOKEN":
        return TokenExpired(**kw)
    if upper == "INSUFFICIENT_SCOPE":
        scope = _scope_from_text(desc) or (scope_for_method(method) if method else None)
        return ScopeError(scope=scope, **kw)
    if upper == "ACCESS_DENIED":
        if any(word in desc.lower() for word in _PLAN_WORDS):
            return AuthError(reason=Reason.PLAN_WITHOUT_REST, **kw)
        return AuthError(reason=Reason.NO_ACCESS, said=desc, **kw)
    if upper in _AUTH_CODES:
        return AuthError(reason=_AUTH_CODES[upper], **kw)
    if upper == "QUERY_LIMIT_EXCEEDED":
        return RateLimited(reason=Reason.RATE_LIMITED, **kw)
    if upper == "OPERATION_TIME_LIMIT":
        return RateLimited(reason=Reason.TIME_LIMITED, reset_at=_reset_at(body), **kw)
    if upper == "OVERLOAD_LIMIT":
        return RateLimited(reason=Reason.OVERLOADED, **kw)
    if upper == "ERROR_METHOD_NOT_FOUND":
        return PortalError(reason=Reason.METHOD_NOT_FOUND, **kw)
    if status in (401, 403):
        return AuthError(reason=Reason.NO_ACCESS, said=desc or code, **kw)
    return PortalError(reason=Reason.PORTAL_ERROR, said=desc, **kw)


__all__ = [
    "MESSAGE_MAX",
    "PORTAL_TEXT_MAX",
    "ApiError",
    "AuthError",
    "BadPortalUrl",
    "Cancelled",
    "CertificateError",
    "Failure",
    "NetworkError",
    "PortalError",
    "PortalMoved",
    "ProtocolError",
    "RateLimited",
    "Reason",
    "RedirectRefused",
    "ResponseTooLarge",
    "ScopeError",
    "TimedOut",
    "TokenExpired",
    "error_from_envelope",
    "malformed",
    "portal_text",
    "scope_for_method",
]
