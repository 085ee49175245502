"""JSON decoding that lets other threads run: large answers are decoded member by member.

``json.loads`` holds the interpreter lock for the whole document: 50 ms for a batch answer
of 2,500 colleagues, during which the window cannot paint. Decoding the outer objects here
and each inner value with ``raw_decode`` gives the same result in many short steps.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
    if len(text) < GENTLE_ABOVE:
        return json.loads(text)
    value, end = _value(text, _skip(text, 0), depth)
    if _skip(text, end) != len(text):
        raise _fail(text, end, "Extra data")
    return value


def loads_bytes(data: bytes) -> Any:
    """Decode a UTF-8 JSON body; raises ValueError when it is not JSON."""
    return loads(data.decode("utf-8-sig"))
