"""The command line against the demo portal: the JSON contract, the table, exit codes, logs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from bx24presence import cli
from bx24presence.api.auth import parse_webhook_url
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
    monkeypatch.setattr(cli, "ONCE_RETRY_ATTEMPTS", 2)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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


def test_revoked_webhook_exits_3_in_one_line(portal, capsys) -> None:
    portal.revoke()
    code, out, err = run(capsys, "--once", "--json", "--portal", portal.webhook_url)
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
