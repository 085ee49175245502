"""The colleagues the user watches, and their "notify me when available" rules: a view of
the settings store that changes them by patches."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Literal

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu

from bx24presence.qt.settings_bridge import SettingsSignals
from bx24presence.settings import NotifyRule, Settings, SettingsChange, SettingsStore


def as_store(settings: SettingsStore | Settings | None) -> SettingsStore:
    """A store as given, or one holding ``settings`` in memory only (never saved)."""
    if isinstance(settings, SettingsStore):
        return settings
    return SettingsStore(settings)


class WatchList(QObject):
    """Watched colleagues (a star) and notification rules (a bell), kept in the settings.

    Notifying implies watching; unwatching stops notifying. Reads come from a cache of the
    store's value, rebuilt when the store changes; every change is a patch to the store.

    Signals:
        changed(): the watched set or a rule changed.
    """

    changed = Signal()

    def __init__(
        self, store: SettingsStore | Settings | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = as_store(store)
        self._signals = SettingsSignals(self.store, self)
        self._signals.changed.connect(self._on_settings_changed)
        self._read(self.store.current)

    @property
    def watched(self) -> frozenset[int]:
        """The watched colleagues."""
        return self._watched

    @property
    def rules(self) -> MappingProxyType[int, NotifyRule]:
        """Notification rules by colleague id."""
        return self._rules

    def close(self) -> None:
        """Stop following the store."""
        self._signals.close()

    def is_watched(self, cid: int) -> bool:
        """Whether a colleague is starred."""
        return cid in self._watched

    def rule(self, cid: int) -> NotifyRule | None:
        """The notification rule of a colleague, if any."""
        return self._rules.get(cid)

    def set_watched(self, cid: int, on: bool) -> None:
        """Star or unstar a colleague."""
        if on == (cid in self._watched):
            return
        current = self.store.current
        if on:
            self.store.update(watched=(*current.watched, cid))
        else:
            self.store.update(
                watched=tuple(i for i in current.watched if i != cid),
                notify={k: v for k, v in current.notify.items() if k != str(cid)},
            )

    def toggle(self, cid: int) -> None:
        """Star if not starred, else unstar."""
        self.set_watched(cid, cid not in self._watched)

    def set_rule(
        self, cid: int, mode: Literal["once", "always"] | None, *, today_only: bool = False
    ) -> None:
        """Notify ``once``, ``always``, or stop (None); ``today_only`` expires at midnight."""
        current = self.store.current
        notify = {k: v for k, v in current.notify.items() if k != str(cid)}
        if mode is None:
            if len(notify) != len(current.notify):
                self.store.update(notify=notify)
            return
        notify[str(cid)] = NotifyRule(
            mode=mode, until_end_of_day=today_only, since=datetime.now().astimezone().isoformat()
        )
        watched = current.watched if cid in current.watched else (*current.watched, cid)
        self.store.update(watched=watched, notify=notify)

    def drop_rules(self, ids: set[int]) -> None:
        """Remove spent or expired rules."""
        current = self.store.current
        keep = {k: v for k, v in current.notify.items() if not (k.isdigit() and int(k) in ids)}
        if len(keep) != len(current.notify):
            self.store.update(notify=keep)

    def _read(self, settings: Settings) -> None:
        self._watched = frozenset(settings.watched)
        rules: dict[int, NotifyRule] = {}
        for key, rule in settings.notify.items():
            if key.isascii() and key.isdigit():  # "²".isdigit() is True too
                rules[int(key)] = rule
        self._rules = MappingProxyType(rules)

    def _on_settings_changed(self, change: SettingsChange) -> None:
        if change.changed & {"watched", "notify"}:
            self._read(change.new)
            self.changed.emit()


def fill_notify_menu(menu: QMenu, watchlist: WatchList, cid: int) -> None:
    """The "notify me when available" choices for one colleague, the current one checked."""

    rule = watchlist.rule(cid)
    choices: tuple[tuple[str, Literal["once", "always"], bool], ...] = (
        (QCoreApplication.translate("Watch", "Once"), "once", False),
        (QCoreApplication.translate("Watch", "Every time"), "always", False),
        (QCoreApplication.translate("Watch", "Every time, today only"), "always", True),
    )
    # One choice of several (radio items to screen readers), none while not notifying.
    group = QActionGroup(menu)
    group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
    for title, mode, today in choices:
        action = menu.addAction(title)
        action.setCheckable(True)
        action.setActionGroup(group)
        action.setChecked(rule is not None and rule.mode == mode and rule.until_end_of_day == today)
        action.triggered.connect(
            lambda _=False, m=mode, t=today: watchlist.set_rule(cid, m, today_only=t)
        )
    stop = menu.addAction(QCoreApplication.translate("Watch", "Stop notifying"))
    stop.setEnabled(rule is not None)
    stop.triggered.connect(lambda: watchlist.set_rule(cid, None))
