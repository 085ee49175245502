"""Checked reading of untrusted Redis fields: size caps, zlib, small texts, numbers, times.

Also the checksum both sides keep (:func:`fingerprint`). Anything odd is a
:class:`RelayError` (``PROTOCOL``), never an exception from deep inside.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bx24presence.domain import Colleague
from bx24presence.relay.errors import RelayError, RelayFailure

FORMAT = 1
#: Caps on what a reader accepts from Redis (10,000 colleagues take about 1 MB compressed).
MAX_COMPRESSED = 64 * 1024 * 1024
MAX_SNAPSHOT_TEXT = 256 * 1024 * 1024
MAX_DIFF_TEXT = 64 * 1024 * 1024
MAX_SMALL_FIELD = 64 * 1024
MAX_REMOVED = 100_000


def bad(detail: str) -> RelayError:
    return RelayError(RelayFailure.PROTOCOL, detail)


def compress(text: str) -> bytes:
    """zlib of UTF-8 text (level 6: a good ratio for little CPU)."""
    return zlib.compress(text.encode("utf-8"), 6)


def decompress(data: Any, limit: int) -> str:
    """Text from :func:`compress`, refusing more than ``limit`` bytes (a zip bomb)."""
    if not isinstance(data, bytes) or len(data) > MAX_COMPRESSED:
        raise bad("a compressed field is missing or too big")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise bad(f"a compressed field is corrupt ({exc})") from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise bad("a compressed field expands beyond its limit")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad("a compressed field is not UTF-8") from None


def colleague_print(c: Colleague) -> int:
    """One colleague's share of :func:`fingerprint`."""
    return zlib.crc32(f"{c.id}{c.presence.value}".encode("ascii"))


def fingerprint(colleagues: Iterable[Colleague]) -> int:
    """A checksum of everyone's id and presence: the sum of their CRC-32s modulo 2**32.

    A reader that applied every diff holds the same value as the relay, or knows it must
    reload. A sum, so that a reader updates it by the colleagues that changed only.
    """
    return sum(colleague_print(c) for c in colleagues) & 0xFFFFFFFF


def small_text(fields_: Mapping[bytes, Any], name: str) -> str:
    value = fields_.get(name.encode())
    if not isinstance(value, bytes) or len(value) > MAX_SMALL_FIELD:
        raise bad(f"field {name!r} is missing or too long")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise bad(f"field {name!r} is not UTF-8") from None


def small_int(fields_: Mapping[bytes, Any], name: str) -> int:
    text = small_text(fields_, name)
    if not text.isdigit() or len(text) > 19:
        raise bad(f"field {name!r} is not a number")
    return int(text)


def aware_time(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise bad(f"field {name!r} is not a time") from None
    if value.tzinfo is None:
        raise bad(f"field {name!r} has no time zone")
    return value
