"""Every REST method of the demo portal, and the global ones that need no scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bx24presence.demo import department_methods, im_methods, user_methods
from bx24presence.demo.batch import batch
from bx24presence.demo.calls import SCOPE_GROUPS, CallContext, Dispatcher, MethodSpec, Params
from bx24presence.demo.envelope import MethodResult
from bx24presence.demo.phpquery import php_truthy
from bx24presence.demo.userformat import photo_path


def scope(ctx: CallContext, params: Params) -> MethodResult:
    """``scope``: the scopes granted to the webhook or token, or with ``full`` all of them."""
    if php_truthy(params.get("FULL")):
        every = {s for group in SCOPE_GROUPS.values() for s in group}
        return MethodResult(sorted(every))
    return MethodResult(sorted(ctx.scopes))


def methods(ctx: CallContext, params: Params) -> MethodResult:
    """``methods``: the method names the caller may use (all of them with ``full``)."""
    everything = php_truthy(params.get("FULL"))
    names = [
        name
        for name in ctx.dispatcher.names
        if everything or ctx.dispatcher.allowed(name, ctx.scopes)
    ]
    return MethodResult(names)


def profile(ctx: CallContext, params: Params) -> MethodResult:
    """``profile``: who the webhook or token acts as (docs/bitrix24-api.md §6.4)."""
    user = ctx.state.users[ctx.caller_id]
    result: dict[str, Any] = {
        "ID": str(user.id),
        "ADMIN": user.id == 1,
        "NAME": user.first_name,
        "LAST_NAME": user.last_name,
        "PERSONAL_GENDER": user.gender,
    }
    if user.photo_hash:
        result["PERSONAL_PHOTO"] = ctx.state.base_url + photo_path(user, original=True)
    result["TIME_ZONE"] = user.time_zone
    result["TIME_ZONE_OFFSET"] = ctx.state.clock.tz_offset_s
    return MethodResult(result)


def server_time(ctx: CallContext, params: Params) -> MethodResult:
    """``server.time``: the portal clock as ``date('c')``."""
    return MethodResult(ctx.state.clock.iso(ctx.at))


GLOBAL_METHODS: Mapping[str, MethodSpec] = {
    "batch": MethodSpec(batch, None),
    "scope": MethodSpec(scope, None),
    "methods": MethodSpec(methods, None),
    "profile": MethodSpec(profile, None),
    "server.time": MethodSpec(server_time, None),
}


def build_dispatcher() -> Dispatcher:
    """A dispatcher that knows every method of the demo portal."""
    return Dispatcher(
        {
            **GLOBAL_METHODS,
            **user_methods.METHODS,
            **im_methods.METHODS,
            **department_methods.METHODS,
        }
    )
