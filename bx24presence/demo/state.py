"""Everything the demo portal knows, shared by its HTTP threads under one lock."""

from __future__ import annotations

import enum
import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from bx24presence.demo.activity import Activity, last_activity, simulate
from bx24presence.demo.clock import DemoClock
from bx24presence.demo.envelope import OperatingMeter
from bx24presence.demo.population import DemoUser, Department, Population

ERAS = ("current", "legacy", "legacy-old")
PIN_FIELDS = ("last_activity", "idle", "mobile_last", "desktop_last", "status")


class Unset(enum.Enum):
    """Marks an argument that was not given, where ``None`` is a meaningful value."""

    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass(frozen=True, slots=True)
class PortalConfig:
    """The settings a portal is created with and keeps."""

    seed: int
    era: str
    online_limit_s: int
    webhook_user_id: int
    scopes: frozenset[str]


class PortalState:
    """Users, departments, pinned presence and chosen statuses.

    Readers take the current ``users`` mapping without a lock: writers never change a
    mapping in place but swap in a new one, so a request sees one consistent population.
    """

    def __init__(self, population: Population, clock: DemoClock, config: PortalConfig) -> None:
        """Start from a generated population."""
        self.config = config
        self.clock = clock
        self.meter = OperatingMeter()
        self.base_url = ""
        self._users: dict[int, DemoUser] = dict(population.users)
        self._departments: dict[int, Department] = dict(population.departments)
        self._pins: dict[int, dict[str, Any]] = {}
        self._statuses: dict[int, str] = {}
        self._status_log: list[str] = []
        self._lock = threading.RLock()
        self._version = 0
        self._online_cache: tuple[int, int, list[int]] | None = None
        self._memo: dict[Any, Any] = {}
        self._memo_version = -1

    # Reading -----------------------------------------------------------------------------

    @property
    def users(self) -> Mapping[int, DemoUser]:
        """Every account by id, in id order."""
        return self._users

    @property
    def departments(self) -> Mapping[int, Department]:
        """Every department by id."""
        return self._departments

    @property
    def member_id(self) -> str:
        """The portal's ``member_id``, as OAuth answers carry it."""
        return hashlib.md5(
            f"bx24presence-demo-{self.config.seed}".encode(), usedforsecurity=False
        ).hexdigest()

    @property
    def status_log(self) -> list[str]:
        """The statuses set through ``im.user.status.set``, in order."""
        with self._lock:
            return list(self._status_log)

    def status(self, uid: int) -> str | None:
        """The status ``uid`` chose (``b_im_status.STATUS``), or ``None`` if never set."""
        return self._statuses.get(uid)

    def today(self, at: float) -> date:
        """The portal's local date at ``at``."""
        return datetime.fromtimestamp(at, self.clock.tz).date()

    def activity(self, user: DemoUser, at: float) -> Activity:
        """The simulated presence of ``user`` at ``at``, with pinned values on top."""
        pins = self._pins.get(user.id)
        if pins and "last_activity" in pins and len(pins) == len(PIN_FIELDS):
            return Activity(**pins)
        simulated = simulate(user, self.config.seed, at, self.clock.tz_offset_s)
        if not pins:
            return simulated
        return replace(simulated, **pins)

    def last_activity(self, user: DemoUser, at: float) -> float | None:
        """Only the last activity (fast path for lists over the whole portal)."""
        pins = self._pins.get(user.id)
        if pins and "last_activity" in pins:
            value: float | None = pins["last_activity"]
            return value
        return last_activity(user, self.config.seed, at, self.clock.tz_offset_s)

    def is_online(self, user: DemoUser, at: float) -> bool:
        """``IS_ONLINE``: the last activity lies within the online window (see
        docs/bitrix24-api.md §2.1)."""
        limit = self.config.online_limit_s
        pins = self._pins.get(user.id)
        if pins and "last_activity" in pins:
            last = pins["last_activity"]
        else:
            last = last_activity(user, self.config.seed, at, self.clock.tz_offset_s, at - limit)
        return last is not None and at - last <= limit

    def online_ids(self, at: float) -> list[int]:
        """Ids of everyone online at ``at`` (cached for the current second)."""
        second = int(at)
        with self._lock:
            cached = self._online_cache
            version = self._version
        if cached is not None and cached[0] == second and cached[1] == version:
            return cached[2]
        ids = [uid for uid, user in self._users.items() if self.is_online(user, at)]
        with self._lock:
            if self._version == version:
                self._online_cache = (second, version, ids)
        return ids

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered until the next change of users or presence pins.

        Paging through 20,000 users means hundreds of identical filter runs in a row.
        """
        with self._lock:
            if self._memo_version != self._version:
                self._memo = {}
                self._memo_version = self._version
            if key in self._memo:
                return self._memo[key]
            version = self._version
        value = compute()
        with self._lock:
            if self._version == version:
                if len(self._memo) > 256:
                    self._memo.clear()
                self._memo[key] = value
        return value

    # Writing -----------------------------------------------------------------------------

    def put_user(self, user: DemoUser) -> None:
        """Add or replace one account."""
        with self._lock:
            old = self._users
            self._users = {**old, user.id: user}
            if user.id not in old and user.id < max(old):
                self._users = dict(sorted(self._users.items()))
            self._version += 1

    def pin(self, uid: int, values: Mapping[str, Any]) -> None:
        """Override simulated presence fields of one user (``None`` is a real value)."""
        unknown = set(values) - set(PIN_FIELDS)
        if unknown:
            raise TypeError(f"unknown presence fields: {sorted(unknown)}")
        with self._lock:
            self._pins = {**self._pins, uid: {**self._pins.get(uid, {}), **values}}
            self._version += 1

    def unpin(self, uid: int) -> None:
        """Give a user back to the simulation."""
        with self._lock:
            self._pins = {k: v for k, v in self._pins.items() if k != uid}
            self._version += 1

    def set_status(self, uid: int, status: str, *, record: bool = True) -> None:
        """Store a chosen status; ``record`` adds it to :attr:`status_log`."""
        with self._lock:
            self._statuses = {**self._statuses, uid: status}
            if record:
                self._status_log.append(status)
            self._version += 1
