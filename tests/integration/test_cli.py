"""The command line against the demo portal: the JSON contract, the table, exit codes, logs."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bx24presence import cli, clionce
from bx24presence.api.auth import parse_webhook_url
from bx24presence.cliformat import display_width
from bx24presence.demo import RateLimit
from tests.integration.conftest import near_window_edge

KEYS = {
    "id",
    "name",
    "presence",
    "last_activity",
    "absent_until",
    "birthday",
    "work_position",
    "email",
    "phones",
    "departments",
    "avatar",
}
PRESENCES = {"online", "mobile", "away", "dnd", "break", "offline"}


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    monkeypatch.setattr(clionce, "ONCE_RETRY_ATTEMPTS", 2)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_stdin(capsys, monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    """Run with ``--portal -`` and the webhook on standard input (out of the process list)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(url + "\n"))
    return run(capsys, *argv, "--portal", "-")


def test_json_contract_1250_colleagues_in_three_requests(make_portal, capsys) -> None:
    portal = make_portal(users=1250)
    portal.clock.freeze()  # presence must not move between the two runs compared below
    code, out, err = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
    assert code == 0, err
    rows = json.loads(out)
    assert [r["id"] for r in rows] == portal.colleague_ids()
    assert portal.request_count <= 3
    online = set(portal.online_ids())
    for r in rows:
        assert set(r) >= KEYS
        assert r["presence"] in PRESENCES
        assert isinstance(r["departments"], list) and all(
            isinstance(d, int) for d in r["departments"]
        )
        assert all(v for v in r["phones"].values())
        assert r["avatar"] is None or r["avatar"].startswith("http://127.0.0.1:")
        assert r["birthday"] is None or len(r["birthday"]) == 5
        if r["absent_until"] is not None:
            assert len(r["absent_until"]) == 10
        user = portal.user(r["id"])
        assert r["name"] == f"{user.first_name} {user.last_name}".strip() or r["name"]
        if r["last_activity"] is None:
            assert r["presence"] == "offline"
    # Presence within the portal's own 24-minute window equals what the portal counts online.
    code, out, _ = run(
        capsys, "--once", "--json", "--online-window", "24", "--portal", portal.webhook_url
    )
    rows = json.loads(out)
    edge = near_window_edge(portal, 1440)
    derived = {r["id"] for r in rows if r["presence"] == "online"} - edge
    assert derived == (online & set(portal.colleague_ids())) - edge


def test_non_colleagues_are_not_listed(make_portal, capsys) -> None:
    portal = make_portal(users=200)
    _, out, _ = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
    listed = {r["id"] for r in json.loads(out)}
    for uid, user in portal.users.items():
        if uid not in portal.colleague_ids():
            assert uid not in listed, user


def test_table(make_portal, capsys) -> None:
    portal = make_portal(users=30)
    uid = portal.colleague_ids()[3]
    portal.update_user(uid, first_name="<b>x</b>", last_name="")
    portal.set_activity(uid, last_activity=portal.clock.now() - timedelta(minutes=42))
    code, out, _ = run(capsys, "--once", "--table", "--portal", portal.webhook_url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "PRESENCE", "STATUS"]
    row = next(line for line in lines if "<b>x</b>" in line)
    assert "last seen 42 min ago" in row
    assert lines[-1].endswith("available") and "30 colleagues" in lines[-1]
    widths = {line.index("PRESENCE") if "PRESENCE" in line else None for line in lines[:1]}
    assert widths


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--once", "--json", "--portal", "https://portal.example/"], "webhook"),
        (["--once", "--json", "--portal", "http://portal.example/rest/1/abc/"], "--allow-http"),
        (["--json"], "--once"),
        (["--once", "--json"], "no portal"),
        (["--once", "--demo", "--portal", "x"], "not allowed"),
        (["--once", "--online-window", "0", "--demo"], "between"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, message) -> None:
    with pytest.raises(SystemExit) as exc:
        code = cli.main(argv)
        raise SystemExit(code)
    _, err = capsys.readouterr()
    assert exc.value.code == 2
    assert message in err
    assert "Traceback" not in err


def test_revoked_webhook_exits_3_in_one_line(portal, capsys, monkeypatch) -> None:
    portal.revoke()
    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--json")
    assert code == 3 and out == ""
    assert len(err.strip().splitlines()) == 1 and "rejected" in err
    assert parse_webhook_url(portal.webhook_url).secret not in err


def test_missing_scope_exits_3_and_names_it(make_portal, capsys) -> None:
    portal = make_portal(scopes=("im",))
    code, _, err = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
    assert code == 3 and "user" in err and "scope" in err


def test_unreachable_portal_exits_4(portal, capsys) -> None:
    url = portal.webhook_url
    portal.stop()
    code, _, err = run(capsys, "--once", "--json", "--portal", url)
    assert code == 4 and "refused" in err and "Traceback" not in err


def test_portal_that_keeps_failing_exits_4(portal, capsys) -> None:
    portal.faults.fail("502-html", count=20)
    code, _, err = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
    assert code == 4 and "HTML" in err


def test_debug_log_redacts_the_secret(portal, capsys) -> None:
    secret = parse_webhook_url(portal.webhook_url).secret
    code, _, err = run(
        capsys, "--once", "--json", "--log-level", "debug", "--portal", portal.webhook_url
    )
    assert code == 0
    assert "batch" in err and "***" in err and "-> 200" in err
    assert secret not in err


def test_info_log_counts_requests(portal, capsys) -> None:
    code, _, err = run(
        capsys, "--once", "--json", "--log-level", "info", "--portal", portal.webhook_url
    )
    assert code == 0 and "HTTP requests" in err


def test_tight_rate_limit_still_completes(make_portal, capsys) -> None:
    portal = make_portal(users=3000, rate_limit=RateLimit(burst=2, per_second=0.5))
    code, out, err = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)] == portal.colleague_ids()
    refused = sum(1 for r in portal.log if r.status == 503)
    assert refused <= 3, f"the portal refused {refused} requests"


def test_demo_once_in_a_fresh_process() -> None:
    """The installed command: no display needed, no traceback, JSON on stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "bx24presence", "--once", "--json", "--demo", "--demo-users", "50"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "BX24PRESENCE_HOME": "/tmp/bx24presence-cli-test"},
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 50
    assert "PySide6" not in proc.stderr


# -- hostile portals on loopback ------------------------------------------------------------

SECRET = "s3cr3tWEBHOOKt0ken"
Answer = Callable[["_Handler", str, bytes], None]


class _Handler(BaseHTTPRequestHandler):
    server: _HostileServer

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        body = self.rfile.read(length)
        self.server.requests += 1
        self.server.answer(self, self.path, body)

    def send(self, status: int, body: bytes | str | object, **headers: str) -> None:
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("content_type", "application/json"))
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.requests = 0
        self.stopping = threading.Event()

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/rest/1/{SECRET}/"


@pytest.fixture
def hostile() -> Iterator[Callable[[Answer], _HostileServer]]:
    """Start loopback servers that answer every request with ``answer``; stopped after."""
    servers: list[_HostileServer] = []

    def start(answer: Answer) -> _HostileServer:
        server = _HostileServer(answer)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stopping.set()
        s.shutdown()
        s.server_close()


def proxy_to(portal, change: Callable[[dict], None]) -> Answer:
    """Forward to the demo portal and let ``change`` edit each JSON answer."""

    def answer(h: _Handler, path: str, body: bytes) -> None:
        real = path.replace(f"/rest/1/{SECRET}/", f"/rest/1/{portal.secret}/")
        resp = requests.post(
            portal.base_url + real,
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        data = resp.json()
        change(data)
        h.send(resp.status_code, data)

    return answer


def data_leaks(portal, err: str) -> list[str]:
    """Colleagues' names, e-mails and phones that appear in ``err``."""
    leaks = []
    for uid in portal.colleague_ids():
        user = portal.user(uid)
        for text in (user.first_name, user.last_name, user.email, *dict(user.phones).values()):
            if text and len(text) > 3 and text in err:
                leaks.append(text)
    return leaks


def assert_one_clean_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and SECRET not in err
    assert all(ch == "\n" or ch.isprintable() for ch in err), repr(err)


def test_deeply_nested_answer_exits_4_in_one_line(hostile, capsys) -> None:
    deep = '{"result":' + "[" * 100_000 + "]" * 100_000 + "}"
    server = hostile(lambda h, path, body: h.send(200, deep))
    code, out, err = run(capsys, "--once", "--json", "--portal", server.webhook_url)
    assert code == 4 and out == ""
    assert_one_clean_line(err.split("\n", 1)[1])  # after the process-list warning


def test_redirect_to_a_malformed_address_exits_4(hostile, capsys, monkeypatch) -> None:
    server = hostile(lambda h, path, body: h.send(302, b"", Location="http://[::1"))
    code, out, err = run_stdin(capsys, monkeypatch, server.webhook_url, "--once", "--json")
    assert code == 4 and out == ""
    assert_one_clean_line(err)


def test_empty_batch_answer_exits_4(hostile, capsys, monkeypatch) -> None:
    server = hostile(lambda h, path, body: h.send(200, {"result": []}))
    code, out, err = run_stdin(capsys, monkeypatch, server.webhook_url, "--once", "--json")
    assert code == 4 and out == ""
    assert_one_clean_line(err)


def test_server_time_without_time_zone_is_no_crash(make_portal, hostile, capsys, monkeypatch):
    """A ``date_finish`` without a zone: exit 4 in one line, or the list; never a dump."""
    portal = make_portal(users=20)

    def naive(data: dict) -> None:
        if isinstance(data.get("time"), dict):
            data["time"]["date_finish"] = "2026-12-02T10:00:00"

    server = hostile(proxy_to(portal, naive))
    for fmt in ("--json", "--table"):
        code, out, err = run_stdin(capsys, monkeypatch, server.webhook_url, "--once", fmt)
        assert code in (0, 4), err
        assert not data_leaks(portal, err)
        if code == 4:
            assert out == ""
            assert_one_clean_line(err)
        else:
            assert err == ""
            if fmt == "--json":
                assert len(json.loads(out)) == 20


def test_lone_surrogate_in_a_name_is_printed_escaped(make_portal, capsys, monkeypatch) -> None:
    portal = make_portal(users=10)
    uid = portal.colleague_ids()[2]
    portal.update_user(uid, first_name="\ud800", last_name="Bad\udfff")
    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--json")
    assert code == 0 and err == ""
    out.encode("utf-8")  # every character encodes
    row = next(r for r in json.loads(out) if r["id"] == uid)
    assert row["name"] in ("\ud800 Bad\udfff", "\ufffd Bad\ufffd")
    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--table")
    assert code == 0 and err == ""
    assert "\ufffd Bad\ufffd" in out


@pytest.mark.parametrize("timeout_option", [True, False])
def test_a_portal_sending_a_byte_a_second_exits_4_within_the_deadline(
    hostile, capsys, monkeypatch, timeout_option
) -> None:
    def drip(h: _Handler, path: str, body: bytes) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(300):  # 30 s at most
            if h.server.stopping.is_set():
                return
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    server = hostile(drip)
    argv = ["--once", "--json"]
    if timeout_option:
        argv += ["--timeout", "1.5"]
    else:
        monkeypatch.setattr(clionce, "DEFAULT_TIMEOUT_S", 1.5)
    started = time.monotonic()
    code, out, err = run_stdin(capsys, monkeypatch, server.webhook_url, *argv)
    elapsed = time.monotonic() - started
    assert code == 4 and out == ""
    assert_one_clean_line(err)
    assert "1.5 s" in err
    assert elapsed < 1.5 + cli.CANCEL_GRACE_S + 1.0


def test_timeout_needs_once_and_a_positive_number(capsys) -> None:
    for argv in (["--timeout", "5"], ["--once", "--timeout", "0"], ["--once", "--timeout", "x"]):
        with pytest.raises(SystemExit) as exc:
            cli.main([*argv, "--demo"])
        assert exc.value.code == 2
    capsys.readouterr()


@pytest.mark.parametrize(
    ("status", "code", "expected_exit"),
    [(400, "WRONG_THING", 4), (401, "ACCESS_DENIED", 3), (500, "INTERNAL_ERROR", 4)],
)
def test_error_text_never_shows_the_secret_or_escape_sequences(
    hostile, capsys, monkeypatch, status, code, expected_exit
) -> None:
    def echo(h: _Handler, path: str, body: bytes) -> None:
        h.send(
            status,
            {
                "error": code,
                "error_description": f"no such hook {path} (secret {SECRET})"
                "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e\r\nsecond line",
            },
        )

    server = hostile(echo)
    monkeypatch.setattr(clionce, "ONCE_RETRY_ATTEMPTS", 1)
    exit_code, out, err = run_stdin(capsys, monkeypatch, server.webhook_url, "--once", "--json")
    assert exit_code == expected_exit and out == ""
    assert_one_clean_line(err)
    assert "\x1b" not in err and "\x9b" not in err and "\u202e" not in err


def test_hostile_names_are_neutralised_in_json_and_table(make_portal, capsys, monkeypatch):
    portal = make_portal(users=12)
    ids = portal.colleague_ids()
    hostile_texts = {
        ids[1]: ("\x1b]0;owned\x07\x1b[2J", "\x1b[1A\x1b[2Kfake row"),
        ids[2]: ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "\x9b31mred"),
        ids[3]: ("\u202eevil\u202c", "line\r\nbreak\ttab\u2028sep"),
        ids[4]: ("山田", "太郎"),
        ids[5]: ("Zoe\u0301", "Cafe\u0301"),
    }
    for uid, (first, last) in hostile_texts.items():
        portal.update_user(
            uid,
            first_name=first,
            last_name=last,
            work_position="\x1b[31mboss\x07",
            email="a\x1b[8m@b.example",
            phones={"work_phone": "+1\x9b2J 555"},
        )
        portal.set_activity(uid, last_activity=portal.clock.now() - timedelta(hours=3))
    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--json")
    assert code == 0 and err == ""
    unsafe = "\x1b\x07\x9b\u202e\u202c\r\t\u2028"
    assert not any(ch in out for ch in unsafe)
    rows = {r["id"]: r for r in json.loads(out)}
    for uid, (first, last) in hostile_texts.items():
        assert rows[uid]["name"] == f"{first} {last}"
        assert rows[uid]["work_position"] == "\x1b[31mboss\x07"
        assert rows[uid]["email"] == "a\x1b[8m@b.example"
        assert rows[uid]["phones"] == {"work_phone": "+1\x9b2J 555"}

    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--table")
    assert code == 0 and err == ""
    assert not any(ch in out for ch in unsafe)
    lines = out.splitlines()
    assert len(lines) == 1 + 12 + 1  # header, one line per colleague, summary
    column = display_width(lines[0][: lines[0].index("PRESENCE")])
    for line in lines[1:-1]:
        m = re.search(r"  (online|mobile|away|dnd|break|offline)  ", line)
        assert m, line
        assert display_width(line[: m.start(1)]) == column, line


# -- the secret out of the process list -----------------------------------------------------


def test_portal_dash_reads_the_webhook_from_stdin(portal, capsys, monkeypatch) -> None:
    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--json")
    assert code == 0 and err == ""
    assert [r["id"] for r in json.loads(out)] == portal.colleague_ids()


@pytest.mark.parametrize("stdin", ["", "\n", "   \n"])
def test_portal_dash_with_nothing_on_stdin_is_a_usage_error(capsys, monkeypatch, stdin) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, err = run(capsys, "--once", "--json", "--portal", "-")
    assert code == 2 and out == ""
    assert "standard input" in err and len(err.strip().splitlines()) == 1


def test_a_secret_in_argv_gets_one_warning(portal, capsys) -> None:
    code, _, err = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "process list" in lines[0] and "--portal -" in lines[0]
    assert portal.secret not in err


def test_environment_variable_needs_no_argument_and_gives_no_warning(portal, capsys, monkeypatch):
    monkeypatch.setenv("BX24PRESENCE_WEBHOOK", portal.webhook_url)
    code, out, err = run(capsys, "--once", "--json")
    assert code == 0 and err == ""
    assert len(json.loads(out)) == len(portal.colleague_ids())


def test_portal_dash_in_a_fresh_process_keeps_the_secret_out_of_argv(portal, tmp_path) -> None:
    """While the command runs, its process list entry (``/proc/PID/cmdline``) has no secret."""
    argv = [sys.executable, "-m", "bx24presence", "--once", "--json", "--portal", "-"]
    portal.faults.latency = 0.3  # time to look at the running process
    with subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BX24PRESENCE_HOME": str(tmp_path)},
    ) as proc:
        try:
            # The entry is empty for a moment while the child execs: look until it is there
            # (bounded), before the secret is even written to the child's standard input.
            cmdline = Path(f"/proc/{proc.pid}/cmdline")
            seen = b""
            deadline = time.monotonic() + 10
            while b"bx24presence" not in seen and time.monotonic() < deadline:
                seen = cmdline.read_bytes() if cmdline.exists() else b""
                time.sleep(0.01)
            proc.stdin.write(portal.webhook_url + "\n")
            proc.stdin.flush()
            time.sleep(0.2)  # the child now holds the secret and is talking to the portal
            later = cmdline.read_bytes() if cmdline.exists() else b""
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert b"--portal\x00-" in seen or not Path("/proc/self").exists()
    assert portal.secret.encode() not in seen and portal.secret.encode() not in later
    assert proc.returncode == 0, err
    assert err == ""
    assert [r["id"] for r in json.loads(out)] == portal.colleague_ids()


def test_help_explains_the_secret_and_the_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out, _ = capsys.readouterr()
    assert "--portal -" in out and "BX24PRESENCE_WEBHOOK" in out and "process list" in out
    assert "--timeout" in out and "Exit codes" in out


# -- the last line of defence ----------------------------------------------------------------


def test_an_unforeseen_error_in_the_exchange_exits_4_without_its_text(
    portal, capsys, monkeypatch
) -> None:
    from bx24presence import sync

    def broken(self, previous=None):
        raise TypeError("Анна Петрова anna@example.com +7 495 000-00-00")

    monkeypatch.setattr(sync.Refresher, "refresh", broken)
    code, out, err = run_stdin(capsys, monkeypatch, portal.webhook_url, "--once", "--json")
    assert code == 4 and out == ""
    assert_one_clean_line(err)
    assert "TypeError" in err and "Анна" not in err and "anna@" not in err
    code, out, err = run_stdin(
        capsys, monkeypatch, portal.webhook_url, "--once", "--json", "--log-level", "debug"
    )
    assert code == 4 and "Traceback" in err  # the details, asked for, in the debug log
    assert portal.secret not in err and "\x1b" not in err


def test_an_unforeseen_error_outside_the_exchange_exits_1(capsys, monkeypatch) -> None:
    def broken(users):
        raise RuntimeError("secrets that are not for the terminal")

    monkeypatch.setattr(clionce, "demo_portal", broken)
    code, out, err = run(capsys, "--once", "--json", "--demo")
    assert code == 1 and out == ""
    assert_one_clean_line(err)
    assert "RuntimeError" in err and "not for the terminal" not in err


def test_the_watchdog_cancels_the_work_and_gives_up_on_it(monkeypatch) -> None:
    monkeypatch.setattr(clionce, "CANCEL_GRACE_S", 0.2)
    assert cli.with_deadline(lambda: 5, 1.0, lambda: None) == 5
    with pytest.raises(KeyError):
        cli.with_deadline(lambda: {}["x"], 1.0, lambda: None)
    cancelled = threading.Event()
    started = time.monotonic()
    with pytest.raises(cli.DeadlineExceeded):
        cli.with_deadline(lambda: cancelled.wait(5), 0.3, cancelled.set)
    assert cancelled.is_set() and time.monotonic() - started < 1.0
    stuck = threading.Event()  # work that ignores the cancellation is abandoned
    started = time.monotonic()
    try:
        with pytest.raises(cli.DeadlineExceeded):
            cli.with_deadline(lambda: stuck.wait(5), 0.3, lambda: None)
        assert time.monotonic() - started < 1.0
    finally:
        stuck.set()


def test_a_refresh_that_ignores_its_deadline_still_ends_at_the_timeout(
    portal, capsys, monkeypatch
) -> None:
    from bx24presence import sync

    stuck = threading.Event()
    monkeypatch.setattr(sync.Refresher, "refresh", lambda self, previous=None: stuck.wait(5))
    monkeypatch.setattr(clionce, "CANCEL_GRACE_S", 0.2)
    started = time.monotonic()
    try:
        code, out, err = run_stdin(
            capsys, monkeypatch, portal.webhook_url, "--once", "--json", "--timeout", "0.5"
        )
    finally:
        stuck.set()
    assert code == 4 and out == ""
    assert_one_clean_line(err)
    assert "within 0.5 s (--timeout)" in err
    assert time.monotonic() - started < 0.5 + cli.WATCHDOG_SLACK_S + 1.0
