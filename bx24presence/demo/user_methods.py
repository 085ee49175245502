"""The ``user.*`` and ``department.get`` methods of the demo portal."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bx24presence.demo.calls import CallContext, MethodSpec, Params
from bx24presence.demo.envelope import MethodResult
from bx24presence.demo.phpquery import php_intval, php_truthy, php_values, upper_keys
from bx24presence.demo.population import DemoUser
from bx24presence.demo.userformat import BASIC_FIELDS, BRIEF_FIELDS, user_row

PAGE_SIZE = 50  # IRestService::LIST_LIMIT (docs/bitrix24-api.md §3.1).
# prepareUserFilter's own pattern: up to two non-word characters before the field name.
_FILTER_KEY = re.compile(r"^(\W{1,2})(.+)$", re.DOTALL | re.ASCII)
# Fields whose operator the server clears (docs/bitrix24-api.md §3.1).
_NO_OPERATOR = frozenset({"HAS_DEPARTAMENT", "NAME_SEARCH", "FIND"})
_NEGATIONS = frozenset({"!", "!=", "!@"})
# Top-level keys that are not filters when FILTER is absent (docs/bitrix24-api.md §3.1).
_NOT_FILTERS = frozenset({"SORT", "ORDER", "SELECT", "START", "IMAGE_RESIZE", "ADMIN_MODE"})
_SORT_KEYS: Mapping[str, Callable[[DemoUser], Any]] = {
    "ID": lambda u: u.id,
    "NAME": lambda u: (u.first_name.casefold(), u.id),
    "LAST_NAME": lambda u: (u.last_name.casefold(), u.id),
    "EMAIL": lambda u: (u.email, u.id),
}

Check = Callable[[DemoUser], bool]


def allowed_fields(scopes: frozenset[str]) -> frozenset[str]:
    """``user_brief`` alone hides e-mail and phones; ``user`` or ``user_basic`` show them."""
    return BASIC_FIELDS if scopes & {"user", "user_basic"} else BRIEF_FIELDS


def user_get(ctx: CallContext, params: Params) -> MethodResult:
    """``user.get``: real users, filtered, sorted, 50 per page by ``start``."""
    return _listing(ctx, params, extra=None)


def user_search(ctx: CallContext, params: Params) -> MethodResult:
    """``user.search``: ``user.get`` plus ``FIND`` across the names."""
    find = params.get("FIND")
    extra = _name_search(str(find)) if find not in (None, "") else None
    return _listing(ctx, params, extra=extra)


def _listing(ctx: CallContext, params: Params, extra: Check | None) -> MethodResult:
    """Filter, sort and cut one page; ``total`` and ``next`` as ``setNavData`` sets them."""
    state = ctx.state
    fields = _selected(params.get("SELECT"), allowed_fields(ctx.scopes))
    raw_filter = params.get("FILTER")
    if isinstance(raw_filter, dict):
        conditions = upper_keys(raw_filter)
    elif isinstance(raw_filter, list):
        conditions = {str(i): v for i, v in enumerate(raw_filter)}  # Keys 0..n: no field.
    else:
        # FILTER missing or not an array: the top-level keys are the filter (§3.1).
        conditions = {k: v for k, v in params.upper.items() if k not in _NOT_FILTERS}
    # IS_ONLINE changes with the clock: applied after the remembered part of the filter.
    online = [
        (op, yes_no(value))
        for op, name, value in (_split(key, value) for key, value in conditions.items())
        if name == "IS_ONLINE"
    ]
    conditions = {k: v for k, v in conditions.items() if _split(k, v)[1] != "IS_ONLINE"}
    sort_field = str(params.get("SORT") or "ID").upper()
    descending = str(params.get("ORDER") or "ASC").upper() == "DESC"
    key = ("user.get", repr(sorted(conditions.items())), sort_field, descending, extra is None)

    def compute() -> list[DemoUser]:
        checks = _checks(conditions)
        found = [u for u in state.users.values() if u.is_real and all(check(u) for check in checks)]
        sort_key = _SORT_KEYS.get(sort_field, _SORT_KEYS["ID"])
        found.sort(key=sort_key, reverse=descending)
        return found

    matched: list[DemoUser] = compute() if extra is not None else state.memo(key, compute)
    if extra is not None:
        matched = [u for u in matched if extra(u)]
    if online:
        on = set(state.online_ids(ctx.at))
        for op, wanted in online:
            negate = op in _NEGATIONS
            matched = [u for u in matched if ((u.id in on) == wanted) != negate]

    start = php_intval(params.start) if params.start is not None else 0
    if start == -1:
        # start=-1 switches counting off: total 0 and no next (docs/bitrix24-api.md §3.1).
        rows = [user_row(state, u, ctx.at, fields) for u in matched[:PAGE_SIZE]]
        return MethodResult(rows, total=0)
    start = max(0, start)
    page = matched[start : start + PAGE_SIZE]
    if not page:
        # `if ($result)` guards setNavData: an empty page has no total (docs/bitrix24-api.md §3.1).
        return MethodResult([])
    rows = [user_row(state, u, ctx.at, fields) for u in page]
    following = start + len(page)
    return MethodResult(
        rows, total=len(matched), next=following if following < len(matched) else None
    )


def _selected(select: Any, allowed: frozenset[str]) -> frozenset[str]:
    """``select`` intersected with the allowed fields; ``*``, ``UF_*`` or nothing: all of them."""
    wanted = php_values(select)
    if not wanted:
        return allowed
    names = {str(v).upper() for v in wanted}
    chosen = set()
    if "*" in names:
        chosen |= {f for f in allowed if not f.startswith("UF_")}
    if "UF_*" in names:
        chosen |= {f for f in allowed if f.startswith("UF_")}
    chosen |= names & allowed
    return frozenset(chosen | {"ID"}) if chosen else allowed


def yes_no(value: Any) -> bool:
    """``ACTIVE`` and ``IS_ONLINE`` as ``prepareUserValue`` reads them (docs/bitrix24-api.md §3.1).

    ``($value && $value !== 'N') ? 'Y' : 'N'``: every PHP-truthy value except the text
    ``N`` means ``Y``, so ``true``, ``"True"`` (Python's ``True`` in a query), ``1``,
    ``"y"``, ``"n"`` and even ``"false"`` do; ``false``, ``null``, ``""``, ``"0"``, ``0``,
    an empty array and ``"N"`` mean ``N``.
    """
    return php_truthy(value) and value != "N"


def _split(key: str, value: Any = None) -> tuple[str, str, Any]:
    """``(operator, field, value)`` of one filter key, as ``prepareUserFilter`` splits it."""
    match = _FILTER_KEY.match(key)
    op, name = (match.group(1), match.group(2)) if match else ("", key)
    if name in _NO_OPERATOR:
        op = ""
    return op, name, value


def _checks(conditions: Mapping[str, Any]) -> list[Check]:
    """One predicate per understood filter key; unknown keys are ignored, as on portals."""
    checks: list[Check] = []
    for raw_key, value in conditions.items():
        op, name, _ = _split(raw_key)
        check = _check(op, name, value)
        if check is not None:
            checks.append(check)
    return checks


def _check(op: str, name: str, value: Any) -> Check | None:
    """The predicate of one filter key such as ``ACTIVE``, ``>ID`` or ``%NAME``."""
    if name == "ACTIVE":
        # Y or N by PHP truthiness; without an operator the server forces "=" (§3.1).
        active = yes_no(value)
        negate = op in _NEGATIONS
        return lambda u: (u.active == active) != negate
    if name == "HAS_DEPARTAMENT":
        # Only the text "Y" (a strict comparison) asks for users with a department.
        return (lambda u: bool(u.departments)) if value == "Y" and isinstance(value, str) else None
    if name == "USER_TYPE":
        types = {str(v) for v in _many(value)}
        return lambda u: u.user_type in types
    if name == "ID":
        return _id_check(op, value)
    if name == "UF_DEPARTMENT":
        wanted = {php_intval(v) for v in _many(value)}
        return lambda u: bool(wanted.intersection(u.departments))
    if name in ("NAME", "LAST_NAME", "EMAIL"):
        attr = {"NAME": "first_name", "LAST_NAME": "last_name", "EMAIL": "email"}[name]
        text = str(value).casefold()
        if op == "%":
            return lambda u: text in str(getattr(u, attr)).casefold()
        return lambda u: str(getattr(u, attr)).casefold() == text
    if name == "NAME_SEARCH":
        return _name_search(str(value))
    return None


def _id_check(op: str, value: Any) -> Check:
    """``ID`` with ``=``/``@`` (one or many), ``!``, ``>``, ``>=``, ``<``, ``<=``."""
    ids = {php_intval(v) for v in _many(value)}
    bound = php_intval(value if not isinstance(value, (list, dict)) else next(iter(ids), 0))
    if op == ">":
        return lambda u: u.id > bound
    if op == ">=":
        return lambda u: u.id >= bound
    if op == "<":
        return lambda u: u.id < bound
    if op == "<=":
        return lambda u: u.id <= bound
    if op in ("!", "!=", "!@"):
        return lambda u: u.id not in ids
    return lambda u: u.id in ids


def _name_search(text: str) -> Check:
    """Substring search over first, last and full name."""
    needle = text.casefold().strip()
    return lambda u: needle in u.name.casefold() or needle in u.last_name.casefold()


def _many(value: Any) -> Iterable[Any]:
    """A scalar as a one-element list; arrays as their values."""
    values = php_values(value)
    return values if values is not None else [value]


def user_current(ctx: CallContext, params: Params) -> MethodResult:
    """``user.current``: the caller as a ``user.get`` row."""
    user = ctx.state.users[ctx.caller_id]
    return MethodResult(user_row(ctx.state, user, ctx.at, allowed_fields(ctx.scopes)))


def user_online(ctx: CallContext, params: Params) -> MethodResult:
    """``user.online``: ids (as text) of everyone with ``IS_ONLINE = Y``, active or not (§3.2)."""
    return MethodResult([str(uid) for uid in ctx.state.online_ids(ctx.at)])


def department_get(ctx: CallContext, params: Params) -> MethodResult:
    """``department.get`` (scope ``department``): rows with text ids, 50 per page (§3.5)."""
    wanted = {php_intval(v) for v in _many(params.get("ID"))} if params.get("ID") else None
    parent = php_intval(params.get("PARENT")) if params.get("PARENT") is not None else None
    rows = []
    for dept in ctx.state.departments.values():
        if wanted is not None and dept.id not in wanted:
            continue
        if parent is not None and dept.parent != parent:
            continue
        row: dict[str, Any] = {"ID": str(dept.id), "NAME": dept.name, "SORT": 500}
        if dept.parent is not None:
            row["PARENT"] = str(dept.parent)
        row["UF_HEAD"] = str(dept.manager_id)
        rows.append(row)
    start = max(0, php_intval(params.start)) if params.start is not None else 0
    page = rows[start : start + PAGE_SIZE]
    if not page:
        return MethodResult([])
    following = start + len(page)
    return MethodResult(page, total=len(rows), next=following if following < len(rows) else None)


METHODS: Mapping[str, MethodSpec] = {
    "user.get": MethodSpec(user_get, "user"),
    "user.search": MethodSpec(user_search, "user"),
    "user.current": MethodSpec(user_current, "user"),
    "user.online": MethodSpec(user_online, "user"),
    "department.get": MethodSpec(department_get, "department"),
}
