"""Garbage collection kept out of the GUI thread's frames: long-lived data frozen out of sight.

CPython's collector walks every container object in a full (oldest-generation) collection:
with 10,000 colleagues, the app's modules and Qt's wrappers that is about half a million
objects and 30-60 ms, and it runs in whichever thread happens to allocate, holding the
interpreter lock, so the window freezes for a frame or three while a refresh is parsed.
Freezing (``gc.freeze``) moves every object alive at that moment into a permanent generation
that collections skip; the objects are still freed by reference counting as usual. After a
snapshot with many new colleagues is applied, everything alive is long-lived by then (the
modules, the window, the rows), so it is frozen, and later full collections only walk what
was made since. The cost: reference cycles that are already garbage at that moment are
never collected; the app makes few, and only large snapshots freeze.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: A snapshot bringing at least this many new or changed colleagues freezes the heap.
FREEZE_AT = 500


def settle_after_snapshot(new_objects: int) -> bool:
    """Freeze what is alive when ``new_objects`` colleagues just arrived; True when frozen."""
    if new_objects < FREEZE_AT:
        return False
    gc.freeze()
    return True


@contextmanager
def first_load() -> Iterator[None]:
    """No automatic collection while the first refresh is parsed and prepared (in the
    poller's thread); what it made is frozen at the end, before collections resume.

    Parsing 10,000 colleagues creates hundreds of thousands of objects: each time the heap
    grows by a quarter a full collection walks everything alive, 25-35 ms holding the
    interpreter lock while the window waits. Reference counting still frees the garbage as
    usual; what is left at the end is the snapshot and its keys, long-lived by then, so it is
    frozen (were it left in the youngest generation, the first collection after would walk
    it all). Steady polls make little and are collected as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
