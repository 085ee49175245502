"""Shared helpers for the benchmarks: a realistic snapshot from the demo portal, RSS."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.demo import DemoPortal
from bx24presence.domain import Snapshot
from bx24presence.sync import Refresher


def demo_snapshot(users: int) -> Snapshot:
    """A snapshot of a demo portal of ``users`` colleagues (real names, phones, departments)."""
    with (
        DemoPortal(users=users, rate_limit=None) as portal,
        Bitrix24Client(parse_webhook_url(portal.webhook_url)) as client,
    ):
        return Refresher(client).refresh()


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def summary(ms: list[float]) -> str:
    """median / p95 / max of a list of milliseconds."""
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"median {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms"
    )


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
