"""Where a redirect may lead (the secret stays on the portal's host), and portal texts in
error messages (redacted, neutralised, cut)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bx24presence.api.errors import (
    ApiError,
    PortalError,
    PortalMoved,
    ProtocolError,
    RateLimited,
    RedirectRefused,
    ResponseTooLarge,
    TimedOut,
    error_from_envelope,
    portal_text,
)
from bx24presence.api.moves import judge_move, registrable_domain
from bx24presence.api.redaction import redact

SECRET = "k3y9sEcReT0a1b2c"
PORTAL = "https://acme.example.com"


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("acme.example.com", "example.com"),
        ("old.example.com", "example.com"),
        ("portal.example.co.uk", "example.co.uk"),
        ("example.co.uk", "example.co.uk"),
        ("co.uk", None),
        ("intranet.firm.com.ru", "firm.com.ru"),
        ("acme.bitrix24.ru", "acme.bitrix24.ru"),
        ("old.example.bitrix24.ru", "old.example.bitrix24.ru"),
        ("acme.bitrix24.com.br", "acme.bitrix24.com.br"),
        ("shop.bitrix24.site", "shop.bitrix24.site"),
        ("me.github.io", "me.github.io"),
        ("127.0.0.1", None),
        ("[::1]", None),
        ("localhost", None),
        ("Example.COM.", "example.com"),
    ],
)
def test_registrable_domain(host: str, site: str | None) -> None:
    assert registrable_domain(host) == site


@pytest.mark.parametrize(
    ("portal", "location", "new"),
    [
        (PORTAL, f"{PORTAL}/rest/1/{SECRET}/profile.json", PORTAL),
        (PORTAL, f"/rest/1/{SECRET}/profile.json", PORTAL),
        (PORTAL, f"https://ACME.example.com:443/rest/1/{SECRET}/x.json", PORTAL),
        (PORTAL, f"{PORTAL}/b24/rest/1/{SECRET}/x.json", f"{PORTAL}/b24"),
        ("http://acme.example.com", f"{PORTAL}/rest/1/{SECRET}/x.json", PORTAL),
        ("http://acme.example.com:8080", f"{PORTAL}:8443/rest/1/{SECRET}/x.json", f"{PORTAL}:8443"),
        ("http://127.0.0.1:5000", f"/p/rest/1/{SECRET}/x.json", "http://127.0.0.1:5000/p"),
    ],
)
def test_moves_on_the_portals_host_are_followed(portal: str, location: str, new: str) -> None:
    assert judge_move(portal, location, secrets=(SECRET,)) == new


@pytest.mark.parametrize(
    ("location", "new"),
    [
        (f"https://new.example.com/rest/1/{SECRET}/x.json", "https://new.example.com"),
        (f"https://acme.example.com:8443/rest/1/{SECRET}/x.json", "https://acme.example.com:8443"),
        (f"https://example.com/b24/rest/1/{SECRET}/x.json", "https://example.com/b24"),
    ],
)
def test_moves_on_the_same_site_need_consent(location: str, new: str) -> None:
    with pytest.raises(PortalMoved) as exc:
        judge_move(PORTAL, location, secrets=(SECRET,))
    assert exc.value.new_portal == new
    assert SECRET not in str(exc.value) and new in str(exc.value)
    assert not exc.value.retryable


@pytest.mark.parametrize(
    ("portal", "location", "target"),
    [
        (PORTAL, f"https://evil.example.net/rest/1/{SECRET}/x.json", "evil.example.net"),
        (PORTAL, f"http://new.example.com/rest/1/{SECRET}/x.json", "new.example.com"),
        (PORTAL, f"https://{PORTAL[8:]}@evil.net/rest/1/{SECRET}/x", "evil.net"),
        (PORTAL, "https://sso.example.org/login?back=/rest/", "sso.example.org"),
        (PORTAL, f"ftp://acme.example.com/rest/1/{SECRET}/x.json", "acme.example.com"),
        (PORTAL, f"//evil.net/rest/1/{SECRET}/x.json", "evil.net"),
        (
            "https://old.bitrix24.ru",
            f"https://new.bitrix24.ru/rest/1/{SECRET}/x.json",
            "new.bitrix24.ru",
        ),
        (
            "https://old.example.bitrix24.ru",
            f"https://new.example.bitrix24.ru/rest/1/{SECRET}/x.json",
            "new.example.bitrix24.ru",
        ),
        (
            "https://a.example.co.uk",
            f"https://b.other.co.uk/rest/1/{SECRET}/x.json",
            "b.other.co.uk",
        ),
        ("http://127.0.0.1:80", f"http://127.0.0.2/rest/1/{SECRET}/x.json", "127.0.0.2"),
        ("http://127.0.0.1:80", f"http://localhost/rest/1/{SECRET}/x.json", "localhost"),
    ],
)
def test_other_sites_are_refused(portal: str, location: str, target: str) -> None:
    with pytest.raises(RedirectRefused) as exc:
        judge_move(portal, location, secrets=(SECRET,))
    assert not isinstance(exc.value, PortalMoved)
    assert exc.value.target == target
    assert (
        str(exc.value) == f"The portal points to {target}, which is not the portal; not followed."
    )


def test_a_downgrade_to_http_is_refused() -> None:
    with pytest.raises(RedirectRefused, match="unencrypted"):
        judge_move(PORTAL, f"http://acme.example.com/rest/1/{SECRET}/x.json")


def test_a_login_page_on_the_same_host_is_refused() -> None:
    with pytest.raises(RedirectRefused, match="not its REST API"):
        judge_move(PORTAL, f"{PORTAL}/auth/?backurl=%2Frest%2F1%2F{SECRET}")


def test_a_secret_in_the_hosts_name_is_redacted() -> None:
    with pytest.raises(RedirectRefused) as exc:
        judge_move(PORTAL, f"https://{SECRET.lower()}.evil.net/rest/1/x/y.json", secrets=(SECRET,))
    assert SECRET.lower() not in str(exc.value) and "***" in str(exc.value)


@pytest.mark.parametrize(
    "location",
    [
        "http://[::1",
        "https://acme.example.com:99999/rest/1/x/y.json",
        "https://acme.example.com:port/rest/1/x/y.json",
        "https://acme.example.com/rest/1/x/\x1b[2J",
        "https://acme.example.com/a b/rest/1/x/y.json",
        "https://acme.example.com/<script>/rest/1/x/y.json",
        "",
        "h" * 5000,
    ],
)
def test_malformed_locations_are_protocol_errors(location: str) -> None:
    with pytest.raises(ProtocolError, match="malformed address"):
        judge_move(PORTAL, location)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_location_is_followed_or_a_protocol_error(location: str) -> None:
    try:
        new = judge_move(PORTAL, location, secrets=(SECRET,))
    except ProtocolError as exc:
        assert SECRET not in str(exc)
        return
    assert new.startswith(PORTAL), "only the portal's own host is followed"


# -- retryable semantics -----------------------------------------------------------------------


def test_retryable_semantics_of_the_new_errors() -> None:
    assert TimedOut("t").retryable
    assert not ResponseTooLarge("x", limit_bytes=1).retryable
    assert not RedirectRefused("x").retryable
    assert not PortalMoved("x", new_portal=PORTAL).retryable
    assert isinstance(PortalMoved("x", new_portal=PORTAL), ProtocolError)


# -- portal texts ------------------------------------------------------------------------------


NASTY = (
    f"see https://acme.example.com/rest/7/{SECRET}/profile.json or {SECRET.upper()}"
    f" or {SECRET[:4]}%2F \x1b]0;title\x07\x1b[2J\r\n\t\u202eevil\u2066 \ud800 \x9b"
)


def test_portal_text_is_redacted_neutralised_and_cut() -> None:
    text = portal_text(NASTY + "x" * 10_000, (SECRET,))
    assert SECRET not in text and SECRET.upper() not in text
    for bad in ("\x1b", "\x07", "\r", "\n", "\t", "\u202e", "\u2066", "\ud800", "\x9b"):
        assert bad not in text
    assert len(text) <= 300 and text.endswith("\u2026")
    text.encode("utf-8")


@pytest.mark.parametrize(
    ("value", "text"), [(None, ""), (True, ""), (42, "42"), (1.5, "1.5"), ({"a": 1}, ""), ([1], "")]
)
def test_portal_text_of_values_that_are_not_text(value: object, text: str) -> None:
    assert portal_text(value) == text


def test_the_secret_is_redacted_in_every_case_and_encoding() -> None:
    for form in (SECRET, SECRET.upper(), SECRET.lower()):
        assert SECRET.lower() not in redact(f"x {form} y", SECRET).lower()
    secret = "a/b+c=d"
    assert "a%2Fb%2Bc%3Dd" not in redact("x a%2Fb%2Bc%3Dd y", secret)


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ACCESS_DENIED", 403, "AuthError"),
        ("SOMETHING", 400, "PortalError"),
        ("SOMETHING", 401, "AuthError"),
        ("OPERATION_TIME_LIMIT", 429, "RateLimited"),
    ],
)
def test_envelope_texts_never_carry_the_secret(code: str, status: int, kind: str) -> None:
    body = {"error": code, "error_description": NASTY}
    err = error_from_envelope(body, status=status, method="profile", secrets=(SECRET,))
    assert type(err).__name__ == kind
    assert SECRET not in str(err) and SECRET.upper() not in str(err) and "\x1b" not in str(err)


def test_an_unknown_code_with_the_secret_is_redacted_in_the_code_too() -> None:
    err = error_from_envelope(
        {"error": f"X{SECRET}\x1b", "error_description": None}, status=400, method=None,
        secrets=(SECRET,),
    )  # fmt: skip
    assert isinstance(err, PortalError)
    assert err.code is not None and SECRET not in err.code and "\x1b" not in err.code
    assert SECRET not in str(err)


def test_operating_reset_at_from_an_error_envelope() -> None:
    body = {"error": "OPERATION_TIME_LIMIT", "time": {"operating_reset_at": 1700000000}}
    err = error_from_envelope(body, status=429, method="x")
    assert isinstance(err, RateLimited) and err.reset_at == 1700000000
    for bad in ("nan", "inf", 1e400, "x", True, {"a": 1}):
        body = {"error": "OPERATION_TIME_LIMIT", "time": {"operating_reset_at": bad}}
        err = error_from_envelope(body, status=429, method="x")
        assert isinstance(err, RateLimited) and err.reset_at is None


def test_every_message_is_neutralised_even_our_own() -> None:
    err = ApiError(f"x\x1b[2J /rest/3/{SECRET}/ y\n" + "z" * 5000)
    assert "\x1b" not in str(err) and SECRET not in str(err) and "\n" not in str(err)
    assert len(str(err)) <= 1000
