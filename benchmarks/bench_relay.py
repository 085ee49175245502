"""The office relay under load: one relay, the demo portal, 500 desktops reading through Redis.

Runs, on this machine and over loopback:

* a real ``redis-server`` (TLS, the documented ACL users);
* the demo portal of 10,000 colleagues in its own process (the relay's portal);
* ``bx24presence relay`` as a subprocess (the real command, webhook from the environment);
* 500 simulated desktops: :class:`RelayFollower` threads in a few processes, each with its
  own Redis connection, loading the snapshot, following the stream, reading the heartbeat;
* the same office without a relay: a smaller number of real desktops' refreshers polling
  a second demo portal directly, counted in the same run and scaled to 500 (500 real ones,
  each re-reading 10,000 colleagues, would need far more than this machine's 2 cores);

and, mid-run, kills the relay (SIGKILL), restarts Redis (losing every key) and stops the
portal, each for a while. It prints portal requests per minute, the time from the relay's
publication to the last desktop's update, Redis memory and CPU, and what the desktops saw
during each fault (detection, honesty of the status, recovery, wrong presence).

    make bench-relay                     # about 4 minutes
    SECONDS=120 READERS=200 make bench-relay

Environment: SECONDS (run length, default 240), READERS (500), PROCESSES (4), DIRECT (4),
USERS (10000), INTERVAL (relay and desktop poll interval, 15 s: the app's shortest).
Decoding is shared between the desktops of one process (each real desktop decodes on its
own CPU; here 500 share 2 cores): every desktop still reads every byte from Redis itself.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bx24presence.relay import codec  # noqa: E402
from bx24presence.relay.address import connect, namespace_for, parse_relay_url  # noqa: E402
from bx24presence.relay.errors import RelayError  # noqa: E402
from bx24presence.relay.reader import RelayFollower, RelayReader  # noqa: E402
from tests.relay.redisserver import (  # noqa: E402
    DESKTOP_PASSWORD,
    RELAY_PASSWORD,
    RedisServer,
    make_certs,
)

SECONDS = float(os.environ.get("SECONDS", "240"))
READERS = int(os.environ.get("READERS", "500"))
PROCESSES = int(os.environ.get("PROCESSES", "4"))
DIRECT = int(os.environ.get("DIRECT", "4"))
USERS = int(os.environ.get("USERS", "10000"))
INTERVAL = int(os.environ.get("INTERVAL", "15"))
HEARTBEAT = 5.0
SECRET = "benchsecret0123456789"  # noqa: S105  (the demo portal's, made up)


# -- the demo portals, each in its own process ---------------------------------------------


def _portal_process(port: int, users: int, counter: Any, ready: Any) -> None:
    from bx24presence.demo import DemoPortal

    def count(_record: Any) -> None:
        with counter.get_lock():
            counter.value += 1

    portal = DemoPortal(
        users=users, port=port, secret=SECRET, rate_limit=None, on_request=count
    ).start()
    ready.set()
    signal.sigwait({signal.SIGTERM})
    portal.stop()


class Portal:
    """A demo portal process that can be stopped and started again on the same address."""

    def __init__(self, users: int) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.users = users
        self.requests = mp.Value("q", 0)
        self.proc: Any = None
        self.cpu_s = 0.0

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/rest/1/{SECRET}/"

    def start(self) -> None:
        ready = mp.Event()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            self.proc = mp.Process(
                target=_portal_process,
                args=(self.port, self.users, self.requests, ready),
                daemon=True,
            )
            self.proc.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        if not ready.wait(120):
            raise RuntimeError("the demo portal did not start")

    def sample(self) -> float:
        return self.cpu_s + (_proc_cpu_s(self.proc.pid) if self.proc is not None else 0.0)

    def stop(self) -> None:
        if self.proc is not None:
            self.cpu_s += _proc_cpu_s(self.proc.pid)
            self.proc.terminate()
            self.proc.join(10)
            self.proc = None


# -- simulated desktops ---------------------------------------------------------------------


class SharedDecoding(RelayReader):
    """A reader whose decoding is shared by the desktops of one process (see the docstring)."""

    cache: dict[Any, Any] = {}  # noqa: RUF012  (one per process on purpose)
    lock = threading.Lock()

    def decode_snapshot(self, fields: Any, stream_id: str) -> codec.Published:
        key = ("s", fields.get(b"version"), fields.get(b"crc"), stream_id)
        with self.lock:
            hit = self.cache.get(key)
            if hit is None:
                hit = self.cache[key] = super().decode_snapshot(fields, stream_id)
            return hit  # type: ignore[no-any-return]

    received: list[float] | None = None

    def decode_change(self, entry_id: Any, fields: Any) -> codec.Change:
        if self.received is not None and b"p" in fields:  # the bytes are here: Redis's share
            now = time.time()
            self.received.append((now, now - float(fields[b"p"])))
        key = ("c", entry_id, fields.get(b"v"), fields.get(b"crc"))
        with self.lock:
            hit = self.cache.get(key)
            if hit is None:
                hit = self.cache[key] = super().decode_change(entry_id, fields)
            return hit  # type: ignore[no-any-return]


def _desktop(url: str, keys: Any, deadline: float, out: list[dict[str, Any]]) -> None:
    """One desktop: load, follow, watch the heartbeat; record what it would show."""
    os.environ["BX24PRESENCE_REDIS_PASSWORD"] = DESKTOP_PASSWORD
    reader = SharedDecoding(connect(parse_relay_url(url), DESKTOP_PASSWORD), keys)
    follower = RelayFollower(reader)
    rec: dict[str, Any] = {"updates": [], "states": [], "loaded_at": None, "errors": 0}
    reader.received = rec["received"] = []
    state = None
    next_beat = 0.0
    backoff = 0.5

    def show(new: str) -> None:
        nonlocal state
        if new != state:
            rec["states"].append((time.time(), new))
            state = new

    while time.time() < deadline:
        try:
            if follower.snapshot is None:
                follower.start()
                rec["loaded_at"] = time.time()
            for u in follower.poll(5000):
                now = time.time()
                if u.reloaded:
                    rec["updates"].append((now, u.version, None))
                else:
                    rec["updates"].append((now, u.version, now - (u.published_at or now)))
            if time.time() >= next_beat:
                beat = reader.heartbeat()
                if beat is None:
                    show("gone")
                elif beat.is_stale:
                    show("stale")
                elif beat.status == "starting":
                    show("starting")
                else:
                    show("ok")
                next_beat = time.time() + HEARTBEAT
            backoff = 0.5
        except RelayError as exc:
            rec["errors"] += 1
            show("unreachable" if exc.reason.value == "unreachable" else exc.reason.value)
            time.sleep(backoff)
            backoff = min(4.0, backoff * 2)
            next_beat = 0.0
    rec["version"] = follower.version
    rec["print"] = follower.print
    rec["reloads"] = follower.reloads
    rec["mismatches"] = follower.mismatches
    reader.close()
    out.append(rec)


def _desktops_process(url: str, namespace: str, count: int, deadline: float, path: str) -> None:
    from bx24presence.relay.address import RelayKeys

    keys = RelayKeys(namespace)
    out: list[dict[str, Any]] = []
    threads = [
        threading.Thread(target=_desktop, args=(url, keys, deadline, out), daemon=True)
        for _ in range(count)
    ]
    for t in threads:
        t.start()
        time.sleep(0.002)
    for t in threads:
        t.join(max(1.0, deadline - time.time() + 30))
    cpu = os.times()
    Path(path).write_text(json.dumps({"desktops": out, "cpu_s": cpu.user + cpu.system}))


# -- the same office without a relay --------------------------------------------------------


def _direct_process(webhook: str, count: int, interval: float, deadline: float, path: str) -> None:
    from bx24presence.api.auth import parse_webhook_url
    from bx24presence.api.client import Bitrix24Client
    from bx24presence.sync import Refresher

    results: list[dict[str, Any]] = []

    def desktop(i: int) -> None:
        time.sleep(i * interval / max(1, count))  # not all at the same second
        with Bitrix24Client(parse_webhook_url(webhook, allow_http=True)) as client:
            refresher = Refresher(client)
            snapshot = None
            started = time.time()
            polls = 0
            while time.time() < deadline:
                try:
                    snapshot = refresher.refresh(snapshot)
                    polls += 1
                except Exception:  # the benchmark counts requests, not failures
                    snapshot = None
                time.sleep(max(0.0, min(interval, deadline - time.time())))
            results.append(
                {"requests": client.request_count, "polls": polls, "s": time.time() - started}
            )

    threads = [threading.Thread(target=desktop, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = os.times()
    Path(path).write_text(json.dumps({"direct": results, "cpu_s": cpu.user + cpu.system}))


# -- measuring ------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def _proc_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RelayProcess:
    def __init__(self, redis_url: str, webhook: str, log: Path) -> None:
        self.cmd = [
            sys.executable, "-m", "bx24presence", "relay", "--redis", redis_url,
            "--interval", str(INTERVAL), "--heartbeat", str(HEARTBEAT),
            "--log-level", "warning", "--log-file", str(log), "--allow-http",
        ]  # fmt: skip
        self.env = {
            **os.environ,
            "BX24PRESENCE_WEBHOOK": webhook,
            "BX24PRESENCE_REDIS_PASSWORD": RELAY_PASSWORD,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.cpu_s = 0.0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, env=self.env, stderr=subprocess.PIPE)

    def sample(self) -> float:
        return self.cpu_s + (_proc_cpu_s(self.proc.pid) if self.proc else 0.0)

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.proc is None:
            return None
        self.cpu_s += _proc_cpu_s(self.proc.pid)
        self.proc.send_signal(sig)
        code = self.proc.wait(20)
        self.proc = None
        return code


def main() -> int:
    if SECONDS < 180:
        print("SECONDS must be at least 180 (the faults take 105 s of the run)", file=sys.stderr)
        return 2
    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    certs_dir = work / "tls"
    certs_dir.mkdir()
    certs = make_certs(certs_dir)
    (work / "redis").mkdir()
    server = RedisServer(work / "redis", certs).start()
    relay_portal = Portal(USERS)
    direct_portal = Portal(USERS)
    print(
        f"Starting: {USERS} colleagues, {READERS} desktops in {PROCESSES} processes,"
        f" {DIRECT} direct pollers, {SECONDS:.0f} s, poll every {INTERVAL} s",
        flush=True,
    )
    relay_portal.start()
    direct_portal.start()
    keys = namespace_for("bx24presence:", f"127.0.0.1:{relay_portal.port}")
    server.create_users(keys)
    relay = RelayProcess(server.url("bx24-relay"), relay_portal.webhook, work / "relay.log")
    relay.start()
    admin = server.admin()
    while not admin.exists(keys.snapshot):
        if time.time() - t0 > 120:
            raise RuntimeError("the relay published nothing in 120 s")
        time.sleep(0.1)
    first_publish = time.time()
    size = len(admin.hget(keys.snapshot, "data") or b"")
    print(
        f"Relay's first snapshot after {first_publish - t0:.1f} s ({size / 1e6:.2f} MB compressed)",
        flush=True,
    )

    begin = time.time()
    deadline = begin + SECONDS
    desktop_url = server.url("bx24-desktop")
    per = [READERS // PROCESSES + (1 if i < READERS % PROCESSES else 0) for i in range(PROCESSES)]
    procs = []
    for i, n in enumerate(per):
        p = mp.Process(
            target=_desktops_process,
            args=(desktop_url, keys.namespace, n, deadline, str(work / f"desktops{i}.json")),
        )
        p.start()
        procs.append(p)
    direct = mp.Process(
        target=_direct_process,
        args=(direct_portal.webhook, DIRECT, INTERVAL, deadline, str(work / "direct.json")),
    )
    direct.start()

    requests_at_begin = relay_portal.requests.value
    # The faults, at fixed shares of the run.
    events: list[tuple[float, str]] = []
    plan = [
        (0.30, "relay killed", lambda: relay.stop(signal.SIGKILL)),
        (0.30 + 25 / SECONDS, "relay started", relay.start),
        (0.30 + 45 / SECONDS, "redis stopped", server.stop),
        (0.30 + 55 / SECONDS, "redis started", server.start),
        (0.30 + 75 / SECONDS, "portal stopped", relay_portal.stop),
        (0.30 + 105 / SECONDS, "portal started", relay_portal.start),
    ]
    redis_cpu: list[float] = []
    memory: list[int] = []
    steady_rpm = float("nan")
    clients: list[int] = []
    cpu_base = None
    for share, name, action in plan:
        at = begin + share * SECONDS
        while time.time() < at:
            try:
                with server.admin() as admin:
                    cpu = admin.info("cpu")
                    mem = admin.info("memory")
                    clients.append(int(admin.info("clients")["connected_clients"]))
                used = float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
                if cpu_base is None:
                    cpu_base = (time.time(), used)
                redis_cpu.append(used)
                memory.append(int(mem["used_memory"]))
            except Exception:  # Redis is down in one phase
                cpu_base = None
            time.sleep(min(2.0, max(0.0, at - time.time())))
        t_action = time.time()
        if not events:
            steady_rpm = (relay_portal.requests.value - requests_at_begin) / (
                (t_action - begin) / 60
            )
        action()
        # A stop counts from when it is complete; a start from when it begins.
        events.append((time.time() if "stop" in name or "kill" in name else t_action, name))
        print(
            f"{t_action - begin:6.1f} s  {name} (took {time.time() - t_action:.1f} s)", flush=True
        )
    relay_cpu_at_end = 0.0
    while time.time() < deadline:
        time.sleep(1)
    for p in procs:
        p.join(120)
    direct.join(120)
    admin = server.admin()
    final = admin.hgetall(keys.snapshot)
    final_version = int(final[b"version"])
    # Every version published and its checksum: the relay may publish once more after the
    # desktops stopped, so a desktop is right when its last version's checksum is the
    # relay's for that version, and behind when it is more than one version old.
    published_crc = {final_version: int(final[b"crc"])}
    for _, fields in admin.xrange(keys.stream, count=100_000):
        if b"v" in fields and b"crc" in fields:
            published_crc[int(fields[b"v"])] = int(fields[b"crc"])
    relay_cpu_at_end = relay.sample()
    relay_code = relay.stop()
    relay_requests = relay_portal.requests.value
    relay_portal_cpu = relay_portal.sample()
    direct_portal_cpu = direct_portal.sample()
    relay_portal.stop()
    direct_portal.stop()
    server.stop()
    elapsed_min = (time.time() - first_publish) / 60

    # -- figures ---------------------------------------------------------------------------
    desktops: list[dict[str, Any]] = []
    desktop_cpu = 0.0
    for i in range(PROCESSES):
        data = json.loads((work / f"desktops{i}.json").read_text())
        desktops.extend(data["desktops"])
        desktop_cpu += data["cpu_s"]
    direct_data = json.loads((work / "direct.json").read_text())
    direct_requests = sum(d["requests"] for d in direct_data["direct"])
    direct_minutes = sum(d["s"] for d in direct_data["direct"]) / 60
    per_desktop_rpm = direct_requests / direct_minutes if direct_minutes else float("nan")

    latencies_by_version: dict[int, list[float]] = {}
    all_latencies: list[float] = []
    steady: list[float] = []
    received: list[float] = []
    first_fault = events[0][0]
    for d in desktops:
        received.extend(lat for at, lat in d["received"] if at < first_fault)
        for at, version, latency in d["updates"]:
            if latency is not None and at < first_fault:
                steady.append(latency)
            if latency is not None:
                latencies_by_version.setdefault(version, []).append(latency)
                all_latencies.append(latency)
    first_version_after = min(
        (v for d in desktops for at, v, _ in d["updates"] if at >= first_fault),
        default=None,
    )
    last_reader = [max(v) for v in latencies_by_version.values() if len(v) >= READERS * 0.9]
    last_steady = [
        max(lat)
        for version, lat in latencies_by_version.items()
        if len(lat) >= READERS * 0.9
        and (first_version_after is None or version < first_version_after)
    ]
    # Publications made once every desktop had loaded the snapshot (the 500 loads at the
    # same second are measured apart, above) and before the first fault: the steady state.
    all_loaded = max((d["loaded_at"] for d in desktops if d["loaded_at"]), default=0.0)
    published_at: dict[int, float] = {}
    for d in desktops:
        for at, version, latency in d["updates"]:
            if latency is not None:
                published_at[version] = min(published_at.get(version, at), at - latency)
    last_settled = [
        max(lat)
        for version, lat in latencies_by_version.items()
        if len(lat) >= READERS * 0.9 and all_loaded < published_at[version] < first_fault
    ]
    loads = sorted(d["loaded_at"] - begin for d in desktops if d["loaded_at"])

    def phase(start_name: str, end_name: str, bad: set[str]) -> str:
        t_start = next(t for t, n in events if n == start_name)
        t_end = next(t for t, n in events if n == end_name)
        detect, recover, missed = [], [], 0
        for d in desktops:
            seen = [(t, s) for t, s in d["states"] if t >= t_start]
            hit = next((t for t, s in seen if s in bad), None)
            if hit is None:
                missed += 1
                continue
            detect.append(hit - t_start)
            back = next((t for t, s in seen if t > max(hit, t_end) and s == "ok"), None)
            if back is not None:
                recover.append(back - t_end)
        d_med, d_max = statistics.median(detect or [0]), max(detect or [0])
        r_med, r_max = statistics.median(recover or [0]), max(recover or [0])
        return (
            f"detected by {len(detect)}/{len(desktops)} (median {d_med:.1f} s, max {d_max:.1f} s);"
            f" recovered {len(recover)}/{len(desktops)} (median {r_med:.1f} s, max {r_max:.1f} s"
            " after it came back)"
        )

    wrong = sum(d["mismatches"] for d in desktops)
    wrong_final = sum(1 for d in desktops if published_crc.get(d["version"]) != d["print"])
    behind = sum(1 for d in desktops if d["version"] < final_version - 1)
    cpu_s = (redis_cpu[-1] - redis_cpu[0]) if len(redis_cpu) > 1 else float("nan")
    ms = 1000
    lines = [
        "",
        f"Desktops: {len(desktops)}; all loaded the whole company within {loads[-1]:.1f} s of"
        f" a simultaneous start (median {statistics.median(loads):.1f} s), 0 portal requests",
        f"Portal requests/min, the relay (whole run, its restart included):"
        f" {relay_requests / elapsed_min:.2f}; before the faults {steady_rpm:.2f}",
        f"Portal requests/min, one desktop polling directly ({DIRECT} real ones measured):"
        f" {per_desktop_rpm:.2f}; 500 desktops: {per_desktop_rpm * 500:.0f}/min ="
        f" {per_desktop_rpm * 500 / 60:.1f}/s (Bitrix24 allows 2/s per address)",
        f"Portal CPU: {relay_portal_cpu:.1f} s serving the relay;"
        f" {direct_portal_cpu / max(1, DIRECT):.1f} s per direct desktop"
        f" -> {direct_portal_cpu / max(1, DIRECT) * 500:.0f} s for 500",
        f"Publish -> bytes at each desktop, before the faults:"
        f" p50 {_pct(received, 0.5) * ms:.0f} ms, p99 {_pct(received, 0.99) * ms:.0f} ms",
        f"Publish -> each desktop's update, before the faults: p50 {_pct(steady, 0.5) * ms:.0f}"
        f" ms, p99 {_pct(steady, 0.99) * ms:.0f} ms over {len(steady)} updates",
        f"Publish -> each desktop's update, whole run: p50 {_pct(all_latencies, 0.5) * ms:.0f} ms,"
        f" p99 {_pct(all_latencies, 0.99) * ms:.0f} ms over {len(all_latencies)} updates",
        f"Publish -> the last desktop's update, per publication before the faults"
        f" ({len(last_steady)}): p50 {_pct(last_steady, 0.5) * ms:.0f} ms,"
        f" p99 {_pct(last_steady, 0.99) * ms:.0f} ms",
        f"Publish -> the last desktop's update, per publication once all had loaded and"
        f" before the faults ({len(last_settled)}): p50 {_pct(last_settled, 0.5) * ms:.0f} ms,"
        f" p99 {_pct(last_settled, 0.99) * ms:.0f} ms",
        f"Publish -> the last desktop's update, per publication, whole run ({len(last_reader)}):"
        f" p50 {_pct(last_reader, 0.5) * ms:.0f} ms, p99 {_pct(last_reader, 0.99) * ms:.0f} ms;"
        f" each: {', '.join(f'{x * ms:.0f}' for x in last_reader)} ms",
        f"Redis: used_memory median {statistics.median(memory) / 1e6:.1f} MB, up to"
        f" {max(memory) / 1e6:.1f} MB (client buffers while {READERS} load at once), {max(clients)}"
        " clients;"
        f" CPU {cpu_s:.1f} s over the sampled {len(redis_cpu) * 2} s or so",
        f"CPU: relay {relay_cpu_at_end:.1f} s; the {len(desktops)} desktops' processes"
        f" {desktop_cpu:.1f} s (decoding shared per process); {DIRECT} direct pollers"
        f" {direct_data['cpu_s']:.1f} s",
        f"Relay killed for 25 s:  {phase('relay killed', 'relay started', {'gone'})}",
        f"Redis down for 10 s:    {phase('redis stopped', 'redis started', {'unreachable'})}",
        f"Portal down for 30 s:   {phase('portal stopped', 'portal started', {'stale'})}",
        f"Wrong presence: {wrong} diffs did not add up (each reloaded at once);"
        f" {wrong_final} desktops ended on a checksum other than the relay's for their"
        f" version; {behind} more than one version behind the final {final_version};"
        f" {sum(d['reloads'] for d in desktops)} snapshot loads in all; relay exit {relay_code}",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    mp.set_start_method("fork")
    sys.exit(main())
