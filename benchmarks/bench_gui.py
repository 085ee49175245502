"""GUI-thread stalls, first paint from the cache, search keystrokes and memory, at 10,000.

Runs the real application objects (poller thread, model, proxy, window, avatars) offscreen
against a demo portal in a separate process (so its threads do not compete for this
process's interpreter lock, as a real portal would not):

* stalls: a 1 ms timer on the GUI thread records every gap between its ticks while the
  first load and ten steady polls arrive and avatars load (the list scrolls a page a
  second meanwhile); the longest gap is the worst freeze, the 99th percentile the usual one.
* first paint: a fresh process with a cached snapshot; time from the process start to the
  first paint of the list with rows in it.
* search: keystrokes typed and erased over the cached list, each timed until the view has
  its new rows; then the same keystrokes through a plain QSortFilterProxyModel (filtering
  in a Python ``filterAcceptsRow`` over ``data()``), in the same process.
* memory: the peak resident size (VmHWM, first load included), and the resident size once
  settled after scrolling through the whole list so that every avatar is fetched, decoded
  at display size and evicted as it scrolls away.

Prints a table, then one JSON object on the last line (``figures`` and ``budgets``, as
``benchmarks/run.py`` reads them); exits 1 when a figure at 10,000 is over its budget.

    .venv/bin/python benchmarks/bench_gui.py [users ...]     # e.g. 1000 10000 50000
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable

#: figure -> budget (at most).
BUDGETS = {
    "gui_stall_max_ms": 50.0,
    "gui_stall_p99_ms": 16.0,
    "first_paint_from_cache_s": 0.6,
    "search_keystroke_p99_ms": 20.0,
    "rss_peak_mb": 150.0,
    "rss_settled_mb": 120.0,
}


def start_portal(users: int) -> tuple[subprocess.Popen[str], str]:
    """A demo portal of ``users`` colleagues in its own process; its webhook URL."""
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "bx24presence.demo.cli",
            "--port",
            "0",
            "--users",
            str(users),
            "--no-rate-limit",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = re.search(r"(http://\S+)", line)
    assert url, line
    return proc, url.group(1)


CHILD = r"""
import gc, json, os, sys, time
T0 = float(os.environ["BENCH_T0"])
mode = sys.argv[1]
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import QApplication, QListView
from bx24presence.qt.session import Session, choose_portal
import bx24presence.qt.poller as poller_module
poller_module.MIN_INTERVAL_S = 0  # poll every second: many refreshes in a short run
from bx24presence.runoptions import RunOptions
from bx24presence.settings import Settings
from bx24presence.qt import i18n
from bx24presence.qt.list.model import ColleagueRole

app = QApplication([])
i18n.install(app, "en")
settings = Settings(poll_interval_s=15)
choice = choose_portal(RunOptions(portal=os.environ["BENCH_URL"], allow_http=True), settings)
import functools, threading
handler_ms = []
_apply = Session._on_poller_snapshot_ready
@functools.wraps(_apply)  # the same name: PySide keeps delivering it queued, in the GUI thread
def _timed(self, ready):
    if threading.current_thread() is not threading.main_thread():
        raise SystemExit("the snapshot was applied outside the GUI thread")
    t = time.perf_counter()
    _apply(self, ready)
    handler_ms.append(round((time.perf_counter() - t) * 1000, 1))
Session._on_poller_snapshot_ready = _timed
session = Session(app, settings, choice)
session.poller.interval_requested.emit(1 if mode == "stalls" else 600)
window = session.window
out = {}

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")

class PaintSpy(QObject):
    def eventFilter(self, obj, ev):
        painted = ev.type() == QEvent.Type.Paint and session.proxy.rowCount()
        if painted and "first_paint_s" not in out:
            out["first_paint_s"] = time.time() - T0
            out["first_paint_rows"] = session.proxy.rowCount()
        return False

spy = PaintSpy()
window.list.viewport().installEventFilter(spy)

gaps = []
clock = QElapsedTimer(); clock.start()
last = [clock.nsecsElapsed()]
def tick():
    now = clock.nsecsElapsed(); gaps.append((now - last[0]) / 1e6); last[0] = now
tick_timer = QTimer(); tick_timer.setTimerType(Qt.TimerType.PreciseTimer)
tick_timer.setInterval(1); tick_timer.timeout.connect(tick)
gc_ms = []
_gc_start = [0.0]
def on_gc(phase, info):
    if phase == "start":
        _gc_start[0] = time.perf_counter()
    else:
        gc_ms.append(round((time.perf_counter() - _gc_start[0]) * 1000, 1))
gc.callbacks.append(on_gc)

network = []
def on_ready(r):  # runs in the poller's thread: record only
    if not r.from_cache:
        network.append(time.time())
    elif not r.partial and "cache_complete_s" not in out:
        out["cache_complete_s"] = time.time() - T0
session.poller.snapshot_ready.connect(on_ready)

def settle(seconds):
    t_end = time.time() + seconds
    while time.time() < t_end:
        app.processEvents()
        time.sleep(0.005)

def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else None

def page_down():
    bar = window.list.verticalScrollBar()
    bar.setValue(min(bar.maximum(), bar.value() + window.list.viewport().height()))

pager = QTimer(); pager.setInterval(1000); pager.timeout.connect(page_down)
STEADY = int(os.environ.get("BENCH_POLLS", "10"))
started = time.time()

def check_done():
    if len(network) >= STEADY + 1 or time.time() - started > 120:
        finish_stalls()
    else:
        QTimer.singleShot(100, check_done)

def finish_stalls():
    tick_timer.stop(); pager.stop()
    session.poller.interval_requested.emit(600)
    # the first tick waits for the event loop to start: not a stall
    g = gaps[1:]
    out["network_snapshots"] = len(network)
    out["gui_stall_max_ms"] = round(max(g), 1)
    out["gui_stall_p99_ms"] = round(pct(g, 0.99), 1)
    out["ticks"] = len(g)
    out["ticks_over_16ms"] = sum(1 for x in g if x > 16)
    out["worst_gaps_ms"] = [round(x, 1) for x in sorted(g)[-5:]]
    out["handler_ms"] = handler_ms
    out["gc_max_ms"] = max(gc_ms) if gc_ms else 0
    out["gc_collections"] = len(gc_ms)
    settle(2)
    out["rss_loaded_mb"] = status("VmRSS")
    bar = window.list.verticalScrollBar()
    bar.setValue(0)
    step = max(1, window.list.viewport().height())
    v = 0
    while v <= bar.maximum():
        bar.setValue(v); v += step
        t_end = time.time() + 0.03
        while time.time() < t_end:
            app.processEvents()
    settle(5)
    out["rss_peak_mb"] = status("VmHWM")
    out["rss_settled_mb"] = status("VmRSS")
    out["avatars_in_memory"] = session.avatars.memory_count
    done()

class PlainProxy(QSortFilterProxyModel):
    text = ""
    def filterAcceptsRow(self, row, parent):
        c = self.sourceModel().index(row, 0).data(ColleagueRole)
        hay = " ".join((c.name, c.work_position or "", c.email or "")).casefold()
        return self.text in hay

def keystrokes(words):
    out = []
    for w in words:
        out += [w[:i] for i in range(1, len(w) + 1)]
        out += [w[:i] for i in range(len(w) - 1, -1, -1)]
    return out

def search():
    rows = session.model.colleagues()
    c0 = rows[len(rows) // 3]
    phone = next(iter(c0.phones.as_dict().values()), "4950")
    queries = keystrokes([c0.last_name or c0.name, "engineer", phone[-7:]])
    ours = []
    for q in queries:
        t = time.perf_counter()
        session.proxy.set_search(q)
        app.processEvents()
        ours.append((time.perf_counter() - t) * 1000)
    plain = PlainProxy()
    plain.setSourceModel(session.model)
    plain.sort(0)
    view = QListView(); view.setUniformItemSizes(True); view.setModel(plain)
    view.resize(400, 600); view.show()
    base = []
    for q in queries[:40]:
        t = time.perf_counter()
        plain.text = q.casefold()
        plain.invalidateRowsFilter()
        app.processEvents()
        base.append((time.perf_counter() - t) * 1000)
    out["keystrokes"] = len(queries)
    out["search_keystroke_p99_ms"] = round(pct(ours, 0.99), 1)
    out["search_keystroke_max_ms"] = round(max(ours), 1)
    out["search_keystroke_p99_ms_qsortfilterproxy"] = round(pct(base, 0.99), 1)
    done()

def done():
    print("RESULT " + json.dumps(out), flush=True)
    session.shutdown()
    app.quit()

if mode == "stalls":
    tick_timer.start(); pager.start()
    QTimer.singleShot(100, check_done)
else:
    # typing while a refresh is parsed measures the refresh: search a second after it is in
    def search_when_loaded():
        if network and time.time() - network[0] > 1:
            search()
        elif time.time() - T0 > 60:
            done()
        else:
            QTimer.singleShot(100, search_when_loaded)
    QTimer.singleShot(100, search_when_loaded)
window.resize(900, 700)
session.start()
app.exec()
"""


def run_child(mode: str, url: str, home: str, **env: str) -> dict:
    """Run the application in a fresh process in ``mode``; its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "child.py"
        script.write_text(CHILD)
        e = dict(
            os.environ,
            BENCH_URL=url,
            BX24PRESENCE_HOME=home,
            QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            BENCH_T0=repr(time.time()),
            **env,
        )
        # An installed app starts from compiled bytecode; this sandbox sets
        # PYTHONDONTWRITEBYTECODE, which would make every start compile every module.
        e.pop("PYTHONDONTWRITEBYTECODE", None)
        proc = subprocess.run(
            [PY, str(script), mode], env=e, capture_output=True, text=True, timeout=300, check=False
        )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(proc.stderr[-3000:])


def measure(users: int) -> dict:
    """Every figure at ``users`` colleagues."""
    portal, url = start_portal(users)
    try:
        with tempfile.TemporaryDirectory() as home:
            stalls = run_child("stalls", url, home)
            # The first run left a cached snapshot in this home: the next start paints from it.
            paint = run_child("paint", url, home)
    finally:
        portal.terminate()
        portal.wait(5)
    return {
        "colleagues": users,
        **stalls,
        **paint,
        "first_paint_from_cache_s": paint["first_paint_s"],
    }


def report(r: dict) -> list[str]:
    """Print one size's figures; the names of those over budget."""
    print(f"{r['colleagues']} colleagues, portal in another process")
    print(
        f"  first load and {r['network_snapshots'] - 1} steady polls applied; GUI-thread time "
        f"per snapshot {r['handler_ms']} ms; longest collection {r['gc_max_ms']} ms"
    )
    print(
        f"  worst gaps {r['worst_gaps_ms']} ms "
        f"({r['ticks_over_16ms']} of {r['ticks']} ticks > 16 ms)"
    )
    print(
        f"  first paint from the cache {r['first_paint_s']:.2f} s after process start "
        f"(whole cached list in the model at {r['cache_complete_s']:.2f} s)"
    )
    print(
        f"  search: {r['keystrokes']} keystrokes, max {r['search_keystroke_max_ms']} ms; "
        f"QSortFilterProxyModel p99 {r['search_keystroke_p99_ms_qsortfilterproxy']} ms"
    )
    print(
        f"  memory: {r['rss_loaded_mb']:.0f} MB loaded; after scrolling through every avatar "
        f"({r['avatars_in_memory']} decoded in memory) peak {r['rss_peak_mb']:.0f} MB, "
        f"settled {r['rss_settled_mb']:.0f} MB"
    )
    over = [k for k, budget in BUDGETS.items() if r[k] > budget]
    for key, budget in BUDGETS.items():
        mark = "OVER" if key in over else "ok"
        print(f"  {key:42} {r[key]:>8.2f}   budget {budget:>6}   {mark}")
    return over


def main(argv: list[str]) -> int:
    """``[users ...]``: the sizes to measure (default 10,000); budgets apply at 10,000."""
    sizes = [int(a) for a in argv] or [10000]
    results = {users: measure(users) for users in sizes}
    over: list[str] = []
    for users, r in results.items():
        bad = report(r)
        if users == 10000:
            over = bad
    main_run = results.get(10000) or results[sizes[0]]
    figures: dict = {
        k: round(main_run[k], 3) for k in (*BUDGETS, "search_keystroke_p99_ms_qsortfilterproxy")
    }
    figures["scaling"] = {
        str(users): {
            "rss_peak_mb": round(r["rss_peak_mb"], 1),
            "gui_stall_max_ms": r["gui_stall_max_ms"],
            "first_paint_from_cache_s": round(r["first_paint_from_cache_s"], 3),
        }
        for users, r in results.items()
    }
    budgets = [
        {"name": k, "value": figures[k], "limit": limit, "op": "<="} for k, limit in BUDGETS.items()
    ]
    print(json.dumps({"figures": figures, "budgets": budgets}))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
