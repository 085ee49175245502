"""JSON decoding that lets other threads run, and that takes anything a portal may send.

``json.loads`` holds the interpreter lock for the whole document: 50 ms for a batch answer
of 2,500 colleagues, during which the window cannot paint. Decoding the outer objects here
and each inner value with ``raw_decode`` gives the same result in many short steps.

:func:`decode_answer` is the one door for a portal's answer: every way it can be broken (not
UTF-8, not JSON, nested deeper than any answer, numbers too long for Python) is one
:class:`MalformedJson`, and lone surrogates (JSON allows ``"\\ud800"``) are repaired there, so
nothing downstream ever meets a string that cannot be encoded.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bx24presence.textsafe import repair_deep

#: Bitrix24 answers nest about 6 levels (a batch of user lists of phones); deeper is hostile,
#: and would break every recursive consumer (repair, the cache's encoder) later.
MAX_DEPTH = 64
# A \uD800-\uDFFF escape: only then can a decoded string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
#: Below this size json.loads is quick enough to run in one go.
GENTLE_ABOVE = 64 * 1024


def _skip(text: str, idx: int) -> int:
    m = _WS.match(text, idx)
    return m.end() if m else idx


def _fail(text: str, idx: int, what: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(what, text, idx)


def _value(text: str, idx: int, depth: int) -> tuple[Any, int]:
    if depth <= 0 or idx >= len(text) or text[idx] not in "{[":
        return _DECODER.raw_decode(text, idx)
    if text[idx] == "[":
        items: list[Any] = []
        idx = _skip(text, idx + 1)
        if text.startswith("]", idx):
            return items, idx + 1
        while True:
            item, idx = _value(text, idx, depth - 1)
            items.append(item)
            idx = _skip(text, idx)
            if text.startswith(",", idx):
                idx = _skip(text, idx + 1)
            elif text.startswith("]", idx):
                return items, idx + 1
            else:
                raise _fail(text, idx, "Expecting ',' delimiter")
    obj: dict[str, Any] = {}
    idx = _skip(text, idx + 1)
    if text.startswith("}", idx):
        return obj, idx + 1
    while True:
        if not text.startswith('"', idx):
            raise _fail(text, idx, "Expecting property name enclosed in double quotes")
        key, idx = _DECODER.raw_decode(text, idx)
        idx = _skip(text, idx)
        if not text.startswith(":", idx):
            raise _fail(text, idx, "Expecting ':' delimiter")
        obj[key], idx = _value(text, _skip(text, idx + 1), depth - 1)
        idx = _skip(text, idx)
        if text.startswith(",", idx):
            idx = _skip(text, idx + 1)
        elif text.startswith("}", idx):
            return obj, idx + 1
        else:
            raise _fail(text, idx, "Expecting ',' delimiter")


def loads(text: str, depth: int = 5) -> Any:
    """Decode like ``json.loads``, the top ``depth`` levels of objects and arrays in Python
    and everything below them in C, one value at a time. Raises ``json.JSONDecodeError``."""
    try:
        if len(text) < GENTLE_ABOVE:
            return json.loads(text)
        value, end = _value(text, _skip(text, 0), depth)
    except RecursionError:  # nesting deeper than the interpreter's stack: not an answer
        raise _fail(text, 0, "Nesting too deep") from None
    if _skip(text, end) != len(text):
        raise _fail(text, end, "Extra data")
    return value


def loads_bytes(data: bytes | bytearray) -> Any:
    """Decode a UTF-8 JSON body; raises ValueError when it is not JSON."""
    return decode_answer(data)


class MalformedJson(ValueError):
    """A body that is not usable JSON (not UTF-8, malformed, nested too deeply)."""


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest deeper than ``limit`` (iterative: no recursion)."""
    level: list[Any] = [value]
    for _ in range(limit):
        below: list[Any] = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        if not below:
            return False
        level = below
    return True


def decode_answer(data: bytes | bytearray) -> Any:
    """A portal's UTF-8 JSON body (a BOM allowed) as Python values, strings repaired.

    Raises :class:`MalformedJson` (a ``ValueError``) for every way the body can be unusable.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedJson("The body is not UTF-8.") from None
    try:
        value = loads(text)
    except RecursionError:
        raise MalformedJson("The JSON is nested too deeply.") from None
    except ValueError as exc:  # JSONDecodeError, and numbers over Python's digit limit
        raise MalformedJson(f"Not JSON: {str(exc)[:100]}") from None
    if isinstance(value, (dict, list)) and _depth_exceeds(value, MAX_DEPTH):
        raise MalformedJson("The JSON is nested too deeply.")
    if _SURROGATE_ESCAPE.search(text):
        value = repair_deep(value)
    return value
