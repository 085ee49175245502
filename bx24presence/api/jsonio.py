"""The one door for a portal's JSON answer: decoded in C, and every way it can be broken is
one :class:`MalformedJson`.

Chosen by measurement (``benchmarks/bench_decode.py``, one answer of 2,500 colleagues,
2.06 MB; docs/performance.md): orjson 7-10 ms, msgspec about the same, ``json`` 43 ms,
and the pure-Python decoder this module held before, which decoded value by value to let
other threads run in between, 254 ms of interpreter time: most of the lock contention it
was meant to avoid. A decode in C holds the interpreter lock once, for a few milliseconds.
Of the two C decoders orjson refuses everything below with one ``ValueError`` type.

orjson refuses a few things a portal may send that ``json`` accepts: lone surrogates (JSON
allows ``"\\ud800"``), a byte-order mark, numbers beyond a double. Such a body, and every
broken one, takes the careful path: ``json``, surrogates repaired, so nothing downstream
ever meets a string that cannot be encoded. Either way objects and arrays nested deeper than
:data:`MAX_DEPTH` are refused (they would break every recursive consumer later: repair, the
cache's encoder).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from bx24presence.textsafe import repair_deep

#: Bitrix24 answers nest about 6 levels (a batch of user lists of phones); deeper is hostile.
MAX_DEPTH = 64
# A \uD800-\uDFFF escape: only then can a decoded string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: The C decoder in use (tests/core/test_decoder_canary.py checks it is the one pinned).
DECODER = "orjson"


class MalformedJson(ValueError):
    """A body that is not usable JSON (not UTF-8, malformed, nested too deeply)."""


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest deeper than ``limit`` (iterative: no recursion).

    Python bytecode, so the interpreter lock passes to other threads every few
    milliseconds while it runs (unlike a C decode, which holds it throughout).
    """
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


def _careful(data: bytes | bytearray) -> Any:
    """What orjson refused, through ``json``: the same errors as before, strings repaired."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedJson("The body is not UTF-8.") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise MalformedJson("The JSON is nested too deeply.") from None
    except ValueError as exc:  # JSONDecodeError, and numbers over Python's digit limit
        raise MalformedJson(f"Not JSON: {str(exc)[:100]}") from None
    if isinstance(value, (dict, list)) and _depth_exceeds(value, MAX_DEPTH):
        raise MalformedJson("The JSON is nested too deeply.")
    if _SURROGATE_ESCAPE.search(text):
        value = repair_deep(value)
    return value


def decode_answer(data: bytes | bytearray) -> Any:
    """A portal's UTF-8 JSON body (a BOM allowed) as Python values, strings repaired.

    Raises :class:`MalformedJson` (a ``ValueError``) for every way the body can be unusable.
    """
    try:
        value = orjson.loads(data)
    except (orjson.JSONDecodeError, RecursionError):
        return _careful(data)
    if isinstance(value, (dict, list)) and _depth_exceeds(value, MAX_DEPTH):
        raise MalformedJson("The JSON is nested too deeply.")
    return value


def loads_bytes(data: bytes | bytearray) -> Any:
    """:func:`decode_answer` (raises ``ValueError`` when the body is not JSON)."""
    return decode_answer(data)
