"""Keeping the resident size honest: hand freed heap memory back to the system (glibc)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from functools import cache

log = logging.getLogger(__name__)

#: glibc's mallopt parameter M_ARENA_MAX.
_M_ARENA_MAX = -8


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def limit_arenas(count: int = 2) -> None:
    """Use few malloc arenas: glibc otherwise gives each thread its own, and keeps their
    free space. Call before starting threads."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, count)


def release_free_memory() -> None:
    """Return freed heap pages to the system after a large transient (a refresh decodes
    megabytes of JSON that are garbage a moment later)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
