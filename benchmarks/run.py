"""`make bench`: run every benchmark against the demo portal, print one table, write one JSON.

The interface between this runner and the benchmark scripts
-----------------------------------------------------------
* The runner runs every ``benchmarks/bench_*.py`` except those in :data:`OWN_TARGET` (the
  relay's benchmark has ``make bench-relay``), one after another, each as
  ``python benchmarks/bench_X.py`` with no arguments, ``QT_QPA_PLATFORM=offscreen`` unless
  set, and ``BENCH_RUNNER=1`` (a script may shorten what only a person reading it needs).
  A script's standard output is shown as it comes; its standard error too.
* A script's **last line of standard output** is one JSON object::

      {"figures": {"name": value, ...},
       "budgets": [{"name": "...", "value": 12.5, "limit": 16, "op": "<="}, ...]}

  ``figures`` are merged into the top level of the run's JSON. A name may come from one
  script only, except ``scaling``: an object keyed by the number of colleagues (``"1000"``,
  ``"10000"``, ``"50000"``), each an object of figures, merged key by key, so that the
  network and the GUI benchmarks fill the same rows (``requests_full``, ``bytes_full``,
  ``rss_peak_mb``, ``gui_stall_max_ms``, ``first_paint_from_cache_s``, ...).
  ``budgets``: ``op`` is ``<=``, ``>=`` or ``==``; the runner judges ``value op limit``
  itself (an ``ok`` in the object is ignored).
* A script exits 0, or 1 when it found a figure over its budget; anything else is a failed
  benchmark, and so is an exit 1 without the JSON line. A script that exits 0 without it
  gives no figures (listed under ``silent``).
* Each script may take :data:`SCRIPT_TIMEOUT_S`; the whole run should take at most
  :data:`TOTAL_BUDGET_S` (a budget like the others). :data:`FIRST` run first.
* :data:`REQUIRED` lists the figures the run must have; a missing one fails the run.

The run's JSON goes to ``$BENCH_JSON`` (default ``benchmarks/last-run.json``, not committed):
the merged figures, ``budgets`` (each with ``ok``), ``failed`` (scripts), ``missing``
(figures), ``silent`` (scripts without figures), ``seconds``, ``started_at`` and
``machine``. The exit status is 0 only when every script ran, every required figure is
there and every budget is kept.

    make bench                  # or: .venv/bin/python benchmarks/run.py [bench_x.py ...]
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OWN_TARGET = frozenset({"bench_relay.py"})
FIRST = ("bench_network.py", "bench_decode.py")
#: Every benchmark together must finish within this (the issue's budget for `make bench`).
TOTAL_BUDGET_S = 300
SCRIPT_TIMEOUT_S = 240
REQUIRED = (
    "colleagues",
    "requests_full",
    "bytes_full",
    "requests_steady",
    "bytes_steady",
    "requests_naive",
    "scaling",
    "gui_stall_max_ms",
    "gui_stall_p99_ms",
    "first_paint_from_cache_s",
    "search_keystroke_p99_ms",
    "search_keystroke_p99_ms_qsortfilterproxy",
    "rss_peak_mb",
    "rss_settled_mb",
)
_OPS = {
    "<=": lambda v, lim: v <= lim,
    ">=": lambda v, lim: v >= lim,
    "==": lambda v, lim: v == lim,
}


def scripts(names: list[str]) -> list[Path]:
    """The benchmark scripts to run: those named, or every ``bench_*.py`` but the relay's."""
    if names:
        return [HERE / Path(n).name for n in names]
    found = sorted(p for p in HERE.glob("bench_*.py") if p.name not in OWN_TARGET)
    return sorted(
        found, key=lambda p: (p.name not in FIRST, FIRST.index(p.name) if p.name in FIRST else 0)
    )


def run_script(path: Path, timeout_s: float) -> tuple[int, str]:
    """Run one script, echoing its output; its exit status and its last output line."""
    env = {**os.environ, "BENCH_RUNNER": "1", "PYTHONUNBUFFERED": "1"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.Popen(
        [sys.executable, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=HERE.parent,
    )
    last = ""
    timer = threading.Timer(timeout_s, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip():
                last = line.strip()
            if not line.lstrip().startswith('{"figures"'):
                print(f"  {line}", end="", flush=True)
        status = proc.wait()
    finally:
        timer.cancel()
    return status, last


def merge(
    into: dict[str, Any], figures: dict[str, Any], source: str, owners: dict[str, str]
) -> None:
    """Merge one script's figures (see the module's docstring); a name twice is an error."""
    for key, value in figures.items():
        if key == "scaling" and isinstance(value, dict):
            rows = into.setdefault("scaling", {})
            for size, row in value.items():
                rows.setdefault(str(size), {}).update(row)
            continue
        if key in owners:
            raise ValueError(f"{source} and {owners[key]} both give {key!r}")
        owners[key] = source
        into[key] = value


def judge(budgets: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """Each budget with ``ok`` computed here, and where it came from."""
    judged = []
    for b in budgets:
        op = _OPS.get(str(b.get("op", "<=")))
        value, limit = b.get("value"), b.get("limit")
        ok = (
            op is not None
            and isinstance(value, (int, float))
            and isinstance(limit, (int, float))
            and op(value, limit)
        )
        judged.append({**b, "ok": bool(ok), "source": source})
    return judged


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(run: dict[str, Any]) -> str:
    """The figures, then the budgets, then the scaling rows, as aligned text."""
    lines = ["", "Figures"]
    skip = {"scaling", "budgets", "failed", "silent", "missing", "machine", "started_at"}
    skip.add("seconds")
    width = max((len(k) for k in run if k not in skip), default=10)
    lines += [f"  {k:<{width}}  {_fmt(v):>14}" for k, v in run.items() if k not in skip]
    lines += ["", "Budgets"]
    for b in run["budgets"]:
        mark = "ok  " if b["ok"] else "OVER"
        lines.append(
            f"  {mark} {b['name']:<{width}} {_fmt(b['value']):>14} {b.get('op', '<=')} "
            f"{_fmt(b['limit'])}"
        )
    rows = run.get("scaling") or {}
    if rows:
        columns = sorted({k for row in rows.values() for k in row})
        lines += ["", "Scaling (by colleagues)"]
        lines.append("  " + " ".join(f"{c:>22}" for c in ["colleagues", *columns]))
        for size in sorted(rows, key=int):
            cells = [_fmt(int(size))] + [_fmt(rows[size].get(c, "")) for c in columns]
            lines.append("  " + " ".join(f"{c:>22}" for c in cells))
    for what in ("failed", "missing", "silent"):
        if run[what]:
            lines.append(f"\n{what.upper()}: {', '.join(run[what])}")
    lines.append(f"\n{run['seconds']:.0f} s in all (budget {TOTAL_BUDGET_S} s)")
    return "\n".join(lines)


def cpu_ticks() -> tuple[int, int]:
    """All CPU time and the part the hypervisor took (``steal``) from /proc/stat, in ticks;
    (0, 0) where there is no /proc."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return sum(fields), fields[7] if len(fields) > 7 else 0


def steal_percent(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """The share of the machine's CPU time a virtual machine's host took between two
    readings: figures measured while it is high are slower than the code."""
    total = after[0] - before[0]
    return round(100 * (after[1] - before[1]) / total, 1) if total > 0 else None


def main(argv: list[str]) -> int:
    started = time.monotonic()
    run: dict[str, Any] = {}
    owners: dict[str, str] = {}
    budgets: list[dict[str, Any]] = []
    failed: list[str] = []
    silent: list[str] = []
    steal: dict[str, float | None] = {}
    for path in scripts(argv):
        print(f"== {path.name}", flush=True)
        ticks = cpu_ticks()
        status, last = run_script(path, SCRIPT_TIMEOUT_S)
        stolen = steal_percent(ticks, cpu_ticks())
        steal[path.name] = stolen
        if stolen:
            print(f"  (the host took {stolen}% of the CPU time while this ran)", flush=True)
        try:
            answer = json.loads(last)
            figures, found = answer["figures"], answer.get("budgets", [])
            if not isinstance(figures, dict) or not isinstance(found, list):
                raise TypeError
        except (ValueError, TypeError, KeyError):
            if status == 0:
                silent.append(path.name)
            else:
                failed.append(f"{path.name} (exit {status}, no figures on its last line)")
            continue
        if status not in (0, 1):
            failed.append(f"{path.name} (exit {status})")
        try:
            merge(run, figures, path.name, owners)
        except ValueError as exc:
            failed.append(str(exc))
        budgets += judge(found, path.name)
    seconds = time.monotonic() - started
    budgets.append(
        {
            "name": "make_bench_s",
            "value": round(seconds, 1),
            "limit": TOTAL_BUDGET_S,
            "op": "<=",
            "ok": seconds <= TOTAL_BUDGET_S,
            "source": "run.py",
        }
    )
    run.update(
        budgets=budgets,
        failed=failed,
        silent=silent,
        missing=[k for k in REQUIRED if k not in run] if not argv else [],
        seconds=round(seconds, 1),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine={
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_steal_percent": steal,
        },
    )
    print(table(run))
    out = Path(os.environ.get("BENCH_JSON") or HERE / "last-run.json")
    out.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    print(f"Figures written to {out}")
    ok = not failed and not run["missing"] and all(b["ok"] for b in budgets)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
