"""settings.json on disk: tolerant loading, a corrupt file set aside, atomic saving, reset."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from bx24presence import paths
from bx24presence.settings.checks import InvalidValueError, as_int, contains_webhook, log
from bx24presence.settings.model import CHECKS, SCHEMA_VERSION, NotifyRule, Settings
from bx24presence.textsafe import repair, repair_deep

SETTINGS_FILE_NAME = "settings.json"

MOVED_TO_STATE = frozenset(
    {"window_geometry", "splitter_state", "quick_filter", "hidden_to_tray_notice_shown"}
)
"""Keys older versions kept in settings.json that are state now: read once, then dropped."""

# Steps that turn a version-N document into version N+1, applied in order on load.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingsSaveError(OSError):
    """Settings could not be written; the previous file, if any, is unchanged.

    ``str(error)`` is a plain sentence for the user, such as
    "Could not save settings: No space left on device". ``errno`` is the cause's.

    Attributes:
        user_message: The same sentence as ``str(error)``.
        path: The settings file concerned.
    """

    def __init__(
        self, cause: OSError, path: Path, action: str = "save", what: str = "settings"
    ) -> None:
        reason = cause.strerror or str(cause) or type(cause).__name__
        self.user_message = f"Could not {action} {what}: {reason}"
        super().__init__(cause.errno, self.user_message)
        self.path = path

    def __str__(self) -> str:
        return self.user_message


class SecretInSettingsError(ValueError):
    """A settings value looks like a webhook URL; settings must never hold a secret.

    The message names the offending key, never its value.
    """


class LoadResult(NamedTuple):
    """What :func:`load_settings` found.

    Attributes:
        settings: The settings to use; defaults when the file was missing or unreadable.
        notice: A sentence to show the user when something was wrong, else ``None``.
        backup_path: Where an unreadable file was moved, else ``None``.
        moved: Values of :data:`MOVED_TO_STATE` found in the file (an older version's),
            for the state loader to take over; they are not written back.
    """

    settings: Settings
    notice: str | None
    backup_path: Path | None
    moved: Mapping[str, Any] = MappingProxyType({})


def settings_path() -> Path:
    """Return the default location of the settings file, ``config_dir()/settings.json``."""
    return paths.config_dir() / SETTINGS_FILE_NAME


def read_json_object(
    path: Path, what: str, clock: Callable[[], datetime]
) -> tuple[dict[str, Any] | None, str | None, Path | None]:
    """Read a JSON object from a file of ours, setting an unusable file aside.

    Args:
        path: The file.
        what: What the file holds, for the notice ("settings", "window state").
        clock: Local time, to name a set-aside file.

    Returns:
        The document (``None`` when missing or unusable), a notice for the user (or
        ``None``), and where an unusable file was moved (or ``None``).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        log.info("No %s file at %s; using defaults", what, path)
        return None, None, None
    except OSError as exc:
        return None, *set_aside(path, what, f"it cannot be read ({exc.strerror or exc})", clock)
    try:
        # Repaired: a JSON "\ud800" escape gives a lone surrogate, which could never be saved.
        document = repair_deep(json.loads(raw.decode("utf-8")))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        why = f"it is not valid JSON ({type(exc).__name__})"
        return None, *set_aside(path, what, why, clock)
    if not isinstance(document, dict):
        why = f"it holds {type(document).__name__}, not an object"
        return None, *set_aside(path, what, why, clock)
    return document, None, None


def set_aside(
    path: Path, what: str, why: str, clock: Callable[[], datetime]
) -> tuple[str, Path | None]:
    """Move an unusable file to ``<name>.corrupt-<YYYYmmdd-HHMMSS>``; a notice and where."""
    log.warning("The %s file %s is unusable because %s; using defaults", what, path, why)
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
        return f"Your {what} file could not be read, so defaults are used.", None
    log.warning("Kept the unusable %s file as %s", what, backup)
    notice = (
        f"Your {what} file could not be read; it was kept as {backup.name} and defaults are used."
    )
    return notice, backup


def load_settings(
    path: Path | None = None, *, clock: Callable[[], datetime] = datetime.now
) -> LoadResult:
    """Read settings, tolerating anything a file can contain.

    A missing file gives defaults. A file that cannot be read or is not a JSON object
    is moved aside as ``settings.json.corrupt-<YYYYmmdd-HHMMSS>`` and defaults are
    used, with a notice for the user. Individually bad values are replaced by their
    defaults (or clamped) without discarding the rest. Unknown keys are kept in
    ``Settings.extra`` and written back on save; values that look like a webhook URL
    are dropped, as settings must never hold a secret. Keys that are state now
    (:data:`MOVED_TO_STATE`) are handed over in ``LoadResult.moved``.

    Args:
        path: The settings file; default :func:`settings_path`.
        clock: Returns the local time used to name a moved-aside file (for tests).

    Returns:
        The settings, a notice (or ``None``), where a corrupt file was moved, and the
        values that moved to state.
    """
    path = settings_path() if path is None else path
    document, notice, backup = read_json_object(path, "settings", clock)
    if document is None:
        return LoadResult(Settings(), notice, backup)
    try:
        settings, moved = _from_document(document)
    except Exception:
        # Every value is checked above; this is a last resort so the app always starts.
        log.exception("Unexpected problem reading settings")
        notice, backup = set_aside(path, "settings", "its content could not be interpreted", clock)
        return LoadResult(Settings(), notice, backup)
    log.info("Loaded settings from %s", path)
    return LoadResult(settings, None, None, MappingProxyType(moved))


def _from_document(document: dict[str, Any]) -> tuple[Settings, dict[str, Any]]:
    version = _file_version(document.get("schema_version"))
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
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
    moved: dict[str, Any] = {}
    for key, raw in document.items():
        if key == "schema_version":
            continue
        if contains_webhook(raw):
            log.warning("Dropped setting %r: it looks like a webhook URL", key)
            continue
        if key in MOVED_TO_STATE:
            moved[key] = raw
            continue
        check = CHECKS.get(key)
        if check is None:
            extra[key] = raw
            continue
        try:
            value = check(raw)
        except InvalidValueError as exc:
            log.warning("Setting %r is invalid (%s); using the default", key, exc)
            continue
        if to_json_value(value) != raw:
            log.info("Setting %r was adjusted to a valid value", key)
        kwargs[key] = value
    return Settings(**kwargs, extra=MappingProxyType(extra)), moved


def _file_version(value: Any) -> int:
    if value is None:
        return SCHEMA_VERSION
    try:
        version = as_int(value)
    except InvalidValueError:
        log.warning("Settings have an invalid schema_version; reading them as the current one")
        return SCHEMA_VERSION
    return max(version, 1)


def to_json_value(value: Any) -> Any:
    """A checked value as JSON: tuples become lists, rules their mappings."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {
            k: v.to_json() if isinstance(v, NotifyRule) else to_json_value(v)
            for k, v in value.items()
        }
    return value


def settings_to_json(settings: Settings) -> dict[str, Any]:
    """Return the JSON document :func:`save_settings` writes (unknown keys kept come last)."""
    document: dict[str, Any] = {name: to_json_value(getattr(settings, name)) for name in CHECKS}
    for key, value in settings.extra.items():
        document.setdefault(key, copy.deepcopy(value))
    return document


def check_no_secret(settings: Settings) -> None:
    """Raise :class:`SecretInSettingsError` if any value looks like a webhook URL."""
    for key, value in settings_to_json(settings).items():
        if contains_webhook(value) or contains_webhook(key):
            raise SecretInSettingsError(
                f"Refusing to save settings: {key!r} looks like a webhook URL, which is a "
                "secret and belongs in the secret store"
            )


def encode_json(document: Mapping[str, Any]) -> bytes:
    """A document as the UTF-8 JSON text we write (indented, text repaired)."""
    return repair(json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


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
    check_no_secret(settings)
    data = encode_json(settings_to_json(settings))
    try:
        paths.ensure_dir(path.parent)
        paths.write_atomic(path, data)
    except OSError as exc:
        log.warning("Could not save settings to %s: %s", path, exc.strerror or exc)
        raise SettingsSaveError(exc, path) from exc
    log.debug("Saved settings to %s", path)


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
