"""Each place that raises a failure sets its reason and data: real HTTP against the demo
portal's injected faults and the hostile servers, on loopback."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import ApiError, Reason
from bx24presence.api.throttle import LeakyBucket
from bx24presence.api.transport import WATCHDOG
from bx24presence.connection import Outcome, check_connection
from bx24presence.failures import FailureKind, english, failure_kind, sentence
from tests import hostile
from tests.integration.conftest import FAST_RETRY


@pytest.fixture(scope="module", autouse=True)
def _deadline_thread() -> None:
    """The process's one deadline thread, started before the tests (it outlives each)."""
    WATCHDOG.arm(time.monotonic(), lambda: None)


def fail(call) -> ApiError:
    with pytest.raises(ApiError) as exc:
        call()
    return exc.value


@pytest.mark.parametrize(
    ("fault", "reason", "kind"),
    [
        ("500", Reason.PORTAL_ERROR, FailureKind.PORTAL),
        ("502-html", Reason.HTML_PAGE, FailureKind.PROTOCOL),
        ("503-limit", Reason.RATE_LIMITED, FailureKind.RATE),
        ("drop", Reason.DROPPED, FailureKind.NETWORK),
        ("not-json", Reason.HTML_PAGE, FailureKind.PROTOCOL),
        ("truncated", Reason.NOT_JSON, FailureKind.PROTOCOL),
        ("access-denied", Reason.PLAN_WITHOUT_REST, FailureKind.AUTH),
        ("insufficient-scope", Reason.MISSING_SCOPE, FailureKind.AUTH),
    ],
)
def test_each_fault_of_the_demo_portal_has_its_reason(
    portal, make_client, fault, reason, kind
) -> None:
    portal.faults.fail(fault, count=10)
    # A fast bucket: a request limit slows the client's own bucket down, not this test.
    client = make_client(portal, bucket=LeakyBucket(rate=1000.0, burst=50))
    err = fail(lambda: client.call("profile"))
    assert err.reason is reason and failure_kind(err) is kind
    assert err.host == "127.0.0.1"
    f = err.failure
    if reason is Reason.PORTAL_ERROR:
        assert f.code == "INTERNAL_SERVER_ERROR" and f.status == 500
    if reason is Reason.HTML_PAGE and fault == "502-html":
        assert f.status == 502 and f.attempts == FAST_RETRY.attempts
    if reason is Reason.MISSING_SCOPE:
        assert f.scope == "im"
    # The data is data: no sentence inside the error, and the window's sentence never
    # counts attempts (the banner says when the next one comes).
    assert "gave up" not in sentence(err)
    if f.attempts:
        assert f"gave up after {f.attempts} attempts" in english(err)


def test_a_time_limit_keeps_the_method_as_data(portal, make_client) -> None:
    portal.faults.fail("429", count=10)
    err = fail(lambda: make_client(portal).call("profile"))
    assert err.reason is Reason.TIME_LIMITED and err.method == "profile"
    assert "profile" in sentence(err)


def test_a_revoked_webhook_and_an_unknown_method(portal, make_client) -> None:
    client = make_client(portal)
    err = fail(lambda: client.call("no.such.method"))
    assert err.reason is Reason.METHOD_NOT_FOUND and err.failure.method == "no.such.method"
    portal.revoke()
    err = fail(lambda: client.call("profile"))
    assert err.reason is Reason.WEBHOOK_REJECTED and failure_kind(err) is FailureKind.AUTH


def test_a_stopped_portal_refuses(portal, make_client) -> None:
    client = make_client(portal, retry=FAST_RETRY)
    portal.stop()
    err = fail(lambda: client.call("profile"))
    assert err.reason is Reason.REFUSED and err.host == "127.0.0.1"


def test_a_portal_that_hangs_times_out_with_its_deadline(portal, make_client) -> None:
    portal.faults.fail("hang", count=10)
    client = make_client(portal, call_deadline_s=0.6)
    err = fail(lambda: client.call("profile"))
    assert err.reason is Reason.TIMEOUT and failure_kind(err) is FailureKind.TIMEOUT
    assert err.failure.seconds == 0.6 and "0.6 s" in sentence(err)


def test_a_host_that_does_not_exist() -> None:
    client = Bitrix24Client(
        parse_webhook_url("https://no-such-portal.invalid/rest/1/abcdef123456/"), retry=FAST_RETRY
    )
    with client:
        err = fail(lambda: client.call("profile"))
    assert err.reason is Reason.HOST_NOT_FOUND and err.host == "no-such-portal.invalid"


def test_redirects_and_bombs_of_a_hostile_portal(tmp_path) -> None:
    with hostile.HostileServer() as server:
        client = Bitrix24Client(parse_webhook_url(server.webhook_url), retry=FAST_RETRY)
        with client:
            server.plan(hostile.redirect("https://elsewhere.example/rest/1/x/profile.json"))
            err = fail(lambda: client.call("profile"))
            assert err.reason is Reason.REDIRECT_REFUSED
            assert err.failure.target == "elsewhere.example"
            server.plan(hostile.redirect(f"{server.url}/login/"))
            assert fail(lambda: client.call("profile")).reason is Reason.REDIRECT_NOT_API
            server.plan(hostile.huge(40))
            err = fail(lambda: client.call("profile"))
            assert err.reason is Reason.TOO_LARGE and err.failure.limit_bytes == 32 * 1024**2
            assert "32" in sentence(err)


def test_an_untrusted_certificate(tmp_path) -> None:
    ctx, _ = hostile.tls_context(tmp_path)
    with hostile.HostileServer(tls=ctx) as server:
        client = Bitrix24Client(parse_webhook_url(server.webhook_url), retry=FAST_RETRY)
        with client:
            err = fail(lambda: client.call("profile"))
    assert err.reason is Reason.CERTIFICATE and failure_kind(err) is FailureKind.NETWORK


@pytest.fixture
def plain_http_portal() -> Iterator[int]:
    """A plain-http server on loopback: what an https request meets on a portal without TLS."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_plain_http_portal_typed_without_a_scheme_is_not_told_about_certificates(
    plain_http_portal,
) -> None:
    """Issue 12, item 11: the address gets https:// added; what answers is plain http."""
    check = check_connection(f"127.0.0.1:{plain_http_portal}/rest/1/abcdef123456/", timeout=5)
    assert not check.ok and check.kind is Outcome.NOT_TLS
    assert check.failure is not None and check.failure.reason is Reason.NOT_TLS
    assert "certificate" not in check.message and "not trusted" not in check.message
    assert "http://" in check.message


def test_addresses_that_cannot_be_used_say_why_by_reason() -> None:
    cases = {
        "": Reason.NO_ADDRESS,
        "https://acme.bitrix24.com/company/": Reason.NOT_A_WEBHOOK,
        "http://intranet.example/rest/1/abcdef123456/": Reason.PLAIN_HTTP,
        "ftp://intranet.example/rest/1/abcdef123456/": Reason.BAD_SCHEME,
        "https://host:99999/rest/1/abcdef123456/": Reason.INVALID_ADDRESS,
    }
    for url, reason in cases.items():
        check = check_connection(url)
        assert check.failure is not None and check.failure.reason is reason, url
    check = check_connection("http://intranet.example/rest/1/abcdef123456/")
    assert check.kind is Outcome.NOT_HTTPS and "abcdef123456" not in check.message
