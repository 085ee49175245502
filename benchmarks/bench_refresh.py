"""HTTP requests and time per refresh against the demo portal, for growing companies.

Prints, for each size: requests and seconds of a full refresh (first start), of a steady
refresh (every poll after), the budget ceil(N/2500)+2, and for scale what 50 ids a request
without batches would cost (the baseline, measured in the same run by counting).

    .venv/bin/python benchmarks/bench_refresh.py [sizes...]
"""

from __future__ import annotations

import math
import sys
import time

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.demo import DemoPortal
from bx24presence.sync import Refresher


def measure(users: int) -> tuple[int, float, int, float, int]:
    with (
        DemoPortal(users=users, rate_limit=None) as portal,
        Bitrix24Client(parse_webhook_url(portal.webhook_url)) as client,
    ):
        refresher = Refresher(client)
        t = time.perf_counter()
        full = refresher.refresh()
        full_s = time.perf_counter() - t
        assert [c.id for c in full.colleagues] == portal.colleague_ids()
        t = time.perf_counter()
        steady = refresher.refresh(full)
        steady_s = time.perf_counter() - t
        unbatched = 1 + math.ceil(users / 50) * 2  # user.get pages + details, 50 ids each
        return full.requests, full_s, steady.requests, steady_s, unbatched


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [500, 1250, 2500, 5000, 10000, 20000]
    print(
        f"{'colleagues':>10} {'full req':>9} {'full s':>7} {'steady req':>10} "
        f"{'steady s':>8} {'budget':>6} {'unbatched':>9}"
    )
    for n in sizes:
        fr, fs, sr, ss, ub = measure(n)
        budget = math.ceil(n / 2500) + 2
        print(f"{n:>10} {fr:>9} {fs:>7.2f} {sr:>10} {ss:>8.2f} {budget:>6} {ub:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
