"""Failure reasons into words: one translated sentence per reason, and each reason's kind.

The one place that turns a :class:`~bx24presence.api.reasons.Reason` into a sentence.
:func:`sentence` speaks the UI's language (through :mod:`bx24presence.i18n`, which the window
routes to Qt's translator); :func:`english` is the same sentence untranslated, with the
technical detail and the number of attempts, for the command line and the log.

The sentences are marked with ``QT_TRANSLATE_NOOP("Failure", ...)`` so that
``pyside6-lupdate`` extracts them in the ``Failure`` context; ``{name}`` fields are filled
after translation. Values from outside (the host, the portal's code and words) were
neutralised where the error was made (:func:`bx24presence.api.errors.portal_text`), and the
portal's own words are only ever an appendix.
"""

from __future__ import annotations

import enum
from typing import Any

from bx24presence.api.reasons import Failure, Reason
from bx24presence.i18n import tr

CONTEXT = "Failure"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for extraction in ``context``; translated later by :func:`sentence`."""
    return text


class FailureKind(enum.StrEnum):
    """The category of a failure: what the window says first and how polling goes on.

    The values are the wire names of the relay's heartbeat (``reason``).
    """

    # The user must act (the webhook, a scope, the plan): polling stops.
    AUTH = "auth"
    # The portal cannot be reached.
    NETWORK = "network"
    # The portal does not answer in time.
    TIMEOUT = "timeout"
    # The portal limits requests: wait.
    RATE = "rate"
    # The answers are not the REST dialect, or make no sense.
    PROTOCOL = "protocol"
    # The portal reported an error of its own.
    PORTAL = "portal"


_KINDS: dict[Reason, FailureKind] = {
    Reason.TIMEOUT: FailureKind.TIMEOUT,
    **dict.fromkeys(
        (
            Reason.HOST_NOT_FOUND,
            Reason.REFUSED,
            Reason.DROPPED,
            Reason.UNREACHABLE,
            Reason.CERTIFICATE,
            Reason.NOT_TLS,
        ),
        FailureKind.NETWORK,
    ),
    **dict.fromkeys(
        (
            Reason.NO_ADDRESS,
            Reason.INVALID_ADDRESS,
            Reason.NO_HOST_NAME,
            Reason.NOT_A_WEBHOOK,
            Reason.BAD_SCHEME,
            Reason.PLAIN_HTTP,
            Reason.WEBHOOK_REJECTED,
            Reason.TOKEN_REJECTED,
            Reason.TOKEN_EXPIRED,
            Reason.LOGIN_EXPIRED,
            Reason.RENEWAL_FAILED,
            Reason.NO_WEBHOOK,
            Reason.WRONG_AUTH_TYPE,
            Reason.NO_ACCESS,
            Reason.EXTRANET,
            Reason.APP_NOT_INSTALLED,
            Reason.PORTAL_DELETED,
            Reason.HTTPS_REQUIRED,
            Reason.MISSING_SCOPE,
            Reason.PLAN_WITHOUT_REST,
        ),
        FailureKind.AUTH,
    ),
    **dict.fromkeys(
        (Reason.RATE_LIMITED, Reason.TIME_LIMITED, Reason.OVERLOADED), FailureKind.RATE
    ),
    **dict.fromkeys(
        (
            Reason.HTML_PAGE,
            Reason.NOT_JSON,
            Reason.HTTP_STATUS,
            Reason.MALFORMED,
            Reason.NO_COLLEAGUES,
            Reason.TOO_LARGE,
            Reason.REDIRECT_REFUSED,
            Reason.REDIRECT_INSECURE,
            Reason.REDIRECT_NOT_API,
            Reason.REDIRECT_MALFORMED,
            Reason.TOO_MANY_REDIRECTS,
            Reason.PORTAL_MOVED,
        ),
        FailureKind.PROTOCOL,
    ),
    **dict.fromkeys(
        (Reason.METHOD_NOT_FOUND, Reason.PORTAL_ERROR, Reason.UNEXPECTED), FailureKind.PORTAL
    ),
}


def failure_kind(failure: Failure | Any) -> FailureKind:
    """The kind of a :class:`Failure`, or of anything with a ``reason`` (an ``ApiError``)."""
    return _KINDS[failure.reason]


# One sentence per reason. Fields: {host}, {scope}, {box}, {code}, {method}, {status},
# {seconds}, {megabytes}, {target}, {new_portal}, {scheme}.
_SENTENCES: dict[Reason, str] = {
    Reason.NO_ADDRESS: QT_TRANSLATE_NOOP("Failure", "No portal address was given."),
    Reason.INVALID_ADDRESS: QT_TRANSLATE_NOOP(
        "Failure", "This is not a valid address: check what was pasted."
    ),
    Reason.NO_HOST_NAME: QT_TRANSLATE_NOOP("Failure", "The address has no valid host name."),
    Reason.NOT_A_WEBHOOK: QT_TRANSLATE_NOOP(
        "Failure",
        "This is not a Bitrix24 webhook address. It looks like"
        " https://<portal>/rest/<user id>/<secret>/ (Bitrix24: Developer resources >"
        " Other > Incoming webhook).",
    ),
    Reason.BAD_SCHEME: QT_TRANSLATE_NOOP(
        "Failure", "The portal address must start with https:// (got '{scheme}://')."
    ),
    Reason.PLAIN_HTTP: QT_TRANSLATE_NOOP(
        "Failure",
        "The address uses plain http:// on {host}, so the webhook would travel unencrypted:"
        " use https://, or allow plain http for a self-hosted portal without TLS.",
    ),
    Reason.TIMEOUT: QT_TRANSLATE_NOOP("Failure", "{host} did not answer in time."),
    Reason.HOST_NOT_FOUND: QT_TRANSLATE_NOOP(
        "Failure", "The host {host} could not be found: check the address and the network."
    ),
    Reason.REFUSED: QT_TRANSLATE_NOOP("Failure", "{host} refused the connection."),
    Reason.DROPPED: QT_TRANSLATE_NOOP("Failure", "{host} closed the connection without answering."),
    Reason.UNREACHABLE: QT_TRANSLATE_NOOP(
        "Failure", "{host} could not be reached; check the network."
    ),
    Reason.CERTIFICATE: QT_TRANSLATE_NOOP(
        "Failure",
        "The certificate of {host} is not trusted; the connection was refused. (If the portal"
        " uses a private certificate authority, name its certificate bundle with --ca-bundle"
        " FILE or BX24PRESENCE_CA_BUNDLE, or install it in the system's trust store.)",
    ),
    Reason.NOT_TLS: QT_TRANSLATE_NOOP(
        "Failure",
        "{host} does not speak HTTPS at this address: if the portal uses plain http://, type"
        " the address with http:// and allow plain http.",
    ),
    Reason.WEBHOOK_REJECTED: QT_TRANSLATE_NOOP(
        "Failure",
        "The webhook was rejected: its secret is wrong, or it has been deleted or has"
        " expired. Copy the address again from Bitrix24.",
    ),
    Reason.TOKEN_REJECTED: QT_TRANSLATE_NOOP("Failure", "The access token was rejected."),
    Reason.TOKEN_EXPIRED: QT_TRANSLATE_NOOP("Failure", "The access token has expired."),
    Reason.LOGIN_EXPIRED: QT_TRANSLATE_NOOP(
        "Failure", "The saved login has expired; log in to the portal again."
    ),
    Reason.RENEWAL_FAILED: QT_TRANSLATE_NOOP(
        "Failure", "Could not renew the login: the OAuth server refused it."
    ),
    Reason.NO_WEBHOOK: QT_TRANSLATE_NOOP(
        "Failure", "No webhook is stored for this portal: connect again in Settings."
    ),
    Reason.WRONG_AUTH_TYPE: QT_TRANSLATE_NOOP(
        "Failure", "This kind of authorization is not accepted for this method."
    ),
    Reason.NO_ACCESS: QT_TRANSLATE_NOOP(
        "Failure", "The webhook's user has no access to this method."
    ),
    Reason.EXTRANET: QT_TRANSLATE_NOOP(
        "Failure",
        "The webhook's user has no access to this data (extranet users cannot list the company).",
    ),
    Reason.APP_NOT_INSTALLED: QT_TRANSLATE_NOOP(
        "Failure", "The application is not installed on the portal."
    ),
    Reason.PORTAL_DELETED: QT_TRANSLATE_NOOP("Failure", "The portal has been deleted."),
    Reason.HTTPS_REQUIRED: QT_TRANSLATE_NOOP(
        "Failure", "The portal accepts webhooks over HTTPS only."
    ),
    Reason.MISSING_SCOPE: QT_TRANSLATE_NOOP(
        "Failure", "The webhook lacks the '{scope}' scope: edit it in Bitrix24 and tick {box}."
    ),
    Reason.PLAN_WITHOUT_REST: QT_TRANSLATE_NOOP(
        "Failure",
        "REST access is not available on this portal's plan (Bitrix24 offers it on"
        " commercial plans).",
    ),
    Reason.RATE_LIMITED: QT_TRANSLATE_NOOP(
        "Failure", "The portal's request limit was reached (too many requests)."
    ),
    Reason.TIME_LIMITED: QT_TRANSLATE_NOOP(
        "Failure", "The portal paused a method for its time limit."
    ),
    Reason.OVERLOADED: QT_TRANSLATE_NOOP(
        "Failure", "The portal has blocked REST calls for overload."
    ),
    Reason.HTML_PAGE: QT_TRANSLATE_NOOP(
        "Failure",
        "The portal answered with an HTML page (HTTP {status}), not with Bitrix24 REST.",
    ),
    Reason.NOT_JSON: QT_TRANSLATE_NOOP(
        "Failure", "The portal answered with something that is not JSON (HTTP {status})."
    ),
    Reason.HTTP_STATUS: QT_TRANSLATE_NOOP(
        "Failure", "The portal answered with HTTP {status} and no error code."
    ),
    Reason.MALFORMED: QT_TRANSLATE_NOOP("Failure", "The portal's answer makes no sense."),
    Reason.NO_COLLEAGUES: QT_TRANSLATE_NOOP(
        "Failure",
        "The portal listed no colleagues at all, not even the webhook's own user; its answer"
        " makes no sense.",
    ),
    Reason.TOO_LARGE: QT_TRANSLATE_NOOP(
        "Failure", "The portal's answer is larger than {megabytes} MB."
    ),
    Reason.REDIRECT_REFUSED: QT_TRANSLATE_NOOP(
        "Failure", "The portal points to {target}, which is not the portal; not followed."
    ),
    Reason.REDIRECT_INSECURE: QT_TRANSLATE_NOOP(
        "Failure",
        "The portal redirected to plain http://, where the webhook would travel unencrypted;"
        " not followed.",
    ),
    Reason.REDIRECT_NOT_API: QT_TRANSLATE_NOOP(
        "Failure",
        "The portal redirected the request to a page that is not its REST API (a login page"
        " or a proxy?); not followed.",
    ),
    Reason.REDIRECT_MALFORMED: QT_TRANSLATE_NOOP(
        "Failure", "The portal redirected to a malformed address."
    ),
    Reason.TOO_MANY_REDIRECTS: QT_TRANSLATE_NOOP(
        "Failure",
        "The portal keeps redirecting; its address may have changed more than once. Check"
        " the webhook address.",
    ),
    Reason.PORTAL_MOVED: QT_TRANSLATE_NOOP(
        "Failure",
        "The portal says it has moved to {new_portal}; confirm the new address to use it.",
    ),
    Reason.METHOD_NOT_FOUND: QT_TRANSLATE_NOOP(
        "Failure", "The portal does not know the method {method}."
    ),
    Reason.PORTAL_ERROR: QT_TRANSLATE_NOOP("Failure", "The portal reported an error: {code}."),
    Reason.UNEXPECTED: QT_TRANSLATE_NOOP(
        "Failure", "Something unexpected went wrong; the log has the details."
    ),
}

# Sentences for particular data of a reason.
_VARIANTS: dict[str, str] = {
    "timeout-within": QT_TRANSLATE_NOOP(
        "Failure", "{host} did not finish answering within {seconds} s."
    ),
    "scope-unknown": QT_TRANSLATE_NOOP(
        "Failure", "The webhook lacks a scope this app needs: edit it in Bitrix24 and tick {box}."
    ),
    "no-access-method": QT_TRANSLATE_NOOP(
        "Failure", "The webhook's user has no access to {method}."
    ),
    "time-limited-method": QT_TRANSLATE_NOOP(
        "Failure", "The portal paused {method} for its time limit."
    ),
    "html-page-down": QT_TRANSLATE_NOOP(
        "Failure",
        "The portal answered with an HTML page, HTTP {status} (a proxy or maintenance page:"
        " the portal may be down).",
    ),
    "not-json-down": QT_TRANSLATE_NOOP(
        "Failure",
        "The portal answered with something that is not JSON, HTTP {status} (the portal may"
        " be down).",
    ),
    "portal-error-no-code": QT_TRANSLATE_NOOP("Failure", "The portal reported an error."),
    "box-users": QT_TRANSLATE_NOOP("Failure", "Users (user_brief)"),
    "box-im": QT_TRANSLATE_NOOP("Failure", "Messenger (im)"),
    "box-any": QT_TRANSLATE_NOOP("Failure", "Messenger (im) and Users (user_brief)"),
    "said": QT_TRANSLATE_NOOP("Failure", "The portal says: “{said}”"),
    "no-host": QT_TRANSLATE_NOOP("Failure", "the portal"),
}


def _template(failure: Failure) -> tuple[Reason | str, str]:
    """The key and the English template of a failure's sentence."""
    r = failure.reason
    variant = ""
    if r is Reason.TIMEOUT and failure.seconds:
        variant = "timeout-within"
    elif r is Reason.MISSING_SCOPE and not failure.scope:
        variant = "scope-unknown"
    elif r is Reason.NO_ACCESS and failure.method:
        variant = "no-access-method"
    elif r is Reason.TIME_LIMITED and failure.method:
        variant = "time-limited-method"
    elif r in (Reason.HTML_PAGE, Reason.NOT_JSON) and (failure.status or 0) >= 500:
        variant = "html-page-down" if r is Reason.HTML_PAGE else "not-json-down"
    elif r is Reason.PORTAL_ERROR and not failure.code:
        variant = "portal-error-no-code"
    if variant:
        return variant, _VARIANTS[variant]
    return r, _SENTENCES[r]


def _box_key(scope: str) -> str:
    if not scope:
        return "box-any"
    return "box-users" if scope.startswith("user") else "box-im"


def _values(failure: Failure, translate: bool) -> dict[str, str]:
    def word(key: str) -> str:
        return tr(CONTEXT, _VARIANTS[key]) if translate else _VARIANTS[key]

    seconds = failure.seconds
    limit = failure.limit_bytes
    return {
        "host": failure.host or word("no-host"),
        "scope": failure.scope,
        "box": word(_box_key(failure.scope)),
        "code": failure.code,
        "method": failure.method,
        "status": "" if failure.status is None else str(failure.status),
        "seconds": f"{seconds:g}" if seconds else "",
        "megabytes": f"{limit / (1024 * 1024):g}" if limit else "",
        "target": failure.target,
        "new_portal": failure.new_portal,
        "scheme": failure.scheme,
        "said": failure.said,
    }


def _capital(text: str, failure: Failure) -> str:
    """Capitalise a sentence that begins with the stand-in for an unknown host (a host
    name keeps its own case)."""
    return text if failure.host else text[:1].upper() + text[1:]


def sentence(failure: Failure | Any) -> str:
    """The failure in one sentence of the UI's language, with the portal's words (if any)
    as an appendix. Takes a :class:`Failure` or anything with a ``failure`` (an error)."""
    failure = _as_failure(failure)
    values = _values(failure, translate=True)
    key, _ = _template(failure)
    if isinstance(key, Reason):
        text = tr(CONTEXT, _SENTENCES[key], **values)
    else:
        text = tr(CONTEXT, _VARIANTS[key], **values)
    if failure.said:
        text += " " + tr(CONTEXT, _VARIANTS["said"], **values)
    return _capital(text, failure)


def english(failure: Failure | Any) -> str:
    """The same sentence in English, with the technical detail and the attempts made: for
    the command line (which stays English) and the log."""
    failure = _as_failure(failure)
    _, template = _template(failure)
    text = _capital(template.format(**_values(failure, translate=False)), failure)
    if failure.detail:
        text = f"{text.rstrip('.')} ({failure.detail.rstrip('.')})."
    if failure.said:
        text += " " + _VARIANTS["said"].format(said=failure.said)
    if failure.attempts:
        text += f" (gave up after {failure.attempts} attempts)"
    return text


def _as_failure(value: Failure | Any) -> Failure:
    return value if isinstance(value, Failure) else value.failure


__all__ = ["CONTEXT", "Failure", "FailureKind", "Reason", "english", "failure_kind", "sentence"]
