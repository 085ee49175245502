"""The avatar worker pool hands results over a few at a time when asked to."""

from __future__ import annotations

import time

from bx24presence.qt.avatars.workers import Pool


def test_results_are_drained_at_most_a_few_at_a_time() -> None:
    pool = Pool("test", lambda v: v * 2)
    try:
        for i in range(10):
            pool.submit(i, i)
        deadline = time.monotonic() + 5
        while pool._results.qsize() < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        first = pool.drain(4)
        assert len(first) == 4 and pool.pending == 6
        rest = pool.drain()
        assert len(rest) == 6 and pool.pending == 0
        assert sorted(r for _, r in first + rest) == [i * 2 for i in range(10)]
    finally:
        pool.close()
