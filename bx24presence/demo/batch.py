"""The ``batch`` method: up to 50 commands in one request, with ``$result[...]`` references."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

from bx24presence.demo.calls import CallContext, Params
from bx24presence.demo.envelope import MethodResult, RestError, Timing
from bx24presence.demo.phpquery import parse_str, php_array, php_truthy

BATCH_MAX_LENGTH = 50  # CRestUtil::BATCH_MAX_LENGTH (docs/bitrix24-api.md §4).
NOT_IN_BATCH = frozenset({"batch", "download", "upload"})
_REFERENCE = re.compile(r"\$(result|next|total|time|error)([^\s]*)")
_SEGMENT = re.compile(r"\[([^\]]*)\]")


def batch(ctx: CallContext, params: Params) -> MethodResult:
    """Run the commands in order and gather the five maps (docs/bitrix24-api.md §4).

    Commands past the 50th are not run and each gets ``ERROR_BATCH_LENGTH_EXCEEDED``;
    ``halt`` (PHP truthiness) stops after the first failing command; each command gets
    its own scope check. Maps are PHP arrays: empty ones print as ``[]``, ``0..n-1`` keys as
    a list.
    """
    halt = php_truthy(params.get("HALT"))
    commands = _commands(params.get("CMD"))
    maps: dict[str, dict[str, Any]] = {
        "result": {},
        "error": {},
        "total": {},
        "next": {},
        "time": {},
    }
    for index, (key, text) in enumerate(commands):
        if index >= BATCH_MAX_LENGTH:
            maps["error"][key] = RestError(
                400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"
            ).body()
            continue
        try:
            outcome, timing = _run(ctx, text, maps)
        except RestError as error:
            maps["error"][key] = error.body()
            if halt:
                break
            continue
        maps["result"][key] = outcome.result
        if outcome.total is not None:
            maps["total"][key] = outcome.total
        if outcome.next is not None:
            maps["next"][key] = outcome.next
        maps["time"][key] = timing.to_json(ctx.state.clock.tz)
    return MethodResult(
        {
            "result": php_array(maps["result"]),
            "result_error": php_array(maps["error"]),
            "result_total": php_array(maps["total"]),
            "result_next": php_array(maps["next"]),
            "result_time": php_array(maps["time"]),
        }
    )


def _commands(cmd: Any) -> list[tuple[str, str]]:
    """``cmd`` as (key, command text) pairs; a list has keys ``0..n-1``."""
    if isinstance(cmd, list):
        return [(str(i), _text(v)) for i, v in enumerate(cmd)]
    if isinstance(cmd, dict):
        return [(str(k), _text(v)) for k, v in cmd.items()]
    return []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else _php_string(value)


def _run(
    ctx: CallContext, text: str, maps: dict[str, dict[str, Any]]
) -> tuple[MethodResult, Timing]:
    """One command ``method?query``: ``parse_str`` the query, then resolve references."""
    method, _, query = text.partition("?")
    method = method.strip().lower().removesuffix(".json")
    if method in NOT_IN_BATCH:
        raise RestError(
            400, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
        )
    raw = substitute(parse_str(query), maps)
    clock = ctx.state.clock
    started, began = clock.timestamp(), time.perf_counter()
    outcome = ctx.dispatcher.run(replace(ctx, at=started), method, raw)
    spent = time.perf_counter() - began
    operating = ctx.state.meter.record(method, started, spent)
    return outcome, Timing(started, started + spent, operating)


def substitute(value: Any, maps: dict[str, dict[str, Any]]) -> Any:
    """Resolve ``$result[key][field]``-style references in every parameter value.

    A value that is one whole reference becomes the referenced value as is, arrays
    included; references inside longer text are replaced only by scalars.
    """
    if isinstance(value, dict):
        return {k: substitute(v, maps) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, maps) for v in value]
    if not isinstance(value, str) or "$" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        resolved, rest = _resolve(maps, whole.group(1), whole.group(2))
        if not rest:
            return resolved

    def splice(match: re.Match[str]) -> str:
        resolved, rest = _resolve(maps, match.group(1), match.group(2))
        if isinstance(resolved, (dict, list)):
            return match.group(0)
        return _php_string(resolved) + rest

    return _REFERENCE.sub(splice, value)


def _resolve(maps: dict[str, dict[str, Any]], kind: str, path: str) -> tuple[Any, str]:
    """Follow ``[a][0]...`` as far as it goes; an unknown key leaves the deepest value found."""
    node: Any = maps[kind]
    position = 0
    resolving = True
    while (match := _SEGMENT.match(path, position)) is not None:
        position = match.end()
        if not resolving:
            continue
        key = match.group(1)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            resolving = False
    return node, path[position:]


def _php_string(value: Any) -> str:
    """PHP's string conversion: ``true`` is ``"1"``, ``false`` and ``null`` are ``""``."""
    if value is True:
        return "1"
    if value is False or value is None:
        return ""
    return str(value)
