"""The app started as a user starts it, measured from outside: resident memory at 10,000.

Starts a demo portal of 10,000 colleagues in one process and ``python -m bx24presence
--portal - --allow-http`` in another (the webhook URL on standard input, a fresh home),
in an Xvfb window when Xvfb is installed, else offscreen. Reads the app's VmRSS and VmHWM
from ``/proc`` every 100 ms while it loads and polls, and reports the peak (VmHWM: the
first load included) and the settled size (the median of the last five seconds). Twice:
a first start (no cached snapshot) and a second start (painting from the cache first).

Prints a table, then one JSON object on the last line (``figures`` and ``budgets``, as
``benchmarks/run.py`` reads them); exits 1 when a figure is over its budget (peak 150 MB,
settled 120 MB). Under ``make bench`` (``BENCH_RUNNER=1``) only the first start is measured.

    .venv/bin/python benchmarks/bench_app.py [users] [seconds]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_gui import start_portal

PY = sys.executable
#: Where X servers put their sockets and lock files (fixed by X11, not a temp file).
X11_SOCKETS = Path("/tmp/.X11-unix")  # noqa: S108
X11_LOCKS = Path("/tmp")  # noqa: S108
BUDGETS = {"app_rss_peak_mb": 150.0, "app_rss_settled_mb": 120.0}


@contextlib.contextmanager
def display() -> Iterator[tuple[str, dict[str, str]]]:
    """An X server for the app (Xvfb) if there is one, else Qt's offscreen platform."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        yield "offscreen", {"QT_QPA_PLATFORM": "offscreen"}
        return
    for number in range(90, 110):
        socket, lock = X11_SOCKETS / f"X{number}", X11_LOCKS / f".X{number}-lock"
        if not socket.exists() and not lock.exists():
            break
    proc = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not (X11_SOCKETS / f"X{number}").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        yield "xvfb", {"QT_QPA_PLATFORM": "xcb", "DISPLAY": f":{number}"}
    finally:
        proc.terminate()
        proc.wait(5)


def status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid`` in MB (empty once it has gone)."""
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def run_app(url: str, home: str, env: dict[str, str], seconds: float) -> dict[str, float]:
    """Start the app, sample its memory for ``seconds``, stop it; the figures."""
    e = dict(os.environ, BX24PRESENCE_HOME=home, **env)
    e.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app starts from compiled bytecode
    log = Path(home) / "stderr.txt"
    proc = subprocess.Popen(
        [PY, "-m", "bx24presence", "--portal", "-", "--allow-http"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env=e,
        text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(url + "\n")
    proc.stdin.close()
    samples: list[tuple[float, float]] = []
    peak = 0.0
    started = time.monotonic()
    while time.monotonic() - started < seconds and proc.poll() is None:
        s = status(proc.pid)
        if s:
            samples.append((time.monotonic() - started, s["VmRSS"]))
            peak = max(peak, s["VmHWM"])
        time.sleep(0.1)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if not alive:
        raise RuntimeError(f"the app ended early: {log.read_text()[-2000:]}")
    last = [rss for t, rss in samples if t >= seconds - 5]
    return {"peak": peak, "settled": statistics.median(last), "max_rss": max(r for _, r in samples)}


def main(argv: list[str]) -> int:
    users = int(argv[0]) if argv else 10000
    seconds = float(argv[1]) if len(argv) > 1 else 30.0
    runner = os.environ.get("BENCH_RUNNER") == "1"  # `make bench`: one start, to save time
    portal, url = start_portal(users)
    try:
        with display() as (kind, env), tempfile.TemporaryDirectory() as home:
            runs = [("first start", run_app(url, home, env, seconds))]
            if not runner:
                runs.append(("start from the cache", run_app(url, home, env, seconds)))
    finally:
        portal.terminate()
        portal.wait(5)
    print(f"the app as a user starts it, {users} colleagues, {kind}, {seconds:.0f} s each")
    for name, r in runs:
        print(f"  {name:22} peak (VmHWM) {r['peak']:6.1f} MB   settled {r['settled']:6.1f} MB")
    figures = {
        "app_rss_peak_mb": round(max(r["peak"] for _, r in runs), 1),
        "app_rss_settled_mb": round(max(r["settled"] for _, r in runs), 1),
    }
    over = [k for k, budget in BUDGETS.items() if figures[k] > budget]
    for key, budget in BUDGETS.items():
        mark = "OVER" if key in over else "ok"
        print(f"  {key:22} {figures[key]:>8}   budget {budget:>6}   {mark}  ({kind})")
    budgets = [
        {"name": k, "value": figures[k], "limit": limit, "op": "<="} for k, limit in BUDGETS.items()
    ]
    print(json.dumps({"figures": figures, "budgets": budgets}))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
