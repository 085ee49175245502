"""Team views, Qt-free: the department tree with live counts, who can pick up now, who is out.

Everything here is pure (the day is passed in) and linear in the number of colleagues, so
the views can be worked out again on every poll of a 5,000-person portal without a stall.
"Available" is the app's one definition (:func:`bx24presence.presence.is_available`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from bx24presence.domain import Colleague
from bx24presence.presence import is_available, is_on_vacation
from bx24presence.search import search_form
from bx24presence.textsafe import repair

#: More departments than this in one answer are not kept (a hostile or broken portal).
MAX_DEPARTMENTS = 5_000
#: Department names are cut to this many characters.
MAX_NAME = 200
#: A full name (``Name / Parent / Root``) deeper than this is not followed further.
MAX_DEPTH = 32
_SEP = " / "


@dataclass(frozen=True, slots=True)
class Department:
    """One node of the company structure.

    ``id`` is negative for a parent the portal named only inside a child's full name
    (``im.department.get`` gives names, not parent ids; docs/bitrix24-api.md §3.4).
    """

    id: int
    name: str
    parent: int | None = None
    head: int | None = None


@dataclass(frozen=True)
class Structure:
    """The departments in structure order (parents before their children)."""

    departments: Mapping[int, Department] = field(default_factory=lambda: MappingProxyType({}))

    def children(self) -> dict[int | None, list[int]]:
        """Child ids of each department (``None``: the roots), in structure order."""
        out: dict[int | None, list[int]] = {}
        for d in self.departments.values():
            out.setdefault(d.parent, []).append(d.id)
        return out

    def chain(self, dept_id: int) -> list[int]:
        """``dept_id`` and its ancestors up to the root (a cycle is cut)."""
        out: list[int] = []
        current: int | None = dept_id
        while current is not None and current in self.departments and current not in out:
            out.append(current)
            if len(out) > MAX_DEPTH:
                break
            current = self.departments[current].parent
        return out


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


def _name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(repair(value).split())[:MAX_NAME]
    return text or None


def _rows(result: Any) -> list[Any]:
    if isinstance(result, dict):
        result = list(result.values())
    return result[:MAX_DEPARTMENTS] if isinstance(result, list) else []


def from_im_department_get(result: Any) -> Structure:
    """Rows of ``im.department.get`` (``id``, ``name``, ``full_name``, ``manager_user_id``).

    The hierarchy is read from the full names (``name / parent's full name``); a parent the
    answer does not hold gets a node of its own with a negative id. Malformed rows are skipped.
    """
    known: dict[int, tuple[str, str, int | None]] = {}
    for row in _rows(result):
        if not isinstance(row, dict):
            continue
        did, name = _int(row.get("id")), _name(row.get("name"))
        if did is None or did <= 0 or name is None:
            continue
        full = _name(row.get("full_name")) or name
        head = _int(row.get("manager_user_id"))
        known.setdefault(did, (name, full, head if head and head > 0 else None))
    by_full = {full: did for did, (_n, full, _h) in known.items()}
    made: dict[int, Department] = {}
    synthetic: dict[str, int] = {}

    def parent_of(name: str, full: str, depth: int) -> int | None:
        rest = full[len(name) + len(_SEP) :] if full.startswith(name + _SEP) else ""
        if not rest and _SEP in full and not full.startswith(name + _SEP):
            rest = full.split(_SEP, 1)[1]
        if not rest or depth > MAX_DEPTH:
            return None
        if rest in by_full:
            return by_full[rest]
        if rest not in synthetic:
            own = rest.split(_SEP, 1)[0]
            synthetic[rest] = -(len(synthetic) + 1)
            made[synthetic[rest]] = Department(
                synthetic[rest], own, parent_of(own, rest, depth + 1), None
            )
        return synthetic[rest]

    for did, (name, full, head) in known.items():
        made[did] = Department(did, name, parent_of(name, full, 0), head)
    return _ordered(made)


def from_department_get(result: Any) -> Structure:
    """Rows of ``department.get`` (``ID``, ``NAME``, ``PARENT``, ``UF_HEAD``, as text;
    docs/bitrix24-api.md §3.5)."""
    made: dict[int, Department] = {}
    for row in _rows(result):
        if not isinstance(row, dict):
            continue
        did, name = _int(row.get("ID")), _name(row.get("NAME"))
        if did is None or did <= 0 or name is None or did in made:
            continue
        parent = _int(row.get("PARENT"))
        head = _int(row.get("UF_HEAD"))
        made[did] = Department(
            did,
            name,
            parent if parent and parent > 0 else None,
            head if head and head > 0 else None,
        )
    return _ordered(made)


def _ordered(made: dict[int, Department]) -> Structure:
    """Structure order: depth first from the roots, siblings by name; a parent that is not
    known (or a cycle) makes a root."""
    fixed = {
        d.id: (
            d if d.parent in made and d.parent != d.id else Department(d.id, d.name, None, d.head)
        )
        for d in made.values()
    }
    children: dict[int | None, list[Department]] = {}
    for d in fixed.values():
        children.setdefault(d.parent, []).append(d)
    for group in children.values():
        group.sort(key=lambda d: (d.name.casefold(), d.id))
    ordered: dict[int, Department] = {}
    roots = list(children.get(None, []))
    while True:
        pending = list(reversed(roots))
        while pending:
            d = pending.pop()
            if d.id in ordered:
                continue
            ordered[d.id] = d
            pending.extend(reversed(children.get(d.id, [])))
        # What a walk from the roots never reached hangs in a cycle: cut it at one node.
        stray = next((d for d in fixed.values() if d.id not in ordered), None)
        if stray is None:
            break
        roots = [Department(stray.id, stray.name, None, stray.head)]
    return Structure(MappingProxyType(ordered))


def members(structure: Structure, colleagues: Iterable[Colleague]) -> dict[int, frozenset[int]]:
    """Everyone in each department or any department below it."""
    # People share a few hundred department lists among thousands: walk each list's chains
    # once and add its people in one C-level update (10,000 colleagues: 27 ms to 3).
    by_list: dict[tuple[int, ...], list[int]] = {}
    for c in colleagues:
        by_list.setdefault(c.departments, []).append(c.id)
    chains: dict[int, list[int]] = {}
    out: dict[int, set[int]] = {d: set() for d in structure.departments}
    for departments, ids in by_list.items():
        seen: set[int] = set()
        for d in departments:
            if d not in chains:
                chains[d] = structure.chain(d)
            seen.update(chains[d])
        for d in seen:
            out[d].update(ids)
    return {d: frozenset(ids) for d, ids in out.items()}


def counts(
    groups: Mapping[int, frozenset[int]], available: frozenset[int] | set[int]
) -> dict[int, tuple[int, int]]:
    """(available, total) of each department."""
    return {d: (len(ids & available), len(ids)) for d, ids in groups.items()}


def available_ids(colleagues: Iterable[Colleague], today: date) -> frozenset[int]:
    """Ids of everyone available (the app's one definition)."""
    return frozenset(c.id for c in colleagues if is_available(c, today))


def _recency(c: Colleague) -> float:
    return -c.last_activity.timestamp() if c.last_activity is not None else float("inf")


def pickup_now(
    colleagues: Iterable[Colleague], today: date, available: frozenset[int] | None = None
) -> list[Colleague]:
    """Colleagues available this minute who have a phone, most recently active first
    (``available``: who is available, when already worked out)."""
    if available is not None:
        found = [c for c in colleagues if c.id in available and c.phones]
    else:
        found = [c for c in colleagues if c.phones and is_available(c, today)]
    found.sort(key=lambda c: (_recency(c), c.name.casefold(), c.id))
    return found


def who_is_out(colleagues: Iterable[Colleague], today: date) -> list[tuple[date, list[Colleague]]]:
    """Everyone on vacation, grouped by the day they are back (soonest first), by name."""
    groups: dict[date, list[Colleague]] = {}
    for c in colleagues:
        if c.absent_until is not None and is_on_vacation(c.absent_until, today):
            groups.setdefault(c.absent_until, []).append(c)
    return [
        (day, sorted(people, key=lambda c: (c.name.casefold(), c.id)))
        for day, people in sorted(groups.items())
    ]


def back_when(back: date, today: date) -> tuple[str, int]:
    """How to say a return day: (``tomorrow``, 0), (``weekday``, 0-6 Monday first) within
    the week, else (``date``, days away)."""
    days = (back - today).days
    if days <= 1:
        return "tomorrow", 0
    if days < 7:
        return "weekday", back.weekday()
    return "date", days


def last_seen_order(colleagues: Sequence[Colleague], name_rank: Mapping[int, int]) -> list[int]:
    """Ids by last activity, most recent first; never seen last; then by name."""
    big = len(name_rank) + 1
    ranked = sorted(colleagues, key=lambda c: (_recency(c), name_rank.get(c.id, big), c.id))
    return [c.id for c in ranked]


def normalize(text: str) -> str:
    """The search's form (:func:`bx24presence.search.search_form`: terms come in it)."""
    return search_form(text)


def match_reason(
    c: Colleague, terms: Sequence[str], departments: Mapping[int, str]
) -> tuple[str, str] | None:
    """Why ``c`` matched a search whose terms are not all in the name: the first field
    holding a term that is not in the name, as (``position``, ``department``, ``email`` or
    ``phone``, the field's text); None when the name explains the match."""
    name = normalize(" ".join((c.name, c.first_name, c.last_name)))
    rest = [t for t in terms if t and t not in name]
    if not rest:
        return None
    fields: list[tuple[str, str]] = []
    if c.work_position:
        fields.append(("position", c.work_position))
    fields.extend(("department", departments[d]) for d in c.departments if departments.get(d))
    if c.email:
        fields.append(("email", c.email))
    fields.extend(("phone", p) for p in c.phones.as_dict().values())
    for term in rest:
        digits = "".join(ch for ch in term if ch.isdigit())
        for kind, text in fields:
            if term in normalize(text) or (
                kind == "phone"
                and len(digits) >= 3
                and digits in "".join(filter(str.isdigit, text))
            ):
                return kind, text
    return None
