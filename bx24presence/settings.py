"""Typed, versioned user settings: tolerant loading and atomic saving of settings.json."""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import json
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from bx24presence import paths
from bx24presence.textsafe import repair, repair_deep

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""The settings layout this version writes. Bump it and add a step to ``_MIGRATIONS``."""

SETTINGS_FILE_NAME = "settings.json"

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
_QUICK_FILTER_MAX_LEN = 64

# A Bitrix24 inbound webhook is https://<portal>/rest/<user id>/<token>/; the token is the secret.
# https://apidocs.bitrix24.ru/local-integrations/local-webhooks.html
WEBHOOK_URL_PATTERN = re.compile(r"/rest/\d+/[A-Za-z0-9_-]+", re.IGNORECASE)


class SettingsSaveError(OSError):
    """Settings could not be written; the previous file, if any, is unchanged.

    ``str(error)`` is a plain sentence for the user, such as
    "Could not save settings: No space left on device". ``errno`` is the cause's.

    Attributes:
        user_message: The same sentence as ``str(error)``.
        path: The settings file concerned.
    """

    def __init__(self, cause: OSError, path: Path, action: str = "save") -> None:
        reason = cause.strerror or str(cause) or type(cause).__name__
        self.user_message = f"Could not {action} settings: {reason}"
        super().__init__(cause.errno, self.user_message)
        self.path = path

    def __str__(self) -> str:
        return self.user_message


class SecretInSettingsError(ValueError):
    """A settings value looks like a webhook URL; settings must never hold a secret.

    The message names the offending key, never its value.
    """


class _InvalidValueError(ValueError):
    """A stored value that cannot be turned into a valid setting."""


# --- value checks, shared by construction and loading --------------------------------------


def _as_bool(value: Any) -> bool:
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
    raise _InvalidValueError(f"expected true or false, got {type(value).__name__}")


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _InvalidValueError("expected a number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _InvalidValueError(f"expected a whole number, got {type(value).__name__}")


def _clamped(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        return min(max(_as_int(value), low), high)

    return check


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, str):
            text = value.strip().lower()
            if text in options:
                return text
        raise _InvalidValueError(f"expected one of {', '.join(map(repr, options))}")

    return check


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _InvalidValueError(f"expected text, got {type(value).__name__}")


def _as_base64_text(value: Any) -> str:
    text = _as_text(value).strip()
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _InvalidValueError("expected base64 text") from exc
    return text


def _as_quick_filter(value: Any) -> str:
    text = _as_text(value).strip()
    if not text or len(text) > _QUICK_FILTER_MAX_LEN:
        raise _InvalidValueError("expected a filter name")
    return text


def _as_iso_time_text(value: Any) -> str:
    text = _as_text(value).strip()
    if not text:
        return ""
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        raise _InvalidValueError("expected an ISO 8601 date and time") from exc
    return text


def _as_colleague_id(value: Any) -> int:
    number = _as_int(value)
    if number <= 0 or (isinstance(value, float) and not value.is_integer()):
        raise _InvalidValueError("expected a positive colleague id")
    return number


def _as_watched(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise _InvalidValueError(f"expected a list of colleague ids, got {type(value).__name__}")
    ids: dict[int, None] = {}  # an ordered set: keeps the user's order, drops duplicates
    dropped = 0
    for item in value:
        try:
            ids[_as_colleague_id(item)] = None
        except _InvalidValueError:
            dropped += 1
    if dropped:
        log.warning("Ignored %d invalid colleague id(s) in the watch list", dropped)
    return tuple(ids)


def _as_notify(value: Any) -> Mapping[str, NotifyRule]:
    if isinstance(value, MappingProxyType) and all(
        isinstance(rule, NotifyRule) for rule in value.values()
    ):
        return value
    if not isinstance(value, Mapping):
        raise _InvalidValueError(f"expected a mapping of colleague ids, got {type(value).__name__}")
    rules: dict[str, NotifyRule] = {}
    dropped = 0
    for key, rule in value.items():
        try:
            rules[str(_as_colleague_id(key))] = NotifyRule.coerce(rule)
        except _InvalidValueError:
            dropped += 1
    if dropped:
        log.warning("Ignored %d invalid notification rule(s)", dropped)
    return MappingProxyType(rules)


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
        raise _InvalidValueError(f"expected text, got {type(url).__name__}")
    text = url.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _InvalidValueError("expected a portal address") from exc
    scheme = parts.scheme.lower()
    host = parts.netloc.rpartition("@")[2].lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise _InvalidValueError("expected an http or https address with a host")
    if port is None:
        host = host.rstrip(":")
    return f"{scheme}://{host}"


def _as_schema_version(value: Any) -> int:
    return max(_as_int(value), SCHEMA_VERSION)


# --- the settings ----------------------------------------------------------------------------


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
        object.__setattr__(self, "mode", _choice(NOTIFY_MODES)(self.mode))
        object.__setattr__(self, "until_end_of_day", _as_bool(self.until_end_of_day))
        object.__setattr__(self, "since", _as_iso_time_text(self.since))

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
            raise _InvalidValueError(f"expected a rule, got {type(value).__name__}")
        kwargs: dict[str, Any] = {}
        for name, check in (
            ("mode", _choice(NOTIFY_MODES)),
            ("until_end_of_day", _as_bool),
            ("since", _as_iso_time_text),
        ):
            if name in value:
                try:
                    kwargs[name] = check(value[name])
                except _InvalidValueError:
                    log.warning("Notification rule member %r was invalid; using the default", name)
        return cls(**kwargs)

    def to_json(self) -> dict[str, Any]:
        """Return the rule as stored in settings.json."""
        return {"mode": self.mode, "until_end_of_day": self.until_end_of_day, "since": self.since}


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Settings:
    """Everything the user can choose, with defaults. Immutable: change it with ``replace``.

    ``dataclasses.replace(settings, poll_interval_s=30)`` returns an updated copy.
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
        window_geometry: The main window's saved geometry, base64 text.
        splitter_state: The main window's saved splitter state, base64 text.
        quick_filter: Name of the last quick filter chosen in the list.
        hidden_to_tray_notice_shown: The "still running in the tray" notice was shown.
        extra: Keys this version does not understand (from a newer version), kept
            verbatim and written back on save. Private to this module: do not use.
        run_overrides: Values set for this run only by :func:`apply_overrides`; not
            compared, not saved. Private to this module: do not use.
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
    window_geometry: str = ""
    splitter_state: str = ""
    quick_filter: str = "everyone"
    hidden_to_tray_notice_shown: bool = False
    extra: Mapping[str, Any] = field(default_factory=_empty_mapping, repr=False, hash=False)
    run_overrides: Mapping[str, tuple[Any, Any]] = field(
        default_factory=_empty_mapping, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            try:
                value = check(getattr(self, name))
            except _InvalidValueError as exc:
                raise ValueError(f"Invalid setting {name}: {exc}") from None
            object.__setattr__(self, name, value)
        if not isinstance(self.extra, MappingProxyType):
            extra = {k: v for k, v in self.extra.items() if k not in _CHECKS}
            object.__setattr__(self, "extra", MappingProxyType(copy.deepcopy(extra)))
        if not isinstance(self.run_overrides, MappingProxyType):
            object.__setattr__(self, "run_overrides", MappingProxyType(dict(self.run_overrides)))


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "schema_version": _as_schema_version,
    "portal_url_hint": portal_hint_from_url,
    "portal_kind": _choice(PORTAL_KINDS),
    "allow_http": _as_bool,
    "poll_interval_s": _clamped(*POLL_INTERVAL_RANGE_S),
    "online_window_min": _clamped(*ONLINE_WINDOW_RANGE_MIN),
    "notifications": _as_bool,
    "start_minimised": _as_bool,
    "start_at_login": _as_bool,
    "theme": _choice(THEMES),
    "language": _choice(LANGUAGES),
    "log_level": _choice(LOG_LEVELS),
    "watched": _as_watched,
    "notify": _as_notify,
    "window_geometry": _as_base64_text,
    "splitter_state": _as_base64_text,
    "quick_filter": _as_quick_filter,
    "hidden_to_tray_notice_shown": _as_bool,
}
"""The stored settings and how each value is checked, in the order they are written."""


# Steps that turn a version-N document into version N+1, applied in order on load.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class LoadResult(NamedTuple):
    """What :func:`load_settings` found.

    Attributes:
        settings: The settings to use; defaults when the file was missing or unreadable.
        notice: A sentence to show the user when something was wrong, else ``None``.
        backup_path: Where an unreadable file was moved, else ``None``.
    """

    settings: Settings
    notice: str | None
    backup_path: Path | None


def settings_path() -> Path:
    """Return the default location of the settings file, ``config_dir()/settings.json``."""
    return paths.config_dir() / SETTINGS_FILE_NAME


def load_settings(
    path: Path | None = None, *, clock: Callable[[], datetime] = datetime.now
) -> LoadResult:
    """Read settings, tolerating anything a file can contain.

    A missing file gives defaults. A file that cannot be read or is not a JSON object
    is moved aside as ``settings.json.corrupt-<YYYYmmdd-HHMMSS>`` and defaults are
    used, with a notice for the user. Individually bad values are replaced by their
    defaults (or clamped) without discarding the rest. Unknown keys are kept in
    ``Settings.extra`` and written back on save; values that look like a webhook URL
    are dropped, as settings must never hold a secret.

    Args:
        path: The settings file; default :func:`settings_path`.
        clock: Returns the local time used to name a moved-aside file (for tests).

    Returns:
        The settings, a notice (or ``None``) and where a corrupt file was moved.
    """
    path = settings_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        log.info("No settings file at %s; using defaults", path)
        return LoadResult(Settings(), None, None)
    except OSError as exc:
        return _set_aside(path, f"it cannot be read ({exc.strerror or exc})", clock)
    try:
        # Repaired: a JSON "\ud800" escape gives a lone surrogate, which could never be saved.
        document = repair_deep(json.loads(raw.decode("utf-8")))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return _set_aside(path, f"it is not valid JSON ({type(exc).__name__})", clock)
    if not isinstance(document, dict):
        return _set_aside(path, f"it holds {type(document).__name__}, not an object", clock)
    try:
        settings = _from_document(document)
    except Exception:
        # Every value is checked above; this is a last resort so the app always starts.
        log.exception("Unexpected problem reading settings")
        return _set_aside(path, "its content could not be interpreted", clock)
    log.info("Loaded settings from %s", path)
    return LoadResult(settings, None, None)


def _set_aside(path: Path, why: str, clock: Callable[[], datetime]) -> LoadResult:
    log.warning("Settings file %s is unusable because %s; using defaults", path, why)
    stamp = clock().strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.corrupt-{stamp}")
    backup = base
    counter = 1
    while backup.exists() or backup.is_symlink():
        backup = base.with_name(f"{base.name}-{counter}")
        counter += 1
    try:
        os.replace(path, backup)
    except OSError as exc:
        log.warning("Could not move %s aside: %s", path, exc.strerror or exc)
        notice = "Your settings file could not be read, so defaults are used."
        return LoadResult(Settings(), notice, None)
    log.warning("Kept the unusable settings file as %s", backup)
    notice = (
        f"Your settings file could not be read; it was kept as {backup.name} and defaults are used."
    )
    return LoadResult(Settings(), notice, backup)


def _from_document(document: dict[str, Any]) -> Settings:
    version = _file_version(document.get("schema_version"))
    while version < SCHEMA_VERSION:
        step = _MIGRATIONS.get(version)
        if step is not None:
            document = step(document)
        version += 1
    if version > SCHEMA_VERSION:
        log.info(
            "Settings were written by a newer version (schema %d); keeping what this version "
            "does not understand",
            version,
        )
    kwargs: dict[str, Any] = {"schema_version": version}
    extra: dict[str, Any] = {}
    for key, raw in document.items():
        if key == "schema_version":
            continue
        if _contains_webhook(raw):
            log.warning("Dropped setting %r: it looks like a webhook URL", key)
            continue
        check = _CHECKS.get(key)
        if check is None:
            extra[key] = raw
            continue
        try:
            value = check(raw)
        except _InvalidValueError as exc:
            log.warning("Setting %r is invalid (%s); using the default", key, exc)
            continue
        if _to_json_value(value) != raw:
            log.info("Setting %r was adjusted to a valid value", key)
        kwargs[key] = value
    return Settings(**kwargs, extra=MappingProxyType(extra))


def _file_version(value: Any) -> int:
    if value is None:
        return SCHEMA_VERSION
    try:
        version = _as_int(value)
    except _InvalidValueError:
        log.warning("Settings have an invalid schema_version; reading them as the current one")
        return SCHEMA_VERSION
    return max(version, 1)


def _to_json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {
            k: v.to_json() if isinstance(v, NotifyRule) else _to_json_value(v)
            for k, v in value.items()
        }
    return value


def settings_to_json(settings: Settings) -> dict[str, Any]:
    """Return the JSON document :func:`save_settings` writes.

    Values set by :func:`apply_overrides` and not changed since are replaced by the
    values they hid. Unknown keys kept from the file come last.

    Args:
        settings: The settings to store.

    Returns:
        A JSON-serialisable mapping.
    """
    document: dict[str, Any] = {}
    for name in _CHECKS:
        value = getattr(settings, name)
        override = settings.run_overrides.get(name)
        if override is not None and override[0] == value:
            value = override[1]
        document[name] = _to_json_value(value)
    for key, value in settings.extra.items():
        document.setdefault(key, copy.deepcopy(value))
    return document


def _contains_webhook(value: Any) -> bool:
    if isinstance(value, str):
        return WEBHOOK_URL_PATTERN.search(value) is not None
    if isinstance(value, Mapping):
        return any(_contains_webhook(k) or _contains_webhook(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_webhook(item) for item in value)
    return False


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write settings atomically: readers see the old file or the new one, never a mix.

    Args:
        settings: The settings to store.
        path: The settings file; default :func:`settings_path`. Its directory is
            created if needed.

    Raises:
        SecretInSettingsError: If any value looks like a webhook URL. Nothing is written.
        SettingsSaveError: If the file cannot be written (disk full, read-only, ...).
            The previous file is unchanged and no temporary file is left behind.
    """
    path = settings_path() if path is None else path
    document = settings_to_json(settings)
    for key, value in document.items():
        if _contains_webhook(value) or _contains_webhook(key):
            raise SecretInSettingsError(
                f"Refusing to save settings: {key!r} looks like a webhook URL, which is a "
                "secret and belongs in the secret store"
            )
    data = repair(json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        paths.ensure_dir(path.parent)
        paths.write_atomic(path, data)
    except OSError as exc:
        log.warning("Could not save settings to %s: %s", path, exc.strerror or exc)
        raise SettingsSaveError(exc, path) from exc
    log.debug("Saved settings to %s", path)


def apply_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Override settings for this run only, for example from command-line options.

    The result is used like any settings object. When it is saved, each overridden
    field whose value is still the override is written with the value it hid, so a
    ``--poll-interval 20`` never becomes the user's saved choice; a field the user
    changes afterwards is saved with the new value.

    Args:
        settings: The loaded settings.
        **overrides: Field names and values; a value of ``None`` means "not given" and
            is skipped, which suits options that default to ``None``.

    Returns:
        Settings with the overrides applied (checked and clamped like any value).

    Raises:
        TypeError: For a name that is not a setting (or is not user-settable).
        ValueError: For a value that cannot be a valid setting.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    unknown = sorted(set(given) - (set(_CHECKS) - {"schema_version"}))
    if unknown:
        raise TypeError(f"Not a setting that can be overridden: {', '.join(unknown)}")
    result = dataclasses.replace(settings, **given)
    recorded = dict(settings.run_overrides)
    for name in given:
        hidden = recorded[name][1] if name in recorded else getattr(settings, name)
        recorded[name] = (getattr(result, name), hidden)
    return dataclasses.replace(result, run_overrides=MappingProxyType(recorded))


def reset_settings(path: Path | None = None) -> LoadResult:
    """Start over with defaults, keeping the old file as ``settings.json.bak``.

    The old file is renamed (replacing an earlier ``.bak``), not deleted, so a reset
    by mistake can be undone by hand. Nothing new is written until the next save.

    Args:
        path: The settings file; default :func:`settings_path`.

    Returns:
        Default settings, a notice naming the backup (``None`` if there was no file)
        and the backup's path.

    Raises:
        SettingsSaveError: If the old file exists but cannot be moved.
    """
    path = settings_path() if path is None else path
    backup = path.with_name(f"{path.name}.bak")
    try:
        os.replace(path, backup)
    except FileNotFoundError:
        return LoadResult(Settings(), None, None)
    except OSError as exc:
        raise SettingsSaveError(exc, path, action="reset") from exc
    log.info("Settings reset; the previous file was kept as %s", backup)
    notice = f"Settings were reset; the previous file was kept as {backup.name}."
    return LoadResult(Settings(), notice, backup)
