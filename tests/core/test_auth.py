"""Webhook URL parsing the way people paste it, the http policy, and redaction."""

from __future__ import annotations

import pytest

from bx24presence.api.auth import (
    OAuthAuth,
    OAuthTokens,
    parse_portal_url,
    parse_webhook_url,
    redact,
)
from bx24presence.api.errors import BadPortalUrl

SECRET = "k3y9sEcReT0a1b2c"


@pytest.mark.parametrize(
    "pasted",
    [
        f"https://acme.bitrix24.com/rest/7/{SECRET}/",
        f"https://acme.bitrix24.com/rest/7/{SECRET}",
        f"  https://acme.bitrix24.com/rest/7/{SECRET}/  ",
        f"https://acme.bitrix24.com/rest/7/{SECRET}/profile.json",
        f"https://acme.bitrix24.com/rest/7/{SECRET}/im.user.list.get",
        f"https://acme.bitrix24.com/rest/7/{SECRET}/user.get.json?start=0",
        f"acme.bitrix24.com/rest/7/{SECRET}/",
        f"'https://ACME.Bitrix24.com/rest/7/{SECRET}/'",
        f"https://acme.bitrix24.com:443/rest/7/{SECRET}/",
    ],
)
def test_webhook_pasted_forms(pasted: str) -> None:
    auth = parse_webhook_url(pasted)
    assert auth.portal == "https://acme.bitrix24.com"
    assert auth.user_id == 7
    assert auth.secret == SECRET
    assert auth.url_for("profile") == f"https://acme.bitrix24.com/rest/7/{SECRET}/profile.json"


def test_self_hosted_prefix_and_port() -> None:
    auth = parse_webhook_url(f"https://intranet.local:8443/portal/rest/1/{SECRET}/")
    assert auth.portal == "https://intranet.local:8443/portal"


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1:8080/rest/1/{SECRET}/",
        f"http://localhost/rest/1/{SECRET}/",
        f"http://[::1]:9000/rest/1/{SECRET}/",
    ],
)
def test_plain_http_on_loopback_is_accepted(url: str) -> None:
    assert parse_webhook_url(url).portal.startswith("http://")


def test_plain_http_elsewhere_needs_explicit_consent() -> None:
    url = f"http://intranet.example/rest/1/{SECRET}/"
    with pytest.raises(BadPortalUrl) as exc:
        parse_webhook_url(url)
    assert "--allow-http" in str(exc.value)
    assert SECRET not in str(exc.value)
    assert parse_webhook_url(url, allow_http=True).portal == "http://intranet.example"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "https://acme.bitrix24.com/",
        "https://acme.bitrix24.com/rest/",
        f"https:///rest/1/{SECRET}/",
        f"ftp://acme.bitrix24.com/rest/1/{SECRET}/",
        "https://acme.bitrix24.com/rest/abc/def/",
        f"https://acme.bitrix24.com:99999/rest/1/{SECRET}/",
        "not a url at all",
    ],
)
def test_malformed_urls_say_what_is_wrong_without_the_secret(bad: str) -> None:
    with pytest.raises(BadPortalUrl) as exc:
        parse_webhook_url(bad)
    assert str(exc.value)
    assert SECRET not in str(exc.value)


def test_repr_hides_the_secret() -> None:
    auth = parse_webhook_url(f"https://acme.bitrix24.com/rest/7/{SECRET}/")
    assert SECRET not in repr(auth)
    assert SECRET not in str(auth)
    oauth = OAuthAuth(
        "https://acme.bitrix24.com",
        OAuthTokens("acc123456", "ref123456"),
        client_id="app",
        client_secret="csecret99",
    )
    assert "acc123456" not in repr(oauth) and "ref123456" not in repr(oauth.tokens)
    assert oauth.headers() == {"Authorization": "Bearer acc123456"}
    assert oauth.url_for("profile") == "https://acme.bitrix24.com/rest/profile.json"


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        (f"GET https://a.b/rest/1/{SECRET}/profile.json failed", SECRET),
        (
            "HTTPSConnectionPool(host='a.b', port=443): Max retries exceeded with url:"
            f" /rest/12/{SECRET}/x",
            SECRET,
        ),
        ("POST /rest/profile?auth=tok_abcdef&x=1", "tok_abcdef"),
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("refresh_token=r3fr3sh&client_secret=s3cr3t", "r3fr3sh"),
    ],
)
def test_redact(text: str, leak: str) -> None:
    out = redact(text)
    assert leak not in out
    assert "***" in out


def test_redact_explicit_secret_anywhere() -> None:
    assert "zz-my-token-zz" not in redact("value zz-my-token-zz here", "zz-my-token-zz")


def test_portal_url() -> None:
    assert parse_portal_url("acme.bitrix24.com/") == "https://acme.bitrix24.com"
    with pytest.raises(BadPortalUrl):
        parse_portal_url("http://acme.bitrix24.com")
