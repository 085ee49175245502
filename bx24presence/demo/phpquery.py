"""PHP's view of request data: ``parse_str`` with brackets, ``intval`` and truthiness."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import unquote_plus

_NUMERIC_PREFIX = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INT_KEY = re.compile(r"0|-?[1-9]\d*")


def parse_str(query: str) -> dict[str, Any]:
    """Parse a query or form text the way PHP's ``parse_str`` fills ``$_GET``/``$_POST``.

    ``ID[]=1&ID[]=2`` gives ``{"ID": ["1", "2"]}``, ``FILTER[ACTIVE]=Y`` gives
    ``{"FILTER": {"ACTIVE": "Y"}}``, ``cmd[k]=user.get%3Fstart%3D50`` gives a nested command
    text. Arrays whose keys are ``0..n-1`` in order become lists, because that is how PHP's
    ``json_encode`` (and so every Bitrix24 answer) shows them; other arrays stay dicts with
    text keys in insertion order. Values are always text, as in PHP.

    Bitrix24 runs ``parse_str`` on form bodies, query strings and the text of each ``batch``
    command (docs/bitrix24-api.md §4), so this one function serves all three.
    """
    root: dict[str, Any] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        key = unquote_plus(raw_key)
        value = unquote_plus(raw_value)
        name, path = _split_key(key)
        if not name:
            continue
        _assign(root, [name, *path], value)
    return {name: _listify(value) for name, value in root.items()}


def _split_key(key: str) -> tuple[str, list[str]]:
    """Split ``a[b][]`` into ``("a", ["b", ""])``; PHP makes ``.`` and spaces in names ``_``."""
    open_at = key.find("[")
    if open_at == 0:
        return "", []  # PHP drops a pair whose name is empty.
    if open_at < 0 or "]" not in key[open_at:]:
        # No bracket, or a bracket that is never closed: PHP keeps the whole key as a name.
        return _php_name(key), []
    name = _php_name(key[:open_at])
    path: list[str] = []
    rest = key[open_at:]
    while rest.startswith("["):
        close_at = rest.find("]")
        if close_at < 0:
            break
        path.append(rest[1:close_at])
        rest = rest[close_at + 1 :]
    return name, path


def _php_name(name: str) -> str:
    """PHP rewrites the characters it cannot keep in a variable name."""
    return name.lstrip(" ").replace(" ", "_").replace(".", "_").replace("[", "_")


def _assign(node: dict[str, Any], path: list[str], value: str) -> None:
    """Store ``value`` at ``path``, appending for empty segments like ``[]``."""
    for i, segment in enumerate(path):
        key = _next_index(node) if segment == "" else segment
        if i == len(path) - 1:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child


def _next_index(node: dict[str, Any]) -> str:
    """PHP appends at one past the largest integer key (or 0)."""
    ints = [int(k) for k in node if _INT_KEY.fullmatch(k)]
    return str(max(ints) + 1 if ints else 0)


def _listify(value: Any) -> Any:
    """Turn dicts keyed ``"0".."n-1"`` into lists, recursively (PHP ``json_encode`` rule)."""
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    return php_array(converted)


def php_array(mapping: dict[str, Any]) -> list[Any] | dict[str, Any]:
    """How ``json_encode`` prints a PHP array: a list if keyed ``0..n-1`` in order, else an object.

    An empty array is a list (``[]``), which is why Bitrix24 sends empty maps as ``[]``
    (docs/bitrix24-api.md §4).
    """
    if all(key == str(i) for i, key in enumerate(mapping)):
        return list(mapping.values())
    return mapping


def php_values(value: Any) -> list[Any] | None:
    """``array_values`` of a list or dict; ``None`` when the value is not an array."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return None


def php_intval(value: Any) -> int:
    """PHP ``intval``: ``"12abc"`` is 12, ``"abc"`` is 0, ``"1e3"`` is 1000, ``True`` is 1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and abs(value) < 2**63 else 0
    if isinstance(value, str):
        match = _NUMERIC_PREFIX.match(value)
        if not match:
            return 0
        text = match.group(0)
        try:
            return int(text)
        except ValueError:
            return php_intval(float(text))
    if isinstance(value, (list, dict)):
        return 1 if value else 0
    return 0


def php_truthy(value: Any) -> bool:
    """PHP truthiness: ``0``, ``"0"``, ``""``, ``false``, ``null``, ``[]`` are false.

    The text ``"false"`` is true, which is why ``halt="false"`` stops a batch (docs/bitrix24-api.md
    §4).
    """
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)


def php_equals_y(value: Any) -> bool:
    """PHP 8 ``$value == 'Y'``: the text ``Y`` itself or ``true``; ``"y"``, ``1`` are not."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value == "Y"


def upper_keys(params: dict[str, Any]) -> dict[str, Any]:
    """PHP ``array_change_key_case($q, CASE_UPPER)``: the top-level keys only."""
    return {str(k).upper(): v for k, v in params.items()}
