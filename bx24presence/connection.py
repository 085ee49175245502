"""'Test connection': check a webhook with ``profile`` and ``scope`` and say in one plain
sentence what is wrong, or who it connects as."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from bx24presence.api.auth import WebhookAuth, parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import ApiError, BadPortalUrl, Failure, Reason
from bx24presence.api.throttle import RetryPolicy
from bx24presence.failures import QT_TRANSLATE_NOOP, FailureKind, failure_kind, sentence
from bx24presence.i18n import tr as translate
from bx24presence.logconfig import register_secret

log = logging.getLogger(__name__)

_CONNECTED = QT_TRANSLATE_NOOP("Connection", "Connected as {name} to {host}.")
_THE_USER = QT_TRANSLATE_NOOP("Connection", "the webhook's user")

# What the app needs: ``im`` and one of the user scopes.
USER_SCOPES = ("user_brief", "user_basic", "user")


class Outcome(enum.StrEnum):
    """What a connection test found (the dialog's colour and what the user does next)."""

    OK = "ok"
    # The address cannot be used as typed.
    BAD_URL = "bad-url"
    # Plain http where the webhook would travel unencrypted, or a portal that wants HTTPS.
    NOT_HTTPS = "not-https"
    # Something that is not TLS answered the https address (a plain-http portal).
    NOT_TLS = "not-tls"
    # The host name does not resolve.
    NO_HOST = "no-host"
    # No connection, or no answer in time.
    UNREACHABLE = "unreachable"
    # The certificate is not trusted.
    CERTIFICATE = "certificate"
    # The portal refused the webhook.
    REJECTED = "rejected"
    # The webhook lacks a scope.
    SCOPE = "scope"
    # The plan has no REST access.
    PLAN = "plan"
    # The portal limits requests.
    RATE = "rate"
    # An answer that is not the Bitrix24 REST dialect, or the portal's own error.
    NOT_BITRIX = "not-bitrix"
    # The test itself failed (a bug).
    BUG = "bug"


_OUTCOMES: dict[Reason, Outcome] = {
    Reason.PLAIN_HTTP: Outcome.NOT_HTTPS,
    Reason.HTTPS_REQUIRED: Outcome.NOT_HTTPS,
    Reason.NOT_TLS: Outcome.NOT_TLS,
    Reason.HOST_NOT_FOUND: Outcome.NO_HOST,
    Reason.CERTIFICATE: Outcome.CERTIFICATE,
    Reason.MISSING_SCOPE: Outcome.SCOPE,
    Reason.PLAN_WITHOUT_REST: Outcome.PLAN,
    Reason.UNEXPECTED: Outcome.BUG,
    **dict.fromkeys(
        (
            Reason.NO_ADDRESS,
            Reason.INVALID_ADDRESS,
            Reason.NO_HOST_NAME,
            Reason.NOT_A_WEBHOOK,
            Reason.BAD_SCHEME,
        ),
        Outcome.BAD_URL,
    ),
}
_BY_KIND = {
    FailureKind.AUTH: Outcome.REJECTED,
    FailureKind.NETWORK: Outcome.UNREACHABLE,
    FailureKind.TIMEOUT: Outcome.UNREACHABLE,
    FailureKind.RATE: Outcome.RATE,
    FailureKind.PROTOCOL: Outcome.NOT_BITRIX,
    FailureKind.PORTAL: Outcome.NOT_BITRIX,
}


def outcome_of(failure: Failure) -> Outcome:
    """The outcome a failure means for the connection test."""
    return _OUTCOMES.get(failure.reason) or _BY_KIND[failure_kind(failure)]


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of a connection test.

    Attributes:
        ok: whether the app can work with this webhook.
        kind: the :class:`Outcome`.
        failure: why it failed (None when ``ok``).
        user_name: the webhook's user, when known.
        portal: the portal's host.
        auth: the parsed webhook (to store when ``ok``).
    """

    ok: bool
    kind: Outcome
    failure: Failure | None = None
    user_name: str = ""
    portal: str = ""
    auth: WebhookAuth | None = None

    @property
    def message(self) -> str:
        """One plain sentence in the UI's language (never holds the secret)."""
        if self.failure is not None:
            return sentence(self.failure)
        who = self.user_name or translate("Connection", _THE_USER)
        return translate("Connection", _CONNECTED).format(name=who, host=self.portal)


def _host(auth: WebhookAuth) -> str:
    return urlsplit(auth.portal).netloc or auth.portal


def failed(failure: Failure, auth: WebhookAuth | None = None) -> ConnectionCheck:
    """A failed check: the failure, with the portal's host filled in when it lacks one."""
    host = _host(auth) if auth is not None else failure.host
    if host and not failure.host:
        failure = replace(failure, host=host)
    return ConnectionCheck(
        ok=False, kind=outcome_of(failure), failure=failure, portal=host, auth=auth
    )


def check_connection(
    url: str, *, allow_http: bool = False, client: Any = None, timeout: float = 10.0
) -> ConnectionCheck:
    """Parse ``url``, then call ``profile`` and ``scope`` on the portal.

    Never raises for the problems a user can meet; returns what to say instead.
    """
    try:
        auth = parse_webhook_url(url, allow_http=allow_http)
    except BadPortalUrl as exc:
        return failed(exc.failure)
    register_secret(auth.secret)
    own = client is None
    if own:
        client = Bitrix24Client(
            auth,
            allow_http=allow_http,
            timeout=(min(5.0, timeout), timeout),
            retry=RetryPolicy(attempts=2, base=0.5, cap=1.0, max_wait=5.0),
        )
    try:
        profile = client.call("profile").result
        scopes = client.call("scope").result
    except ApiError as err:
        log.info("Connection test failed: %s", err)
        return failed(err.failure, auth)
    finally:
        if own:
            client.close()
    granted = {str(s).lower() for s in scopes} if isinstance(scopes, list) else set()
    missing = []
    if "im" not in granted:
        missing.append("im")
    if not granted & set(USER_SCOPES):
        missing.append("user_brief")
    if missing:
        return failed(Failure(Reason.MISSING_SCOPE, scope=missing[0]), auth)
    name = ""
    if isinstance(profile, dict):
        name = " ".join(str(profile.get(k) or "").strip() for k in ("NAME", "LAST_NAME")).strip()
    return ConnectionCheck(ok=True, kind=Outcome.OK, user_name=name, portal=_host(auth), auth=auth)
