"""Checks that turn a stored or given value into a valid setting, or refuse it."""

from __future__ import annotations

import base64
import binascii
import logging
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("bx24presence.settings")

QUICK_FILTER_MAX_LEN = 64

# A Bitrix24 inbound webhook is https://<portal>/rest/<user id>/<token>/; the token is the secret.
# https://apidocs.bitrix24.ru/local-integrations/local-webhooks.html
WEBHOOK_URL_PATTERN = re.compile(r"/rest/\d+/[A-Za-z0-9_-]+", re.IGNORECASE)


class InvalidValueError(ValueError):
    """A stored value that cannot be turned into a valid setting."""


def as_bool(value: Any) -> bool:
    """True or false, also from 0/1 and yes/no/on/off text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "yes", "on", "1"}:
            return True
        if text in {"false", "no", "off", "0"}:
            return False
    raise InvalidValueError(f"expected true or false, got {type(value).__name__}")


def as_int(value: Any) -> int:
    """A whole number, also from a finite float (rounded) or digits in text."""
    if isinstance(value, bool):
        raise InvalidValueError("expected a number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise InvalidValueError(f"expected a whole number, got {type(value).__name__}")


def clamped(low: int, high: int) -> Callable[[Any], int]:
    """A check for a whole number, clamped into ``low``..``high``."""

    def check(value: Any) -> int:
        return min(max(as_int(value), low), high)

    return check


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    """A check for one of ``options`` (case and surrounding spaces ignored)."""

    def check(value: Any) -> str:
        if isinstance(value, str):
            text = value.strip().lower()
            if text in options:
                return text
        raise InvalidValueError(f"expected one of {', '.join(map(repr, options))}")

    return check


def as_text(value: Any) -> str:
    """Text as it is."""
    if isinstance(value, str):
        return value
    raise InvalidValueError(f"expected text, got {type(value).__name__}")


def as_base64_text(value: Any) -> str:
    """Base64 text (window geometry and the like)."""
    text = as_text(value).strip()
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidValueError("expected base64 text") from exc
    return text


def as_quick_filter(value: Any) -> str:
    """A short name (a filter's or a sort order's), at most 64 characters."""
    text = as_text(value).strip()
    if not text or len(text) > QUICK_FILTER_MAX_LEN:
        raise InvalidValueError("expected a filter name")
    return text


def as_iso_time_text(value: Any) -> str:
    """An ISO 8601 date and time as text, or ""."""
    text = as_text(value).strip()
    if not text:
        return ""
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidValueError("expected an ISO 8601 date and time") from exc
    return text


def as_colleague_id(value: Any) -> int:
    """A positive whole colleague id."""
    number = as_int(value)
    if number <= 0 or (isinstance(value, float) and not value.is_integer()):
        raise InvalidValueError("expected a positive colleague id")
    return number


def as_watched(value: Any) -> tuple[int, ...]:
    """Colleague ids in the user's order, duplicates and bad ids dropped."""
    if not isinstance(value, list | tuple):
        raise InvalidValueError(f"expected a list of colleague ids, got {type(value).__name__}")
    ids: dict[int, None] = {}  # an ordered set: keeps the user's order, drops duplicates
    dropped = 0
    for item in value:
        try:
            ids[as_colleague_id(item)] = None
        except InvalidValueError:
            dropped += 1
    if dropped:
        log.warning("Ignored %d invalid colleague id(s) in the watch list", dropped)
    return tuple(ids)


def portal_hint_from_url(url: str) -> str:
    """Reduce a portal or webhook URL to its scheme and host, safe to store and show.

    Args:
        url: Any URL of the portal, including a webhook URL with its secret token.

    Returns:
        For example ``"https://example.bitrix24.ru"`` (user name, password, path and
        query are dropped), or ``""`` for an empty string.

    Raises:
        ValueError: If ``url`` is not an http or https URL with a host.
    """
    if not isinstance(url, str):
        raise InvalidValueError(f"expected text, got {type(url).__name__}")
    text = url.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidValueError("expected a portal address") from exc
    scheme = parts.scheme.lower()
    host = parts.netloc.rpartition("@")[2].lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidValueError("expected an http or https address with a host")
    if port is None:
        host = host.rstrip(":")
    return f"{scheme}://{host}"


def contains_webhook(value: Any) -> bool:
    """Whether a value, or anything nested in it, looks like a webhook URL (a secret)."""
    if isinstance(value, str):
        return WEBHOOK_URL_PATTERN.search(value) is not None
    if isinstance(value, Mapping):
        return any(contains_webhook(k) or contains_webhook(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_webhook(item) for item in value)
    return False
