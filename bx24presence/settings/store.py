"""The one owner of the settings: hands out the current value, takes patches, saves, notifies."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bx24presence.settings.checks import log
from bx24presence.settings.files import (
    LoadResult,
    SettingsSaveError,
    check_no_secret,
    load_settings,
    save_settings,
)
from bx24presence.settings.model import SETTABLE, Settings


@dataclass(frozen=True)
class SettingsChange:
    """What a patch did.

    Attributes:
        old: The settings before.
        new: The settings after (also ``store.current``).
        changed: Names of the fields whose value changed.
    """

    old: Settings
    new: Settings
    changed: frozenset[str]


Listener = Callable[[SettingsChange], None]
ErrorListener = Callable[[SettingsSaveError], None]


class SettingsStore:
    """Holds the current settings; nobody else keeps a copy to save back.

    Every change is a patch, ``store.update(poll_interval_s=30)``: it is validated
    (clamped like any value; an unknown name is a ``TypeError``, an impossible value or
    a value that looks like a webhook URL a ``ValueError``, and then nothing changes),
    takes effect at once, is written atomically to ``path`` and is announced to the
    listeners. A failed write keeps the change for this run and tells the error
    listeners (the previous file stays whole); the next successful save writes it.

    Args:
        settings: The starting value (usually loaded from ``path``).
        path: Where to save; ``None`` keeps the settings in memory only (tests, the
            self-test, a window without a composition root).
    """

    def __init__(self, settings: Settings | None = None, *, path: Path | None = None) -> None:
        self._current = settings if settings is not None else Settings()
        self.path = path
        self._listeners: list[Listener] = []
        self._error_listeners: list[ErrorListener] = []
        self._lock = threading.RLock()
        self._unsaved = False

    @classmethod
    def open(cls, path: Path | None = None) -> tuple[SettingsStore, LoadResult]:
        """Load ``path`` (default the settings file) into a store that saves there."""
        from bx24presence.settings.files import settings_path  # noqa: PLC0415

        path = settings_path() if path is None else path
        loaded = load_settings(path)
        return cls(loaded.settings, path=path), loaded

    @property
    def unsaved(self) -> bool:
        """Whether the last save failed, so the file is behind :attr:`current`."""
        return self._unsaved

    @property
    def current(self) -> Settings:
        """The settings now (a frozen value: read it, never save it back)."""
        return self._current

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every patch that changed something.

        Returns:
            A function that unsubscribes.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def subscribe_errors(self, listener: ErrorListener) -> Callable[[], None]:
        """Call ``listener(error)`` when a save fails. Returns a function that unsubscribes."""
        self._error_listeners.append(listener)
        return lambda: (
            self._error_listeners.remove(listener) if listener in self._error_listeners else None
        )

    def update(self, **changes: Any) -> SettingsChange | None:
        """Apply a patch: validate, take into use, save, notify.

        Args:
            **changes: Setting names and their new values.

        Returns:
            What changed, or ``None`` when the patch changed nothing (nothing is written).

        Raises:
            TypeError: A name that is not a setting.
            ValueError: A value that cannot be a setting, or that looks like a secret.
        """
        unknown = sorted(set(changes) - SETTABLE)
        if unknown:
            raise TypeError(f"Not a setting: {', '.join(unknown)}")
        with self._lock:
            old = self._current
            new = dataclasses.replace(old, **changes)
            changed = frozenset(
                name for name in changes if getattr(new, name) != getattr(old, name)
            )
            if not changed:
                return None
            check_no_secret(new)
            self._current = new
            change = SettingsChange(old, new, changed)
            self._write()
        log.debug("Settings changed: %s", ", ".join(sorted(changed)))
        for listener in list(self._listeners):
            listener(change)
        return change

    def save(self) -> bool:
        """Write the current settings (e.g. after a failed save); True when written."""
        with self._lock:
            return self._write()

    def _write(self) -> bool:
        if self.path is None:
            return True
        try:
            save_settings(self._current, self.path)
        except SettingsSaveError as exc:
            self._unsaved = True
            for listener in list(self._error_listeners):
                listener(exc)
            return False
        self._unsaved = False
        return True
