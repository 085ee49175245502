"""What the app remembers that the user did not choose: window geometry, the last quick
filter, one-time notices; kept in state.json beside settings.json, with its own loader.

A corrupt state file is set aside like a corrupt settings file, and never costs a setting:
the two files are read, written and repaired apart. Older versions kept these values in
settings.json; they are taken over from there once (:func:`load_state`'s ``legacy``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from bx24presence import paths
from bx24presence.settings.checks import (
    InvalidValueError,
    as_base64_text,
    as_bool,
    as_quick_filter,
    contains_webhook,
)
from bx24presence.settings.files import SettingsSaveError, encode_json, read_json_object

log = logging.getLogger(__name__)

STATE_FILE_NAME = "state.json"
STATE_VERSION = 1


@dataclass(frozen=True)
class State:
    """The app's memory between runs (frozen; change it with ``StateStore.update``).

    Attributes:
        window_geometry: The main window's geometry, base64 text ("" for the default).
        splitter_state: The main window's splitter, base64 text ("" for the default).
        quick_filter: The last quick filter chosen in the list.
        tray_notice_shown: "bx24presence keeps running in the tray" was shown once.
        list_sort: The list's order: ``presence`` (then name) or ``last_seen``.
        dnd_until: When a timed "do not disturb" ends, ISO 8601 with offset ("" for none).
        dnd_back_to: The own status to return to when it ends.
    """

    window_geometry: str = ""
    splitter_state: str = ""
    quick_filter: str = "everyone"
    tray_notice_shown: bool = False
    list_sort: str = "presence"
    dnd_until: str = ""
    dnd_back_to: str = ""

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            try:
                object.__setattr__(self, name, check(getattr(self, name)))
            except InvalidValueError as exc:
                raise ValueError(f"Invalid state {name}: {exc}") from None


def _as_sort(value: Any) -> str:
    if value not in ("presence", "last_seen"):
        raise InvalidValueError("expected presence or last_seen")
    return str(value)


def _as_moment(value: Any) -> str:
    if value == "":
        return ""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or len(value) > 40:
        raise InvalidValueError("expected an ISO 8601 time with an offset")
    return str(value)


def _as_own_status(value: Any) -> str:
    if value not in ("", "online", "away", "break", "dnd"):
        raise InvalidValueError("expected an own status")
    return str(value)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "window_geometry": as_base64_text,
    "splitter_state": as_base64_text,
    "quick_filter": as_quick_filter,
    "tray_notice_shown": as_bool,
    "list_sort": _as_sort,
    "dnd_until": _as_moment,
    "dnd_back_to": _as_own_status,
}

#: Names these values had in settings.json of older versions.
LEGACY_NAMES = {
    "window_geometry": "window_geometry",
    "splitter_state": "splitter_state",
    "quick_filter": "quick_filter",
    "hidden_to_tray_notice_shown": "tray_notice_shown",
}


class StateLoad(NamedTuple):
    """What :func:`load_state` found: the state, a notice (or None), where a bad file went."""

    state: State
    notice: str | None
    backup_path: Path | None


def state_path() -> Path:
    """The default state file, beside the settings: ``config_dir()/state.json``."""
    return paths.config_dir() / STATE_FILE_NAME


def load_state(
    path: Path | None = None,
    *,
    legacy: Mapping[str, Any] | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> StateLoad:
    """Read the state, tolerating anything a file can contain.

    A missing file gives defaults; an unreadable one, or one that is not a JSON object,
    is moved aside as ``state.json.corrupt-<stamp>``; a bad value falls back to its
    default alone.

    Args:
        path: The state file; default :func:`state_path`.
        legacy: Values an older version kept in settings.json (``LoadResult.moved``);
            used for what the state file does not hold.
        clock: Local time, to name a set-aside file.
    """
    path = state_path() if path is None else path
    document, notice, backup = read_json_object(path, "window state", clock)
    values: dict[str, Any] = {}
    for old, new in LEGACY_NAMES.items():
        if legacy and old in legacy:
            values[new] = legacy[old]
    if document is not None:
        values.update({k: v for k, v in document.items() if k in _CHECKS})
    kwargs: dict[str, Any] = {}
    for name, raw in values.items():
        if contains_webhook(raw):
            log.warning("Dropped state %r: it looks like a webhook URL", name)
            continue
        try:
            kwargs[name] = _CHECKS[name](raw)
        except InvalidValueError as exc:
            log.warning("State %r is invalid (%s); using the default", name, exc)
    return StateLoad(State(**kwargs), notice, backup)


def save_state(state: State, path: Path | None = None) -> None:
    """Write the state atomically.

    Raises:
        SettingsSaveError: The file could not be written; the previous one is unchanged.
    """
    path = state_path() if path is None else path
    document = {"version": STATE_VERSION, **dataclasses.asdict(state)}
    try:
        paths.ensure_dir(path.parent)
        paths.write_atomic(path, encode_json(document))
    except OSError as exc:
        log.warning("Could not save the window state to %s: %s", path, exc.strerror or exc)
        raise SettingsSaveError(exc, path, what="the window state") from exc


class StateStore:
    """The one owner of the state: patches are validated, saved atomically, kept.

    A failed save is logged and kept for the next one: losing a window position is not
    worth interrupting the user.

    Args:
        state: The starting state.
        path: Where to save; ``None`` keeps it in memory only.
    """

    def __init__(self, state: State | None = None, *, path: Path | None = None) -> None:
        self._current = state if state is not None else State()
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls, path: Path | None = None, *, legacy: Mapping[str, Any] | None = None
    ) -> tuple[StateStore, StateLoad]:
        """Load ``path`` (default :func:`state_path`) into a store that saves there."""
        path = state_path() if path is None else path
        loaded = load_state(path, legacy=legacy)
        return cls(loaded.state, path=path), loaded

    @property
    def current(self) -> State:
        """The state now."""
        return self._current

    def update(self, **changes: Any) -> bool:
        """Apply a patch and save it; True when something changed.

        Raises:
            TypeError: A name that is not part of the state.
            ValueError: A value that cannot be stored.
        """
        with self._lock:
            new = dataclasses.replace(self._current, **changes)
            if new == self._current:
                return False
            self._current = new
            self.save()
        return True

    def save(self) -> bool:
        """Write the current state; True when written (or kept in memory only)."""
        if self.path is None:
            return True
        with self._lock:
            try:
                save_state(self._current, self.path)
            except SettingsSaveError:
                return False
        return True
