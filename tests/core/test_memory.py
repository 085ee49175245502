"""The C heap settings: freed answer bodies go back to the system at once (glibc only)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import sys
    from bx24presence import memory
    if sys.argv[1] == "tuned":
        memory.tune_allocator()
    import ctypes
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]

    def anon_kb():
        for line in open("/proc/self/status"):
            if line.startswith("RssAnon:"):
                return int(line.split()[1])

    # A first large answer, freed: glibc then raises its threshold above its size ...
    big = libc.malloc(6 << 20); ctypes.memset(big, 1, 6 << 20); libc.free(big)
    # ... so that the next answers' bodies (1 MB each) are carved out of the heap.
    bodies = [libc.malloc(1 << 20) for _ in range(8)]
    keep = [libc.malloc(64) for _ in range(8)]  # small objects that live on between them
    for b in bodies:
        ctypes.memset(b, 1, 1 << 20)
    before = anon_kb()
    for b in bodies:
        libc.free(b)
    print(before - anon_kb())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_answer_bodies_leave_the_resident_size() -> None:
    def freed_kb(mode: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True
        )
        return int(out.stdout.strip())

    assert freed_kb("tuned") >= 7 * 1024, "8 MB of bodies freed: 8 MB less resident"
    assert freed_kb("default") < 2 * 1024, "the untuned heap keeps them (the test's premise)"
