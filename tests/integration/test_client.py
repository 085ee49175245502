"""The REST client against the demo portal: every error class, retries, limits and quirks."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from bx24presence.api.auth import OAuthAuth, OAuthTokens, parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import (
    ApiError,
    AuthError,
    Cancelled,
    NetworkError,
    PortalError,
    ProtocolError,
    RateLimited,
    RedirectRefused,
    ResponseTooLarge,
    ScopeError,
    TimedOut,
    TokenExpired,
)
from bx24presence.api.query import BatchRef
from bx24presence.api.throttle import LeakyBucket, RetryPolicy
from bx24presence.demo import RateLimit
from tests.integration.conftest import FAST_RETRY


def sent(portal) -> int:
    return portal.request_count


def test_call_returns_result_paging_and_server_time(portal, client) -> None:
    resp = client.call("user.get", {"FILTER": {"ACTIVE": "Y"}, "start": 0})
    assert len(resp.result) == 50 and resp.total is not None and resp.next == 50
    assert resp.time is not None and resp.time.date_finish is not None
    assert resp.time.date_finish.utcoffset() is not None
    assert client.request_count == 1


def test_profile_and_scope(portal, client) -> None:
    assert int(client.call("profile").result["ID"]) == 1
    assert set(client.call("scope").result) == {"im", "user_brief"}


@pytest.mark.parametrize(
    ("kind", "error", "retried"),
    [
        ("500", PortalError, True),
        ("502-html", ProtocolError, True),
        ("503-html", ProtocolError, True),
        ("503-limit", RateLimited, True),
        ("drop", NetworkError, True),
        ("not-json", ProtocolError, False),
        ("access-denied", AuthError, False),
        ("insufficient-scope", ScopeError, False),
    ],
)
def test_each_fault_is_typed_and_retried_only_when_transient(
    portal, client, kind, error, retried, virtual_time
) -> None:
    virtual_time.attach(client)  # backoff and the slowed-down bucket wait in virtual time
    portal.faults.fail(kind, count=1)
    if retried:
        assert client.call("profile").result["ID"]
        assert sent(portal) == 2
    else:
        with pytest.raises(error) as exc:
            client.call("profile")
        assert str(exc.value)
        assert sent(portal) == 1
    # Whatever failed, the same exception class is raised once retries run out.
    if retried:
        portal.faults.fail(kind, count=10)
        with pytest.raises(error, match="gave up after 4 attempts"):
            client.call("profile")
        portal.faults.clear()


def test_html_error_page_says_what_it_is(portal, make_client) -> None:
    client = make_client(portal, retry=RetryPolicy(attempts=1))
    portal.faults.fail("502-html")
    with pytest.raises(ProtocolError, match="an HTML page, HTTP 502"):
        client.call("profile")


def test_revoked_webhook_is_an_auth_error_and_never_retried(portal, client) -> None:
    portal.revoke()
    with pytest.raises(AuthError, match="rejected") as exc:
        client.call("user.get")
    assert exc.value.code == "INVALID_CREDENTIALS" and exc.value.status == 401
    assert sent(portal) == 1


def test_wrong_secret(portal, make_client) -> None:
    auth = parse_webhook_url(portal.webhook_url)
    client = Bitrix24Client(
        auth.moved_to(auth.portal).__class__(auth.portal, 1, "wrong"), retry=FAST_RETRY
    )
    with pytest.raises(AuthError):
        client.call("profile")
    client.close()


def test_missing_scope_names_the_scope(make_portal, make_client) -> None:
    portal = make_portal(scopes=("im",))
    client = make_client(portal)
    with pytest.raises(ScopeError) as exc:
        client.call("user.get")
    assert exc.value.scope in ("user", "user_brief", "user_basic")
    assert "scope" in str(exc.value)


def test_method_errors_are_portal_errors(portal, client) -> None:
    with pytest.raises(PortalError) as exc:
        client.call("im.user.list.get", {"ID": 5})
    assert exc.value.code == "INVALID_FORMAT" and exc.value.status == 400
    with pytest.raises(PortalError) as exc:
        client.call("no.such.method")
    assert exc.value.code == "ERROR_METHOD_NOT_FOUND" and exc.value.status == 404
    assert sent(portal) == 2, "method errors are not retried"


def test_operation_time_limit_waits_then_succeeds(portal, client) -> None:
    portal.faults.fail("429")
    assert client.call("profile").result
    assert sent(portal) == 2


def test_timeout_is_a_network_error(portal, make_client) -> None:
    client = make_client(portal, timeout=(1.0, 0.3), retry=RetryPolicy(attempts=1))
    portal.faults.fail("hang")
    started = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer in time"):
        client.call("profile")
    assert time.monotonic() - started < 2


def test_unreachable_portal(portal, make_client) -> None:
    client = make_client(portal, retry=RetryPolicy(attempts=2, base=0.01, cap=0.01))
    portal.stop()
    with pytest.raises(NetworkError, match="refused"):
        client.call("profile")


def test_unknown_host() -> None:
    auth = parse_webhook_url("https://no-such-portal.invalid/rest/1/abcdef123456/")
    with (
        Bitrix24Client(auth, retry=RetryPolicy(attempts=1)) as client,
        pytest.raises(NetworkError, match="could not be found") as exc,
    ):
        client.call("profile")
    assert "abcdef123456" not in str(exc.value)


def test_a_portal_renamed_to_another_host_is_not_followed(portal, make_client) -> None:
    moved: list[str] = []
    client = make_client(portal, on_portal_moved=moved.append)
    portal.move_to_host("localhost")
    with pytest.raises(RedirectRefused) as exc:
        client.call("user.get", {"FILTER": {"ACTIVE": "Y"}, "start": 50})
    assert (
        str(exc.value) == "The portal points to localhost, which is not the portal; not followed."
    )
    assert exc.value.target == "localhost" and not exc.value.retryable
    assert portal.secret not in str(exc.value)
    assert moved == [] and client.portal == f"http://127.0.0.1:{portal.port}"
    assert sent(portal) == 1, "the secret was sent to the new host"


def test_oauth_refreshes_once_on_expiry(portal) -> None:
    access, refresh = portal.issue_oauth_tokens()
    renewed: list[OAuthTokens] = []
    auth = OAuthAuth(
        portal.base_url,
        OAuthTokens(access, refresh),
        client_id="app",
        client_secret="secret",
        token_url=f"{portal.base_url}/oauth/token/",
        on_tokens=renewed.append,
    )
    with Bitrix24Client(auth, retry=FAST_RETRY) as client:
        assert client.call("profile").result
        portal.expire_access_tokens()
        assert client.call("profile").result
        assert len(renewed) == 1 and renewed[0].access_token != access


def test_oauth_refresh_refused_means_log_in_again(portal) -> None:
    access, _ = portal.issue_oauth_tokens()
    auth = OAuthAuth(
        portal.base_url,
        OAuthTokens(access, "bogus"),
        client_id="app",
        client_secret="secret",
        token_url=f"{portal.base_url}/oauth/token/",
    )
    portal.expire_access_tokens()
    with Bitrix24Client(auth, retry=FAST_RETRY) as client:
        with pytest.raises(AuthError, match="log in"):
            client.call("profile")
        assert not isinstance(TokenExpired, type(None))


def test_batch_results_errors_and_paging(portal, client) -> None:
    res = client.batch(
        {
            "page": ("user.get", {"FILTER": {"ACTIVE": "Y"}, "start": 0}),
            "bad": ("im.user.list.get", {"ID": [0, -1]}),
            "online": ("user.online", {}),
            "on": ("im.user.list.get", {"ID": BatchRef("online")}),
        }
    )
    assert res.totals["page"] >= 60 and res.nexts["page"] == 50
    assert isinstance(res.errors["bad"], PortalError) and res.errors["bad"].code == "INVALID_FORMAT"
    online = {int(i) for i in res.results["online"]}
    on = {int(k) for k in res.results["on"]} if online else set()
    assert on == online
    assert sent(portal) == 1


def test_batch_refuses_more_than_fifty(client) -> None:
    with pytest.raises(ValueError):
        client.batch({f"k{i}": ("profile", {}) for i in range(51)})


def test_batch_many_splits_into_requests(portal, client) -> None:
    res = client.batch_many({f"k{i}": ("server.time", {}) for i in range(120)})
    assert len(res.results) == 120 and sent(portal) == 3


def test_batch_parts_sends_each_request_when_its_answer_is_wanted(portal, client) -> None:
    parts = client.batch_parts({f"k{i}": ("server.time", {}) for i in range(120)})
    keys, first = next(parts)
    assert sent(portal) == 1 and len(keys) == 50 and set(first.results) == set(keys)
    rest = list(parts)
    assert sent(portal) == 3 and [len(k) for k, _ in rest] == [50, 20]


def test_batch_scope_error_per_command(make_portal, make_client) -> None:
    portal = make_portal(scopes=("im",))
    client = make_client(portal)
    res = client.batch({"u": ("user.get", {}), "p": ("im.user.get", {})})
    assert isinstance(res.errors["u"], ScopeError)
    assert "p" in res.results
    with pytest.raises(ScopeError):
        res.raise_auth_errors()


def test_cancel_aborts_a_hanging_request(portal, make_client) -> None:
    client = make_client(portal, timeout=(2.0, 30.0))
    portal.faults.fail("hang")
    threading.Timer(0.3, client.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        client.call("profile")
    assert time.monotonic() - started < 1.5


def test_tight_rate_limit_is_respected(make_portal, make_client) -> None:
    portal = make_portal(users=20, rate_limit=RateLimit(burst=2, per_second=0.5))
    client = make_client(
        portal,
        retry=RetryPolicy(attempts=6, base=0.5, cap=4.0),
        bucket=LeakyBucket(rate=2.0, burst=50),
    )
    for _ in range(5):
        client.call("server.time")
    refused = [r for r in portal.log if r.status == 503]
    assert len(refused) <= 3, f"{len(refused)} refusals"


def test_the_secret_never_reaches_logs_or_errors(portal, make_client, caplog) -> None:
    from bx24presence.logconfig import RedactingFormatter, register_secret

    secret = parse_webhook_url(portal.webhook_url).secret
    register_secret(secret)
    client = make_client(portal, retry=RetryPolicy(attempts=2, base=0.01, cap=0.01))
    caplog.set_level(logging.DEBUG)
    client.call("profile")
    portal.faults.fail("drop", count=5)
    messages = []
    try:
        client.call("profile")
    except ApiError as exc:
        messages.append(str(exc))
        messages.append(repr(exc))
    portal.faults.clear()
    portal.revoke()
    try:
        client.call("profile")
    except ApiError as exc:
        messages.append(str(exc))
    fmt = RedactingFormatter("%(message)s")
    formatted = [fmt.format(r) for r in caplog.records]
    assert any("***" in line for line in formatted), "requests are logged, redacted"
    for text in [*messages, *formatted, repr(client.auth)]:
        assert secret not in text


def test_a_hanging_portal_ends_at_the_calls_deadline(portal, make_client) -> None:
    client = make_client(portal, timeout=(2.0, 30.0), call_deadline_s=0.6)
    portal.faults.fail("hang", count=10)
    started = time.monotonic()
    with pytest.raises(TimedOut) as exc:
        client.call("profile")
    assert time.monotonic() - started < 3
    assert isinstance(exc.value, NetworkError) and exc.value.retryable
    assert exc.value.deadline_s == 0.6


def test_a_deadline_block_bounds_every_call_in_it(portal, make_client) -> None:
    client = make_client(portal, timeout=(2.0, 30.0))
    portal.faults.latency = 0.3
    started = time.monotonic()
    with client.deadline(0.5), pytest.raises(TimedOut):
        for _ in range(10):
            client.call("profile")
    assert time.monotonic() - started < 3
    portal.faults.clear()
    assert client.call("profile").result, "the deadline ended with its block"


def test_answers_are_streamed_and_capped(portal, make_client) -> None:
    client = make_client(portal, max_answer_bytes=20_000)
    assert client.call("profile").result
    with pytest.raises(ResponseTooLarge, match="larger than"):
        client.call("user.get", {"FILTER": {"ACTIVE": "Y"}})
    assert sent(portal) == 2, "an oversized answer is not retried"
