"""One REST call inside the demo portal: its context, parameters, scope check and dispatch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bx24presence.demo.envelope import MethodResult, RestError, method_not_found
from bx24presence.demo.phpquery import upper_keys
from bx24presence.demo.state import PortalState

# Scope groups: any one of the listed scopes grants the method (docs/bitrix24-api.md §3.1, §6.4).
SCOPE_GROUPS: Mapping[str, tuple[str, ...]] = {
    "im": ("im",),
    "user": ("user_brief", "user_basic", "user"),
    "department": ("department",),
}


@dataclass(frozen=True, slots=True)
class Params:
    """A call's parameters as sent, and with upper-cased names.

    ``im.*`` and ``user.*`` read names case-insensitively (``array_change_key_case``), but
    the server reads the page offset only as lower-case ``start`` (docs/bitrix24-api.md §3.1).
    """

    raw: Mapping[str, Any]
    upper: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "upper", upper_keys(dict(self.raw)))

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter by its upper-case name."""
        return self.upper.get(name, default)

    @property
    def start(self) -> Any:
        """The raw ``start`` parameter, lower-case only."""
        return self.raw.get("start")


@dataclass(frozen=True, slots=True)
class CallContext:
    """Who calls, with which rights, at what moment of the portal clock."""

    state: PortalState
    dispatcher: Dispatcher
    caller_id: int
    scopes: frozenset[str]
    auth_kind: str  # "webhook" or "oauth"
    at: float


Handler = Callable[[CallContext, Params], MethodResult]


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """A REST method: its handler and the scope group it needs (``None``: global method)."""

    handler: Handler
    scope: str | None


class Dispatcher:
    """Finds methods by name and runs them after the scope check."""

    def __init__(self, methods: Mapping[str, MethodSpec]) -> None:
        """Serve the given methods (names in lower case)."""
        self._methods = dict(methods)

    @property
    def names(self) -> list[str]:
        """Every method name, sorted."""
        return sorted(self._methods)

    def exists(self, name: str) -> bool:
        """Whether the method is known (names are case-insensitive)."""
        return name.lower() in self._methods

    def allowed(self, name: str, scopes: frozenset[str]) -> bool:
        """Whether ``scopes`` grant the method."""
        spec = self._methods.get(name.lower())
        if spec is None:
            return False
        return spec.scope is None or any(s in scopes for s in SCOPE_GROUPS[spec.scope])

    def run(self, ctx: CallContext, name: str, raw: Mapping[str, Any]) -> MethodResult:
        """Run one method; raises :class:`RestError` for unknown methods, scopes and failures."""
        spec = self._methods.get(name.lower())
        if spec is None:
            raise method_not_found()
        if not self.allowed(name, ctx.scopes):
            raise insufficient_scope(spec.scope or "", ctx.auth_kind)
        return spec.handler(ctx, Params(raw))


def insufficient_scope(group: str, auth_kind: str) -> RestError:
    """401 ``insufficient_scope``, naming the scope the method needs (docs/bitrix24-api.md §6.3)."""
    token = "webhook token" if auth_kind == "webhook" else "access token"
    needed = " or ".join(f'"{s}"' for s in SCOPE_GROUPS.get(group, (group,)))
    return RestError(
        401,
        "insufficient_scope",
        f"The request requires higher privileges than provided by the {token}. "
        f"Required scope: {needed}.",
    )
