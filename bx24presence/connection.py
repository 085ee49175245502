"""'Test connection': check a webhook with ``profile`` and ``scope`` and say in one plain
sentence what is wrong, or who it connects as."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bx24presence.api.auth import WebhookAuth, parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import (
    ApiError,
    AuthError,
    BadPortalUrl,
    CertificateError,
    NetworkError,
    ProtocolError,
    RateLimited,
    ScopeError,
)
from bx24presence.api.throttle import RetryPolicy
from bx24presence.i18n import tr
from bx24presence.logconfig import register_secret

log = logging.getLogger(__name__)

#: What the app needs: ``im`` and one of the user scopes.
USER_SCOPES = ("user_brief", "user_basic", "user")


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of a connection test.

    Attributes:
        ok: whether the app can work with this webhook.
        message: one plain sentence for the user (never holds the secret).
        kind: ``ok``, ``bad-url``, ``not-https``, ``no-host``, ``unreachable``,
            ``certificate``, ``rejected``, ``scope``, ``plan``, ``rate``, ``not-bitrix``.
        user_name: the webhook's user, when known.
        portal: the portal's host.
        auth: the parsed webhook (to store when ``ok``).
    """

    ok: bool
    message: str
    kind: str
    user_name: str = ""
    portal: str = ""
    auth: WebhookAuth | None = None


def _host(auth: WebhookAuth) -> str:
    return urlsplit(auth.portal).netloc or auth.portal


def _fail(kind: str, message: str, auth: WebhookAuth | None = None) -> ConnectionCheck:
    return ConnectionCheck(
        ok=False, message=message, kind=kind, portal=_host(auth) if auth else "", auth=auth
    )


def _t(text: str, **values: object) -> str:
    return tr("Connection", text, **values)


def explain(err: ApiError, auth: WebhookAuth) -> ConnectionCheck:
    """One sentence for what went wrong."""
    host = _host(auth)
    detail = err.message.rstrip(".")
    if isinstance(err, CertificateError):
        return _fail(
            "certificate",
            _t(
                "The certificate of {host} is not trusted, so the connection was refused (if"
                " your company uses its own certificate authority, install it on this"
                " computer).",
                host=host,
            ),
            auth,
        )
    if isinstance(err, NetworkError):
        if "could not be found" in err.message:
            return _fail(
                "no-host", _t("There is no portal at {host}: check the address.", host=host), auth
            )
        return _fail(
            "unreachable",
            _t(
                "{host} could not be reached ({detail}); check the network.",
                host=host,
                detail=detail,
            ),
            auth,
        )
    if isinstance(err, ScopeError):
        scope = err.scope or "im"
        box = "Users (user_brief)" if scope.startswith("user") else "Messenger (im)"
        return _fail(
            "scope",
            _t(
                "The webhook lacks the '{scope}' scope: edit it in Bitrix24 and tick {box}.",
                scope=scope,
                box=box,
            ),
            auth,
        )
    if isinstance(err, AuthError):
        if err.code == "ACCESS_DENIED" and "plan" in err.message:
            return _fail(
                "plan",
                _t(
                    "REST access is not available on the plan of {host} (Bitrix24 offers it"
                    " on commercial plans).",
                    host=host,
                ),
                auth,
            )
        if err.code == "INVALID_REQUEST":
            return _fail(
                "not-https", _t("{host} accepts webhooks over HTTPS only.", host=host), auth
            )
        return _fail(
            "rejected",
            _t(
                "The webhook was rejected: its secret is wrong, or it has been deleted or has"
                " expired. Copy the address again from Bitrix24."
            ),
            auth,
        )
    if isinstance(err, RateLimited):
        return _fail(
            "rate",
            _t("{host} is limiting requests right now; wait a minute and try again.", host=host),
            auth,
        )
    if isinstance(err, ProtocolError):
        return _fail(
            "not-bitrix",
            _t(
                "{host} answered, but not like a Bitrix24 portal ({detail}).",
                host=host,
                detail=detail,
            ),
            auth,
        )
    return _fail(
        "not-bitrix", _t("{host} reported an error: {detail}.", host=host, detail=detail), auth
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
        if "--allow-http" in str(exc):
            return _fail(
                "not-https",
                _t(
                    "The address uses plain http://, so the webhook would travel unencrypted:"
                    " use https://, or allow plain http for a self-hosted portal without TLS."
                ),
            )
        return _fail("bad-url", str(exc))
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
        return explain(err, auth)
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
        return explain(ScopeError("scope", scope=missing[0]), auth)
    name = ""
    if isinstance(profile, dict):
        name = " ".join(str(profile.get(k) or "").strip() for k in ("NAME", "LAST_NAME")).strip()
    host = _host(auth)
    who = name or _t("the webhook's user")
    return ConnectionCheck(
        ok=True,
        message=_t("Connected as {name} to {host}.", name=who, host=host),
        kind="ok",
        user_name=name,
        portal=host,
        auth=auth,
    )
