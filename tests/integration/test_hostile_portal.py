"""The REST client and a refresh against a hostile portal on loopback: bombs and endless
bodies, a byte a second, redirects to other hosts, texts that carry the secret, broken
counts and empty answers, fault storms and certificates. Every call is bounded in time."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bx24presence.api.auth import OAuthAuth, OAuthTokens, parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import (
    ApiError,
    AuthError,
    CertificateError,
    NetworkError,
    PortalError,
    PortalMoved,
    ProtocolError,
    RateLimited,
    RedirectRefused,
    ResponseTooLarge,
    TimedOut,
)
from bx24presence.api.throttle import LeakyBucket, RetryPolicy
from bx24presence.domain import Presence
from bx24presence.sync import Refresher
from tests import hostile
from tests.hostile import SECRET, HostileServer, Reply

ROOT = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(attempts=3, base=0.01, cap=0.02, max_wait=5.0)
MB = 1024 * 1024


@pytest.fixture
def serve() -> Iterator[Callable[..., HostileServer]]:
    """Start hostile servers; all are stopped after the test (which ends any reply)."""
    servers: list[HostileServer] = []

    def make(host: str = "127.0.0.1", **kw: Any) -> HostileServer:
        server = HostileServer(host=host, **kw).start()
        servers.append(server)
        return server

    yield make
    for s in servers:
        s.stop()


@pytest.fixture
def connect() -> Iterator[Callable[..., Bitrix24Client]]:
    clients: list[Bitrix24Client] = []

    def make(server: HostileServer | str, **kw: Any) -> Bitrix24Client:
        kw.setdefault("retry", FAST)
        kw.setdefault("timeout", (2.0, 5.0))
        url = server if isinstance(server, str) else server.webhook_url
        client = Bitrix24Client(parse_webhook_url(url), **kw)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


def bounded(work: Callable[[], Any], seconds: float) -> tuple[Any, float]:
    """Run ``work`` in a thread; fail the test if it is not over within ``seconds``. Returns
    what it returned or raised, and how long it took."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = work()
        except BaseException as exc:
            out["value"] = exc

    started = time.monotonic()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s"
    return out["value"], time.monotonic() - started


# -- size caps ---------------------------------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_cap(serve, connect) -> None:
    server = serve(default=hostile.gzip_bomb(64))
    client = connect(server)
    with pytest.raises(ResponseTooLarge, match=r"^The portal's answer is larger than 32 MB\.$"):
        client.call("profile")
    assert len(server.seen) == 1, "an oversized answer is not retried"


def test_an_endless_body_stops_at_the_cap(serve, connect) -> None:
    server = serve(default=hostile.endless())
    client = connect(server)
    err, _ = bounded(lambda: client.call("profile"), 10)
    assert isinstance(err, ResponseTooLarge) and not err.retryable
    assert err.limit_bytes == 32 * MB


def test_the_cap_can_be_set(serve, connect) -> None:
    server = serve(default=hostile.ok({"x": "y" * (2 * MB)}))
    with pytest.raises(ResponseTooLarge, match="larger than 1 MB"):
        connect(server, max_answer_bytes=1 * MB).call("profile")


def test_a_declared_length_over_the_cap_fails_before_reading(serve, connect) -> None:
    server = serve(default=hostile.huge(100))
    client = connect(server)
    err, _ = bounded(lambda: client.call("profile"), 10)
    assert isinstance(err, ResponseTooLarge)
    assert "larger than 32 MB" in str(err)


def test_an_answer_within_the_cap_is_read(serve, connect) -> None:
    big = {"NAME": "x" * (3 * MB)}
    server = serve(default=hostile.ok(big))
    assert connect(server).call("profile").result == big


_CHILD = """
import sys
from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import ApiError
from bx24presence.api.throttle import LeakyBucket, RetryPolicy

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024

before = hwm()
client = Bitrix24Client(parse_webhook_url(sys.argv[1]), retry=RetryPolicy(attempts=1))
try:
    client.call("profile")
except ApiError as exc:
    print(type(exc).__name__)
print(before, hwm())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    "reply",
    [hostile.gzip_bomb(1024), hostile.endless()],
    ids=["1MB-gzip-bomb-of-1GB", "endless-body"],
)
def test_peak_memory_stays_small(serve, reply: Reply) -> None:
    """The issue measured 2.1 GB for the bomb and 932 MB for an endless body."""
    server = serve(default=reply)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, server.webhook_url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=True,
    )
    kind, figures = done.stdout.split("\n")[:2]
    before, peak = map(int, figures.split())
    assert kind == "ResponseTooLarge"
    assert peak - before < 100, f"peak {peak} MB from {before} MB"


# -- deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body_only", [False, True], ids=["headers-trickle", "body-trickle"])
def test_a_byte_a_second_ends_in_a_timeout_within_the_deadline(
    serve, connect, body_only: bool
) -> None:
    server = serve(default=hostile.trickle(hostile.ok({"x": "y" * 400}), 0.1, body_only=body_only))
    client = connect(server, request_deadline_s=0.5, call_deadline_s=1.2, timeout=(1.0, 1.0))
    err, took = bounded(lambda: client.call("profile"), 10)
    assert isinstance(err, TimedOut) and isinstance(err, NetworkError) and err.retryable
    assert "did not finish answering within" in str(err)
    assert took < 4, "the deadline of 1.2 s, give or take a loaded machine"
    assert 1 <= len(server.seen) <= 3, "retried while time was left, then gave up"


def test_a_trickle_over_tls_ends_at_the_deadline_too(serve, connect, tmp_path) -> None:
    ctx, cert = hostile.tls_context(tmp_path)
    server = serve(tls=ctx, default=hostile.trickle(hostile.ok({"x": "y" * 400}), 0.1))
    client = connect(server, verify=str(cert), request_deadline_s=0.5, call_deadline_s=0.5)
    err, took = bounded(lambda: client.call("profile"), 10)
    assert isinstance(err, TimedOut) and took < 3


def test_a_whole_refresh_has_a_deadline(serve, connect) -> None:
    server = serve(default=hostile.trickle(hostile.ok({"x": "y" * 400}), 0.05))
    client = connect(server, timeout=(1.0, 1.0))
    refresher = Refresher(client, deadline_s=0.8)
    err, took = bounded(refresher.refresh, 10)
    assert isinstance(err, TimedOut)
    assert took < 4
    err, took = bounded(lambda: refresher.refresh(deadline_s=0.3), 10)
    assert isinstance(err, TimedOut) and took < 3


def test_a_slow_answer_within_the_deadline_is_fine(serve, connect) -> None:
    server = serve(default=hostile.trickle(hostile.ok({"ID": "1"}), 0.005, body_only=True))
    client = connect(server, request_deadline_s=5)
    assert client.call("profile").result == {"ID": "1"}


def test_retry_storms_end_at_the_deadline(serve, connect) -> None:
    server = serve(default=hostile.html(503))
    client = connect(
        server, retry=RetryPolicy(attempts=1000, base=0.05, cap=0.05), call_deadline_s=0.6
    )
    err, took = bounded(lambda: client.call("profile"), 10)
    # The last failure when no time is left for the next wait, or the deadline itself when
    # it passes during a request.
    assert isinstance(err, (ProtocolError, TimedOut))
    assert "gave up" in str(err) or "within 0.6 s" in str(err)
    assert took < 4 and len(server.seen) < 30


# -- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_secret_never_reaches_another_host(serve, connect, status: int, scheme: str) -> None:
    other = serve(host="127.0.0.2")
    portal = serve()
    target = f"{scheme}://127.0.0.2:{other.port}/rest/1/{SECRET}/profile.json"
    portal.default = hostile.redirect(target, status)
    client = connect(portal)
    with pytest.raises(RedirectRefused) as exc:
        client.call("profile")
    assert (
        str(exc.value) == "The portal points to 127.0.0.2, which is not the portal; not followed."
    )
    assert not exc.value.retryable and not isinstance(exc.value, PortalMoved)
    assert other.seen == [], "the other host was asked"
    assert len(portal.seen) == 1


def test_a_move_on_the_portals_own_host_is_followed_with_the_same_request(serve, connect) -> None:
    portal = serve()
    portal.plan(hostile.redirect(f"{portal.url}/new/rest/1/{SECRET}/batch.json", 307))
    portal.default = hostile.ok({"result": {"a": 1}})
    moved: list[str] = []
    client = connect(portal, on_portal_moved=moved.append)
    res = client.batch({"a": ("profile", {})})
    assert res.results == {"a": 1}
    assert moved == [f"{portal.url}/new"] and client.portal == moved[0]
    first, second = portal.seen
    assert second.method == "POST" and second.path == f"/new/rest/1/{SECRET}/batch.json"
    assert json.loads(second.body) == json.loads(first.body), "the body survived the move"


def test_an_upgrade_to_https_on_the_same_host_is_followed(serve, connect, tmp_path) -> None:
    ctx, cert = hostile.tls_context(tmp_path)
    secure = serve(tls=ctx)
    plain = serve(default=hostile.redirect(f"{secure.url}/rest/1/{SECRET}/profile.json"))
    client = connect(plain, verify=str(cert))
    assert client.call("profile").result == {"ID": "1"}
    assert client.portal == secure.url
    assert len(secure.seen) == 1


def test_another_port_of_the_same_host_needs_the_users_consent(serve, connect) -> None:
    other = serve()
    portal = serve(default=hostile.redirect(f"{other.url}/rest/1/{SECRET}/profile.json"))
    client = connect(portal)
    with pytest.raises(PortalMoved) as exc:
        client.call("profile")
    assert exc.value.new_portal == other.url
    assert SECRET not in str(exc.value) and other.url in str(exc.value)
    assert other.seen == [] and not exc.value.retryable


@pytest.mark.parametrize(
    "location",
    [
        "http://[::1",
        "http://127.0.0.1:99999/rest/1/x/profile.json",
        "http://127.0.0.1:abc/rest/1/x/profile.json",
        "/rest/1/x/\x1b[2J",
    ],
)
def test_a_malformed_location_is_a_protocol_error(serve, connect, location: str) -> None:
    server = serve(default=hostile.redirect(location))
    with pytest.raises(ProtocolError, match="malformed address"):
        connect(server).call("profile")


def test_a_redirect_to_a_login_page_is_not_followed(serve, connect) -> None:
    server = serve()
    server.default = hostile.redirect(f"{server.url}/auth/?backurl=/rest/")
    with pytest.raises(RedirectRefused, match="not its REST API"):
        connect(server).call("profile")
    assert len(server.seen) == 1


def test_a_redirect_loop_ends(serve, connect) -> None:
    server = serve()
    server.default = hostile.redirect(f"{server.url}/rest/1/{SECRET}/profile.json")
    with pytest.raises(ProtocolError, match="keeps redirecting"):
        connect(server).call("profile")
    assert len(server.seen) == 4


def test_the_oauth_renewal_is_never_redirected(serve) -> None:
    other = serve(host="127.0.0.2")
    portal = serve()
    expired = hostile.json_reply({"error": "expired_token", "error_description": "x"}, 401)
    portal.plan(expired, hostile.redirect(f"http://127.0.0.2:{other.port}/oauth/token/"))
    auth = OAuthAuth(
        portal.url,
        OAuthTokens("acc3ss", "r3fr3sh"),
        client_id="app",
        client_secret="cl13nts3cr3t",
        token_url=f"{portal.url}/oauth/token/",
    )
    with Bitrix24Client(auth, retry=FAST) as client, pytest.raises(AuthError) as exc:
        client.call("profile")
    assert "not followed" in str(exc.value)
    assert other.seen == []


def test_an_oauth_token_bomb_is_capped(serve) -> None:
    portal = serve()
    expired = hostile.json_reply({"error": "expired_token", "error_description": "x"}, 401)
    portal.plan(expired, hostile.gzip_bomb(64))
    auth = OAuthAuth(
        portal.url,
        OAuthTokens("acc3ss", "r3fr3sh"),
        client_id="app",
        client_secret="cl13nts3cr3t",
        token_url=f"{portal.url}/oauth/token/",
    )
    with Bitrix24Client(auth, retry=FAST) as client, pytest.raises(AuthError, match="larger"):
        client.call("profile")


# -- texts from the portal ---------------------------------------------------------------------


def _nasty(server: HostileServer) -> str:
    return (
        f"Bad hook {server.webhook_url}profile.json ({SECRET.upper()}) \x1b]0;owned\x07"
        f"\x1b[2J \u202eevil\u202c \ud800 \x9b31m" + "x" * 5000
    )


@pytest.mark.parametrize("status", [400, 401, 500])
def test_portal_texts_are_redacted_neutralised_and_cut(serve, connect, status: int) -> None:
    server = serve()
    server.default = hostile.json_reply(
        {"error": f"WEIRD_{SECRET}\x1b[31m", "error_description": _nasty(server)}, status
    )
    client = connect(server, retry=RetryPolicy(attempts=1))
    with pytest.raises(ApiError) as exc:
        client.call("profile")
    text = str(exc.value)
    assert SECRET not in text and SECRET.upper() not in text
    assert server.webhook_url not in text
    for bad in ("\x1b", "\x07", "\u202e", "\ud800", "\x9b", "\n"):
        assert bad not in text
    assert len(text) < 500
    assert exc.value.code is not None and SECRET not in exc.value.code
    text.encode("utf-8")


def test_batch_command_errors_are_redacted(serve, connect) -> None:
    server = serve()
    answer = {
        "result": {
            "result": [],
            "result_error": {"a": {"error": "X", "error_description": _nasty(server)}},
        }
    }
    server.default = hostile.json_reply(answer)
    res = connect(server).batch({"a": ("profile", {})})
    text = str(res.errors["a"])
    assert SECRET not in text and "\x1b" not in text and len(text) < 500


def test_a_hostile_status_line_gives_a_clean_message(serve, connect) -> None:
    raw = f"HTTP/1.1 200 OK\x1b]0;{SECRET}\x07\r\nContent-Length: 5\r\n\r\n{{}}"
    server = serve(default=Reply(raw=raw.encode("latin-1")))
    with pytest.raises(ApiError) as exc:
        connect(server).call("profile")
    assert SECRET not in str(exc.value) and "\x1b" not in str(exc.value)


# -- malformed answers -------------------------------------------------------------------------


def test_deeply_nested_json_is_a_protocol_error(serve, connect) -> None:
    depth = 100_000
    server = serve(default=Reply(body=b'{"result":' + b"[" * depth + b"]" * depth + b"}"))
    with pytest.raises(ProtocolError, match="not JSON"):
        connect(server).call("profile")


def test_lone_surrogates_are_repaired_when_decoded(serve, connect) -> None:
    server = serve(default=hostile.ok({"NAME": "A\ud800B", "\udfff": 1}))
    assert connect(server).call("profile").result == {"NAME": "A\ufffdB", "\ufffd": 1}


def test_truncated_json_is_a_protocol_error_not_retried(serve, connect) -> None:
    server = serve(default=Reply(body=b'{"result": {"ID": "1", "NA'))
    with pytest.raises(ProtocolError, match="not JSON"):
        connect(server).call("profile")
    assert len(server.seen) == 1


def test_a_connection_cut_mid_answer_is_a_retried_network_error(serve, connect) -> None:
    server = serve(default=Reply(body=b'{"result": {"ID"', length=1000))
    with pytest.raises(NetworkError):
        connect(server).call("profile")
    assert len(server.seen) == FAST.attempts


# -- fault storms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (
            hostile.json_reply({"error": "INTERNAL_SERVER_ERROR", "error_description": "x"}, 500),
            PortalError,
            "reported an error",
        ),
        (
            hostile.json_reply({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "x"}, 503),
            RateLimited,
            "request limit",
        ),
        (hostile.html(502), ProtocolError, "an HTML page, HTTP 502"),
    ],
    ids=["500", "QUERY_LIMIT_EXCEEDED", "html-502"],
)
def test_storms_are_retried_a_bounded_number_of_times(serve, connect, reply, error, words) -> None:
    server = serve(default=reply)
    client = connect(server, bucket=LeakyBucket(rate=1000.0, burst=50))
    err, _ = bounded(lambda: client.call("profile"), 10)
    assert type(err) is error and words in str(err)
    assert f"gave up after {FAST.attempts} attempts" in str(err)
    assert len(server.seen) == FAST.attempts
    if error is RateLimited:
        assert client.bucket.rate < client.bucket.max_rate, "the client slowed down"


def _time_limit(reset_at: float | None = None) -> Reply:
    body: dict[str, Any] = {
        "error": "OPERATION_TIME_LIMIT",
        "error_description": "Method is blocked due to operation time limit.",
    }
    if reset_at is not None:
        body["time"] = {"operating_reset_at": reset_at}
    return hostile.json_reply(body, 429)


def test_operation_time_limit_waits_until_the_reset(serve, connect) -> None:
    reset_at = time.time() + 0.6
    server = serve()
    server.plan(
        hostile.json_reply({"result": 1, "time": {"operating_reset_at": reset_at}}),
        _time_limit(),
    )
    client = connect(server)
    client.call("profile")
    assert client.call("profile").result
    assert len(server.seen) == 3
    assert server.seen[2].at >= reset_at - 0.05, "asked again before the reset"


@pytest.mark.parametrize(
    ("reset_in", "deadline"),
    [(3600.0, 150.0), (60.0, 20.0)],
    ids=["past-max-wait", "past-deadline"],
)
def test_operation_time_limit_too_far_away_gives_up_at_once(
    serve, connect, reset_in: float, deadline: float
) -> None:
    server = serve(default=_time_limit(time.time() + reset_in))
    client = connect(server, call_deadline_s=deadline, retry=RetryPolicy(attempts=3, max_wait=120))
    err, took = bounded(lambda: client.call("profile"), 15)
    assert isinstance(err, RateLimited) and took < 5
    assert len(server.seen) == 1


# -- certificates ------------------------------------------------------------------------------


def test_an_untrusted_certificate_is_a_clear_error_and_not_retried(
    serve, connect, tmp_path
) -> None:
    ctx, _ = hostile.tls_context(tmp_path)
    server = serve(tls=ctx)
    with pytest.raises(CertificateError) as exc:
        connect(server).call("profile")
    assert "certificate of 127.0.0.1 is not trusted" in str(exc.value)
    assert "certificate bundle" in str(exc.value)
    assert not exc.value.retryable and server.seen == []


def test_a_private_certificate_authority_can_be_given(serve, connect, tmp_path) -> None:
    ctx, cert = hostile.tls_context(tmp_path)
    server = serve(tls=ctx)
    assert connect(server, verify=str(cert)).call("profile").result == {"ID": "1"}


# -- a whole refresh ---------------------------------------------------------------------------


def _portal_answer(
    users: dict[int, dict[str, Any]],
    *,
    date_finish: str | None = "2026-03-02T12:00:00+03:00",
    total: int | None = None,
    last: list[int] | None = None,
) -> Callable[[hostile.Seen], Reply]:
    """A minimal portal for a full refresh: every batch gets the same answer."""
    ids = sorted(users)
    rows = [{"ID": str(i)} for i in ids[:50]]
    result: dict[str, Any] = {
        "first": rows,
        "last": [{"ID": str(i)} for i in (last or ids[::-1][:50])],
        "me": "online",
        "r0": {str(i): {"id": i, **u} for i, u in users.items()},
    }
    time_block = {"date_finish": date_finish} if date_finish else {}
    body = {
        "result": {
            "result": result,
            "result_total": {"first": len(ids) if total is None else total},
        },
        "time": time_block,
    }

    def respond(seen: hostile.Seen) -> Reply:
        if "im.department.get" in seen.body.decode():
            return hostile.json_reply({"result": {"result": {"g0": []}}})
        return hostile.json_reply(body)

    return respond


def test_a_date_finish_without_an_offset_is_utc_and_presence_works(serve, connect) -> None:
    users = {
        1: {"name": "Naive", "last_activity_date": "2026-03-02T11:58:00"},
        2: {"name": "Aware", "last_activity_date": "2026-03-02T14:55:00+03:00"},
        3: {"name": "Old", "last_activity_date": "2026-03-02T10:00:00+00:00"},
    }
    server = serve(respond=_portal_answer(users, date_finish="2026-03-02T12:00:00"))
    snap = Refresher(connect(server)).refresh()
    assert snap.server_time == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    by_id = snap.by_id()
    assert by_id[1].last_activity == datetime(2026, 3, 2, 11, 58, tzinfo=UTC)
    assert by_id[1].presence is Presence.ONLINE
    assert by_id[2].presence is Presence.ONLINE
    assert by_id[3].presence is Presence.OFFLINE
    assert by_id[2].last_activity.utcoffset() == timedelta(hours=3)
    assert by_id[1].last_activity.tzinfo in (UTC, UTC)


@pytest.mark.parametrize(
    "answer",
    [
        {"result": []},
        {"result": {"result": [], "result_error": [], "result_total": []}},
        {
            "result": {
                "result": {"first": [], "last": [], "me": False},
                "result_total": {"first": 0},
            }
        },
    ],
    ids=["result-empty-list", "empty-maps", "nobody-listed"],
)
def test_an_answer_without_colleagues_is_malformed(serve, connect, answer) -> None:
    server = serve(default=hostile.json_reply(answer))
    with pytest.raises(ProtocolError, match=r"no (colleagues|results)"):
        Refresher(connect(server)).refresh()


def test_an_absurd_total_builds_no_commands(serve, connect) -> None:
    users = {i: {"name": f"U{i}"} for i in range(1, 51)}
    server = serve(respond=_portal_answer(users, total=10**9, last=[10**9 + 5]))
    err, took = bounded(lambda: Refresher(connect(server)).refresh(), 10)
    assert isinstance(err, ProtocolError) and "1000000000 employees" in str(err)
    assert len(server.seen) == 1 and took < 5


def test_a_total_the_ids_contradict_is_malformed(serve, connect) -> None:
    users = {i: {"name": f"U{i}"} for i in range(1, 51)}
    server = serve(respond=_portal_answer(users, total=200, last=[60]))
    err, _ = bounded(lambda: Refresher(connect(server)).refresh(), 10)
    assert isinstance(err, ProtocolError) and "contradict" in str(err)
    assert len(server.seen) == 1


def test_a_user_page_longer_than_a_page_is_malformed(serve, connect) -> None:
    users = {i: {"name": f"U{i}"} for i in range(1, 51)}
    respond = _portal_answer(users, total=50, last=list(range(1, 5001)))
    server = serve(respond=respond)
    with pytest.raises(ProtocolError, match="holds 5000 rows"):
        Refresher(connect(server)).refresh()
