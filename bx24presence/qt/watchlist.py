"""The colleagues the user watches, and their "notify me when available" rules."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMenu

from bx24presence.settings import NotifyRule, Settings


class WatchList(QObject):
    """Watched colleagues (a star) and notification rules (a bell), kept in the settings.

    Notifying implies watching; unwatching stops notifying.

    Signals:
        changed(): the watched set or a rule changed.
    """

    changed = Signal()

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.watched: set[int] = set(settings.watched)
        self.rules: dict[int, NotifyRule] = {}
        for key, rule in settings.notify.items():
            if key.isascii() and key.isdigit():  # "²".isdigit() is True too
                self.rules[int(key)] = rule

    def is_watched(self, cid: int) -> bool:
        """Whether a colleague is starred."""
        return cid in self.watched

    def rule(self, cid: int) -> NotifyRule | None:
        """The notification rule of a colleague, if any."""
        return self.rules.get(cid)

    def set_watched(self, cid: int, on: bool) -> None:
        """Star or unstar a colleague."""
        if on == (cid in self.watched):
            return
        if on:
            self.watched.add(cid)
        else:
            self.watched.discard(cid)
            self.rules.pop(cid, None)
        self.changed.emit()

    def toggle(self, cid: int) -> None:
        """Star if not starred, else unstar."""
        self.set_watched(cid, cid not in self.watched)

    def set_rule(
        self, cid: int, mode: Literal["once", "always"] | None, *, today_only: bool = False
    ) -> None:
        """Notify ``once``, ``always``, or stop (None); ``today_only`` expires at midnight."""
        if mode is None:
            if self.rules.pop(cid, None) is not None:
                self.changed.emit()
            return
        self.watched.add(cid)
        self.rules[cid] = NotifyRule(
            mode=mode, until_end_of_day=today_only, since=datetime.now().astimezone().isoformat()
        )
        self.changed.emit()

    def drop_rules(self, ids: set[int]) -> None:
        """Remove spent or expired rules."""
        if any(self.rules.pop(cid, None) is not None for cid in list(ids)):
            self.changed.emit()

    def to_settings(self, settings: Settings) -> Settings:
        """``settings`` with this list in it."""
        return dataclasses.replace(
            settings,
            watched=tuple(sorted(self.watched)),
            notify=MappingProxyType({str(k): v for k, v in sorted(self.rules.items())}),
        )


def fill_notify_menu(menu: QMenu, watchlist: WatchList, cid: int) -> None:
    """The "notify me when available" choices for one colleague, the current one checked."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("Watch", text)

    rule = watchlist.rule(cid)
    choices: tuple[tuple[str, Literal["once", "always"], bool], ...] = (
        (tr("Once"), "once", False),
        (tr("Every time"), "always", False),
        (tr("Every time, today only"), "always", True),
    )
    for title, mode, today in choices:
        action = menu.addAction(title)
        action.setCheckable(True)
        action.setChecked(rule is not None and rule.mode == mode and rule.until_end_of_day == today)
        action.triggered.connect(
            lambda _=False, m=mode, t=today: watchlist.set_rule(cid, m, today_only=t)
        )
    stop = menu.addAction(tr("Stop notifying"))
    stop.setEnabled(rule is not None)
    stop.triggered.connect(lambda: watchlist.set_rule(cid, None))
