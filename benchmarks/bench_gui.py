"""GUI-thread stalls while data arrives, first paint from the cache, and memory, at 10,000.

Runs the real application objects (poller thread, model, proxy, window, avatars) offscreen
against a demo portal in a separate process (so its threads do not compete for this
process's interpreter lock, as a real portal would not):

* stalls: a 1 ms timer on the GUI thread records every gap between its ticks while the
  first load and several refreshes arrive; the longest gap is the worst freeze.
* first paint: a fresh process with a cached snapshot of 10,000 colleagues; time from the
  process start to the first paint of the list with rows in it.
* memory: resident size after the first load, and after scrolling through the whole list so
  that every avatar is fetched, decoded at display size and evicted as it scrolls away.

    .venv/bin/python benchmarks/bench_gui.py [users]
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


def start_portal(users: int) -> tuple[subprocess.Popen[str], str]:
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
import json, os, sys, time
from pathlib import Path
T0 = float(os.environ["BENCH_T0"])
mode = sys.argv[1]
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from bx24presence.qt.session import Session, choose_portal
from bx24presence.runoptions import RunOptions
import bx24presence.qt.poller as poller_module
poller_module.MIN_INTERVAL_S = 0  # poll every 2 s to see many refreshes arrive
from bx24presence.settings import Settings
from bx24presence.qt import i18n
import benchmarks_common as common

app = QApplication([])
i18n.install(app, "en")
args = RunOptions(portal=os.environ["BENCH_URL"], demo_users=0)
handler_ms = []
_apply = Session._on_poller_snapshot_ready
def _timed(self, ready):
    t = time.perf_counter()
    _apply(self, ready)
    handler_ms.append(round((time.perf_counter() - t) * 1000, 1))
Session._on_poller_snapshot_ready = _timed
application = Session(app, Settings(poll_interval_s=15), choose_portal(args, Settings()))
application.poller.set_interval(int(os.environ.get("BENCH_INTERVAL", "2")))
window = application.window
out = {}

class PaintSpy(QObject):
    def eventFilter(self, obj, ev):
        painted = ev.type() == QEvent.Type.Paint and application.proxy.rowCount()
        if painted and "first_paint_s" not in out:
            out["first_paint_s"] = time.time() - T0
            out["first_paint_from_cache"] = not window._loaded
            out["first_paint_rows"] = application.proxy.rowCount()
        return False

spy = PaintSpy()
window.list.viewport().installEventFilter(spy)
gaps = []
clock = QElapsedTimer(); clock.start()
last = [clock.elapsed()]
def tick():
    now = clock.elapsed(); gaps.append(now - last[0]); last[0] = now
tick_timer = QTimer(); tick_timer.setInterval(1); tick_timer.timeout.connect(tick)
arrivals = []
def on_ready(r):
    arrivals.append(time.time())
    if r.from_cache and not r.partial and "cache_complete_s" not in out:
        out["cache_complete_s"] = time.time() - T0
application.poller.snapshot_ready.connect(on_ready)

def settle(seconds):
    t_end = time.time() + seconds
    while time.time() < t_end:
        app.processEvents()
        time.sleep(0.005)

def finish():
    tick_timer.stop()
    out["snapshots"] = len(arrivals)
    out["max_gap_ms"] = max(gaps) if gaps else None
    out["gaps_over_16ms"] = sum(1 for g in gaps if g > 16)
    out["ticks"] = len(gaps)
    out["handler_ms"] = handler_ms
    out["worst_gaps"] = sorted(gaps)[-5:]
    # Back to a normal interval; measure memory once the refresh in flight is done.
    application.poller.set_interval(600)
    n = len(arrivals)
    settle(4)
    out["rss_loaded_mb"] = common.rss_mb()
    if mode == "stalls":
        # scroll through everything: every avatar fetched, decoded at display size, evicted
        bar = window.list.verticalScrollBar()
        step = max(1, window.list.viewport().height())
        v = 0
        while v <= bar.maximum():
            bar.setValue(v); app.processEvents(); v += step
            t_end = time.time() + 0.02
            while time.time() < t_end:
                app.processEvents()
        settle(3)
        out["rss_scrolled_mb"] = common.rss_mb()
        out["avatars_in_memory"] = application.avatars.memory_count
    print("RESULT " + json.dumps(out), flush=True)
    application.shutdown()
    app.quit()

if mode == "stalls":
    tick_timer.start()
    QTimer.singleShot(int(os.environ.get("BENCH_SECONDS", "9")) * 1000, finish)
else:
    QTimer.singleShot(3000, finish)
window.resize(900, 700)
application.start()
app.exec()
"""


def run_child(mode: str, url: str, home: str, **env: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "benchmarks_common.py").write_text((HERE / "common.py").read_text())
        script = Path(tmp) / "child.py"
        script.write_text(CHILD)
        e = dict(
            os.environ,
            BENCH_URL=url,
            BX24PRESENCE_HOME=home,
            QT_QPA_PLATFORM="offscreen",
            PYTHONPATH=tmp,
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
    raise RuntimeError(proc.stderr[-2000:])


def main(argv: list[str]) -> int:
    users = int(argv[0]) if argv else 10000
    portal, url = start_portal(users)
    try:
        with tempfile.TemporaryDirectory() as home:
            stalls = run_child("stalls", url, home)
            # The first run left a cached snapshot in this home: the next start paints from it.
            paint = run_child("paint", url, home)
    finally:
        portal.terminate()
        portal.wait(5)
    print(f"{users} colleagues, portal in another process, offscreen")
    print(f"  snapshots applied while measuring: {stalls['snapshots']}")
    print(
        f"  GUI-thread time applying each snapshot: {stalls['handler_ms']} ms; "
        f"worst gaps {stalls['worst_gaps']} ms"
    )
    print(
        f"  longest GUI-thread stall: {stalls['max_gap_ms']} ms "
        f"({stalls['gaps_over_16ms']} of {stalls['ticks']} ticks over 16 ms)"
    )
    print(
        f"  first paint from the cache: {paint['first_paint_s']:.2f} s after process start "
        f"({paint['first_paint_rows']} rows at the top; whole cached list in the model at "
        f"{paint['cache_complete_s']:.2f} s)"
    )
    print(
        f"  resident memory: {stalls['rss_loaded_mb']:.0f} MB loaded, "
        f"{stalls['rss_scrolled_mb']:.0f} MB after scrolling through every avatar "
        f"({stalls['avatars_in_memory']} decoded in memory)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
