"""The user's own status from the window, and "do not disturb" for a while that ends by itself.

One :class:`OwnStatus` outlives portal sessions and is shared by the window's button and the
tray menu. A timed "do not disturb" keeps its end time in a :class:`DndStore` (in memory by
default; a state file beside the settings when the app has one), so a restart within the
period still ends it on time, and a period that ended while the app was closed ends at start.
The clock is injected and checked every few seconds as well as at the end time, so neither a
suspended computer nor a changed wall clock leaves the status stuck.

A request that no portal session took (the period ended, or the tray asked to go back online,
while no session was open: reconnecting, the welcome dialog) is kept as :attr:`OwnStatus.unsent`
and sent when a session opens; one that failed is sent again, a few times at most. Until the
portal confirms the way out of "do not disturb", the store keeps it, so a restart sends it too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from bx24presence.domain import Presence
from bx24presence.qt.list.badges import draw_badge
from bx24presence.qt.tray.tray import OWN_STATUSES, status_title

#: How often the end of a timed "do not disturb" is checked besides its own timer.
CHECK_MS = 15_000
#: "Until tomorrow" ends at this local time on the next day.
TOMORROW_AT = time(9, 0)
#: A poll's word on the own status is not taken this long after a change was sent, unless
#: the portal confirms the change first.
PENDING = timedelta(minutes=2)
#: An end time further than this from now is not believed (a corrupt or hostile state file).
MAX_PERIOD = timedelta(days=2)
# A request the portal refused or did not answer is sent at most this many times.
MAX_TRIES = 3


def status_icon(status: str | None) -> QIcon:
    """The presence badge (shape and colour) of an own status."""
    presence = {"dnd": Presence.DND, "away": Presence.AWAY, "break": Presence.BREAK}.get(
        status or "", Presence.ONLINE
    )
    pix = QPixmap(16, 16)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    draw_badge(p, presence, QPointF(8, 8), 6.4, None)
    p.end()
    return QIcon(pix)


class DndStore(Protocol):
    """Where the end of a timed "do not disturb" is kept."""

    def load(self) -> tuple[datetime | None, str]:
        """The end time (aware) and the status to return to, or (None, "")."""

    def save(self, until: datetime | None, back_to: str) -> None:
        """Keep the end time (None: no timed period)."""


class MemoryDndStore:
    """A :class:`DndStore` that lasts as long as the process."""

    def __init__(self) -> None:
        self._value: tuple[datetime | None, str] = (None, "")

    def load(self) -> tuple[datetime | None, str]:
        return self._value

    def save(self, until: datetime | None, back_to: str) -> None:
        self._value = (until, back_to)


class StateDndStore:
    """A :class:`DndStore` in the app's state file (``dnd_until``, ``dnd_back_to``)."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def load(self) -> tuple[datetime | None, str]:
        current = self._state.current
        try:
            until = datetime.fromisoformat(current.dnd_until) if current.dnd_until else None
        except ValueError:
            until = None
        return until, current.dnd_back_to

    def save(self, until: datetime | None, back_to: str) -> None:
        self._state.update(dnd_until=until.isoformat() if until else "", dnd_back_to=back_to)


class OwnStatus(QObject):
    """The own status the user chose, and the end of a timed "do not disturb".

    Signals:
        status_requested(str): send this status to the portal (``im.user.status.set``).
        changed(): the status or the end time changed.
    """

    status_requested = Signal(str)
    changed = Signal()

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        store: DndStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._store: DndStore = store or MemoryDndStore()
        self.status: str | None = None
        self._requested_at: datetime | None = None
        # The status requested and not yet handed to a portal session (then sent by whoever
        # opens one); None when there is nothing to send.
        self.unsent: str | None = None
        # The status handed to a session and not yet answered (lost if that session closes).
        self.in_flight: str | None = None
        self._tries = 0
        until, back_to = self._store.load()
        now = self._clock()
        if until is not None and (until.tzinfo is None or until - now > MAX_PERIOD):
            until = None
        self.dnd_until: datetime | None = until
        self._back_to = back_to if back_to in OWN_STATUSES and back_to != "dnd" else "online"
        self._check = QTimer(self)
        self._check.setInterval(CHECK_MS)
        self._check.timeout.connect(self.check)
        self._end = QTimer(self)
        self._end.setSingleShot(True)
        self._end.timeout.connect(self.check)
        if self.dnd_until is not None:
            self.status = "dnd"
            self._arm()

    # -- choosing ---------------------------------------------------------------------------

    def choose(self, status: str) -> None:
        """The user chose a status (no end time)."""
        if status not in OWN_STATUSES:
            return
        leaving_dnd = self.status == "dnd" and status != "dnd"
        self.dnd_until = None
        self.stop()
        # Leaving "do not disturb" is kept (as a period that ended now) until the portal has
        # it: a restart before then still sends it.
        self._store.save(self._clock() if leaving_dnd else None, status if leaving_dnd else "")
        self.status = status
        self._request(status)

    def dnd_for(self, period: timedelta) -> None:
        """Do not disturb for ``period``, then back to the status before."""
        self._start_dnd(self._clock() + period)

    def dnd_until_tomorrow(self) -> None:
        """Do not disturb until 9:00 tomorrow (local time)."""
        now = self._clock()
        self._start_dnd(datetime.combine(now.date() + timedelta(days=1), TOMORROW_AT, now.tzinfo))

    def confirm(self, status: str) -> None:
        """The portal accepted the own status ``status`` (or a poll saw it)."""
        self._requested_at = None
        pending = {self.unsent, self.in_flight} - {None}
        if not pending or status in pending:  # an earlier request's answer keeps the later one
            self._forget_request()
        if status == self.status:
            return
        self.status = status
        if status != "dnd" and self.dnd_until is not None:
            self._set_until(None)  # changed elsewhere (the Bitrix24 app): no timer to honour
        self.changed.emit()

    def observe(self, status: str) -> None:
        """A poll saw the own status ``status``: taken unless a change is on its way (the
        poll may have been answered before the portal got it) or a timed "do not disturb"
        runs."""
        pending = self._requested_at is not None and (self._clock() - self._requested_at < PENDING)
        if not pending and (self.dnd_until is None or status == "dnd"):
            self.confirm(status)

    def check(self) -> None:
        """End a timed "do not disturb" whose time has come."""
        if self.dnd_until is None:
            return
        if self._clock() >= self.dnd_until:
            back = self._back_to
            self.dnd_until = None  # the store keeps the ended period until the portal has it
            self.stop()
            self.status = back
            self._request(back)
        else:
            self._arm()

    # -- delivery -----------------------------------------------------------------------------

    def sent(self, status: str) -> None:
        """``status`` was handed to a portal session (its answer comes as :meth:`confirm` or
        :meth:`failed`)."""
        if status == self.unsent:
            self.unsent = None
        self.in_flight = status
        self._tries += 1
        self._requested_at = self._clock()

    def failed(self) -> None:
        """The portal refused or did not answer the request in flight: it is kept to send
        again (:attr:`retry_due`) unless it was tried :data:`MAX_TRIES` times."""
        status, self.in_flight = self.in_flight, None
        if status is None:
            return
        if self._tries < MAX_TRIES:
            self.unsent = status
        else:
            self._forget_request()

    @property
    def retry_due(self) -> str | None:
        """The failed request that waits to be sent again (at the portal's next answer)."""
        return self.unsent if self._tries > 0 else None

    def title(self) -> str:
        """ "Online", or "Do not disturb until 14:30"."""
        if self.dnd_until is not None:
            local = self.dnd_until.astimezone(self._clock().tzinfo)
            when = local.strftime("%H:%M")
            if local.date() != self._clock().date():
                return QCoreApplication.translate(
                    "OwnStatus", "Do not disturb until tomorrow %1"
                ).replace("%1", when)
            return QCoreApplication.translate("OwnStatus", "Do not disturb until %1").replace(
                "%1", when
            )
        return (
            status_title(self.status)
            if self.status
            else QCoreApplication.translate("OwnStatus", "Status unknown")
        )

    def stop(self) -> None:
        """Stop the timers (the end time stays in the store)."""
        self._check.stop()
        self._end.stop()

    # -- internals ----------------------------------------------------------------------------

    def _request(self, status: str) -> None:
        self._requested_at = self._clock()
        self.unsent, self.in_flight, self._tries = status, None, 0
        self.status_requested.emit(status)
        self.changed.emit()

    def _start_dnd(self, until: datetime) -> None:
        if self.dnd_until is None and self.status not in (None, "dnd"):
            self._back_to = self.status or "online"
        self._set_until(until)
        self.status = "dnd"
        self._request("dnd")

    def _forget_request(self) -> None:
        """Nothing left to send: an ended period in the store is done with."""
        self.unsent, self.in_flight, self._tries = None, None, 0
        if self.dnd_until is None and self._store.load()[0] is not None:
            self._store.save(None, "")

    def _set_until(self, until: datetime | None) -> None:
        self.dnd_until = until
        self._store.save(until, self._back_to if until is not None else "")
        if until is None:
            self.stop()
        else:
            self._arm()

    def _arm(self) -> None:
        if self.dnd_until is None:
            return
        left_ms = (self.dnd_until - self._clock()).total_seconds() * 1000
        self._end.start(int(min(max(0.0, left_ms), CHECK_MS * 4)))
        if not self._check.isActive():
            self._check.start()


class OwnStatusButton(QToolButton):
    """ "My status: Online ▾" with the statuses and the timed "do not disturb" choices."""

    def __init__(self, own: OwnStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.own = own
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAccessibleName(QCoreApplication.translate("OwnStatus", "My status"))
        self.setToolTip(QCoreApplication.translate("OwnStatus", "Set your own status in Bitrix24"))
        self.menu_ = QMenu(self)
        self.menu_.setAccessibleName(QCoreApplication.translate("OwnStatus", "My status"))
        fill_status_menu(self.menu_, own)
        self.menu_.aboutToShow.connect(lambda: fill_status_menu(self.menu_, own))
        self.setMenu(self.menu_)
        own.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the current status."""
        status = self.own.status or "online"
        self.setIcon(status_icon(status))
        text = QCoreApplication.translate("OwnStatus", "My status: %1").replace(
            "%1", self.own.title()
        )
        self.setText(text)
        self.setAccessibleDescription(text)
        parent = self.parentWidget()
        if parent is not None:  # a narrow window's menu shows it too, with the toolbar hidden
            QCoreApplication.postEvent(parent, QEvent(QEvent.Type.LayoutRequest))


def add_timed_choices(menu: QMenu, own: OwnStatus) -> list[QAction]:
    """Add "Do not disturb for 1 hour" and "until tomorrow 9:00" to ``menu``."""
    hour = menu.addAction(QCoreApplication.translate("OwnStatus", "Do not disturb for 1 hour"))
    hour.triggered.connect(lambda: own.dnd_for(timedelta(hours=1)))
    tomorrow = menu.addAction(
        QCoreApplication.translate("OwnStatus", "Do not disturb until tomorrow 9:00")
    )
    tomorrow.triggered.connect(own.dnd_until_tomorrow)
    return [hour, tomorrow]


def attach_tray(
    tray: Any, own: OwnStatus, *, window_shown: Callable[[], bool], about: Callable[[], object]
) -> None:
    """Give the tray menu the timed choices, "Hide window" while the window shows, and About."""
    tray.status_extras = lambda menu: add_timed_choices(menu, own)
    tray.window_shown = window_shown
    tray.about_requested.connect(about)


def fill_status_menu(menu: QMenu, own: OwnStatus) -> list[QAction]:
    """Fill ``menu`` with the statuses (one exclusive choice) and the timed choices."""
    menu.clear()
    group = QActionGroup(menu)
    group.setExclusive(True)
    actions = []
    for status in OWN_STATUSES:
        a = menu.addAction(status_icon(status), status_title(status))
        a.setCheckable(True)
        a.setChecked(status == own.status and own.dnd_until is None)
        a.setActionGroup(group)
        a.triggered.connect(lambda _=False, s=status: own.choose(s))
        actions.append(a)
    menu.addSeparator()
    return actions + add_timed_choices(menu, own)
