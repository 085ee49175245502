"""Decoding a portal's answer: the project's decoder against json, orjson and msgspec.

The answer is real: the demo portal's batch of 50 ``im.user.list.get`` commands of 50 ids
(2,500 colleagues, about 2 MB), the largest answer the app asks for. For each decoder:
the fastest and the median wall time, the interpreter time it takes (thread CPU time), and
the longest pause it causes to another Python thread that wants to run every millisecond
(the GUI thread's view of a decode in the poller's thread; the median of five decodes).

    .venv/bin/python benchmarks/bench_decode.py
"""

from __future__ import annotations

import importlib
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from bx24presence.api import jsonio
from bx24presence.api.query import command
from bx24presence.demo import DemoPortal

COLLEAGUES = 2500
ROUNDS = 40


def answer_bytes(users: int = COLLEAGUES) -> bytes:
    """The raw body of one batch answer describing ``users`` colleagues."""
    cmd = {
        f"d{i}": command(
            "im.user.list.get", {"ID": list(range(i * 50 + 1, i * 50 + 51)), "AVATAR_HR": "Y"}
        )
        for i in range(users // 50)
    }
    with DemoPortal(users=users + 100, rate_limit=None) as portal:
        resp = requests.post(portal.webhook_url + "batch", json={"halt": 0, "cmd": cmd}, timeout=60)
        resp.raise_for_status()
        return resp.content


def _stall_while(fn: Callable[[], Any]) -> float:
    """The longest gap between the 1 ms ticks of another thread while ``fn`` runs (ms)."""
    stop = threading.Event()
    gaps: list[float] = []

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    t = threading.Thread(target=tick)
    t.start()
    time.sleep(0.02)
    gaps.clear()
    fn()
    stop.set()
    t.join()
    return max(gaps, default=0.0) * 1000


def decoders() -> dict[str, Callable[[bytes], Any]]:
    """Every decoder that is installed, by name."""
    out: dict[str, Callable[[bytes], Any]] = {
        "bx24presence (api/jsonio.py)": jsonio.decode_answer,
        "json": lambda b: json.loads(b.decode("utf-8")),
    }
    for name, attr in (("orjson", "loads"), ("msgspec", "json.decode")):
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        for part in attr.split("."):
            module = getattr(module, part)
        out[name] = module
    return out


def measure(data: bytes) -> dict[str, dict[str, float]]:
    """Per decoder: fastest and median wall ms, median interpreter (thread CPU) ms, and the
    worst stall of another thread. The decoders take turns, round after round, so that a
    busy moment of the machine falls on all of them alike; the fastest run is the least
    disturbed one."""
    reference = json.loads(data)
    fns = decoders()
    walls: dict[str, list[float]] = {name: [] for name in fns}
    cpus: dict[str, list[float]] = {name: [] for name in fns}
    for name, fn in fns.items():
        assert fn(data) == reference, name
    for _ in range(ROUNDS):
        for name, fn in fns.items():
            c0, w0 = time.thread_time(), time.perf_counter()
            fn(data)
            walls[name].append((time.perf_counter() - w0) * 1000)
            cpus[name].append((time.thread_time() - c0) * 1000)
    results: dict[str, dict[str, float]] = {}
    for name, fn in fns.items():
        stalls = sorted(_stall_while(lambda fn=fn: fn(data)) for _ in range(5))
        results[name] = {
            "best_ms": round(min(walls[name]), 1),
            "wall_ms": round(statistics.median(walls[name]), 1),
            "cpu_ms": round(statistics.median(cpus[name]), 1),
            "stall_ms": round(stalls[len(stalls) // 2], 1),
        }
    return results


def main() -> int:
    data = answer_bytes()
    results = measure(data)
    print(f"Decoding one answer of {COLLEAGUES} colleagues ({len(data) / 1e6:.2f} MB):")
    print(f"  {'decoder':<30} {'best ms':>8} {'median':>8} {'CPU ms':>8} {'stall ms':>9}")
    for name, r in results.items():
        print(
            f"  {name:<30} {r['best_ms']:>8} {r['wall_ms']:>8} {r['cpu_ms']:>8} {r['stall_ms']:>9}"
        )
    ours = results["bx24presence (api/jsonio.py)"]
    figures = {
        "decode_answer_mb": round(len(data) / 1e6, 2),
        "decode_ms": ours["best_ms"],
        "decode_stall_ms": ours["stall_ms"],
        "decode_ms_json": results["json"]["best_ms"],
        **{
            f"decode_ms_{k}": v["best_ms"] for k, v in results.items() if k in ("orjson", "msgspec")
        },
    }
    print(json.dumps({"figures": figures, "budgets": []}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
