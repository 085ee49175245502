"""What keeping colleagues fresh costs on the network, beside the naive way, and how it grows.

For each size, in a child process of its own (so that its peak memory is its own), against
a demo portal in yet another process whose clock stands at the busiest hour of a Tuesday:

* a full refresh (the first start): HTTP requests, bytes (request and answer bodies, as the
  portal counts them) and seconds;
* ten steady polls a simulated minute apart, with 40 rows on screen marked hot: requests
  and bytes per poll, averaged;
* the client's peak resident memory (VmHWM) through all of it, and per colleague.

At 10,000 colleagues also the naive way, made for real in the same run: one
``im.user.list.get`` per colleague. The app's online window is the portal's (the setting
that makes its presence the portal's own; docs/bitrix24-api.md §0.3).

Budgets: ``requests_full`` <= ceil(N/2500)+2, ``requests_steady`` == 1 and ``bytes_steady``
<= 5 % of ``bytes_full`` at 10,000.

    .venv/bin/python benchmarks/bench_network.py [sizes...]     # default 1000 10000 50000
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
COLLEAGUES = 10_000
SIZES = (1_000, 10_000, 50_000)
POLLS = 10
HOT_ROWS = 40


def child(users: int, naive: bool) -> dict[str, Any]:
    """One size's figures (runs in its own process)."""
    from netbench import PortalProcess, naive_refresh, vm_kb

    from bx24presence.api.auth import parse_webhook_url
    from bx24presence.api.client import Bitrix24Client
    from bx24presence.sync import Refresher

    portal = PortalProcess(users)
    try:
        base_kb = vm_kb("VmRSS")
        client = Bitrix24Client(parse_webhook_url(portal.webhook_url))
        refresher = Refresher(
            client, window_s=portal.online_limit_s, clock=portal.clock, deadline_s=600
        )
        t0 = time.perf_counter()
        snap = refresher.refresh()
        full_s = time.perf_counter() - t0
        full_requests, full_bytes = portal.take_log()
        assert len(snap.colleagues) == users, (len(snap.colleagues), users)
        refresher.set_hot_ids(c.id for c in snap.colleagues[:HOT_ROWS])
        steady_requests, steady_bytes, steady_s = [], [], []
        for _ in range(POLLS):
            portal.advance(60)
            t0 = time.perf_counter()
            snap = refresher.refresh(snap)
            steady_s.append(time.perf_counter() - t0)
            r, b = portal.take_log()
            steady_requests.append(r)
            steady_bytes.append(b)
        assert snap.generation == POLLS, "every poll was a steady one"
        peak_kb = vm_kb("VmHWM")
        out: dict[str, Any] = {
            "colleagues": users,
            "requests_full": full_requests,
            "bytes_full": full_bytes,
            "seconds_full": round(full_s, 2),
            "requests_steady": round(sum(steady_requests) / POLLS, 2),
            "requests_steady_max": max(steady_requests),
            "bytes_steady": round(sum(steady_bytes) / POLLS),
            "seconds_steady": round(sum(steady_s) / POLLS, 3),
            "rss_peak_mb_client": round(peak_kb / 1024, 1),
            "kb_per_colleague": round((peak_kb - base_kb) / users, 2),
        }
        if naive:
            ids = [c.id for c in snap.colleagues]
            t0 = time.perf_counter()
            naive_refresh(portal.webhook_url, ids)
            out["seconds_naive"] = round(time.perf_counter() - t0, 1)
            out["requests_naive"], out["bytes_naive"] = portal.take_log()
        client.close()
        return out
    finally:
        portal.close()


def run_child(users: int) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(users)]
    if users == COLLEAGUES:
        args.append("--naive")
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"the {users}-colleague run failed")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def budgets(r: dict[str, Any]) -> list[dict[str, Any]]:
    n = r["colleagues"]
    checks = [
        ("requests_full", r["requests_full"], math.ceil(n / 2500) + 2, "<="),
        ("requests_steady", r["requests_steady_max"], 1, "=="),
        ("bytes_steady", r["bytes_steady"], round(0.05 * r["bytes_full"]), "<="),
    ]
    return [
        {
            "name": name,
            "value": value,
            "limit": limit,
            "op": op,
            "ok": value <= limit if op == "<=" else value == limit,
        }
        for name, value, limit, op in checks
    ]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(int(argv[1]), "--naive" in argv)))
        return 0
    sizes = [int(a) for a in argv] or list(SIZES)
    if COLLEAGUES not in sizes:
        sizes.append(COLLEAGUES)
    runs = {n: run_child(n) for n in sizes}
    print(
        f"{'colleagues':>10} {'full req':>8} {'full MB':>8} {'full s':>7} {'steady req':>10}"
        f" {'steady KB':>9} {'steady %':>8} {'steady s':>8} {'peak MB':>8} {'KB/coll.':>8}"
    )
    for n, r in sorted(runs.items()):
        share = 100 * r["bytes_steady"] / r["bytes_full"]
        print(
            f"{n:>10} {r['requests_full']:>8} {r['bytes_full'] / 1e6:>8.2f} {r['seconds_full']:>7}"
            f" {r['requests_steady']:>10} {r['bytes_steady'] / 1e3:>9.0f} {share:>7.1f}%"
            f" {r['seconds_steady']:>8} {r['rss_peak_mb_client']:>8} {r['kb_per_colleague']:>8}"
        )
    main_run = runs[COLLEAGUES]
    print(
        f"naive, {COLLEAGUES} colleagues: {main_run['requests_naive']} requests,"
        f" {main_run['bytes_naive'] / 1e6:.1f} MB, {main_run['seconds_naive']} s"
        f" (ours: {main_run['requests_full']} requests for a full refresh,"
        f" {main_run['requests_steady']} per poll)"
    )
    figures = {
        key: main_run[key]
        for key in (
            "colleagues",
            "requests_full",
            "bytes_full",
            "requests_steady",
            "bytes_steady",
            "requests_naive",
            "bytes_naive",
        )
    }
    figures["scaling"] = {
        str(n): {
            k: v
            for k, v in r.items()
            if k not in ("colleagues", "requests_naive", "bytes_naive", "seconds_naive")
        }
        for n, r in sorted(runs.items())
    }
    checks = budgets(main_run)
    for check in checks:
        if not check["ok"]:
            print(f"OVER BUDGET: {check['name']} = {check['value']} (limit {check['limit']})")
    print(json.dumps({"figures": figures, "budgets": checks}))
    return 0 if all(c["ok"] for c in checks) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
