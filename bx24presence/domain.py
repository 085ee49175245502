"""Typed values the whole app shares: colleagues, their presence, snapshots and snapshot diffs."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType


class Presence(enum.Enum):
    """What Bitrix24's own messenger would say about a person right now.

    The order of the members is the order of the list: most available first.
    """

    ONLINE = "online"
    MOBILE = "mobile"
    AWAY = "away"
    DND = "dnd"
    BREAK = "break"
    OFFLINE = "offline"

    @property
    def rank(self) -> int:
        """Sort rank: 0 for online, growing towards offline."""
        return _PRESENCE_RANK[self]

    @property
    def is_available(self) -> bool:
        """Whether someone can be reached now (online on a computer or on the phone)."""
        return self in (Presence.ONLINE, Presence.MOBILE)


_PRESENCE_RANK = {p: i for i, p in enumerate(Presence)}

PHONE_KINDS = ("work_phone", "personal_mobile", "inner_phone", "personal_phone")


@dataclass(frozen=True, slots=True)
class Phones:
    """A colleague's phone numbers; a kind the portal did not send is None."""

    work_phone: str | None = None
    personal_mobile: str | None = None
    inner_phone: str | None = None
    personal_phone: str | None = None

    def as_dict(self) -> dict[str, str]:
        """Only the non-empty kinds, in a stable order."""
        return {k: v for k in PHONE_KINDS if (v := getattr(self, k))}

    def __bool__(self) -> bool:
        return any(getattr(self, k) for k in PHONE_KINDS)


#: Texts up to this long that many colleagues share are kept once.
SHARED_TEXT_MAX = 120
#: Distinct UTC offsets kept once (a portal has one or two; a hostile one is bounded).
_SHARED_ZONES_MAX = 64
_ZONES: dict[timedelta, timezone] = {}


def shared_text(text: str | None) -> str | None:
    """One string object for a text many colleagues share (first and last names, positions,
    birthdays, colours, statuses): 10,000 colleagues hold a few hundred distinct ones, which
    would otherwise cost about 2.5 MB. Every reader of colleagues (the portal's answers and
    the snapshot cache) shares the same fields through this one function."""
    return sys.intern(text) if text and len(text) <= SHARED_TEXT_MAX else text


def shared_zone(dt: datetime | None) -> datetime | None:
    """``dt`` with one ``timezone`` object per offset: ``datetime.fromisoformat`` makes a
    new one (80 bytes with its offset) for every time it reads."""
    if dt is None:
        return None
    zone = dt.tzinfo
    if type(zone) is not timezone:
        return dt
    offset = zone.utcoffset(None)
    one = _ZONES.get(offset)
    if one is None:
        if len(_ZONES) < _SHARED_ZONES_MAX:
            _ZONES[offset] = zone
        return dt
    return dt if one is zone else dt.replace(tzinfo=one)


@dataclass(frozen=True, slots=True)
class Colleague:
    """One person as the portal described them at a given server time.

    Text fields hold the portal's raw text: it is data, never markup.
    ``presence`` is derived (see :mod:`bx24presence.presence`) from the times and, on
    older portals, the chosen status, relative to the server time of the snapshot.
    """

    id: int
    name: str
    presence: Presence = Presence.OFFLINE
    first_name: str = ""
    last_name: str = ""
    work_position: str | None = None
    color: str | None = None
    avatar: str | None = None
    avatar_hr: str | None = None
    gender: str = "M"
    birthday: str | None = None
    email: str | None = None
    website: str | None = None
    phones: Phones = field(default_factory=Phones)
    departments: tuple[int, ...] = ()
    last_activity: datetime | None = None
    last_activity_raw: str | None = None
    idle: datetime | None = None
    mobile_last: datetime | None = None
    desktop_last: datetime | None = None
    absent_until: date | None = None
    status: str | None = None

    @property
    def initials(self) -> str:
        """One or two letters for an avatar placeholder."""
        parts = [p for p in (self.first_name, self.last_name) if p.strip()]
        if not parts:
            parts = self.name.split()[:2]
        letters = "".join(p.strip()[0] for p in parts if p.strip())
        return letters[:2].upper() or "?"


@dataclass(frozen=True)
class Snapshot:
    """Everything one refresh learned, as of the portal's clock.

    Attributes:
        colleagues: sorted by id.
        server_time: the portal's clock when it answered (``time.date_finish``).
        fetched_at: the local clock (aware, UTC) when the refresh finished.
        online_window_s: the window the presence was derived with.
        departments: department id to name, for the ids the colleagues mention.
        duration_s: how long the refresh took.
        requests: how many HTTP requests the refresh made.
        portal: the portal's base URL (scheme and host; never the secret).
        generation: counts refreshes since the first full one (steady polling rotates
            through colleagues by it).
        own_status: the webhook user's chosen status (``im.user.status.get``: online, dnd,
            away, break), or None when unknown.
    """

    colleagues: tuple[Colleague, ...]
    server_time: datetime
    fetched_at: datetime
    online_window_s: int = 900
    departments: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    duration_s: float = 0.0
    requests: int = 0
    portal: str = ""
    generation: int = 0
    own_status: str | None = None

    def by_id(self) -> dict[int, Colleague]:
        """Colleagues keyed by id."""
        return {c.id: c for c in self.colleagues}


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """How one snapshot differs from the previous one, by colleague id."""

    added: tuple[Colleague, ...] = ()
    removed: tuple[int, ...] = ()
    changed: tuple[Colleague, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff_snapshots(old: Iterable[Colleague], new: Iterable[Colleague]) -> SnapshotDiff:
    """Arrivals, departures and changed colleagues between two lists of colleagues."""
    before = {c.id: c for c in old}
    after = {c.id: c for c in new}
    added = tuple(c for i, c in after.items() if i not in before)
    removed = tuple(i for i in before if i not in after)
    changed = tuple(c for i, c in after.items() if i in before and before[i] != c)
    return SnapshotDiff(added=added, removed=removed, changed=changed)
