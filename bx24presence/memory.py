"""Keeping the resident size honest: hand freed heap memory back to the system (glibc)."""

from __future__ import annotations

import ctypes
import logging
import sys
from functools import cache

log = logging.getLogger(__name__)

#: glibc's mallopt parameters.
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3

#: Blocks at least this large get pages of their own, returned to the system when freed.
MMAP_THRESHOLD = 256 * 1024


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # glibc's name first: find_library reads the linker cache (milliseconds at start)
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        from ctypes.util import find_library  # noqa: PLC0415  (imports subprocess: only here)

        try:
            libc = ctypes.CDLL(find_library("c"))
        except OSError:
            return None
    return libc if hasattr(libc, "malloc_trim") else None


def tune_allocator(count: int = 2) -> None:
    """Keep the C heap compact; call before starting threads.

    * Few malloc arenas: glibc otherwise gives each thread its own, and keeps their free
      space.
    * A fixed threshold for blocks with pages of their own: glibc raises it after each such
      block is freed (up to 32 MB), so that after the first refresh the next answers' bodies
      (megabytes each, garbage a moment later) are carved out of the heap between objects
      that live on, and their space stays resident. Fixed at 256 KiB, they are handed back
      as soon as they are freed: 9 MB less resident at 10,000 colleagues
      (``benchmarks/bench_gui.py``).
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, count)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_free_memory() -> None:
    """Return freed heap pages to the system after a large transient (a refresh decodes
    megabytes of JSON that are garbage a moment later)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
