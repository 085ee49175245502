"""The user's settings: the value, its checks, settings.json on disk, and the one store.

``Settings`` (:mod:`.model`) is a frozen, validated value; :mod:`.files` loads and saves
settings.json; :class:`SettingsStore` (:mod:`.store`) is the one owner the app changes
them through, by patches. Window geometry and one-time notices are state
(:mod:`bx24presence.state`), and options of one run are
:class:`bx24presence.runoptions.RunOptions`.
"""

from __future__ import annotations

from bx24presence.settings.checks import WEBHOOK_URL_PATTERN, portal_hint_from_url
from bx24presence.settings.files import (
    MOVED_TO_STATE,
    SETTINGS_FILE_NAME,
    LoadResult,
    SecretInSettingsError,
    SettingsSaveError,
    load_settings,
    reset_settings,
    save_settings,
    settings_path,
    settings_to_json,
)
from bx24presence.settings.model import (
    LANGUAGES,
    LOG_LEVELS,
    NOTIFY_MODES,
    ONLINE_WINDOW_RANGE_MIN,
    POLL_INTERVAL_RANGE_S,
    PORTAL_KINDS,
    SCHEMA_VERSION,
    THEMES,
    Language,
    LogLevel,
    NotifyMode,
    NotifyRule,
    PortalKind,
    Settings,
    Theme,
)
from bx24presence.settings.store import SettingsChange, SettingsStore

__all__ = [
    "LANGUAGES",
    "LOG_LEVELS",
    "MOVED_TO_STATE",
    "NOTIFY_MODES",
    "ONLINE_WINDOW_RANGE_MIN",
    "POLL_INTERVAL_RANGE_S",
    "PORTAL_KINDS",
    "SCHEMA_VERSION",
    "SETTINGS_FILE_NAME",
    "THEMES",
    "WEBHOOK_URL_PATTERN",
    "Language",
    "LoadResult",
    "LogLevel",
    "NotifyMode",
    "NotifyRule",
    "PortalKind",
    "SecretInSettingsError",
    "Settings",
    "SettingsChange",
    "SettingsSaveError",
    "SettingsStore",
    "Theme",
    "load_settings",
    "portal_hint_from_url",
    "reset_settings",
    "save_settings",
    "settings_path",
    "settings_to_json",
]
