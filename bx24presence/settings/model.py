"""The settings value: a frozen, validated dataclass of everything the user can choose."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

from bx24presence.settings.checks import (
    InvalidValueError,
    as_bool,
    as_colleague_id,
    as_int,
    as_iso_time_text,
    as_text,
    as_watched,
    choice,
    clamped,
    log,
    portal_hint_from_url,
)

SCHEMA_VERSION = 1
"""The settings layout this version writes. Bump it and add a step to ``MIGRATIONS``."""

PortalKind = Literal["", "webhook", "demo"]
Theme = Literal["system", "light", "dark"]
Language = Literal["system", "en", "ru"]
LogLevel = Literal["debug", "info", "warning", "error"]
NotifyMode = Literal["once", "always"]

PORTAL_KINDS: tuple[PortalKind, ...] = ("", "webhook", "demo")
THEMES: tuple[Theme, ...] = ("system", "light", "dark")
LANGUAGES: tuple[Language, ...] = ("system", "en", "ru")
LOG_LEVELS: tuple[LogLevel, ...] = ("debug", "info", "warning", "error")
NOTIFY_MODES: tuple[NotifyMode, ...] = ("once", "always")

POLL_INTERVAL_RANGE_S = (15, 900)
ONLINE_WINDOW_RANGE_MIN = (1, 1440)


def _as_schema_version(value: Any) -> int:
    return max(as_int(value), SCHEMA_VERSION)


@dataclass(frozen=True)
class NotifyRule:
    """When to tell the user that a watched colleague has come online.

    Attributes:
        mode: ``"once"`` (the next time only, then the rule is spent) or ``"always"``.
        until_end_of_day: The rule expires at the end of the day it was set.
        since: When the rule was set, as ISO 8601 text; ``""`` if unknown.
    """

    mode: NotifyMode = "once"
    until_end_of_day: bool = False
    since: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", choice(NOTIFY_MODES)(self.mode))
        object.__setattr__(self, "until_end_of_day", as_bool(self.until_end_of_day))
        object.__setattr__(self, "since", as_iso_time_text(self.since))

    @classmethod
    def coerce(cls, value: Any) -> NotifyRule:
        """Build a rule from stored JSON, replacing bad members by their defaults.

        Args:
            value: A rule or a mapping with ``mode``, ``until_end_of_day`` and ``since``.

        Returns:
            A valid rule.

        Raises:
            ValueError: If ``value`` is neither a rule nor a mapping.
        """
        if isinstance(value, NotifyRule):
            return value
        if not isinstance(value, Mapping):
            raise InvalidValueError(f"expected a rule, got {type(value).__name__}")
        kwargs: dict[str, Any] = {}
        for name, check in (
            ("mode", choice(NOTIFY_MODES)),
            ("until_end_of_day", as_bool),
            ("since", as_iso_time_text),
        ):
            if name in value:
                try:
                    kwargs[name] = check(value[name])
                except InvalidValueError:
                    log.warning("Notification rule member %r was invalid; using the default", name)
        return cls(**kwargs)

    def to_json(self) -> dict[str, Any]:
        """Return the rule as stored in settings.json."""
        return {"mode": self.mode, "until_end_of_day": self.until_end_of_day, "since": self.since}


def _as_notify(value: Any) -> Mapping[str, NotifyRule]:
    if isinstance(value, MappingProxyType) and all(
        isinstance(rule, NotifyRule) for rule in value.values()
    ):
        return value
    if not isinstance(value, Mapping):
        raise InvalidValueError(f"expected a mapping of colleague ids, got {type(value).__name__}")
    rules: dict[str, NotifyRule] = {}
    dropped = 0
    for key, rule in value.items():
        try:
            rules[str(as_colleague_id(key))] = NotifyRule.coerce(rule)
        except InvalidValueError:
            dropped += 1
    if dropped:
        log.warning("Ignored %d invalid notification rule(s)", dropped)
    return MappingProxyType(rules)


def _as_relay_url(value: Any) -> str:
    """An office relay's Redis address, or "": never with a password (a secret)."""
    text = as_text(value).strip()
    if not text:
        return ""
    if len(text) > 2048 or not text.isprintable() or any(ch.isspace() for ch in text):
        raise InvalidValueError("expected a Redis address")
    try:
        parts = urlsplit(text)
        _ = parts.port
    except ValueError as exc:
        raise InvalidValueError("expected a Redis address") from exc
    if parts.scheme.lower() not in ("redis", "rediss") or not parts.hostname:
        raise InvalidValueError("expected a redis:// or rediss:// address")
    if parts.password is not None:
        raise InvalidValueError("a Redis password belongs in the secret store")
    return text


def _as_relay_user(value: Any) -> str:
    """A Redis user name, or "" (the address's own, else Redis's default user)."""
    text = as_text(value).strip()
    if len(text) > 128 or any(not ch.isprintable() or ch.isspace() or ch in "@:/" for ch in text):
        raise InvalidValueError("expected a Redis user name")
    return text


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Settings:
    """Everything the user can choose, with defaults. Immutable.

    The app changes settings only through the store's patches
    (``store.update(poll_interval_s=30)``); ``dataclasses.replace`` gives a changed copy.
    Every construction normalises values: numbers are clamped to their range, enum
    text is lower-cased, ``watched`` becomes a duplicate-free tuple and ``notify`` a
    read-only mapping of :class:`NotifyRule`. A value that cannot be normalised
    raises ``ValueError`` (the loader replaces such stored values by defaults instead).

    Attributes:
        schema_version: Layout version of the file this came from; never lower than
            ``SCHEMA_VERSION``. A file from a newer version keeps its number, so saving
            it back does not make that version re-migrate its own data.
        portal_url_hint: Scheme and host of the configured portal, for display only
            (never the webhook URL, which lives in the secret store); ``""`` when none.
        portal_kind: ``""`` (not configured), ``"webhook"`` or ``"demo"``.
        allow_http: Accept a portal over plain http (otherwise https only).
        poll_interval_s: Seconds between refreshes, 15 to 900.
        online_window_min: Minutes after the last activity during which a colleague
            still counts as online, 1 to 1440.
        notifications: Show desktop notifications.
        start_minimised: Start in the tray instead of showing the window.
        start_at_login: Start with the desktop session.
        theme: ``"system"``, ``"light"`` or ``"dark"``.
        language: ``"system"``, ``"en"`` or ``"ru"``.
        log_level: ``"debug"``, ``"info"``, ``"warning"`` or ``"error"``.
        watched: Ids of colleagues the user watches, in the user's order.
        notify: Notification rules by colleague id (as text, as JSON keys are text).
        relay_url: The office relay's Redis address (``rediss://HOST:PORT/DB``, no
            password: that is in the secret store); ``""`` polls the portal directly.
        relay_user: The Redis user for the relay (overrides the address's); ``""`` when none.
        extra: Keys this version does not understand (from a newer version), kept
            verbatim and written back on save. Private to this package: do not use.

    Window geometry, the last quick filter and one-time notices are not settings: they
    are state (:mod:`bx24presence.state`). Options of one run are
    :class:`bx24presence.runoptions.RunOptions`, never saved.

    To add a setting: a field here with its default, and its check in ``CHECKS`` (the
    order of ``CHECKS`` is the order in the file). Loading, saving, patches through
    :class:`~bx24presence.settings.store.SettingsStore` and the secret guard follow.
    """

    schema_version: int = SCHEMA_VERSION
    portal_url_hint: str = ""
    portal_kind: PortalKind = ""
    allow_http: bool = False
    poll_interval_s: int = 60
    online_window_min: int = 15
    notifications: bool = True
    start_minimised: bool = False
    start_at_login: bool = False
    theme: Theme = "system"
    language: Language = "system"
    log_level: LogLevel = "warning"
    watched: tuple[int, ...] = ()
    notify: Mapping[str, NotifyRule] = field(default_factory=_empty_mapping, hash=False)
    relay_url: str = ""
    relay_user: str = ""
    extra: Mapping[str, Any] = field(default_factory=_empty_mapping, repr=False, hash=False)

    def __post_init__(self) -> None:
        for name, check in CHECKS.items():
            try:
                value = check(getattr(self, name))
            except InvalidValueError as exc:
                raise ValueError(f"Invalid setting {name}: {exc}") from None
            object.__setattr__(self, name, value)
        if not isinstance(self.extra, MappingProxyType):
            extra = {k: v for k, v in self.extra.items() if k not in CHECKS}
            object.__setattr__(self, "extra", MappingProxyType(copy.deepcopy(extra)))


CHECKS: dict[str, Callable[[Any], Any]] = {
    "schema_version": _as_schema_version,
    "portal_url_hint": portal_hint_from_url,
    "portal_kind": choice(PORTAL_KINDS),
    "allow_http": as_bool,
    "poll_interval_s": clamped(*POLL_INTERVAL_RANGE_S),
    "online_window_min": clamped(*ONLINE_WINDOW_RANGE_MIN),
    "notifications": as_bool,
    "start_minimised": as_bool,
    "start_at_login": as_bool,
    "theme": choice(THEMES),
    "language": choice(LANGUAGES),
    "log_level": choice(LOG_LEVELS),
    "watched": as_watched,
    "notify": _as_notify,
    "relay_url": _as_relay_url,
    "relay_user": _as_relay_user,
}
"""The stored settings and how each value is checked, in the order they are written."""

SETTABLE = frozenset(CHECKS) - {"schema_version"}
"""The names a patch may change."""
