"""The pieces every refresh is built of: its commands, the answers parsed as they arrive,
and the checks that an answer adds up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bx24presence.api.client import BatchResult, Command
from bx24presence.api.errors import ProtocolError
from bx24presence.api.parse import parse_user, parse_user_ids, to_int, user_entries
from bx24presence.api.query import BatchRef
from bx24presence.domain import Colleague, Snapshot

IDS_PER_COMMAND = 50
#: Employees only: user.get's own filter (docs/bitrix24-api.md §3.1 and 3.6).
EMPLOYEES = {"ACTIVE": "Y", "USER_TYPE": "employee"}
#: The most employees a portal's count may claim. Bitrix24's largest cloud plan holds 10,000
#: users and big self-hosted portals some tens of thousands; a count beyond this is a broken
#: or hostile answer, and believing it would build one command per 50 of them.
MAX_USERS = 250_000


def page(start: int, order: str = "ASC", extra: Mapping[str, Any] | None = None) -> Command:
    """One ``user.get`` page of employee ids (50 rows; ``start=-1`` counts nothing)."""
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


def details(ids: Iterable[int] | BatchRef) -> Command:
    """``im.user.list.get`` for these ids, or for the ids an earlier command answered."""
    value: Any = ids if isinstance(ids, BatchRef) else list(ids)
    return ("im.user.list.get", {"ID": value, "AVATAR_HR": "Y"})


def chunks(ids: list[int], size: int = IDS_PER_COMMAND) -> list[list[int]]:
    """``ids`` cut into lists of at most ``size``."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass
class Collected:
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
        """The portal's clock from the last answer (the local one before any answer)."""
        return self.server_time or self.clock()

    def add_result(self, result: Any) -> None:
        """Parse one ``im.user.list.get`` result into :attr:`seen`."""
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
        """Take the portal's clock from a batch answer."""
        if batch.time is not None and batch.time.date_finish is not None:
            self.server_time = batch.time.date_finish

    def colleagues(self, only: Iterable[int] | None = None) -> tuple[Colleague, ...]:
        """The colleagues seen (of ``only``, when given), sorted by id."""
        wanted = set(only) if only is not None else None
        return tuple(
            c
            for uid, c in sorted(self.seen.items())
            if c is not None and (wanted is None or uid in wanted)
        )


def reuse_equal(
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


def own_status(batch: BatchResult) -> str | None:
    """The caller's chosen status from ``im.user.status.get`` (``false`` if never set: the
    default, online), or None when the command failed."""
    if "me" in batch.errors or "me" not in batch.results:
        return None
    value = batch.results["me"]
    if value is False or value in ("", None):
        return "online"
    return str(value).lower() if isinstance(value, str) else None


def check_errors(batch: BatchResult, keys: Iterable[str], *, allow: Iterable[str] = ()) -> None:
    """Raise the first error of the given commands (auth errors of any command first)."""
    batch.raise_auth_errors()
    allowed = set(allow)
    for k in keys:
        if k in batch.errors and k not in allowed:
            raise batch.errors[k]


def page_ids(result: Any) -> list[int]:
    """The ids of one ``user.get`` page, which holds at most 50 rows (docs/bitrix24-api.md §3.1)."""
    ids = parse_user_ids(result)
    if len(ids) > IDS_PER_COMMAND:
        raise ProtocolError(
            f"A page of the portal's user list holds {len(ids)} rows, not at most"
            f" {IDS_PER_COMMAND}: a malformed answer."
        )
    return ids


def no_colleagues() -> ProtocolError:
    """The error for an answer that lists nobody (a portal always has the webhook's user)."""
    return ProtocolError(
        "The portal listed no colleagues at all, not even the webhook's own user:"
        " a malformed answer."
    )


def check_counts(total: int, first_ids: list[int], last_ids: list[int]) -> None:
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
