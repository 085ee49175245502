"""One refresh: find the active colleagues, fetch their ``im.user.list.get`` data in batches,
and return a :class:`Snapshot`.

Two ways, both a handful of HTTP requests whatever the size of the company:

* **Full refresh** (first start, after polls too far apart, or when ``user.online`` is not
  available). The first request asks ``user.get`` for the number of active employees and
  the highest and lowest ids, ``user.online`` for who is online (what steady polls go on
  from), and the details of ids 1 to 2,300 in 46 ``im.user.list.get`` commands of 50.
  Bitrix24 gives users sequential ids, so on most portals the rest of the id range is
  scanned the same way, 2,500 ids a request. Where ids are sparse, the ids are
  listed through ``user.get`` pages instead (50 pages a request) and only their details are
  fetched. Either way the count must match ``user.get``'s ``total``; if it does not, the
  ``user.get`` listing decides.
* **Steady refresh** (every poll after that): one request up to about 10,000 colleagues;
  see :mod:`bx24presence.steady`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from bx24presence.api.client import BATCH_MAX, Bitrix24Client, Command
from bx24presence.api.errors import ApiError
from bx24presence.api.parse import parse_departments_result, parse_user_ids
from bx24presence.domain import Colleague, Snapshot
from bx24presence.presence import DEFAULT_ONLINE_WINDOW_S
from bx24presence.steady import Memory, key_of, steady
from bx24presence.syncparts import (
    IDS_PER_COMMAND,
    MAX_USERS,
    Collected,
    check_counts,
    check_errors,
    chunks,
    details,
    no_colleagues,
    own_status,
    page,
    page_ids,
    reuse_equal,
)

log = logging.getLogger(__name__)

#: Ids scanned speculatively in the first request of a full refresh (46 commands of 50,
#: beside the two pages, the own status and ``user.online``).
FIRST_SCAN = (BATCH_MAX - 4) * IDS_PER_COMMAND
#: Below this share of used ids, listing through user.get is cheaper than scanning the range.
MIN_DENSITY = 0.4
#: The whole refresh, every request, retry and wait included, by default.
DEFAULT_REFRESH_DEADLINE_S = 60.0

__all__ = ["DEFAULT_REFRESH_DEADLINE_S", "FIRST_SCAN", "MAX_USERS", "MIN_DENSITY", "Refresher"]


class Refresher:
    """Runs refreshes against one portal.

    It remembers, between polls, what steady polling needs beyond the snapshot (when each
    colleague's details were read, who was online). Given a snapshot it did not return
    itself (a cached one, or another refresher's), it rebuilds that from the snapshot, at
    the price of a second request in that poll.

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
        clock: Callable[[], datetime] | None = None,
        deadline_s: float | None = DEFAULT_REFRESH_DEADLINE_S,
    ) -> None:
        self.client = client
        self.window_s = window_s
        self.deadline_s = deadline_s
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._memory: Memory | None = None
        self._hot: frozenset[int] = frozenset()
        self._hot_lock = threading.Lock()

    # -- public ------------------------------------------------------------------------------

    def refresh(
        self, previous: Snapshot | None = None, *, deadline_s: float | None = None
    ) -> Snapshot:
        """A steady refresh when ``previous`` is the last snapshot of this refresher, else a
        full one.

        ``deadline_s`` overrides :attr:`deadline_s` for this refresh. Raises
        :class:`~bx24presence.api.errors.ApiError`; never returns a snapshot without
        colleagues (a portal always lists at least the webhook's own user).
        """
        with self.client.deadline(deadline_s if deadline_s is not None else self.deadline_s):
            return self._refresh(previous)

    def full(self) -> Snapshot:
        """A full refresh, ignoring anything known before."""
        return self.refresh(None)

    def set_hot_ids(self, ids: Iterable[int]) -> None:
        """The colleagues whose details every steady poll re-reads: those on screen and
        those watched (callable from any thread; the next poll uses them)."""
        hot = frozenset(i for i in ids if isinstance(i, int))
        with self._hot_lock:
            self._hot = hot

    def hot_ids(self) -> frozenset[int]:
        """The ids set by :meth:`set_hot_ids`."""
        with self._hot_lock:
            return self._hot

    # -- the refresh -------------------------------------------------------------------------

    def _refresh(self, previous: Snapshot | None) -> Snapshot:
        started = time.monotonic()
        count0 = self.client.request_count
        snapshot: Snapshot | None = None
        memory = self._memory
        self._memory = None  # until this refresh succeeds
        if previous is not None and previous.colleagues and previous.portal == self.client.portal:
            if memory is None or memory.key != key_of(previous):
                memory = Memory.after_full(previous, None)
            snapshot = steady(self, previous, memory)
        online: set[int] | None = None
        if snapshot is None:
            snapshot, online = self._full(previous)
            memory = None
        if not snapshot.colleagues:
            raise no_colleagues()
        colleagues = reuse_equal(snapshot.colleagues, previous)
        requests = self.client.request_count - count0
        duration = time.monotonic() - started
        log.info(
            "Refreshed %d colleagues in %d HTTP requests, %.2f s",
            len(snapshot.colleagues),
            requests,
            duration,
        )
        result = Snapshot(
            colleagues=colleagues,
            server_time=snapshot.server_time,
            fetched_at=self.clock(),
            online_window_s=self.window_s,
            departments=snapshot.departments,
            duration_s=duration,
            requests=requests,
            portal=self.client.portal,
            generation=snapshot.generation,
            own_status=snapshot.own_status,
        )
        if memory is None:
            memory = Memory.after_full(result, online)
        memory.key = key_of(result)
        self._memory = memory
        return result

    # -- full --------------------------------------------------------------------------------

    def _full(self, previous: Snapshot | None) -> tuple[Snapshot, set[int] | None]:
        """Everything anew; also who is online for the portal (None if it cannot say)."""
        got = self.collected()
        cmds: dict[str, Command] = {
            "first": page(0),
            "last": page(0, "DESC"),
            "me": ("im.user.status.get", {}),
            "online": ("user.online", {}),
        }
        for i, chunk in enumerate(chunks(list(range(1, FIRST_SCAN + 1)))):
            cmds[f"r{i}"] = details(chunk)
        batch = self.client.batch(cmds)
        got.note_time(batch)
        check_errors(batch, [k for k in cmds if k not in ("me", "online")])
        online = (
            None if "online" in batch.errors else set(parse_user_ids(batch.results.get("online")))
        )
        status = own_status(batch)
        for k in cmds:
            if k.startswith("r"):
                # taken out as parsed: the raw answer must not outlive its parsing (see
                # Bitrix24Client.batch_parts)
                got.add_result(batch.results.pop(k, {}))
        total = batch.totals.get("first", 0)
        first_ids = page_ids(batch.results.get("first"))
        last_ids = page_ids(batch.results.get("last"))
        listed: list[int] | None = None
        if total <= 0 or not first_ids:
            raise no_colleagues()
        check_counts(total, first_ids, last_ids)
        low, high = min(first_ids), max(last_ids or first_ids)
        if high > FIRST_SCAN:
            # The scan is bounded by the highest id the portal listed, and the density rule
            # by the count: at most total / MIN_DENSITY ids.
            density = total / max(1, high - low + 1)
            if density >= MIN_DENSITY:
                self.fetch_into(got, list(range(FIRST_SCAN + 1, high + 1)))
            else:
                listed = self.list_ids(total, first_ids)
                self.fetch_into(got, [i for i in listed if i not in got.seen])
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
            listed = self.list_ids(total, first_ids)
            self.fetch_into(got, [i for i in listed if i not in got.seen])
            colleagues = got.colleagues(only=listed)
        departments = self.departments(colleagues, previous.departments if previous else {})
        snap = Snapshot(
            colleagues=colleagues,
            server_time=now,
            fetched_at=self.clock(),
            departments=departments,
            portal=self.client.portal,
            own_status=status,
        )
        return snap, online

    def list_ids(self, total: int, first_ids: list[int]) -> list[int]:
        """Every active employee's id through ``user.get`` pages, 50 pages a request."""
        cmds = {f"p{start}": page(start) for start in range(50, total, 50)}
        batch = self.client.batch_many(cmds)
        check_errors(batch, cmds)
        ids = list(first_ids)
        for k in cmds:
            ids.extend(page_ids(batch.results.get(k)))
        return sorted(set(ids))

    # -- shared with steady polling ----------------------------------------------------------

    def collected(self) -> Collected:
        """An empty collection of parsed answers for this portal and window."""
        return Collected(portal=self.client.portal, window_s=self.window_s, clock=self.clock)

    def fetch_into(self, got: Collected, ids: list[int]) -> None:
        """Details for ``ids``, 50 commands of 50 ids a request."""
        if not ids:
            return
        cmds = {f"d{i}": details(chunk) for i, chunk in enumerate(chunks(ids))}
        for keys, batch in self.client.batch_parts(cmds):
            got.note_time(batch)
            check_errors(batch, keys)
            for k in keys:
                got.add_result(batch.results.pop(k, {}))

    def departments(
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
                for i, chunk in enumerate(chunks(unknown, 200))
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
