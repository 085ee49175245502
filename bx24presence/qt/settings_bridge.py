"""Turns the settings store's notifications into Qt signals for the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from bx24presence.settings import SettingsChange, SettingsSaveError, SettingsStore


class SettingsSignals(QObject):
    """Listens to one :class:`SettingsStore` until :meth:`close`.

    Signals:
        changed(SettingsChange): a patch changed the settings.
        save_failed(SettingsSaveError): the settings could not be written.
    """

    changed = Signal(object)
    save_failed = Signal(object)

    def __init__(self, store: SettingsStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._unsubscribe = [
            store.subscribe(self._on_store_changed),
            store.subscribe_errors(self._on_store_save_failed),
        ]

    def close(self) -> None:
        """Stop listening."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def _on_store_changed(self, change: SettingsChange) -> None:
        self.changed.emit(change)

    def _on_store_save_failed(self, error: SettingsSaveError) -> None:
        self.save_failed.emit(error)
