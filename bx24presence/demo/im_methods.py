"""The ``im.user.*`` methods of the demo portal: users and one's own status."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bx24presence.demo.calls import CallContext, MethodSpec, Params
from bx24presence.demo.envelope import MethodResult, RestError
from bx24presence.demo.phpquery import php_equals_y, php_intval, php_values
from bx24presence.demo.userformat import im_user

AVAILABLE_STATUSES = ("online", "dnd", "away", "break")  # CIMStatus::$AVAILABLE_STATUSES


def _invalid_ids() -> RestError:
    return RestError(400, "INVALID_FORMAT", "A wrong format for the ID field is passed")


def parse_ids(value: Any) -> list[int]:
    """The ``ID`` parameter of ``im.user.list.get`` as the server reads it (docs/bitrix24-api.md
    §1.1).

    An array, or a text holding a JSON/JS array (``CUtil::JsObjectToPhp``); each element
    goes through ``intval``; elements ``<= 0`` are dropped and duplicates keep their first
    place. A scalar, a missing value or nothing valid left is ``INVALID_FORMAT``.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _invalid_ids() from None
    elements = php_values(value)
    if not elements:
        raise _invalid_ids()
    ids: dict[int, None] = {}
    for element in elements:
        number = php_intval(element)
        if number > 0:
            ids.setdefault(number, None)
    if not ids:
        raise _invalid_ids()
    return list(ids)


def _flag(params: Params, name: str) -> bool:
    """A ``Y``/``N`` parameter, read as the server does: ``$arParams[name] == 'Y'``."""
    return php_equals_y(params.get(name))


def user_list_get(ctx: CallContext, params: Params) -> MethodResult:
    """``im.user.list.get``: one entry per requested id, ``null`` for unknown ids (§1.2).

    No cap on the number of ids, as on real portals. The result is an object keyed by id
    in request order, or a list (``null`` entries kept) with ``RESULT_TYPE=array``.
    """
    ids = parse_ids(params.get("ID"))
    avatar_hr = _flag(params, "AVATAR_HR")
    users = ctx.state.users
    entries: dict[str, Any] = {}
    for uid in ids:
        user = users.get(uid)
        entries[str(uid)] = (
            None if user is None else im_user(ctx.state, user, ctx.at, avatar_hr=avatar_hr)
        )
    if str(params.get("RESULT_TYPE", "")).lower() == "array":
        return MethodResult(list(entries.values()))
    return MethodResult(entries)


def user_get(ctx: CallContext, params: Params) -> MethodResult:
    """``im.user.get``: one user (the caller without ``ID``), real ``desktop_last_date``."""
    raw = params.get("ID")
    uid = ctx.caller_id if raw is None else php_intval(raw)
    if uid <= 0:
        raise RestError(400, "ID_EMPTY", "User ID can't be empty")
    user = ctx.state.users.get(uid)
    if user is None:
        raise RestError(400, "USER_NOT_EXISTS", "User is not exists")
    obj = im_user(ctx.state, user, ctx.at, avatar_hr=_flag(params, "AVATAR_HR"), desktop=True)
    return MethodResult(obj)


def status_get(ctx: CallContext, params: Params) -> MethodResult:
    """``im.user.status.get``: the caller's chosen status, ``false`` if never set (§7)."""
    return MethodResult(ctx.state.status(ctx.caller_id) or False)


def status_set(ctx: CallContext, params: Params) -> MethodResult:
    """``im.user.status.set``: one of the four statuses, else ``STATUS_ERROR`` (§7)."""
    status = params.get("STATUS")
    if status not in AVAILABLE_STATUSES:
        raise RestError(400, "STATUS_ERROR", "Status is not available")
    ctx.state.set_status(ctx.caller_id, str(status))
    return MethodResult(True)


def idle_start(ctx: CallContext, params: Params) -> MethodResult:
    """``im.user.status.idle.start``: idle since ``AGO`` minutes (default 10, at least 1)."""
    raw = params.get("AGO")
    ago = max(1, php_intval(raw)) if raw is not None else 10
    ctx.state.pin(ctx.caller_id, {"idle": ctx.at - ago * 60})
    return MethodResult(True)


def idle_end(ctx: CallContext, params: Params) -> MethodResult:
    """``im.user.status.idle.end``: no longer idle."""
    ctx.state.pin(ctx.caller_id, {"idle": None})
    return MethodResult(True)


METHODS: Mapping[str, MethodSpec] = {
    "im.user.list.get": MethodSpec(user_list_get, "im"),
    "im.user.get": MethodSpec(user_get, "im"),
    "im.user.status.get": MethodSpec(status_get, "im"),
    "im.user.status.set": MethodSpec(status_set, "im"),
    "im.user.status.idle.start": MethodSpec(idle_start, "im"),
    "im.user.status.idle.end": MethodSpec(idle_end, "im"),
}
