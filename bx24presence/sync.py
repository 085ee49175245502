"""One refresh: find the active colleagues, fetch their ``im.user.list.get`` data in batches,
and return a :class:`Snapshot`.

Two ways, both a handful of HTTP requests whatever the size of the company:

* **Full refresh** (first start, or when the membership no longer adds up). The first
  request asks ``user.get`` for the number of active employees and the highest and lowest
  ids, and, in the same batch, the details of ids 1 to 2,400 in 48 ``im.user.list.get``
  commands of 50. Bitrix24 gives users sequential ids, so on most portals the rest of the
  id range is scanned the same way, 2,500 ids a request. Where ids are sparse, the ids are
  listed through ``user.get`` pages instead (50 pages a request) and only their details are
  fetched. Either way the count must match ``user.get``'s ``total``; if it does not, the
  ``user.get`` listing decides.
* **Steady refresh** (every poll after that). One batch re-reads the details of everyone
  the portal counts as online (``user.online``, substituted whole into
  ``im.user.list.get`` inside the batch), of everyone who was not offline last time, and
  of a rotating share of the others (all of them within ten polls), and checks the
  membership: the ``total`` of ``user.get`` and the ids above the highest one known.
  People whose details were not re-read keep their data, with presence worked out again
  for the new server time (their last activity has not moved, or they would be online).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from bx24presence.api.client import BATCH_MAX, BatchResult, Bitrix24Client, Command
from bx24presence.api.errors import ApiError, ProtocolError
from bx24presence.api.parse import (
    parse_departments_result,
    parse_user,
    parse_user_ids,
    to_int,
    user_entries,
)
from bx24presence.api.query import BatchRef
from bx24presence.domain import Colleague, Presence, Snapshot
from bx24presence.presence import DEFAULT_ONLINE_WINDOW_S, rederive

log = logging.getLogger(__name__)

IDS_PER_COMMAND = 50
#: Ids scanned speculatively in the first request of a full refresh (48 commands of 50).
FIRST_SCAN = (BATCH_MAX - 3) * IDS_PER_COMMAND
#: Below this share of used ids, listing through user.get is cheaper than scanning the range.
MIN_DENSITY = 0.4
#: A steady refresh re-reads at least this share of the others each time.
ROTATION_PARTS = 10
#: Employees only: user.get's own filter (docs/bitrix24-api.md §3.1 and 3.6).
EMPLOYEES = {"ACTIVE": "Y", "USER_TYPE": "employee"}
#: The most employees a portal's count may claim. Bitrix24's largest cloud plan holds 10,000
#: users and big self-hosted portals some tens of thousands; a count beyond this is a broken
#: or hostile answer, and believing it would build one command per 50 of them.
MAX_USERS = 250_000
#: The whole refresh, every request, retry and wait included, by default.
DEFAULT_REFRESH_DEADLINE_S = 60.0


def _page(start: int, order: str = "ASC", extra: Mapping[str, Any] | None = None) -> Command:
    return (
        "user.get",
        {
            "FILTER": {**EMPLOYEES, **(extra or {})},
            "SORT": "ID",
            "ORDER": order,
            "select": ["ID"],
            "start": start,
        },
    )


def _details(ids: Iterable[int] | BatchRef) -> Command:
    value: Any = ids if isinstance(ids, BatchRef) else list(ids)
    return ("im.user.list.get", {"ID": value, "AVATAR_HR": "Y"})


def _chunks(ids: list[int], size: int = IDS_PER_COMMAND) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass
class _Collected:
    """Colleagues parsed as each batch answer arrives (so that no more than one answer's raw
    JSON is held at a time), and the portal's clock from the answers.

    ``seen`` maps every id the portal described to its colleague, or to None for users who
    are not colleagues (fired, bots, ...).
    """

    portal: str
    window_s: int
    clock: Any
    seen: dict[int, Colleague | None] = field(default_factory=dict)
    server_time: datetime | None = None
    online: set[int] | None = None

    @property
    def now(self) -> datetime:
        return self.server_time or self.clock()

    def add_result(self, result: Any) -> None:
        now = self.now
        for entry in user_entries(result):
            if entry is None:
                continue
            if not isinstance(entry, dict):
                raise ProtocolError(f"A user entry is a {type(entry).__name__}, not an object.")
            if "id" not in entry:
                continue
            uid = to_int(entry["id"])
            c = parse_user(
                entry,
                portal=self.portal,
                now=now,
                window_s=self.window_s,
                server_online=None if self.online is None else uid in self.online,
            )
            if uid is not None:
                self.seen[uid] = c

    def note_time(self, batch: BatchResult) -> None:
        if batch.time is not None and batch.time.date_finish is not None:
            self.server_time = batch.time.date_finish

    def colleagues(self, only: Iterable[int] | None = None) -> tuple[Colleague, ...]:
        wanted = set(only) if only is not None else None
        return tuple(
            c
            for uid, c in sorted(self.seen.items())
            if c is not None and (wanted is None or uid in wanted)
        )


def _reuse_equal(
    colleagues: tuple[Colleague, ...], previous: Snapshot | None
) -> tuple[Colleague, ...]:
    """Keep the previous objects of colleagues whose data did not change, so that the app
    holds one copy of each (the list model keeps the objects it already has)."""
    if previous is None:
        return colleagues
    before = previous.by_id()
    out = []
    for c in colleagues:
        old = before.get(c.id)
        out.append(old if old is not None and old is not c and old == c else c)
    return tuple(out)


def _own_status(batch: BatchResult) -> str | None:
    """The caller's chosen status from ``im.user.status.get`` (``false`` if never set: the
    default, online), or None when the command failed."""
    if "me" in batch.errors or "me" not in batch.results:
        return None
    value = batch.results["me"]
    if value is False or value in ("", None):
        return "online"
    return str(value).lower() if isinstance(value, str) else None


def _check_errors(batch: BatchResult, keys: Iterable[str], *, allow: Iterable[str] = ()) -> None:
    """Raise the first error of the given commands (auth errors of any command first)."""
    batch.raise_auth_errors()
    allowed = set(allow)
    for k in keys:
        if k in batch.errors and k not in allowed:
            raise batch.errors[k]


def _page_ids(result: Any) -> list[int]:
    """The ids of one ``user.get`` page, which holds at most 50 rows (docs/bitrix24-api.md §3.1)."""
    ids = parse_user_ids(result)
    if len(ids) > IDS_PER_COMMAND:
        raise ProtocolError(
            f"A page of the portal's user list holds {len(ids)} rows, not at most"
            f" {IDS_PER_COMMAND}: a malformed answer."
        )
    return ids


def _no_colleagues() -> ProtocolError:
    return ProtocolError(
        "The portal listed no colleagues at all, not even the webhook's own user:"
        " a malformed answer."
    )


def _check_counts(total: int, first_ids: list[int], last_ids: list[int]) -> None:
    """The count of ``user.get`` must agree with the ids its first and last pages hold."""
    if total > MAX_USERS:
        raise ProtocolError(
            f"The portal counts {total} employees, more than the {MAX_USERS} this app"
            " believes: a malformed answer."
        )
    seen = set(first_ids) | set(last_ids)
    low, high = min(first_ids), max(last_ids or first_ids)
    if (
        len(seen) > total
        or len(set(first_ids)) < min(total, IDS_PER_COMMAND)
        or high - low + 1 < total
    ):
        raise ProtocolError(
            f"The portal counts {total} employees, but the ids it lists ({len(seen)} between"
            f" {low} and {high}) contradict that: a malformed answer."
        )


class Refresher:
    """Runs refreshes against one portal.

    Args:
        client: the REST client.
        window_s: the online window (seconds) presence is derived with.
        clock: the local wall clock, aware (injectable for tests).
        deadline_s: the total time one refresh may take, every request, retry and wait
            included; past it the refresh ends with :class:`~bx24presence.api.errors.TimedOut`
            (a ``NetworkError``). None leaves only the client's own per-call deadlines.
    """

    def __init__(
        self,
        client: Bitrix24Client,
        *,
        window_s: int = DEFAULT_ONLINE_WINDOW_S,
        clock: Any = None,
        deadline_s: float | None = DEFAULT_REFRESH_DEADLINE_S,
    ) -> None:
        self.client = client
        self.window_s = window_s
        self.deadline_s = deadline_s
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- public ------------------------------------------------------------------------------

    def refresh(
        self, previous: Snapshot | None = None, *, deadline_s: float | None = None
    ) -> Snapshot:
        """A steady refresh when ``previous`` is from this portal, else a full one.

        ``deadline_s`` overrides :attr:`deadline_s` for this refresh. Raises
        :class:`~bx24presence.api.errors.ApiError`; never returns a snapshot without
        colleagues (a portal always lists at least the webhook's own user).
        """
        with self.client.deadline(deadline_s if deadline_s is not None else self.deadline_s):
            return self._refresh(previous)

    def _refresh(self, previous: Snapshot | None) -> Snapshot:
        started = time.monotonic()
        count0 = self.client.request_count
        snapshot: Snapshot | None = None
        if previous is not None and previous.colleagues and previous.portal == self.client.portal:
            snapshot = self._steady(previous)
        if snapshot is None:
            snapshot = self._full(previous)
        if not snapshot.colleagues:
            raise _no_colleagues()
        colleagues = _reuse_equal(snapshot.colleagues, previous)
        requests = self.client.request_count - count0
        duration = time.monotonic() - started
        log.info(
            "Refreshed %d colleagues in %d HTTP requests, %.2f s",
            len(snapshot.colleagues),
            requests,
            duration,
        )
        return Snapshot(
            colleagues=colleagues,
            server_time=snapshot.server_time,
            fetched_at=self._clock(),
            online_window_s=self.window_s,
            departments=snapshot.departments,
            duration_s=duration,
            requests=requests,
            portal=self.client.portal,
            generation=snapshot.generation,
            own_status=snapshot.own_status,
        )

    def full(self) -> Snapshot:
        """A full refresh, ignoring anything known before."""
        return self.refresh(None)

    # -- full --------------------------------------------------------------------------------

    def _full(self, previous: Snapshot | None) -> Snapshot:
        got = self._collected()
        cmds: dict[str, Command] = {
            "first": _page(0),
            "last": _page(0, "DESC"),
            "me": ("im.user.status.get", {}),
        }
        for i, chunk in enumerate(_chunks(list(range(1, FIRST_SCAN + 1)))):
            cmds[f"r{i}"] = _details(chunk)
        batch = self.client.batch(cmds)
        got.note_time(batch)
        _check_errors(batch, [k for k in cmds if k != "me"])
        own_status = _own_status(batch)
        for k in cmds:
            if k.startswith("r"):
                got.add_result(batch.results.get(k, {}))
        total = batch.totals.get("first", 0)
        first_ids = _page_ids(batch.results.get("first"))
        last_ids = _page_ids(batch.results.get("last"))
        listed: list[int] | None = None
        if total <= 0 or not first_ids:
            raise _no_colleagues()
        _check_counts(total, first_ids, last_ids)
        low, high = min(first_ids), max(last_ids or first_ids)
        if high > FIRST_SCAN:
            # The scan is bounded by the highest id the portal listed, and the density rule
            # by the count: at most total / MIN_DENSITY ids.
            density = total / max(1, high - low + 1)
            if density >= MIN_DENSITY:
                self._fetch(got, list(range(FIRST_SCAN + 1, high + 1)))
            else:
                listed = self._list_ids(total, first_ids)
                self._fetch(got, [i for i in listed if i not in got.seen])
        if listed is None and len(first_ids) == total:
            listed = first_ids
        now = got.now
        colleagues = got.colleagues(only=listed)
        if listed is None and len(colleagues) != total:
            # The id range holds colleagues user.get does not count, or misses some:
            # the listing decides.
            log.info(
                "Scan found %d colleagues, user.get counts %d: listing", len(colleagues), total
            )
            listed = self._list_ids(total, first_ids)
            self._fetch(got, [i for i in listed if i not in got.seen])
            colleagues = got.colleagues(only=listed)
        departments = self._departments(colleagues, previous.departments if previous else {})
        return Snapshot(
            colleagues=colleagues,
            server_time=now,
            fetched_at=self._clock(),
            departments=departments,
            portal=self.client.portal,
            own_status=own_status,
        )

    def _list_ids(self, total: int, first_ids: list[int]) -> list[int]:
        """Every active employee's id through ``user.get`` pages, 50 pages a request."""
        cmds = {f"p{start}": _page(start) for start in range(50, total, 50)}
        batch = self.client.batch_many(cmds)
        _check_errors(batch, cmds)
        ids = list(first_ids)
        for k in cmds:
            ids.extend(_page_ids(batch.results.get(k)))
        return sorted(set(ids))

    def _fetch(self, got: _Collected, ids: list[int]) -> None:
        """Details for ``ids``, 50 commands of 50 ids a request."""
        if not ids:
            return
        cmds = {f"d{i}": _details(chunk) for i, chunk in enumerate(_chunks(ids))}
        batch = self.client.batch_many(cmds)
        got.note_time(batch)
        _check_errors(batch, cmds)
        for k in cmds:
            got.add_result(batch.results.get(k, {}))

    # -- steady ------------------------------------------------------------------------------

    def _steady(self, previous: Snapshot) -> Snapshot | None:
        """Returns None when the membership no longer adds up (a full refresh is needed)."""
        known = {c.id: c for c in previous.colleagues}
        max_known = max(known)
        recent = sorted(c.id for c in previous.colleagues if c.presence is not Presence.OFFLINE)
        others = sorted(set(known) - set(recent))
        room = (BATCH_MAX - 5) * IDS_PER_COMMAND - len(recent)
        share = max(room, math.ceil(len(others) / ROTATION_PARTS)) if others else 0
        generation = previous.generation + 1
        rotating: list[int] = []
        if share:
            offset = (generation * share) % len(others)
            rotating = (others[offset:] + others[:offset])[: min(share, len(others))]
        cmds: dict[str, Command] = {
            "total": _page(0),
            "new": _page(-1, extra={">ID": max_known}),
            "online": ("user.online", {}),
            "on": _details(BatchRef("online")),
            "me": ("im.user.status.get", {}),
        }
        for i, chunk in enumerate(_chunks(recent + rotating)):
            cmds[f"d{i}"] = _details(chunk)
        batch = self.client.batch_many(cmds)
        got = self._collected()
        got.note_time(batch)
        # "on" fails with INVALID_FORMAT when nobody is online (an empty ID list).
        _check_errors(batch, [k for k in cmds if k not in ("on", "me")], allow=("online",))
        if "online" in batch.errors:
            log.info("user.online is not available: refreshing everyone")
            return None
        online_ids = set(parse_user_ids(batch.results.get("online")))
        got.online = online_ids
        for k in cmds:
            if k.startswith("d") or (k == "on" and k not in batch.errors):
                got.add_result(batch.results.get(k, {}))
        total = batch.totals.get("total", 0)
        new_ids = [i for i in _page_ids(batch.results.get("new")) if i not in known]
        if len(new_ids) >= 50:
            return None
        now = got.now
        fresh = {c.id: c for c in got.colleagues()}
        departed = {i for i, c in got.seen.items() if i in known and c is None}
        if total != len(known) - len(departed) + len(new_ids):
            log.info("Membership changed beyond new arrivals: full refresh")
            return None
        if new_ids:
            self._fetch(got, new_ids)
            for c in got.colleagues(only=new_ids):
                fresh[c.id] = c
        merged: dict[int, Colleague] = {}
        for uid, old in known.items():
            if uid in departed:
                continue
            merged[uid] = fresh.get(uid) or rederive(old, now, self.window_s)
        for uid in new_ids:
            if uid in fresh:
                merged[uid] = fresh[uid]
        colleagues = tuple(merged[i] for i in sorted(merged))
        return Snapshot(
            colleagues=colleagues,
            server_time=now,
            fetched_at=self._clock(),
            departments=self._departments(colleagues, previous.departments),
            portal=self.client.portal,
            generation=generation,
            own_status=_own_status(batch),
        )

    # -- shared ------------------------------------------------------------------------------

    def _collected(self) -> _Collected:
        return _Collected(portal=self.client.portal, window_s=self.window_s, clock=self._clock)

    def _departments(
        self, colleagues: Iterable[Colleague], cache: Mapping[int, str]
    ) -> Mapping[int, str]:
        """Department names from the cache, fetching only unknown ids (``im.department.get``).

        Failures are not fatal: an extranet webhook user may not read departments (403). The
        ids are then remembered with an empty name, so they are not asked for every poll.
        """
        wanted = {d for c in colleagues for d in c.departments}
        names = {d: n for d, n in cache.items() if d in wanted}
        unknown = sorted(wanted - set(names))
        if unknown:
            cmds = {
                f"g{i}": ("im.department.get", {"ID": chunk})
                for i, chunk in enumerate(_chunks(unknown, 200))
            }
            try:
                batch = self.client.batch_many(cmds)
                for k in cmds:
                    if k in batch.errors:
                        log.warning("Department names unavailable: %s", batch.errors[k])
                    else:
                        names.update(parse_departments_result(batch.results.get(k, [])))
            except ApiError as exc:
                log.warning("Department names unavailable: %s", exc)
            for d in unknown:
                names.setdefault(d, "")
        return MappingProxyType(names)
