"""One steady poll: a single batch that asks who is online, re-reads only the details that
may have changed, checks the membership, and merges the answer into the previous snapshot.

``user.online`` (docs/bitrix24-api.md §3.2) says who is online by the portal's own window.
Details (``im.user.list.get``) are re-read only for:

* people whose last activity may have moved since their details were read (they were
  online then or since) and whose known last activity is old enough that they may have gone
  offline by now: when they have, the same answer brings their exact last activity;
* the ids the caller marks as hot (rows on screen, watched colleagues), every poll;
* a rotating share of everybody else, so that nobody's details are older than
  :data:`ROTATION_S` (names, positions, vacations, photos change too);
* on older portals that send real statuses (docs/bitrix24-api.md §1.4), everyone online,
  through a ``$result`` reference (§4), since their status may change while they stay online.

Someone who comes online needs no details at once: being listed by ``user.online`` now and
not at the previous poll proves an activity since that poll, which is all their presence
needs. Presence then equals what a full refresh would derive, as long as polls are no
further apart than the online window (else the caller gets None: a full refresh is due).
The app's window and the portal's may differ, at the price of re-reading every poll those
online for the portal's window but not for the app's (their activity may resume unseen).
Membership rides in the same batch: the ``total`` of ``user.get`` and the ids
above the highest known. When they do not add up (someone left whose details were not
read), the ids are listed (``user.get`` pages, about N/2,500 requests), never everything.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bx24presence.api.client import BATCH_MAX, Command
from bx24presence.api.parse import parse_user_ids
from bx24presence.api.query import BatchRef
from bx24presence.domain import Colleague, Presence, Snapshot
from bx24presence.presence import rederive
from bx24presence.syncparts import (
    IDS_PER_COMMAND,
    MAX_USERS,
    Collected,
    check_errors,
    chunks,
    details,
    own_status,
    page,
    page_ids,
)

if TYPE_CHECKING:
    from bx24presence.sync import Refresher

log = logging.getLogger(__name__)

#: Nobody's details are older than 30 minutes: the rotation comes round in 28.
ROTATION_S = 28 * 60
#: How far the portal's clock at the poll may run past its estimate (the request's own time,
#: and the estimate's error); people who may go offline within it are read too.
MARGIN_S = 20.0
#: Detail commands that fit beside the fixed ones in one request.
DETAIL_COMMANDS = BATCH_MAX - 5
#: The rotation reads at least this many each poll (on a small portal, everyone within a few).
MIN_ROTATION = IDS_PER_COMMAND


@dataclass
class Memory:
    """What the refresher knows between polls beyond the snapshot it returned last.

    Times are the portal's Unix times. ``stale`` ids may have had activity since their
    details were read (they were online then or since); ``floor`` holds a lower bound of
    the last activity of people seen coming online since; ``lingering`` ids are online for
    the portal's window but not for the app's (read since, so their time is exact).
    """

    key: tuple[str, int, datetime]
    read_at: dict[int, float] = field(default_factory=dict)
    online: set[int] = field(default_factory=set)
    stale: set[int] = field(default_factory=set)
    floor: dict[int, float] = field(default_factory=dict)
    lingering: set[int] = field(default_factory=set)
    #: Read at the next poll: left the portal's online list unread (the last activity a
    #: portal reports should never go back, but this app does not rely on it).
    catch_up: set[int] = field(default_factory=set)
    #: Rebuilt from a snapshot alone (another refresher's, or from a cache): who was
    #: online for the portal then is not known, so those online now whom the snapshot calls
    #: offline are read at once.
    guessed: bool = False

    @classmethod
    def after_full(cls, snap: Snapshot, online: set[int] | None) -> Memory:
        """After a full refresh: every detail fresh, but their ages spread over the rotation
        as if it had been running, so that it reads an even share each poll."""
        now = snap.server_time.timestamp()
        ids = [c.id for c in snap.colleagues]
        # A little under the rotation, so that the first poll's look-ahead finds none due.
        step = (ROTATION_S - 3 * MARGIN_S - 60) / max(1, len(ids))
        online_now = {c.id for c in snap.colleagues if c.presence is not Presence.OFFLINE}
        server = online if online is not None else online_now
        return cls(
            guessed=online is None,
            key=key_of(snap),
            read_at={uid: now - i * step for i, uid in enumerate(ids)},
            online=set(server),
            stale=set(server) & set(ids),
            lingering=(set(server) - online_now) & set(ids),
        )


def key_of(snap: Snapshot) -> tuple[str, int, datetime]:
    """What identifies the snapshot a memory belongs to."""
    return (snap.portal, snap.generation, snap.server_time)


def rich_statuses(colleagues: Iterable[Colleague]) -> bool:
    """Whether the portal sends real statuses, idle or mobile times (older portals, §1.4)."""
    return any(
        (c.status or "online").lower() != "online" or c.idle is not None or c.mobile_last
        for c in colleagues
    )


def _known_last(c: Colleague, floor: float | None) -> float | None:
    last = c.last_activity.timestamp() if c.last_activity is not None else None
    if floor is not None and (last is None or floor > last):
        return floor
    return last


def plan(
    previous: Snapshot, memory: Memory, *, now_est: float, window_s: int, hot: Iterable[int]
) -> list[int]:
    """The ids whose details this poll re-reads (see the module's docstring)."""
    known = previous.by_id()
    due: set[int] = {i for i in hot if i in known}
    horizon = now_est + MARGIN_S
    for uid in memory.stale:
        c = known.get(uid)
        if c is None:
            continue
        last = _known_last(c, memory.floor.get(uid))
        if last is None or last + window_s <= horizon:
            due.add(uid)
    gap = max(0.0, now_est - previous.server_time.timestamp())
    oldest = horizon + gap - ROTATION_S
    rotating = [uid for uid, at in memory.read_at.items() if at <= oldest and uid in known]
    if len(rotating) < MIN_ROTATION:
        # A small portal's rotation takes at least one command's worth, oldest first.
        rotating = heapq.nsmallest(MIN_ROTATION, memory.read_at, key=memory.read_at.__getitem__)
    due.update(rotating)
    due.update(i for i in memory.catch_up if i in known)
    return sorted(due)


def commands(previous: Snapshot, ids: list[int], *, rich: bool) -> dict[str, Command]:
    """The poll's commands; the details of more than fit in one request spill into more."""
    cmds: dict[str, Command] = {
        "total": page(0),
        "new": page(-1, extra={">ID": max(c.id for c in previous.colleagues)}),
        "online": ("user.online", {}),
        "me": ("im.user.status.get", {}),
    }
    if rich:
        cmds["on"] = details(BatchRef("online"))
    for i, chunk in enumerate(chunks(ids)):
        cmds[f"d{i}"] = details(chunk)
    return cmds


def steady(refresher: Refresher, previous: Snapshot, memory: Memory) -> Snapshot | None:
    """One steady poll; None when a full refresh is needed instead (the membership no
    longer adds up, ``user.online`` is unavailable, or the polls were too far apart)."""
    client, window_s = refresher.client, refresher.window_s
    local_gap = (refresher.clock() - previous.fetched_at).total_seconds()
    if local_gap > window_s:
        log.info("%.0f s since the last poll, more than the online window: full refresh", local_gap)
        return None
    now_est = previous.server_time.timestamp() + max(0.0, local_gap)
    rich = rich_statuses(previous.colleagues)
    ids = plan(previous, memory, now_est=now_est, window_s=window_s, hot=refresher.hot_ids())
    cmds = commands(previous, ids, rich=rich)
    batch = client.batch_many(cmds)
    got = refresher.collected()
    got.note_time(batch)
    # "on" fails with INVALID_FORMAT when nobody is online (an empty ID list).
    check_errors(batch, [k for k in cmds if k not in ("on", "me")], allow=("online",))
    if "online" in batch.errors:
        log.info("user.online is not available: refreshing everyone")
        return None
    online = set(parse_user_ids(batch.results.get("online")))
    got.online = online
    for k in cmds:
        if k.startswith("d") or (k == "on" and k not in batch.errors):
            got.add_result(batch.results.get(k, {}))
    known = previous.by_id()
    total = batch.totals.get("total", 0)
    new_ids = [i for i in page_ids(batch.results.get("new")) if i not in known]
    departed = {i for i, c in got.seen.items() if i in known and c is None}
    if len(new_ids) >= IDS_PER_COMMAND or total != len(known) - len(departed) + len(new_ids):
        # Someone left whose details were not read, or many arrived: the ids decide.
        if not 0 < total <= MAX_USERS:
            return None
        log.info("Membership changed: listing the colleagues' ids")
        listed = set(refresher.list_ids(total, page_ids(batch.results.get("total"))))
        departed |= set(known) - listed
        new_ids = sorted(listed - set(known))
    extra = new_ids + _unsure(previous, got, memory, online, window_s)
    memory.guessed = False
    if extra:
        refresher.fetch_into(got, extra)
    now = got.now
    server_gap = now.timestamp() - previous.server_time.timestamp()
    if server_gap > window_s:
        log.info("The portal's clock moved %.0f s since the last poll: full refresh", server_gap)
        return None
    merged = _merge(
        previous,
        got,
        memory,
        online=online,
        now=now,
        window_s=window_s,
        departed=departed,
        new_ids=new_ids,
    )
    snap = Snapshot(
        colleagues=tuple(merged[i] for i in sorted(merged)),
        server_time=now,
        fetched_at=refresher.clock(),
        departments=refresher.departments(merged.values(), previous.departments),
        portal=client.portal,
        generation=previous.generation + 1,
        own_status=own_status(batch),
    )
    memory.key = key_of(snap)
    return snap


def _unsure(
    previous: Snapshot, got: Collected, memory: Memory, online: set[int], window_s: int
) -> list[int]:
    """Who the plan did not read but must be read after all: people whose last activity may
    have moved and is now too old to vouch for them (the poll came later than estimated),
    and, with a guessed memory, people online for the portal whom the snapshot called
    offline."""
    t = got.now.timestamp()
    out = []
    for c in previous.colleagues:
        if c.id in got.seen:
            continue
        if c.id in memory.stale:
            last = _known_last(c, memory.floor.get(c.id))
            if last is None or last + window_s < t:
                out.append(c.id)
        elif memory.guessed and c.id in online and c.presence is Presence.OFFLINE:
            out.append(c.id)
    return out


def _merge(
    previous: Snapshot,
    got: Collected,
    memory: Memory,
    *,
    online: set[int],
    now: datetime,
    window_s: int,
    departed: set[int],
    new_ids: list[int],
) -> dict[int, Colleague]:
    """The new colleagues, and the memory brought up to this poll."""
    t = now.timestamp()
    was_online = memory.online
    merged: dict[int, Colleague] = {}
    for uid, old in previous.by_id().items():
        if uid in departed:
            continue
        fresh = got.seen.get(uid)
        if fresh is not None:
            merged[uid] = fresh
            continue
        merged[uid] = _unread(old, memory, uid in online, now, window_s)
        if uid in was_online and uid not in online:
            memory.catch_up.add(uid)
        if uid in online and uid not in was_online and uid not in memory.lingering:
            memory.floor[uid] = previous.server_time.timestamp()
            memory.stale.add(uid)
    for uid in new_ids:
        c = got.seen.get(uid)
        if c is not None:
            merged[uid] = c
    memory.catch_up -= got.seen.keys()
    for uid, c in got.seen.items():
        if c is None or uid not in merged:
            continue
        memory.read_at[uid] = t
        memory.floor.pop(uid, None)
        if uid in online:
            # Their activity may go on (or resume) while the portal counts them online.
            memory.stale.add(uid)
            if c.presence is Presence.OFFLINE:
                memory.lingering.add(uid)
            else:
                memory.lingering.discard(uid)
        else:
            memory.lingering.discard(uid)
            memory.stale.discard(uid)
    for uid in set(memory.read_at) - set(merged):
        for table in (memory.read_at, memory.floor):
            table.pop(uid, None)
    memory.stale &= set(merged)
    memory.catch_up &= set(merged)
    memory.lingering &= online
    memory.online = online & set(merged)
    return merged


def _unread(old: Colleague, memory: Memory, in_s: bool, now: datetime, window_s: int) -> Colleague:
    """A colleague whose details were not re-read, with presence for the poll's time.

    Their known last activity is exact unless they were online since it was read (then
    it is a lower bound, and the plan re-read them once it was too old to vouch for them).
    Someone online for the portal whose known time is too old is someone who came online
    since the last poll: an activity since then (see the module's docstring).
    """
    if old.last_activity is None:
        return replace(old, presence=Presence.ONLINE if in_s else Presence.OFFLINE)
    derived = rederive(old, now, window_s)
    if in_s and old.id not in memory.lingering and derived.presence is Presence.OFFLINE:
        return replace(old, presence=Presence.ONLINE)
    return derived
