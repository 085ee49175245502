"""``bx24presence --once --json --relay URL`` and ``bx24presence relay``: the command line."""

from __future__ import annotations

import pytest

from bx24presence import cli
from tests.relay.conftest import DESKTOP_PASSWORD, RELAY_PASSWORD, wait_for


def test_once_json_from_the_relay_matches_the_portal_without_a_portal_request(
    portal, start_relay, redis_server, capsys, monkeypatch
):
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    relay.stop()  # the data holds still while both outputs are taken
    monkeypatch.setenv("BX24PRESENCE_WEBHOOK", portal.webhook_url)
    monkeypatch.setenv("BX24PRESENCE_REDIS_PASSWORD", DESKTOP_PASSWORD)
    portal.clock.freeze()
    before = portal.request_count
    code = cli.main(["--once", "--json", "--relay", redis_server.url("bx24-desktop")])
    from_relay = capsys.readouterr()
    assert code == 0, from_relay.err
    assert portal.request_count == before, "not a single portal request"
    # (the relay stopped: its heartbeat is gone, and the command says so)
    assert "heartbeat has stopped" in from_relay.err

    code = cli.main(["--once", "--json"])
    direct = capsys.readouterr()
    assert code == 0, direct.err
    assert portal.request_count > before
    assert from_relay.out == direct.out


def test_once_relay_errors_are_one_line_with_exit_codes(
    portal, start_relay, redis_server, keys, capsys, monkeypatch
):
    url = redis_server.url("bx24-desktop", portal=portal.base_url)
    monkeypatch.setenv("BX24PRESENCE_REDIS_PASSWORD", "wrong-password")
    assert cli.main(["--once", "--json", "--relay", url]) == cli.EXIT_AUTH
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrong-password" not in err
    monkeypatch.setenv("BX24PRESENCE_REDIS_PASSWORD", DESKTOP_PASSWORD)
    assert cli.main(["--once", "--json", "--relay", url]) == cli.EXIT_UNREACHABLE
    assert "published nothing" in capsys.readouterr().err
    bad = "redis://relay.office.example:6379/0?portal=x.bitrix24.ru"
    assert cli.main(["--once", "--json", "--relay", bad]) == cli.EXIT_USAGE
    assert "rediss://" in capsys.readouterr().err
    no_portal = redis_server.url("bx24-desktop")
    assert cli.main(["--once", "--json", "--relay", no_portal]) == cli.EXIT_USAGE
    assert "portal=" in capsys.readouterr().err


def test_password_in_the_relay_url_works_with_a_warning(portal, start_relay, redis_server, capsys):
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    url = redis_server.url("bx24-desktop", portal=portal.base_url).replace(
        "bx24-desktop@", f"bx24-desktop:{DESKTOP_PASSWORD}@"
    )
    assert cli.main(["--once", "--table", "--relay", url]) == 0
    out = capsys.readouterr()
    assert "visible in the process list" in out.err
    assert f"{len(portal.colleague_ids())} colleagues" in out.out


@pytest.mark.parametrize(
    ("env", "args", "code", "says"),
    [
        ({}, ["--redis", "rediss://127.0.0.1:1/0"], 2, "no webhook"),
        ({"BX24PRESENCE_WEBHOOK": "W"}, ["--redis", "http://x/"], 2, "rediss://"),
        ({"BX24PRESENCE_WEBHOOK": "W"}, ["--redis", "redis://10.0.0.5/0"], 2, "unencrypted"),
        ({"BX24PRESENCE_WEBHOOK": "W"}, ["--redis", "URL", "--interval", "5"], 2, "--interval"),
    ],
)
def test_relay_command_refuses_bad_configuration_in_one_line(
    env, args, code, says, portal, capsys, monkeypatch
):
    for k, v in env.items():
        monkeypatch.setenv(k, portal.webhook_url if v == "W" else v)
    assert cli.main(["relay", *args]) == code
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert portal.secret not in err


def test_relay_command_refused_credentials_exit_3(portal, redis_server, keys, capsys, monkeypatch):
    monkeypatch.setenv("BX24PRESENCE_WEBHOOK", portal.webhook_url)
    monkeypatch.setenv("BX24PRESENCE_REDIS_PASSWORD", "not-the-password")
    url = redis_server.url("bx24-relay")
    assert cli.main(["relay", "--redis", url, "--log-level", "error"]) == cli.EXIT_AUTH
    err = capsys.readouterr().err
    assert "refused" in err and "not-the-password" not in err and portal.secret not in err
    # A revoked webhook: the first poll is refused, one line, exit 3.
    monkeypatch.setenv("BX24PRESENCE_REDIS_PASSWORD", RELAY_PASSWORD)
    portal.revoke()
    assert cli.main(["relay", "--redis", url, "--log-level", "error"]) == cli.EXIT_AUTH
    err = capsys.readouterr().err
    assert "refused the webhook" in err and portal.secret not in err


def test_relay_command_runs_headless_and_stops_cleanly_on_sigterm(
    portal, redis_server, keys, tmp_path
):
    """The real command in its own process: publishes, loads no Qt, and on SIGTERM removes
    its heartbeat and exits 0."""
    import os
    import signal
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bx24presence.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'bx24presence.qt')))\n"
        "print('QT:' + ','.join(qt), flush=True)\n"
        "sys.exit(rc)\n"
    )
    env = {
        **os.environ,
        "BX24PRESENCE_WEBHOOK": portal.webhook_url,
        "BX24PRESENCE_REDIS_PASSWORD": RELAY_PASSWORD,
        "BX24PRESENCE_HOME": str(tmp_path / "home"),
    }
    args = ["relay", "--redis", redis_server.url("bx24-relay"), "--heartbeat", "0.5"]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args, "--log-level", "info"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with redis_server.admin() as admin:
            wait_for(lambda: admin.exists(keys.snapshot) and admin.exists(keys.heartbeat), 15)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
            assert proc.returncode == 0, err
            assert not admin.exists(keys.heartbeat)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "QT:\n" in out, "no Qt in the relay"
    assert "Relay for" in err and portal.secret not in err and RELAY_PASSWORD not in err
