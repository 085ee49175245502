"""Soak test (``make soak``): the real app, offscreen, against a faulty demo portal for 30 min.

The window, the poller thread, the avatar loader and the snapshot cache run as a user runs
them: this script starts ``bx24presence --allow-http`` (through :func:`bx24presence.cli.main`)
in a child process with its own home folder, the webhook in ``BX24PRESENCE_WEBHOOK`` and
``QT_QPA_PLATFORM=offscreen``. The demo portal runs here, in the parent, so that the child's
memory is the app's alone:

* 5,000 colleagues (``SOAK_USERS``);
* its clock runs 30 times faster than real time (``SOAK_SPEED``), so presence changes as
  over a working day;
* every tenth REST request fails (``SOAK_FAULT_EVERY``), in turn: 500, an nginx HTML 502,
  503 ``QUERY_LIMIT_EXCEEDED``, JSON cut off in the middle, an answer 3 s late, and an
  HTML 503 maintenance page;
* the app refreshes every second: the child presses "Refresh now" (the F5 action) once a
  second, because the app's own interval is at least 15 s.

Every 5 seconds the child's resident memory (``VmRSS``) and thread count are read from
``/proc``; a line a minute is printed. The run fails (exit 1) when, after the warm-up
(``SOAK_WARMUP_MINUTES``, default 5), a minute's median memory is more than 10 % above the
warm-up minute's, when the thread count differs from the one at the end of start-up
(``SOAK_STARTUP_S``, default 60), when the app stops asking for data or dies, or when it does
not quit cleanly on SIGTERM at the end. ``SOAK_MINUTES`` (default 30) shortens the run.

Qt's global thread pool (threads named ``Thread (pooled)``, used inside Qt, e.g. to scale
images) starts workers on demand and ends them after 30 s idle, by design. They are counted
apart: the app's own threads must stay the same, the pool must stay within its cap (one per
CPU). ``SOAK_STRICT_THREADS=1`` counts them as the app's own. Linux only (``/proc``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FAULT_CYCLE = ("500", "502-html", "503-limit", "truncated", "slow", "503-html")
SAMPLE_S = 5.0
MEMORY_GROWTH_LIMIT = 0.10
QT_POOL_THREAD = "Thread (pooled)"  # QThreadPool names its workers so.
QUIT_TIMEOUT_S = 20.0
APP_FLAG = "--app"


def _number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SystemExit(f"soak: {name} must be a number, not {text!r}") from None
    if not value > 0:
        raise SystemExit(f"soak: {name} must be greater than 0")
    return value


# -- the app, in the child process -----------------------------------------------------------


def run_app() -> int:
    """The real app; presses "Refresh now" every ``SOAK_POLL_S`` and reports to a file."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from bx24presence import cli
    from bx24presence.qt.main_window import MainWindow

    # run_gui takes this QApplication over; the timers below run in its event loop.
    qapp = QApplication(sys.argv[:1])
    status_path = Path(os.environ["SOAK_STATUS_FILE"])

    def window() -> MainWindow | None:
        found = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
        return found[0] if found else None

    def refresh() -> None:
        w = window()
        if w is not None:
            w.refresh_requested.emit()

    def report() -> None:
        w = window()
        state = {"rows": 0, "banner": "", "at": time.time()}
        if w is not None:
            model = w.list.model()
            state["rows"] = model.rowCount() if model is not None else 0
            state["banner"] = (w.banner.kind or "") if w.banner.isVisible() else ""
        tmp = status_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(status_path)

    poll_timer = QTimer()
    poll_timer.timeout.connect(refresh)
    poll_timer.start(int(_number("SOAK_POLL_S", 1.0) * 1000))
    report_timer = QTimer()
    report_timer.timeout.connect(report)
    report_timer.start(int(SAMPLE_S * 1000))
    # The handler runs at the next Python code in the main thread (the timers above).
    signal.signal(signal.SIGTERM, lambda *_: qapp.quit())
    return cli.main(["--allow-http"])


# -- the portal and the measurements, in this process ---------------------------------------


@dataclass
class Sample:
    """One reading of the app process: memory, and threads by their (15-letter) names."""

    at_s: float
    rss_mb: float
    threads: int
    names: list[str] = field(default_factory=list)

    @property
    def pooled(self) -> int:
        """Workers of Qt's global thread pool (0 in strict mode)."""
        if os.environ.get("SOAK_STRICT_THREADS", "") == "1":
            return 0
        return self.names.count(QT_POOL_THREAD)

    @property
    def own(self) -> int:
        """The app's own threads."""
        return self.threads - self.pooled


def read_process(pid: int, at_s: float) -> Sample | None:
    """VmRSS and thread count from ``/proc``; None when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        names = sorted(
            (task / "comm").read_text(encoding="utf-8").strip()
            for task in Path(f"/proc/{pid}/task").iterdir()
        )
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kb = int(fields.get("VmRSS", "0 kB").split()[0])
    return Sample(at_s, rss_kb / 1024, int(fields.get("Threads", "0")), names)


def run_soak() -> int:
    """Start the portal and the app, watch the app, judge; 0 when it held up."""
    if not Path("/proc/self/status").exists():
        print("soak: needs Linux (/proc) to read memory and threads", file=sys.stderr)
        return 2
    from bx24presence.demo import DemoPortal

    minutes = _number("SOAK_MINUTES", 30.0)
    warmup = _number("SOAK_WARMUP_MINUTES", min(5.0, minutes / 2))
    startup_s = _number("SOAK_STARTUP_S", min(60.0, warmup * 30))
    users = int(_number("SOAK_USERS", 5000))
    speed = _number("SOAK_SPEED", 30.0)
    every = int(_number("SOAK_FAULT_EVERY", 10))
    if warmup >= minutes or startup_s >= warmup * 60:
        print("soak: need SOAK_STARTUP_S < SOAK_WARMUP_MINUTES < SOAK_MINUTES", file=sys.stderr)
        return 2

    home = Path(tempfile.mkdtemp(prefix="bx24presence-soak-"))
    portal = DemoPortal(users=users, rate_limit=None).start()
    portal.clock.speed = speed
    portal.faults.slow_s = 3.0
    portal.faults.every(every, FAULT_CYCLE)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BX24PRESENCE_", "SOAK_STATUS"))
    }
    env.update(
        BX24PRESENCE_HOME=str(home),
        BX24PRESENCE_WEBHOOK=portal.webhook_url,
        QT_QPA_PLATFORM="offscreen",
        DBUS_SESSION_BUS_ADDRESS="disabled:",
        SOAK_STATUS_FILE=str(home / "status.json"),
    )
    print(
        f"soak: {users} colleagues, portal clock x{speed:g}, a refresh a second, every "
        f"{every}th request fails ({', '.join(FAULT_CYCLE)}); {minutes:g} min, warm-up "
        f"{warmup:g} min, start-up {startup_s:g} s",
        flush=True,
    )
    print(" min  portal time   RSS MB  threads  requests  faults  rows  banner", flush=True)
    print("                             (own+Qt pool)", flush=True)
    output = (home / "app.out").open("wb")
    app = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), APP_FLAG],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    samples: list[Sample] = []
    problems: list[str] = []
    began = time.monotonic()
    end = began + minutes * 60
    faults_before = 0
    try:
        minute = 1
        while time.monotonic() < end:
            time.sleep(max(0.0, min(SAMPLE_S, end - time.monotonic())))
            at_s = time.monotonic() - began
            sample = read_process(app.pid, at_s) if app.poll() is None else None
            if sample is None:
                problems.append(f"the app exited at {at_s / 60:.1f} min (code {app.poll()})")
                break
            samples.append(sample)
            if at_s >= minute * 60 - 0.5 or time.monotonic() >= end - 0.5:
                done = len(portal.log)
                portal.reset_log()  # The log would grow for the whole run.
                faults = portal.faults.injected - faults_before
                faults_before += faults
                status = _status(home / "status.json")
                print(
                    f"{minute:4d}  {portal.clock.now():%a %H:%M}  {sample.rss_mb:9.1f}  "
                    f"{sample.own:4d}+{sample.pooled:<2d}  {done:8d}  {faults:6d}  "
                    f"{status.get('rows', 0):4d}  {status.get('banner') or '-'}",
                    flush=True,
                )
                if not done:
                    problems.append(f"no request to the portal in minute {minute}")
                minute += 1
        code = _quit(app, problems)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        output.close()
        portal.stop()
    problems += _judge(samples, warmup * 60, startup_s, users, _status(home / "status.json"))
    if problems or code != 0:
        tail = (home / "app.out").read_text(encoding="utf-8", errors="replace")[-3000:]
        print("soak: FAILED\n  " + "\n  ".join(problems), flush=True)
        print(f"--- the app's output (last lines), kept in {home} ---\n{tail}", flush=True)
        return 1
    shutil.rmtree(home, ignore_errors=True)
    print("soak: passed", flush=True)
    return 0


def _status(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _quit(app: subprocess.Popen[bytes], problems: list[str]) -> int:
    """SIGTERM, then the app must save and exit 0 within ``QUIT_TIMEOUT_S``."""
    if app.poll() is not None:
        return app.returncode
    app.send_signal(signal.SIGTERM)
    try:
        code = app.wait(QUIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        problems.append(f"the app did not quit within {QUIT_TIMEOUT_S:.0f} s of SIGTERM")
        return -1
    if code != 0:
        problems.append(f"the app quit with exit code {code}")
    return code


def _judge(
    samples: list[Sample],
    warmup_s: float,
    startup_s: float,
    users: int,
    status: dict[str, object],
) -> list[str]:
    """Memory growth after the warm-up, thread count after start-up, data shown."""
    problems: list[str] = []
    if status.get("rows") != users:
        problems.append(f"the window lists {status.get('rows')} colleagues, not {users}")
    settled = [s for s in samples if s.at_s >= startup_s]
    if not settled:
        problems.append("the run ended before start-up did")
        return problems
    reference = settled[0]
    pool_cap = os.cpu_count() or 1
    for sample in settled:
        if sample.own != reference.own:
            gone = sorted(set(reference.names) - set(sample.names))
            new = sorted(set(sample.names) - set(reference.names))
            problems.append(
                f"threads {reference.own} -> {sample.own} at {sample.at_s / 60:.1f} min"
                f" (gone: {gone or '-'}, new: {new or '-'})"
            )
            break
    most_pooled = max(s.pooled for s in samples)
    if most_pooled > pool_cap:
        problems.append(f"{most_pooled} Qt pool threads, more than its cap of {pool_cap}")
    by_minute: dict[int, list[float]] = {}
    for sample in samples:
        by_minute.setdefault(int((sample.at_s - 0.01) // 60), []).append(sample.rss_mb)
    medians = {m: statistics.median(v) for m, v in by_minute.items()}
    base_minute = int(warmup_s // 60) - 1
    if base_minute not in medians:
        problems.append("the run ended before the warm-up did")
        return problems
    base = medians[base_minute]
    later = {m: v for m, v in medians.items() if m > base_minute}
    worst = max(later.values(), default=base)
    print(
        f"soak: memory, median of each minute: {base:.1f} MB at the end of the warm-up, "
        f"highest after it {worst:.1f} MB ({(worst / base - 1) * 100:+.1f} %); own threads "
        f"{reference.own} from {startup_s:g} s on, Qt pool 0 to {most_pooled} "
        f"(at start-up: {', '.join(reference.names)})",
        flush=True,
    )
    for m, value in sorted(later.items()):
        if value > base * (1 + MEMORY_GROWTH_LIMIT):
            problems.append(
                f"memory grew {(value / base - 1) * 100:.1f} % by minute {m + 1} "
                f"({base:.1f} -> {value:.1f} MB; the limit is {MEMORY_GROWTH_LIMIT:.0%})"
            )
            break
    return problems


def main() -> int:
    """``soak.py`` runs the soak; ``soak.py --app`` is the app side (started by the soak)."""
    if sys.argv[1:] == [APP_FLAG]:
        return run_app()
    return run_soak()


if __name__ == "__main__":
    sys.exit(main())
