"""The ``im.department.*`` methods of the demo portal: structure, heads, staff, colleagues.

Modelled on the server code (``im_rest.php`` ``department*`` and ``Bitrix\\Im\\Department``,
docs/bitrix24-api.md §3.3 and §3.4): departments come in structure order (a tree walked from the
root, as ``LEFT_MARGIN ASC``), a department's employees are its active members by id,
and every method refuses extranet users and bots.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bx24presence.demo.calls import CallContext, MethodSpec, Params
from bx24presence.demo.envelope import MethodResult, RestError
from bx24presence.demo.phpquery import php_array, php_equals_y, php_intval, php_values
from bx24presence.demo.population import DemoUser, Department
from bx24presence.demo.state import PortalState
from bx24presence.demo.userformat import im_user

COLLEAGUES_LIMIT = 10  # im.department.colleagues.list without LIMIT.
COLLEAGUES_MAX_LIMIT = 50


def department_ids(value: Any) -> list[int]:
    """``ID`` as the server reads it: an array, or a text holding a JSON/JS array.

    Each element goes through ``intval``; elements ``<= 0`` are dropped and duplicates keep
    their first place. A scalar or anything unreadable gives an empty list.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    ids: dict[int, None] = {}
    for element in php_values(value) or ():
        number = php_intval(element)
        if number > 0:
            ids.setdefault(number, None)
    return list(ids)


def _require_intranet(ctx: CallContext) -> None:
    """Extranet users and bots get 403 ``ACCESS_ERROR`` from every department method."""
    caller = ctx.state.users.get(ctx.caller_id)
    if caller is None or caller.user_type in ("extranet", "bot"):
        raise RestError(403, "ACCESS_ERROR", "Only intranet users have access to this method.")


def _ids_or_empty_error(params: Params) -> list[int]:
    ids = department_ids(params.get("ID"))
    if not ids:
        raise RestError(400, "ID_EMPTY", "Department ID can't be empty")
    return ids


def structure(state: PortalState) -> list[Department]:
    """Every department in structure order: the tree walked depth first from its roots."""

    def compute() -> list[Department]:
        children: dict[int | None, list[Department]] = {}
        for dept in state.departments.values():
            children.setdefault(dept.parent, []).append(dept)
        ordered: list[Department] = []
        pending = list(reversed(children.get(None, [])))
        while pending:
            dept = pending.pop()
            ordered.append(dept)
            pending.extend(reversed(children.get(dept.id, [])))
        return ordered

    result: list[Department] = state.memo(("im.department", "structure"), compute)
    return result


def employees(state: PortalState) -> dict[int, list[int]]:
    """Active members of each department by id (``CIntranetUtils::GetStructure``)."""

    def compute() -> dict[int, list[int]]:
        members: dict[int, list[int]] = {}
        for user in state.users.values():
            if user.active:
                for dept in user.departments:
                    members.setdefault(dept, []).append(user.id)
        return members

    result: dict[int, list[int]] = state.memo(("im.department", "employees"), compute)
    return result


def _user_entry(ctx: CallContext, uid: int, with_data: bool) -> Any:
    """An id, or with ``USER_DATA=Y`` the ``im`` user object (``null`` for no such user)."""
    if not with_data:
        return uid
    user: DemoUser | None = ctx.state.users.get(uid)
    return None if user is None else im_user(ctx.state, user, ctx.at)


def department_get(ctx: CallContext, params: Params) -> MethodResult:
    """``im.department.get``: names and heads in structure order, under ``im`` (§3.4).

    ``full_name`` is the name followed by the parent's ``full_name``, up to the root.
    """
    _require_intranet(ctx)
    wanted = set(department_ids(params.get("ID")))
    if not wanted:
        raise RestError(400, "INVALID_FORMAT", "A wrong format for the ID field is passed")
    with_user = php_equals_y(params.get("USER_DATA"))
    full_names: dict[int, str] = {}
    rows = []
    for dept in structure(ctx.state):
        parent_name = full_names.get(dept.parent) if dept.parent is not None else None
        full_names[dept.id] = f"{dept.name} / {parent_name}" if parent_name else dept.name
        if dept.id not in wanted:
            continue
        row: dict[str, Any] = {
            "id": dept.id,
            "name": dept.name,
            "full_name": full_names[dept.id],
            "manager_user_id": dept.manager_id,
        }
        if with_user:
            row["manager_user_data"] = _user_entry(ctx, dept.manager_id, True)
        rows.append(row)
    return MethodResult(rows)


def managers_get(ctx: CallContext, params: Params) -> MethodResult:
    """``im.department.managers.get``: ``{department id: [head]}`` for the asked departments.

    Unknown departments are left out; nothing found is ``[]`` (an empty PHP array).
    """
    _require_intranet(ctx)
    wanted = set(_ids_or_empty_error(params))
    with_data = php_equals_y(params.get("USER_DATA"))
    found: dict[str, Any] = {}
    for dept in structure(ctx.state):
        if dept.id in wanted and dept.manager_id > 0:
            found[str(dept.id)] = [_user_entry(ctx, dept.manager_id, with_data)]
    return MethodResult(php_array(found))


def employees_get(ctx: CallContext, params: Params) -> MethodResult:
    """``im.department.employees.get``: ``{department id: [members]}``.

    Only departments with at least one active member appear; nothing found is ``[]``.
    """
    _require_intranet(ctx)
    wanted = set(_ids_or_empty_error(params))
    with_data = php_equals_y(params.get("USER_DATA"))
    members = employees(ctx.state)
    found: dict[str, Any] = {}
    for dept in structure(ctx.state):
        staff = members.get(dept.id)
        if dept.id in wanted and staff:
            found[str(dept.id)] = [_user_entry(ctx, uid, with_data) for uid in staff]
    return MethodResult(php_array(found))


def colleague_ids(state: PortalState, caller_id: int) -> list[int]:
    """The caller's colleagues in the server's order (``Department::getColleagues``).

    Heads of the caller's departments, then their members, then, if the caller heads a
    department, the heads of every department; the caller never, nobody twice.
    """
    caller = state.users.get(caller_id)
    own = set(caller.departments) if caller is not None else set()
    order = structure(state)
    members = employees(state)
    found: dict[int, None] = {}
    for dept in order:
        if dept.id in own and dept.manager_id > 0:
            found.setdefault(dept.manager_id, None)
    for dept in order:
        if dept.id in own:
            for uid in members.get(dept.id, ()):
                found.setdefault(uid, None)
    if any(dept.manager_id == caller_id for dept in order):
        for dept in order:
            if dept.manager_id > 0:
                found.setdefault(dept.manager_id, None)
    found.pop(caller_id, None)
    return list(found)


def php_slice(items: list[Any], offset: int, length: int) -> list[Any]:
    """PHP ``array_slice($items, $offset, $length)`` for ``offset >= 0``.

    A negative length stops that many elements before the end; zero gives nothing.
    """
    end = len(items) + length if length < 0 else offset + length
    return items[offset:end] if end > offset else []


def colleagues_list(ctx: CallContext, params: Params) -> MethodResult:
    """``im.department.colleagues.list``: a page of the caller's colleagues (§3.3).

    ``start`` (lower case, as every list method's page offset) wins over ``OFFSET`` when
    positive; ``LIMIT`` defaults to 10 and is cut to 50. ``total`` is always sent, ``next``
    while colleagues remain after the page (``setNavData``).
    """
    _require_intranet(ctx)
    start = php_intval(params.start) if params.start is not None else 0
    raw_offset = params.get("OFFSET")
    if start > 0:
        offset = start
    elif raw_offset is not None and php_intval(raw_offset) > 0:
        offset = php_intval(raw_offset)
    else:
        offset = 0
    raw_limit = params.get("LIMIT")
    limit = (
        min(COLLEAGUES_MAX_LIMIT, php_intval(raw_limit))
        if raw_limit is not None
        else COLLEAGUES_LIMIT
    )
    everyone = colleague_ids(ctx.state, ctx.caller_id)
    page = php_slice(everyone, offset, limit)
    with_data = php_equals_y(params.get("USER_DATA"))
    result = [_user_entry(ctx, uid, with_data) for uid in page]
    following = offset + len(page)
    return MethodResult(
        result, total=len(everyone), next=following if following < len(everyone) else None
    )


METHODS: Mapping[str, MethodSpec] = {
    "im.department.get": MethodSpec(department_get, "im"),
    "im.department.managers.get": MethodSpec(managers_get, "im"),
    "im.department.employees.get": MethodSpec(employees_get, "im"),
    "im.department.colleagues.list": MethodSpec(colleagues_list, "im"),
}
