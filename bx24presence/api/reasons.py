"""Why a call to the portal failed, as values: the :class:`Reason` enum and the :class:`Failure`
that carries a reason with the data its sentence needs."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Reason(enum.Enum):
    """Why the portal could not be used: one value per thing the user is told.

    The values are stable names (logs, the relay's heartbeat); the sentences live in
    :mod:`bx24presence.failures`.
    """

    # -- the address (BadPortalUrl) ---------------------------------------------------------
    #: Nothing was given.
    NO_ADDRESS = "no-address"
    #: The text is not an address at all (a bad port, brackets).
    INVALID_ADDRESS = "invalid-address"
    #: The address has no usable host name.
    NO_HOST_NAME = "no-host-name"
    #: An address, but not of a webhook (``/rest/<user id>/<secret>/``).
    NOT_A_WEBHOOK = "not-a-webhook"
    #: A scheme other than http and https (``scheme``).
    BAD_SCHEME = "bad-scheme"
    #: Plain http to a host that is not this machine, without allowing it.
    PLAIN_HTTP = "plain-http"
    # -- the network (NetworkError) ---------------------------------------------------------
    #: No answer, or no complete answer, in time (``seconds`` when a deadline passed).
    TIMEOUT = "timeout"
    #: The host name does not resolve.
    HOST_NOT_FOUND = "host-not-found"
    #: The host refused the connection.
    REFUSED = "refused"
    #: The connection closed without an answer.
    DROPPED = "dropped"
    #: Any other failure to reach the host (``detail`` holds the system's words, for logs).
    UNREACHABLE = "unreachable"
    #: The TLS certificate is not trusted.
    CERTIFICATE = "certificate"
    #: Something that is not TLS answered an https address (a plain-http portal, a wrong port).
    NOT_TLS = "not-tls"
    # -- authentication and permissions (AuthError) ----------------------------------------
    #: The portal does not accept the webhook (wrong, expired or deleted).
    WEBHOOK_REJECTED = "webhook-rejected"
    #: The OAuth access token was rejected.
    TOKEN_REJECTED = "token-rejected"  # noqa: S105  (a name, not a password)
    #: The OAuth access token expired (refreshed and repeated by the client).
    TOKEN_EXPIRED = "token-expired"  # noqa: S105  (a name, not a password)
    #: The OAuth login can no longer be renewed; log in again.
    LOGIN_EXPIRED = "login-expired"
    #: Renewing the OAuth login failed (``detail`` says how, for logs).
    RENEWAL_FAILED = "renewal-failed"
    #: No webhook is stored for the portal.
    NO_WEBHOOK = "no-webhook"
    #: This kind of authorization is not accepted for the method.
    WRONG_AUTH_TYPE = "wrong-auth-type"
    #: The webhook's user may not call the method or see the data (``method``, ``said``).
    NO_ACCESS = "no-access"
    #: The webhook's user is an extranet user and cannot list the company.
    EXTRANET = "extranet"
    #: The application is not installed on the portal.
    APP_NOT_INSTALLED = "app-not-installed"
    #: The portal has been deleted.
    PORTAL_DELETED = "portal-deleted"
    #: The portal accepts webhooks over HTTPS only.
    HTTPS_REQUIRED = "https-required"
    #: The webhook lacks a scope (``scope``, when known).
    MISSING_SCOPE = "missing-scope"
    #: The portal's plan has no REST access.
    PLAN_WITHOUT_REST = "plan-without-rest"
    # -- limits (RateLimited) ---------------------------------------------------------------
    #: Too many requests (``QUERY_LIMIT_EXCEEDED``).
    RATE_LIMITED = "rate-limited"
    #: A method paused for its time limit (``method``, ``retry_at``).
    TIME_LIMITED = "time-limited"
    #: REST blocked for overload.
    OVERLOADED = "overloaded"
    # -- answers that are not the REST dialect (ProtocolError) ------------------------------
    #: An HTML page instead of JSON (``method``, ``status``); with a 5xx status, a proxy or
    #: maintenance page.
    HTML_PAGE = "html-page"
    #: Something that is not JSON, or JSON cut short (``method``, ``status``).
    NOT_JSON = "not-json"
    #: An error status without an error code (``method``, ``status``).
    HTTP_STATUS = "http-status"
    #: JSON of the wrong shape or with values that contradict each other (``detail``).
    MALFORMED = "malformed"
    #: The portal listed nobody, not even the webhook's own user.
    NO_COLLEAGUES = "no-colleagues"
    #: The answer is larger than the cap (``limit_bytes``).
    TOO_LARGE = "too-large"
    #: A redirect to another site (``target``); not followed.
    REDIRECT_REFUSED = "redirect-refused"
    #: A redirect from https to plain http; not followed.
    REDIRECT_INSECURE = "redirect-insecure"
    #: A redirect on the portal's host to a page that is not the REST API; not followed.
    REDIRECT_NOT_API = "redirect-not-api"
    #: A redirect to an address that cannot be used.
    REDIRECT_MALFORMED = "redirect-malformed"
    #: Redirect after redirect.
    TOO_MANY_REDIRECTS = "too-many-redirects"
    #: The portal says it moved to ``new_portal`` on the same site; the user confirms.
    PORTAL_MOVED = "portal-moved"
    # -- the portal's own errors (PortalError) ----------------------------------------------
    #: The portal does not know the method (``method``).
    METHOD_NOT_FOUND = "method-not-found"
    #: Any other error code (``code``, ``said``).
    PORTAL_ERROR = "portal-error"
    #: A failure nobody foresaw (``detail`` names the exception's type).
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class Failure:
    """A failure as a value: its reason and the data its sentence needs.

    Crosses threads and layers (the poller's ``PollFailed``, the connection test); words
    come from :func:`bx24presence.failures.sentence` where they are shown.

    Attributes:
        reason: why.
        host: the portal's host, when known.
        scope: the missing scope's name.
        code: the portal's error code (neutralised).
        method: the REST method called.
        status: the HTTP status, when an answer arrived.
        seconds: the deadline that passed (``TIMEOUT``).
        retry_at: the Unix time a limit resets (``TIME_LIMITED``), when the portal said.
        limit_bytes: the size cap (``TOO_LARGE``).
        target: where a refused redirect pointed (a host, never a secret).
        new_portal: where the portal moved (a base URL, never a secret).
        scheme: the scheme of an address that cannot be used.
        said: the portal's own words (``error_description``), neutralised: only ever an
            appendix to a sentence.
        detail: technical detail in English for the log and the command line, never shown in
            the window (the system's words, counts that contradict each other).
        attempts: how many attempts were made before giving up (0: not counted).
    """

    reason: Reason
    host: str = ""
    scope: str = ""
    code: str = ""
    method: str = ""
    status: int | None = None
    seconds: float | None = None
    retry_at: float | None = None
    limit_bytes: int | None = None
    target: str = ""
    new_portal: str = ""
    scheme: str = ""
    said: str = ""
    detail: str = ""
    attempts: int = 0


__all__ = ["Failure", "Reason"]
