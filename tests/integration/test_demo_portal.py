"""The demo portal over real HTTP on loopback: routes, methods, quirks, limits and faults."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from bx24presence.demo import DemoPortal, RateLimit
from bx24presence.demo.cli import main
from bx24presence.demo.names import PALETTE
from bx24presence.demo.population import DemoUser

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$")
CURRENT_KEYS = [
    "id",
    "active",
    "name",
    "first_name",
    "last_name",
    "work_position",
    "color",
    "avatar",
    "avatar_hr",
    "gender",
    "birthday",
    "extranet",
    "network",
    "bot",
    "connector",
    "external_auth_id",
    "status",
    "idle",
    "last_activity_date",
    "mobile_last_date",
    "desktop_last_date",
    "absent",
    "departments",
    "phones",
    "bot_data",
    "type",
    "website",
    "email",
]
LEGACY_KEYS = [
    k
    for k in CURRENT_KEYS
    if k not in {"avatar_hr", "desktop_last_date", "bot_data", "type", "website", "email"}
]
TIME_KEYS = [
    "start",
    "finish",
    "duration",
    "processing",
    "date_start",
    "date_finish",
    "operating_reset_at",
    "operating",
]
PHONE_KINDS = {"work_phone", "personal_mobile", "inner_phone", "personal_phone"}

Factory = Callable[..., DemoPortal]


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    """A shared portal for tests that only read."""
    with DemoPortal(users=200, seed=7, rate_limit=None) as shared:
        yield shared


@pytest.fixture
def fresh() -> Iterator[Factory]:
    """Portals of one test, stopped at teardown; defaults: 60 users, no rate limit."""
    started: list[DemoPortal] = []

    def make(**kwargs: Any) -> DemoPortal:
        kwargs.setdefault("users", 60)
        kwargs.setdefault("rate_limit", None)
        started.append(DemoPortal(**kwargs).start())
        return started[-1]

    yield make
    for item in started:
        item.stop()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def call(
    http: requests.Session, portal: DemoPortal, method: str, body: Any = None, **kwargs: Any
) -> requests.Response:
    """POST a JSON body (or ``data=``/``params=``) to the webhook."""
    if body is not None:
        kwargs["json"] = body
    return http.post(portal.webhook_url + method, timeout=10, **kwargs)


def ok(response: requests.Response) -> Any:
    """The ``result`` of a successful answer."""
    assert response.status_code == 200, response.text
    return response.json()["result"]


def error_of(response: requests.Response, status: int) -> str:
    """The error code of an error answer, which must carry no ``time``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    return str(body["error"])


def find(portal: DemoPortal, test: Callable[[DemoUser], bool]) -> DemoUser:
    return next(u for u in portal.users.values() if test(u))


def list_get(http: requests.Session, portal: DemoPortal, ids: list[int], **extra: Any) -> Any:
    return ok(call(http, portal, "im.user.list.get", {"ID": ids, **extra}))


# Routes and authentication ---------------------------------------------------------------


def test_webhook_url_and_base_url(portal: DemoPortal) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", portal.base_url)
    assert portal.webhook_url == f"{portal.base_url}/rest/1/{portal.secret}/"


@pytest.mark.parametrize("suffix", ["", ".json"])
@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_webhook_route_with_and_without_json_suffix(
    portal: DemoPortal, http: requests.Session, verb: str, suffix: str
) -> None:
    response = http.request(verb, f"{portal.webhook_url}profile{suffix}", timeout=10)
    assert response.headers["Content-Type"].startswith("application/json")
    assert ok(response)["ID"] == "1"


@pytest.mark.parametrize("name", ["PROFILE", "Server.Time", "IM.User.List.Get"])
def test_method_names_are_case_insensitive(
    portal: DemoPortal, http: requests.Session, name: str
) -> None:
    assert call(http, portal, name, {"ID": [1]}).status_code == 200


def test_unknown_method_is_404_even_before_authentication(
    portal: DemoPortal, http: requests.Session
) -> None:
    for url in (
        portal.webhook_url + "no.such.method",
        f"{portal.base_url}/rest/1/wrong-secret/no.such.method",
        f"{portal.base_url}/rest/no.such.method",
        portal.webhook_url,
    ):
        response = http.post(url, timeout=10)
        assert error_of(response, 404) == "ERROR_METHOD_NOT_FOUND"
        assert response.json()["error_description"] == "Method not found!"


def test_wrong_secret_or_user_is_401_invalid_credentials(
    portal: DemoPortal, http: requests.Session
) -> None:
    for path in (f"/rest/1/{portal.secret}x/profile", f"/rest/2/{portal.secret}/profile"):
        response = http.post(portal.base_url + path, timeout=10)
        assert error_of(response, 401) == "INVALID_CREDENTIALS"


def test_revoked_webhook(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    assert call(http, portal, "profile").status_code == 200
    portal.revoke()
    assert error_of(call(http, portal, "profile"), 401) == "INVALID_CREDENTIALS"


def test_non_rest_paths_and_the_blank_placeholder(
    portal: DemoPortal, http: requests.Session
) -> None:
    assert http.get(portal.base_url + "/nothing/here", timeout=10).status_code == 404
    blank = http.get(portal.base_url + "/bitrix/js/im/images/blank.gif", timeout=10)
    assert blank.status_code == 200
    assert blank.headers["Content-Type"] == "image/gif"
    assert blank.content.startswith(b"GIF89a")
    assert int(blank.headers["Content-Length"]) == len(blank.content)


# OAuth -----------------------------------------------------------------------------------


def test_oauth_token_in_param_or_header(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    access, _ = portal.issue_oauth_tokens()
    url = portal.base_url + "/rest/profile"
    assert ok(http.get(url, params={"auth": access}, timeout=10))["ID"] == "1"
    assert ok(http.post(url, data={"access_token": access}, timeout=10))["ID"] == "1"
    headers = {"Authorization": f"Bearer {access}"}
    assert ok(http.post(url + ".json", headers=headers, timeout=10))["ID"] == "1"
    listed = http.post(
        portal.base_url + "/rest/user.get", json={"auth": access, "start": 0}, timeout=10
    )
    assert len(ok(listed)) == 50


def test_oauth_missing_unknown_and_expired_tokens(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    url = portal.base_url + "/rest/profile"
    assert error_of(http.post(url, timeout=10), 401) == "NO_AUTH_FOUND"
    assert error_of(http.post(url, data={"auth": "nope"}, timeout=10), 401) == "invalid_token"
    access, _ = portal.issue_oauth_tokens(expires_in=60)
    assert http.post(url, data={"auth": access}, timeout=10).status_code == 200
    portal.clock.advance(61)
    assert error_of(http.post(url, data={"auth": access}, timeout=10), 401) == "expired_token"


def test_oauth_refresh_after_expiry(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(scopes=("im", "user_brief"))
    access, refresh = portal.issue_oauth_tokens()
    portal.expire_access_tokens()
    url = portal.base_url + "/rest/server.time"
    assert error_of(http.post(url, data={"auth": access}, timeout=10), 401) == "expired_token"
    query = {
        "grant_type": "refresh_token",
        "client_id": "app.demo",
        "client_secret": "s3cret",
        "refresh_token": refresh,
    }
    token = http.get(portal.base_url + "/oauth/token/", params=query, timeout=10)
    assert token.status_code == 200
    grant = token.json()
    assert set(grant) >= {
        "access_token",
        "refresh_token",
        "expires_in",
        "expires",
        "client_endpoint",
        "domain",
        "member_id",
        "scope",
        "status",
        "user_id",
    }
    assert grant["expires_in"] == 3600
    assert grant["client_endpoint"] == portal.base_url + "/rest/"
    assert grant["scope"] == "im,user_brief"
    assert grant["user_id"] == 1
    assert grant["refresh_token"] != refresh
    assert http.post(url, data={"auth": grant["access_token"]}, timeout=10).status_code == 200
    # A used refresh token is gone; POST works as well as GET.
    reused = http.post(portal.base_url + "/oauth/token/", data=query, timeout=10)
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant"}
    query["refresh_token"] = grant["refresh_token"]
    again = http.post(portal.base_url + "/oauth/token/", data=query, timeout=10)
    assert again.status_code == 200


# Scopes ----------------------------------------------------------------------------------


def test_missing_scope_is_401_insufficient_scope_naming_the_scope(
    fresh: Factory, http: requests.Session
) -> None:
    im_only = fresh(scopes=("im",))
    response = call(http, im_only, "user.get", {})
    assert error_of(response, 401) == "insufficient_scope"
    description = response.json()["error_description"]
    assert "higher privileges than provided by the webhook token" in description
    assert "user_brief" in description
    assert ok(call(http, im_only, "scope")) == ["im"]
    user_only = fresh(scopes=("user_brief",))
    response = call(http, user_only, "im.user.list.get", {"ID": [1]})
    assert error_of(response, 401) == "insufficient_scope"
    assert '"im"' in response.json()["error_description"]
    # Global methods need no scope.
    for method in ("profile", "server.time", "scope", "methods"):
        assert call(http, user_only, method).status_code == 200


@pytest.mark.parametrize("scope", ["user", "user_basic", "user_brief"])
def test_any_user_scope_grants_user_methods(
    fresh: Factory, http: requests.Session, scope: str
) -> None:
    portal = fresh(scopes=(scope,))
    assert len(ok(call(http, portal, "user.get", {}))) == 50
    assert isinstance(ok(call(http, portal, "user.online")), list)


# Helpers and envelopes -------------------------------------------------------------------


def test_profile_scope_server_time_user_current_methods(
    portal: DemoPortal, http: requests.Session
) -> None:
    admin = portal.user(1)
    profile = ok(call(http, portal, "profile"))
    assert profile["ID"] == "1"
    assert profile["ADMIN"] is True
    assert (profile["NAME"], profile["LAST_NAME"]) == (admin.first_name, admin.last_name)
    assert profile["PERSONAL_GENDER"] in ("F", "M")
    assert "TIME_ZONE" in profile
    assert profile["PERSONAL_PHOTO"].startswith(portal.base_url + "/upload/")
    assert ok(call(http, portal, "scope")) == ["im", "user_brief"]
    assert ISO.match(ok(call(http, portal, "server.time")))
    current = ok(call(http, portal, "user.current"))
    assert current["ID"] == "1"
    assert current["ACTIVE"] is True
    methods = ok(call(http, portal, "methods"))
    assert {"batch", "user.get", "im.user.list.get", "im.user.status.set"} <= set(methods)
    assert "department.get" not in methods  # Scope "department" is not granted.


def test_success_envelope_time_object_follows_the_demo_clock(
    fresh: Factory, http: requests.Session
) -> None:
    portal = fresh()
    portal.clock.freeze()
    portal.clock.set(datetime(2026, 3, 2, 9, 30))
    body = call(http, portal, "server.time").json()
    assert list(body) == ["result", "time"]
    assert body["result"] == "2026-03-02T09:30:00+03:00"
    timing = body["time"]
    assert list(timing) == TIME_KEYS
    assert isinstance(timing["start"], int)
    assert isinstance(timing["finish"], float)
    assert timing["finish"] >= timing["start"]
    assert timing["date_start"] == "2026-03-02T09:30:00+03:00"
    assert timing["date_finish"] == "2026-03-02T09:30:00+03:00"
    assert timing["operating_reset_at"] == timing["start"] + 600
    assert timing["start"] == int(datetime.fromisoformat(timing["date_start"]).timestamp())


# user.get --------------------------------------------------------------------------------


def test_user_get_pages_of_fifty_with_total_and_next(
    portal: DemoPortal, http: requests.Session
) -> None:
    seen: list[int] = []
    start = 0
    pages = 0
    while True:
        query = {"FILTER": {"ACTIVE": True, "USER_TYPE": "employee"}, "SORT": "ID"}
        body = call(http, portal, "user.get", {**query, "ORDER": "ASC", "start": start}).json()
        assert body["total"] == 200
        seen += [int(row["ID"]) for row in body["result"]]
        pages += 1
        if "next" not in body:
            break
        assert body["next"] == start + 50
        start = body["next"]
    assert pages == 4
    assert seen == portal.colleague_ids()


def test_user_get_empty_page_has_no_total(portal: DemoPortal, http: requests.Session) -> None:
    body = call(http, portal, "user.get", {"start": 5000}).json()
    assert body["result"] == []
    assert "total" not in body
    assert "next" not in body
    assert "time" in body


def test_user_get_start_minus_one_switches_counting_off(
    portal: DemoPortal, http: requests.Session
) -> None:
    body = call(http, portal, "user.get", {"start": -1}).json()
    assert body["total"] == 0
    assert "next" not in body
    assert len(body["result"]) == 50


def test_user_get_start_must_be_lower_case(portal: DemoPortal, http: requests.Session) -> None:
    upper = call(http, portal, "user.get", {"START": 50}).json()
    lower = call(http, portal, "user.get", {"start": 50}).json()
    assert upper["next"] == 50
    assert lower["next"] == 100
    assert upper["result"][0]["ID"] != lower["result"][0]["ID"]


def test_user_get_excludes_bots_connectors_and_email_users(
    portal: DemoPortal, http: requests.Session
) -> None:
    body = call(http, portal, "user.get", {"start": -1, "FILTER": {"<ID": 10_000}}).json()
    first = call(http, portal, "user.get", {}).json()
    real = [u.id for u in portal.users.values() if u.is_real]
    assert first["total"] == len(real)
    assert len(real) < len(portal.users)
    assert {row["USER_TYPE"] for row in body["result"]} <= {"employee", "extranet"}


@pytest.mark.parametrize("active", [True, "Y", "true"])
def test_user_get_active_filter_values(
    portal: DemoPortal, http: requests.Session, active: Any
) -> None:
    body = call(http, portal, "user.get", {"FILTER": {"ACTIVE": active}}).json()
    assert all(row["ACTIVE"] is True for row in body["result"])
    inactive = call(http, portal, "user.get", {"FILTER": {"ACTIVE": "N"}}).json()
    fired = [u.id for u in portal.users.values() if u.is_real and not u.active]
    assert [int(r["ID"]) for r in inactive["result"]] == fired
    assert body["total"] + inactive["total"] == call(http, portal, "user.get").json()["total"]


# ACTIVE and IS_ONLINE become Y or N by PHP truthiness, except the text "N"
# (prepareUserValue, docs/bitrix24-api.md §3.1): what real clients send for Python's True and False.
PHP_YES_NO = [
    *[(True, True), ("Y", True), ("true", True), ("True", True), (1, True), ("1", True)],
    *[("false", True), ("False", True), ("y", True), ("n", True), ("0.0", True), ([1], True)],
    *[(False, False), ("N", False), ("", False), ("0", False), (0, False), (None, False)],
    ([], False),
]


def _first_page(
    http: requests.Session, portal: DemoPortal, filter_: dict[str, Any]
) -> tuple[list[int], int | None]:
    body = call(http, portal, "user.get", {"FILTER": filter_, "SORT": "ID", "ORDER": "ASC"})
    answer = body.json()
    assert body.status_code == 200, body.text
    return [int(r["ID"]) for r in answer["result"]], answer.get("total")


@pytest.mark.parametrize(("value", "active"), PHP_YES_NO)
def test_user_get_active_filter_follows_php_truthiness(
    portal: DemoPortal, http: requests.Session, value: Any, active: bool
) -> None:
    expected = [u.id for u in portal.users.values() if u.is_real and u.active == active]
    ids, total = _first_page(http, portal, {"ACTIVE": value})
    assert total == len(expected)
    assert ids == expected[:50]
    # "!ACTIVE" keeps its operator: the opposite set.
    others = [u.id for u in portal.users.values() if u.is_real and u.active != active]
    assert _first_page(http, portal, {"!ACTIVE": value})[1] == len(others)


@pytest.mark.parametrize(("value", "online"), PHP_YES_NO)
def test_user_get_is_online_filter_follows_php_truthiness(
    fresh: Factory, http: requests.Session, value: Any, online: bool
) -> None:
    portal = fresh(users=80)
    portal.clock.freeze()
    on = set(portal.online_ids())
    expected = [u.id for u in portal.users.values() if u.is_real and (u.id in on) == online]
    ids, total = _first_page(http, portal, {"IS_ONLINE": value})
    assert ids == expected[:50]
    assert total == (len(expected) if expected else None)


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        (None, {"data": "FILTER[ACTIVE]=True&start=50"}),
        (None, {"params": {"FILTER[ACTIVE]": "True", "start": "50"}}),
        ({"FILTER": {"ACTIVE": "True"}, "start": 50}, {}),
        ({"ACTIVE": "True", "start": 50}, {}),  # Top-level keys without FILTER.
        ({"FILTER": "ACTIVE", "ACTIVE": "True", "start": 50}, {}),  # FILTER not an array.
    ],
)
def test_user_get_active_true_text_in_every_body_form(
    portal: DemoPortal, http: requests.Session, body: Any, kwargs: dict[str, Any]
) -> None:
    if "data" in kwargs:
        kwargs["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
    active = [u.id for u in portal.users.values() if u.is_real and u.active]
    answer = call(http, portal, "user.get", body, **kwargs).json()
    assert answer["total"] == len(active)
    assert [int(r["ID"]) for r in answer["result"]] == active[50:100]


def test_batch_pages_user_get_with_active_true_as_fast_bitrix24_does(
    portal: DemoPortal, http: requests.Session
) -> None:
    active = [u.id for u in portal.users.values() if u.is_real and u.active]
    cmd = {
        f"cmd{i:010}": f"user.get?filter[ACTIVE]=True&order[ID]=ASC&start={start}"
        for i, start in enumerate(range(50, len(active), 50))
    }
    result = batch(http, portal, cmd)
    seen = [int(row["ID"]) for page in result["result"].values() for row in page]
    assert seen == active[50:]
    assert set(result["result_total"].values()) == {len(active)}


def test_user_get_has_departament_only_for_the_text_y(
    portal: DemoPortal, http: requests.Session
) -> None:
    real = [u.id for u in portal.users.values() if u.is_real]
    staff = [u.id for u in portal.users.values() if u.is_real and u.departments]
    assert len(staff) < len(real)
    assert _first_page(http, portal, {"HAS_DEPARTAMENT": "Y"})[1] == len(staff)
    assert _first_page(http, portal, {"!HAS_DEPARTAMENT": "Y"})[1] == len(staff)
    for loose in (True, "y", "N", 1):
        assert _first_page(http, portal, {"HAS_DEPARTAMENT": loose})[1] == len(real)


def test_user_get_filters_by_type_online_and_id(portal: DemoPortal, http: requests.Session) -> None:
    def ids(body: Any, **kwargs: Any) -> list[int]:
        return [int(r["ID"]) for r in ok(call(http, portal, "user.get", body, **kwargs))]

    extranet = [u.id for u in portal.users.values() if u.user_type == "extranet"]
    assert ids({"FILTER": {"USER_TYPE": "extranet"}}) == extranet
    real = [u.id for u in portal.users.values() if u.is_real]
    assert ids({"FILTER": {"ID": real[4]}}) == [real[4]]
    assert ids({"FILTER": {"ID": [real[7], real[3], real[9]]}}) == [real[3], real[7], real[9]]
    not_real = find(portal, lambda u: not u.is_real).id
    assert ids({"FILTER": {"ID": not_real}}) == []
    assert ids({"FILTER": {">ID": 195, "<ID": 199}})[:1] == [196]
    assert min(ids({"FILTER": {">=ID": 150}})) == 150
    # Without FILTER, top-level keys are the filter (also as a form and as a GET query).
    assert ids({"ID": real[4]}) == [real[4]]
    assert ids(None, data={"FILTER[>ID]": "190", "FILTER[USER_TYPE]": "employee"})[0] > 190
    response = http.get(portal.webhook_url + "user.get", params={"ID": real[2]}, timeout=10)
    assert [int(r["ID"]) for r in ok(response)] == [real[2]]


def test_user_get_is_online_filter(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(users=150)
    portal.clock.freeze()

    def ids(online: Any) -> set[int]:
        body = {"FILTER": {"IS_ONLINE": online}, "SELECT": ["ID", "IS_ONLINE"], "start": 0}
        found: set[int] = set()
        while body["start"] is not None:
            answer = call(http, portal, "user.get", body).json()
            assert all(
                row["IS_ONLINE"] == ("Y" if online == "Y" else "N") for row in answer["result"]
            )
            found |= {int(row["ID"]) for row in answer["result"]}
            body["start"] = answer.get("next")
        return found

    online, offline = ids("Y"), ids("N")
    real = {u.id for u in portal.users.values() if u.is_real}
    assert online
    assert online | offline == real
    assert not online & offline
    assert online == real & set(portal.online_ids())


def test_user_get_sort_order(portal: DemoPortal, http: requests.Session) -> None:
    body = ok(call(http, portal, "user.get", {"SORT": "ID", "ORDER": "DESC"}))
    ids = [int(r["ID"]) for r in body]
    assert ids == sorted(ids, reverse=True)
    by_name = ok(call(http, portal, "user.get", {"SORT": "NAME", "ORDER": "ASC"}))
    names = [r["NAME"].casefold() for r in by_name]
    assert names == sorted(names)


def test_user_get_row_shape(portal: DemoPortal, http: requests.Session) -> None:
    rows = ok(call(http, portal, "user.get", {"start": -1}))
    for row in rows:
        assert isinstance(row["ID"], str)
        assert isinstance(row["ACTIVE"], bool)
        assert row["IS_ONLINE"] in ("Y", "N")
        assert row["TIMESTAMP_X"] == {}
        assert all(isinstance(d, int) for d in row["UF_DEPARTMENT"])
        assert "EMAIL" not in row  # Only user_brief is granted.
        user = portal.user(int(row["ID"]))
        assert ("PERSONAL_PHOTO" in row) == bool(user.photo_hash)
        assert ("WORK_POSITION" in row) == (user.work_position is not None)
        if "LAST_ACTIVITY_DATE" in row:
            assert row["LAST_ACTIVITY_DATE"] == {}
    assert any("PERSONAL_PHOTO" not in row for row in rows)


def test_user_get_select_is_cut_to_the_scope(fresh: Factory, http: requests.Session) -> None:
    select = {"select": ["ID", "NAME", "EMAIL", "WORK_PHONE", "UF_DEPARTMENT", "BOGUS"]}
    brief = fresh(scopes=("user_brief",))
    rows = ok(call(http, brief, "user.get", select))
    assert all(set(row) <= {"ID", "NAME", "UF_DEPARTMENT"} for row in rows)
    basic = fresh(scopes=("user",))
    rows = ok(call(http, basic, "user.get", select))
    assert any("EMAIL" in row for row in rows)
    assert all("BOGUS" not in row and "IS_ONLINE" not in row for row in rows)


def test_user_online_lists_online_ids_as_text(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.clock.freeze()
    fired = find(portal, lambda u: u.user_type == "employee" and not u.active)
    bot = find(portal, lambda u: u.user_type == "bot")
    for uid in (fired.id, bot.id):
        portal.set_activity(uid, last_activity=portal.clock.now())
    result = ok(call(http, portal, "user.online"))
    assert all(isinstance(uid, str) for uid in result)
    assert [int(uid) for uid in result] == portal.online_ids()
    assert {str(fired.id), str(bot.id)} <= set(result)  # Not filtered by active or real.


def test_department_get_needs_the_department_scope(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(users=300, scopes=("department",))
    body = call(http, portal, "department.get", {}).json()
    assert body["total"] == 20
    assert body["result"][0] == {"ID": "1", "NAME": "Head office", "SORT": 500, "UF_HEAD": "1"}
    assert ok(call(http, portal, "department.get", {"ID": 3}))[0]["ID"] == "3"


# im.user.list.get: parameters ------------------------------------------------------------


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"ID": [3, 1]}},
        {"json": {"ID": "[3,1]"}},
        {"json": {"id": [3, 1]}},
        {"data": {"ID[]": ["3", "1"]}},
        {"data": "ID%5B0%5D=3&ID%5B1%5D=1"},
        {"data": {"ID": "[3, 1]"}},
        {"params": {"ID[]": ["3", "1"]}},
    ],
)
def test_list_get_id_forms(
    portal: DemoPortal, http: requests.Session, request_kwargs: dict[str, Any]
) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if isinstance(request_kwargs.get("data"), str):
        request_kwargs = {**request_kwargs, "headers": headers}
    result = ok(http.post(portal.webhook_url + "im.user.list.get", timeout=10, **request_kwargs))
    assert list(result) == ["3", "1"]
    assert result["3"]["id"] == 3


def test_list_get_intval_drops_invalid_and_duplicates_keeping_order(
    portal: DemoPortal, http: requests.Session
) -> None:
    result = list_get(http, portal, ["4", 2, "abc", 0, -5, 4, "2x", 9.7])  # type: ignore[list-item]
    assert list(result) == ["4", "2", "9"]


@pytest.mark.parametrize(
    "body",
    [{}, {"ID": 5}, {"ID": "5"}, {"ID": []}, {"ID": ["abc", 0, -1]}, {"ID": "not json"}],
)
def test_list_get_invalid_format(portal: DemoPortal, http: requests.Session, body: Any) -> None:
    response = call(http, portal, "im.user.list.get", body)
    assert error_of(response, 400) == "INVALID_FORMAT"
    assert response.json()["error_description"] == "A wrong format for the ID field is passed"


def test_list_get_has_no_cap_and_nulls_unknown_ids(
    portal: DemoPortal, http: requests.Session
) -> None:
    ids = list(range(1, len(portal.users) + 50))
    result = list_get(http, portal, ids)
    assert len(result) == len(ids)
    assert result[str(len(portal.users) + 1)] is None
    assert sum(1 for v in result.values() if v is None) == 49


def test_list_get_result_type_array_keeps_nulls(portal: DemoPortal, http: requests.Session) -> None:
    for value in ("array", "ARRAY"):
        result = list_get(http, portal, [2, 99_999, 1], RESULT_TYPE=value)
        assert isinstance(result, list)
        assert [None if e is None else e["id"] for e in result] == [2, None, 1]
    assert isinstance(list_get(http, portal, [2], RESULT_TYPE="object"), dict)


# im.user.list.get: the current era -------------------------------------------------------


def test_current_era_user_object(portal: DemoPortal, http: requests.Session) -> None:
    result = list_get(http, portal, list(portal.users), AVATAR_HR="N")
    for key, obj in result.items():
        user = portal.user(int(key))
        assert list(obj) == CURRENT_KEYS
        assert obj["id"] == user.id
        assert obj["active"] is user.active
        assert obj["status"] == "online"  # Always, even for fired users.
        assert obj["idle"] is False
        assert obj["mobile_last_date"] is False
        assert obj["desktop_last_date"] is False
        assert obj["last_activity_date"] is False or ISO.match(obj["last_activity_date"])
        assert obj["gender"] in ("F", "M")
        assert obj["color"] in PALETTE
        assert obj["birthday"] == "" or re.fullmatch(r"\d\d-\d\d", obj["birthday"])
        assert isinstance(obj["email"], str)
        assert isinstance(obj["website"], str)
        assert obj["work_position"] is None or isinstance(obj["work_position"], str)
        assert obj["departments"] == list(user.departments)
        assert obj["phones"] is False or (obj["phones"] and set(obj["phones"]) <= PHONE_KINDS)
        if user.photo_hash:
            assert obj["avatar"] == obj["avatar_hr"]
            assert obj["avatar"].startswith(portal.base_url + "/upload/resize_cache/main/")
        else:
            assert obj["avatar"] == ""
            assert obj["avatar_hr"] == portal.base_url + "/bitrix/js/im/images/blank.gif"
        kind = user.user_type
        assert obj["type"] == {"bot": "bot", "extranet": "extranet"}.get(kind, "user")
        assert obj["bot"] is (kind == "bot")
        assert obj["connector"] is (kind == "imconnector")
        assert obj["extranet"] is (kind == "extranet")
        assert obj["external_auth_id"] == user.external_auth_id
        assert (obj["bot_data"] is None) == (kind != "bot")
    bot = next(o for o in result.values() if o["bot"])
    assert {"code", "type", "app_id", "is_hidden"} <= set(bot["bot_data"])
    fired = [o for o in result.values() if not o["active"]]
    assert fired
    assert all(o["status"] == "online" for o in fired)


def test_current_era_absent_is_vacation_end_plus_one_day(
    portal: DemoPortal, http: requests.Session
) -> None:
    today = portal.clock.now().date()
    away = [u for u in portal.users.values() if u.on_vacation(today)]
    assert away
    result = list_get(http, portal, [u.id for u in away])
    for user in away:
        assert user.vacation is not None
        back = user.vacation[1] + timedelta(days=1)
        assert result[str(user.id)]["absent"] == f"{back.isoformat()}T00:00:00+03:00"
    present = find(portal, lambda u: u.is_colleague and u.vacation is None)
    assert list_get(http, portal, [present.id])[str(present.id)]["absent"] is False


def test_current_era_never_logged_in_and_phones(portal: DemoPortal, http: requests.Session) -> None:
    never = find(portal, lambda u: u.never_logged_in and u.user_type == "imconnector")
    phoneless = find(portal, lambda u: u.is_colleague and not u.phones)
    result = list_get(http, portal, [never.id, phoneless.id])
    assert result[str(never.id)]["last_activity_date"] is False
    assert result[str(phoneless.id)]["phones"] is False


# im.user.list.get: the legacy eras -------------------------------------------------------


def test_legacy_era_user_object(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(era="legacy", users=200)
    portal.clock.freeze()
    ids = list(portal.users)
    plain = list_get(http, portal, ids)
    for obj in plain.values():
        assert list(obj) == LEGACY_KEYS
    statuses = {obj["status"] for obj in plain.values()}
    assert statuses <= {"online", "dnd", "away", "break", "offline"}
    assert "offline" in statuses
    for key, obj in plain.items():
        online = portal.is_online(int(key))
        assert (obj["status"] == "offline") == (not online)
        for field in ("idle", "mobile_last_date", "last_activity_date"):
            assert obj[field] is False or ISO.match(obj[field])
    assert any(obj["mobile_last_date"] for obj in plain.values())
    assert any(obj["avatar"].startswith("/upload/") for obj in plain.values())  # Relative.
    with_hr = list_get(http, portal, ids, AVATAR_HR="Y")
    for obj in with_hr.values():
        assert list(obj) == [*LEGACY_KEYS[:8], "avatar_hr", *LEGACY_KEYS[8:]]


def test_legacy_era_pins_show_real_status_idle_and_mobile(
    fresh: Factory, http: requests.Session
) -> None:
    portal = fresh(era="legacy")
    portal.clock.freeze()
    now = portal.clock.now()
    portal.set_activity(
        5,
        last_activity=now - timedelta(seconds=30),
        idle=now - timedelta(minutes=5),
        mobile_last=now - timedelta(seconds=40),
        status="dnd",
    )
    obj = list_get(http, portal, [5])["5"]
    assert obj["status"] == "dnd"
    assert obj["idle"] == (now - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    assert (
        obj["mobile_last_date"] == (now - timedelta(seconds=40)).replace(microsecond=0).isoformat()
    )
    portal.set_activity(5, last_activity=None)
    assert list_get(http, portal, [5])["5"]["status"] == "offline"


def test_legacy_old_era_has_no_active_key(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(era="legacy-old")
    obj = list_get(http, portal, [1])["1"]
    assert list(obj) == [
        *["id", "name", "first_name", "last_name", "work_position", "color", "avatar"],
        *["gender", "birthday", "extranet", "network", "bot", "connector", "external_auth_id"],
        *["status", "idle", "last_activity_date", "desktop_last_date", "mobile_last_date"],
        *["departments", "absent", "phones"],
    ]
    assert "active" not in obj
    assert isinstance(obj["phones"], dict)
    assert {"work_phone", "personal_mobile", "personal_phone"} <= set(obj["phones"])


def test_unknown_era_is_refused() -> None:
    with pytest.raises(ValueError, match="era"):
        DemoPortal(era="future")


# im.user.get, im.department.get, status ----------------------------------------------------


def test_im_user_get(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    assert ok(call(http, portal, "im.user.get", {}))["id"] == 1
    assert ok(call(http, portal, "im.user.get", {"ID": 3}))["id"] == 3
    assert error_of(call(http, portal, "im.user.get", {"ID": 0}), 400) == "ID_EMPTY"
    assert error_of(call(http, portal, "im.user.get", {"ID": 99_999}), 400) == "USER_NOT_EXISTS"
    portal.clock.freeze()
    desk = portal.clock.now() - timedelta(minutes=2)
    portal.set_activity(3, desktop_last=desk)
    obj = ok(call(http, portal, "im.user.get", {"ID": 3}))
    assert obj["desktop_last_date"] == desk.replace(microsecond=0).isoformat()
    assert obj["status"] == "online"
    portal.set_activity(3, desktop_last=None)
    assert ok(call(http, portal, "im.user.get", {"ID": 3}))["desktop_last_date"] is False


def test_im_department_get(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(users=300)
    depts = portal.departments
    child = next(d for d in depts.values() if d.parent is not None)
    for ids in ([1, child.id, 9999], f"[1,{child.id}]"):
        rows = ok(call(http, portal, "im.department.get", {"ID": ids}))
        assert rows[0] == {
            "id": 1,
            "name": "Head office",
            "full_name": "Head office",
            "manager_user_id": 1,
        }
        assert child.parent is not None
        assert rows[1]["full_name"] == f"{child.name} / {depts[child.parent].name}"
        assert rows[1]["manager_user_id"] == child.manager_id
        assert len(rows) == 2
    with_user = ok(call(http, portal, "im.department.get", {"ID": [1], "USER_DATA": "Y"}))
    assert with_user[0]["manager_user_data"]["id"] == 1


def test_im_department_get_in_structure_order_with_full_names(
    fresh: Factory, http: requests.Session
) -> None:
    portal = fresh(users=600)
    depts = portal.departments
    deep = next(
        d for d in depts.values() if d.parent is not None and depts[d.parent].parent is not None
    )
    assert deep.parent is not None
    parent = depts[deep.parent]
    rows = ok(call(http, portal, "im.department.get", {"ID": [deep.id, parent.id, 1]}))
    assert [row["id"] for row in rows] == [1, parent.id, deep.id]
    assert rows[2]["full_name"] == f"{deep.name} / {parent.name} / Head office"
    for loose in ("y", 1):
        row = ok(call(http, portal, "im.department.get", {"ID": [1], "USER_DATA": loose}))[0]
        assert "manager_user_data" not in row
    row = ok(call(http, portal, "im.department.get", {"ID": [1], "USER_DATA": True}))[0]
    assert row["manager_user_data"]["id"] == 1


def _members(portal: DemoPortal, dept_id: int) -> list[int]:
    return [u.id for u in portal.users.values() if u.active and dept_id in u.departments]


def test_im_department_employees_get(portal: DemoPortal, http: requests.Session) -> None:
    depts = [d for d in portal.departments.values() if _members(portal, d.id)]
    first, second = depts[1].id, depts[2].id
    result = ok(call(http, portal, "im.department.employees.get", {"ID": [second, first, 9999]}))
    assert result == {str(first): _members(portal, first), str(second): _members(portal, second)}
    as_text = ok(call(http, portal, "im.department.employees.get", {"ID": f"[{first}]"}))
    assert as_text == {str(first): _members(portal, first)}
    with_data = ok(
        call(http, portal, "im.department.employees.get", {"ID": [first], "USER_DATA": "Y"})
    )
    users = with_data[str(first)]
    assert [user["id"] for user in users] == _members(portal, first)
    assert list(users[0]) == CURRENT_KEYS
    assert ok(call(http, portal, "im.department.employees.get", {"ID": [9999]})) == []
    # Fired members are not staff any more (GetStructure reads ACTIVE = 'Y' only).
    fired = next(u for u in portal.users.values() if not u.active and u.departments)
    listed = ok(call(http, portal, "im.department.employees.get", {"ID": [fired.departments[0]]}))
    assert all(fired.id not in staff for staff in listed.values())


@pytest.mark.parametrize("method", ["im.department.employees.get", "im.department.managers.get"])
@pytest.mark.parametrize("ids", [None, [], [0, -3], "abc", "5", 5, {"a": "x"}])
def test_im_department_lists_without_ids_are_id_empty(
    portal: DemoPortal, http: requests.Session, method: str, ids: Any
) -> None:
    body = {} if ids is None else {"ID": ids}
    response = call(http, portal, method, body)
    assert error_of(response, 400) == "ID_EMPTY"
    assert response.json()["error_description"] == "Department ID can't be empty"


def test_im_department_managers_get(portal: DemoPortal, http: requests.Session) -> None:
    depts = list(portal.departments.values())
    ids = [depts[3].id, depts[0].id, 4242]
    result = ok(call(http, portal, "im.department.managers.get", {"ID": ids}))
    assert result == {
        str(depts[0].id): [depts[0].manager_id],
        str(depts[3].id): [depts[3].manager_id],
    }
    with_data = ok(
        call(http, portal, "im.department.managers.get", {"ID": [depts[3].id], "USER_DATA": "Y"})
    )
    assert with_data[str(depts[3].id)][0]["id"] == depts[3].manager_id
    assert ok(call(http, portal, "im.department.managers.get", {"ID": [4242]})) == []


def _expected_colleagues(portal: DemoPortal, uid: int) -> list[int]:
    """Department::getColleagues, written out independently."""
    order = _structure(portal)
    own = set(portal.user(uid).departments)
    found: dict[int, None] = {}
    for dept in order:
        if dept.id in own:
            found.setdefault(dept.manager_id, None)
    for dept in order:
        if dept.id in own:
            for member in _members(portal, dept.id):
                found.setdefault(member, None)
    if any(d.manager_id == uid for d in order):
        for dept in order:
            found.setdefault(dept.manager_id, None)
    found.pop(uid, None)
    return list(found)


def _structure(portal: DemoPortal) -> list[Any]:
    def walk(parent: int | None) -> list[Any]:
        kids = [d for d in portal.departments.values() if d.parent == parent]
        return [x for d in kids for x in (d, *walk(d.id))]

    return walk(None)


def test_im_department_colleagues_list_pages(portal: DemoPortal, http: requests.Session) -> None:
    expected = _expected_colleagues(portal, 1)  # The admin heads the head office.
    assert len(expected) > 25

    def page(body: dict[str, Any]) -> dict[str, Any]:
        response = call(http, portal, "im.department.colleagues.list", body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    first = page({})
    assert first["result"] == expected[:10]
    assert first["total"] == len(expected)
    assert first["next"] == 10
    assert page({"LIMIT": 500, "OFFSET": 20})["result"] == expected[20:70]
    assert page({"LIMIT": 5, "OFFSET": 20, "start": 30})["result"] == expected[30:35]
    assert page({"LIMIT": 5, "OFFSET": 20, "START": 30})["result"] == expected[20:25]
    last = page({"LIMIT": 50, "start": len(expected) - 3})
    assert last["result"] == expected[-3:]
    assert "next" not in last
    assert last["total"] == len(expected)
    # array_slice: a length of 0 gives nothing (next stays put), a negative one stops early.
    empty = page({"LIMIT": 0, "OFFSET": 4})
    assert (empty["result"], empty["next"], empty["total"]) == ([], 4, len(expected))
    assert page({"LIMIT": -2, "OFFSET": len(expected) - 5})["result"] == expected[-5:-2]
    beyond = page({"start": len(expected) + 10})
    assert (beyond["result"], beyond["total"], "next" in beyond) == ([], len(expected), False)
    users = page({"USER_DATA": "Y", "LIMIT": 3})["result"]
    assert [user["id"] for user in users] == expected[:3]
    assert list(users[0]) == CURRENT_KEYS
    assert page({"USER_DATA": "y", "LIMIT": 3})["result"] == expected[:3]


def test_im_department_colleagues_of_someone_who_heads_nothing(
    http: requests.Session, fresh: Factory
) -> None:
    probe = DemoPortal(users=120, seed=9)
    heads = {d.manager_id for d in probe.departments.values()}
    uid = next(u.id for u in probe.users.values() if u.is_colleague and u.id not in heads)
    portal = fresh(users=120, seed=9, webhook_user_id=uid)
    result = ok(call(http, portal, "im.department.colleagues.list", {"LIMIT": 50}))
    expected = _expected_colleagues(portal, uid)
    assert result == expected[:50]
    assert uid not in result
    assert set(result) <= set().union(
        *(_members(portal, d) for d in portal.user(uid).departments),
        {portal.departments[d].manager_id for d in portal.user(uid).departments},
    )


@pytest.mark.parametrize("kind", ["extranet", "bot"])
@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("im.department.get", {"ID": [1]}),
        ("im.department.employees.get", {"ID": [1]}),
        ("im.department.managers.get", {"ID": [1]}),
        ("im.department.colleagues.list", {}),
    ],
)
def test_im_department_methods_refuse_extranet_users_and_bots(
    fresh: Factory, http: requests.Session, kind: str, method: str, body: Any
) -> None:
    probe = DemoPortal(users=60, seed=4)
    uid = next(u.id for u in probe.users.values() if u.user_type == kind)
    portal = fresh(seed=4, webhook_user_id=uid)
    response = call(http, portal, method, body)
    assert error_of(response, 403) == "ACCESS_ERROR"
    assert response.json()["error_description"] == "Only intranet users have access to this method."


def test_status_get_set_and_idle(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(era="legacy")
    assert ok(call(http, portal, "im.user.status.get")) is False
    assert ok(call(http, portal, "im.user.status.set", {"STATUS": "dnd"})) is True
    assert ok(call(http, portal, "im.user.status.get")) == "dnd"
    response = call(http, portal, "im.user.status.set", {"STATUS": "invisible"})
    assert error_of(response, 400) == "STATUS_ERROR"
    assert response.json()["error_description"] == "Status is not available"
    assert ok(call(http, portal, "im.user.status.set", data={"status": "away"})) is True
    assert portal.status_log == ["dnd", "away"]
    assert ok(call(http, portal, "im.user.get"))["status"] == "away"  # Own status shows.
    portal.clock.freeze()
    assert ok(call(http, portal, "im.user.status.idle.start", {"AGO": 3})) is True
    idle = ok(call(http, portal, "im.user.get"))["idle"]
    expected = portal.clock.now() - timedelta(minutes=3)
    assert idle == expected.replace(microsecond=0).isoformat()
    assert ok(call(http, portal, "im.user.status.idle.end")) is True
    assert ok(call(http, portal, "im.user.get"))["idle"] is False


# batch -----------------------------------------------------------------------------------


def batch(http: requests.Session, portal: DemoPortal, cmd: Any, halt: Any = 0) -> Any:
    return ok(call(http, portal, "batch", {"halt": halt, "cmd": cmd}))


def test_batch_object_form_gives_five_maps(portal: DemoPortal, http: requests.Session) -> None:
    result = batch(
        http,
        portal,
        {"page": "user.get?FILTER[ACTIVE]=Y&start=50", "who": "profile", "bad": "im.user.get?ID=0"},
    )
    assert set(result) == {"result", "result_error", "result_total", "result_next", "result_time"}
    assert len(result["result"]["page"]) == 50
    assert result["result"]["who"]["ID"] == "1"
    assert result["result_error"] == {
        "bad": {"error": "ID_EMPTY", "error_description": "User ID can't be empty"}
    }
    assert result["result_total"] == {"page": portal_total(portal)}
    assert result["result_next"] == {"page": 100}
    assert set(result["result_time"]) == {"page", "who"}
    assert list(result["result_time"]["page"]) == TIME_KEYS


def portal_total(portal: DemoPortal) -> int:
    return sum(1 for u in portal.users.values() if u.is_real and u.active)


def test_batch_empty_maps_are_lists(portal: DemoPortal, http: requests.Session) -> None:
    result = batch(http, portal, {"t": "server.time"})
    assert result["result_error"] == []
    assert result["result_total"] == []
    assert result["result_next"] == []
    assert isinstance(result["result"], dict)
    empty = batch(http, portal, {})
    assert empty == {
        "result": [],
        "result_error": [],
        "result_total": [],
        "result_next": [],
        "result_time": [],
    }


def test_batch_list_form_gapless_is_array_gapped_is_object(
    portal: DemoPortal, http: requests.Session
) -> None:
    gapless = batch(http, portal, ["server.time", "profile"])
    assert isinstance(gapless["result"], list)
    assert gapless["result"][1]["ID"] == "1"
    gapped = batch(http, portal, ["server.time", "im.user.get?ID=0", "profile"])
    assert set(gapped["result"]) == {"0", "2"}
    assert set(gapped["result_error"]) == {"1"}


def test_batch_limit_of_fifty_commands(portal: DemoPortal, http: requests.Session) -> None:
    response = call(http, portal, "batch", {"cmd": ["server.time"] * 51})
    assert response.status_code == 200
    result = response.json()["result"]
    assert isinstance(result["result"], list)
    assert len(result["result"]) == 50
    assert result["result_error"] == {
        "50": {
            "error": "ERROR_BATCH_LENGTH_EXCEEDED",
            "error_description": "Max batch length exceeded",
        }
    }


def test_batch_nested_batch_and_unknown_method(portal: DemoPortal, http: requests.Session) -> None:
    result = batch(http, portal, {"inner": "batch?cmd[a]=profile", "odd": "no.such", "t": "scope"})
    assert result["result_error"]["inner"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert result["result_error"]["odd"]["error"] == "ERROR_METHOD_NOT_FOUND"
    assert result["result"] == {"t": ["im", "user_brief"]}


@pytest.mark.parametrize(("halt", "halts"), [(1, True), (True, True), ("false", True)])
def test_batch_halt_truthy(
    portal: DemoPortal, http: requests.Session, halt: Any, halts: bool
) -> None:
    result = batch(http, portal, {"a": "profile", "b": "im.user.get?ID=0", "c": "scope"}, halt)
    assert list(result["result"]) == ["a"]
    assert list(result["result_error"]) == ["b"]


@pytest.mark.parametrize("halt", [0, "0", False, ""])
def test_batch_halt_falsy(portal: DemoPortal, http: requests.Session, halt: Any) -> None:
    result = batch(http, portal, {"a": "profile", "b": "im.user.get?ID=0", "c": "scope"}, halt)
    assert list(result["result"]) == ["a", "c"]


@pytest.mark.parametrize(("halt", "ran_c"), [("0", True), ("", True), ("false", False)])
def test_batch_halt_in_a_form_body(
    portal: DemoPortal, http: requests.Session, halt: str, ran_c: bool
) -> None:
    data = {"halt": halt, "cmd[a]": "im.user.get?ID=0", "cmd[c]": "scope"}
    result = ok(call(http, portal, "batch", data=data))
    assert ("c" in result["result"]) is ran_c


def test_batch_substitutes_a_whole_array(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.clock.freeze()
    for uid in (2, 3, 4):
        portal.set_activity(uid, last_activity=portal.clock.now())
    result = batch(
        http,
        portal,
        {"on": "user.online", "who": "im.user.list.get?ID=$result[on]&RESULT_TYPE=array"},
    )
    online = result["result"]["on"]
    assert {"2", "3", "4"} <= set(online)
    assert [str(obj["id"]) for obj in result["result"]["who"]] == online


def test_batch_splices_scalars_and_follows_paths(
    portal: DemoPortal, http: requests.Session
) -> None:
    result = batch(
        http,
        portal,
        {
            "me": "profile",
            "list": "im.user.list.get?ID=[$result[me][ID],2]",
            "page1": "user.get?start=0",
            "page2": "user.get?start=$next[page1]",
            "first": "im.user.get?ID=$result[page1][0][ID]",
            "text": "user.get?FILTER[ID]=$result[missing]x",
        },
    )
    assert list(result["result"]["list"]) == ["1", "2"]
    assert int(result["result"]["page2"][0]["ID"]) > int(result["result"]["page1"][-1]["ID"])
    assert result["result"]["first"]["id"] == int(result["result"]["page1"][0]["ID"])
    # An unresolvable reference inside text stays as it was: no user has that id.
    assert result["result"]["text"] == []


def test_batch_form_body_commands_are_encoded_twice(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    uid = portal.add_user(first_name="Tom&Jerry", last_name="<Cat>")
    command = "user.get?" + urlencode({"FILTER[NAME]": "Tom&Jerry"})
    data = {"cmd[find]": command, "cmd[ids]": "im.user.list.get?ID[]=1&ID[]=2"}
    result = ok(call(http, portal, "batch", data=data))
    assert [row["ID"] for row in result["result"]["find"]] == [str(uid)]
    assert list(result["result"]["ids"]) == ["1", "2"]
    assert result["result"]["find"][0]["LAST_NAME"] == "<Cat>"


def test_batch_checks_the_scope_of_each_command(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(scopes=("im",))
    result = batch(http, portal, {"users": "user.get", "im": "im.user.list.get?ID[]=1"})
    assert result["result_error"]["users"]["error"] == "insufficient_scope"
    assert list(result["result"]) == ["im"]


def test_big_batch_on_twenty_thousand_users_is_fast(http: requests.Session) -> None:
    with DemoPortal(users=20_000, rate_limit=None) as portal:
        ids = portal.colleague_ids()
        cmd = {
            f"c{i}": "im.user.list.get?" + urlencode({"ID[]": ids[i * 50 : (i + 1) * 50]}, True)
            for i in range(50)
        }
        call(http, portal, "server.time")  # Open the connection.
        began = time.perf_counter()
        result = batch(http, portal, cmd)
        elapsed = time.perf_counter() - began
    assert sum(len(r) for r in result["result"].values()) == 2500
    assert result["result_error"] == []
    assert elapsed < 1.0


# Rate limit ------------------------------------------------------------------------------


def test_rate_limit_refuses_the_third_rapid_request(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(rate_limit=RateLimit(burst=2, per_second=0.5))
    statuses = [call(http, portal, "server.time").status_code for _ in range(2)]
    refused = call(http, portal, "server.time")
    assert statuses == [200, 200]
    assert refused.status_code == 503
    assert refused.json() == {
        "error": "QUERY_LIMIT_EXCEEDED",
        "error_description": "Too many requests",
    }
    assert [r.status for r in portal.log] == [200, 200, 503]


def test_rate_limit_drains_and_counts_a_batch_once(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(rate_limit=RateLimit(burst=2, per_second=5))
    assert call(http, portal, "batch", {"cmd": ["server.time"] * 20}).status_code == 200
    assert call(http, portal, "server.time").status_code == 200
    assert call(http, portal, "server.time").status_code == 503
    time.sleep(0.3)
    assert call(http, portal, "server.time").status_code == 200


def test_rate_limit_is_on_by_default(http: requests.Session) -> None:
    with DemoPortal(users=5) as portal:
        statuses = [call(http, portal, "server.time").status_code for _ in range(50)]
        while statuses[-1] == 200 and len(statuses) < 500:
            statuses.append(call(http, portal, "server.time").status_code)
    assert statuses[:50] == [200] * 50  # The default burst: 50 (docs/bitrix24-api.md §5.1).
    assert statuses[-1] == 503


# Faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "INTERNAL_SERVER_ERROR"),
        ("503-limit", 503, "QUERY_LIMIT_EXCEEDED"),
        ("429", 429, "OPERATION_TIME_LIMIT"),
        ("access-denied", 401, "ACCESS_DENIED"),
        ("insufficient-scope", 401, "insufficient_scope"),
    ],
)
def test_json_faults(
    fresh: Factory, http: requests.Session, kind: str, status: int, code: str
) -> None:
    portal = fresh()
    portal.faults.fail(kind)
    assert error_of(call(http, portal, "server.time"), status) == code
    assert call(http, portal, "server.time").status_code == 200


def test_access_denied_and_time_limit_texts(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.faults.fail("access-denied")
    portal.faults.fail("429")
    first = call(http, portal, "profile").json()
    assert first["error_description"] == "REST is available only on commercial plans"
    second = call(http, portal, "profile").json()
    assert second == {
        "error": "OPERATION_TIME_LIMIT",
        "error_description": "Method is blocked due to operation time limit.",
    }


@pytest.mark.parametrize(
    ("kind", "status"), [("502-html", 502), ("503-html", 503), ("not-json", 200)]
)
def test_html_faults(fresh: Factory, http: requests.Session, kind: str, status: int) -> None:
    portal = fresh()
    portal.faults.fail(kind)
    response = call(http, portal, "server.time")
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError, match="Expecting value"):
        json.loads(response.text)


def test_drop_fault_closes_without_an_answer(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.faults.fail("drop")
    with pytest.raises(requests.ConnectionError):
        call(http, portal, "server.time")
    assert portal.log[-1].status == 0
    assert call(http, portal, "server.time").status_code == 200


def test_hang_fault_answers_late(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.faults.hang_s = 0.3
    portal.faults.fail("hang")
    began = time.perf_counter()
    assert call(http, portal, "server.time").status_code == 200
    assert time.perf_counter() - began >= 0.3


def test_faults_by_method_count_latency_and_clear(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.faults.fail("500", count=2, method="user.get")
    assert call(http, portal, "profile").status_code == 200
    assert call(http, portal, "user.get").status_code == 500
    assert call(http, portal, "USER.GET.json").status_code == 500
    assert call(http, portal, "user.get").status_code == 200
    portal.faults.latency = 0.2
    began = time.perf_counter()
    assert call(http, portal, "profile").status_code == 200
    assert time.perf_counter() - began >= 0.2
    portal.faults.fail("500", count=3)
    assert portal.faults.pending == 3
    portal.faults.clear()
    assert portal.faults.pending == 0
    assert portal.faults.latency == 0
    with pytest.raises(ValueError, match="unknown fault"):
        portal.faults.fail("teapot")


def test_every_nth_request_fails_with_kinds_in_turn(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.faults.every(3, ["500", "truncated", "502-html"])
    statuses = [call(http, portal, "server.time").status_code for _ in range(9)]
    assert statuses == [200, 200, 500, 200, 200, 200, 200, 200, 502]
    assert portal.faults.injected == 3
    portal.faults.fail("429")  # A queued failure comes first and does not count.
    assert call(http, portal, "server.time").status_code == 429
    assert [call(http, portal, "server.time").status_code for _ in range(3)] == [200, 200, 500]
    portal.faults.every(0, [])
    assert {call(http, portal, "server.time").status_code for _ in range(4)} == {200}
    with pytest.raises(ValueError, match="unknown fault"):
        portal.faults.every(2, ["500", "teapot"])
    with pytest.raises(ValueError, match="at least one kind"):
        portal.faults.every(2, [])
    portal.faults.every(1, ["500"])
    portal.faults.clear()
    assert call(http, portal, "server.time").status_code == 200


def test_truncated_fault_cuts_the_real_answer_in_its_middle(
    fresh: Factory, http: requests.Session
) -> None:
    portal = fresh()
    portal.clock.freeze()
    whole = call(http, portal, "user.get", {"start": 0}).content
    portal.faults.fail("truncated")
    response = call(http, portal, "user.get", {"start": 0})
    assert response.status_code == 200
    # The time object's figures differ from call to call; the rows before them do not.
    assert abs(len(response.content) - len(whole) // 2) < 20
    assert whole.startswith(response.content[:-20])
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_slow_fault_answers_whole_after_a_delay(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.faults.slow_s = 0.3
    portal.faults.fail("slow")
    began = time.perf_counter()
    response = call(http, portal, "server.time")
    assert time.perf_counter() - began >= 0.3
    assert response.status_code == 200
    assert "result" in response.json()


def test_demo_clock_speed_shows_in_the_answers(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    portal.clock.speed = 600
    first = call(http, portal, "server.time").json()["time"]["start"]
    time.sleep(0.1)
    second = call(http, portal, "server.time").json()["time"]["start"]
    assert 55 <= second - first <= 120


def test_stop_is_prompt_with_a_hanging_request_in_flight(fresh: Factory) -> None:
    portal = fresh()
    portal.faults.fail("hang")  # 30 s by default.
    outcome: list[object] = []

    def client() -> None:
        with requests.Session() as session:
            try:
                session.post(portal.webhook_url + "profile", timeout=10)
                outcome.append("answered")
            except requests.ConnectionError as error:
                outcome.append(error)

    worker = threading.Thread(target=client)
    worker.start()
    deadline = time.monotonic() + 5
    while portal.faults.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    idle = requests.Session()
    idle.post(portal.webhook_url + "server.time", timeout=10).close()  # An open keep-alive.
    began = time.perf_counter()
    portal.stop()
    stopped_in = time.perf_counter() - began
    worker.join(5)
    idle.close()
    assert stopped_in < 1.0
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], requests.ConnectionError)


# Domain change ---------------------------------------------------------------------------


def test_moved_portal_redirects_the_old_host(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    old_url = portal.webhook_url + "profile"
    portal.move_to_host("localhost")
    assert portal.base_url.startswith("http://localhost:")
    moved = http.post(old_url, json={}, allow_redirects=False, timeout=10)
    assert moved.status_code == 302
    location = moved.headers["Location"]
    assert location == f"http://localhost:{portal.port}/rest/1/{portal.secret}/profile"
    assert ok(http.post(location, json={}, allow_redirects=False, timeout=10))["ID"] == "1"
    avatar = ok(call(http, portal, "im.user.list.get", {"ID": [1]}))["1"]["avatar"]
    assert avatar.startswith("http://localhost:")


# Clock and presence ----------------------------------------------------------------------


def test_clock_moves_a_user_across_the_online_limit(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(online_limit_s=1440)
    portal.clock.freeze()
    uid = portal.colleague_ids()[3]
    last = portal.clock.now() - timedelta(seconds=1400)
    portal.set_activity(uid, last_activity=last)

    def is_online() -> str:
        rows = ok(call(http, portal, "user.get", {"FILTER": {"ID": uid}}))
        return str(rows[0]["IS_ONLINE"])

    assert is_online() == "Y"
    assert str(uid) in ok(call(http, portal, "user.online"))
    obj = list_get(http, portal, [uid])[str(uid)]
    assert obj["last_activity_date"] == last.replace(microsecond=0).isoformat()
    portal.clock.advance(60)
    assert is_online() == "N"
    assert str(uid) not in ok(call(http, portal, "user.online"))
    portal.clear_activity(uid)
    assert portal.activity(uid).last_activity != last.timestamp()


def test_presence_changes_over_simulated_time(fresh: Factory, http: requests.Session) -> None:
    portal = fresh(users=300)
    portal.clock.freeze()
    before = set(ok(call(http, portal, "user.online")))
    portal.clock.advance(45 * 60)
    after = set(ok(call(http, portal, "user.online")))
    assert before != after
    assert len(before) > 20


# Avatars ---------------------------------------------------------------------------------


def test_avatars_are_real_pngs_without_authentication(
    portal: DemoPortal, http: requests.Session
) -> None:
    people = [u for u in portal.users.values() if u.photo_hash and not u.avatar_broken][:2]
    result = list_get(http, portal, [u.id for u in people])
    pictures = []
    for user in people:
        response = http.get(result[str(user.id)]["avatar"], timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/png"
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert response.content[16:24] == b"\x00\x00\x00\xc8\x00\x00\x00\xc8"  # 200x200
        pictures.append(response.content)
    assert pictures[0] != pictures[1]
    row = ok(call(http, portal, "user.get", {"FILTER": {"ID": people[0].id}}))[0]
    assert http.get(row["PERSONAL_PHOTO"], timeout=10).content == pictures[0]


def test_some_avatars_are_broken_and_wrong_links_are_404(
    portal: DemoPortal, http: requests.Session
) -> None:
    broken = find(portal, lambda u: u.avatar_broken)
    url = list_get(http, portal, [broken.id])[str(broken.id)]["avatar"]
    assert url
    assert http.get(url, timeout=10).status_code == 404
    good = find(portal, lambda u: bool(u.photo_hash) and not u.avatar_broken)
    wrong = f"{portal.base_url}/upload/resize_cache/main/zzz/200_200_2/{good.id}.png"
    assert http.get(wrong, timeout=10).status_code == 404
    other = "000" if good.photo_hash != "000" else "001"
    wrong = f"{portal.base_url}/upload/resize_cache/main/{other}/200_200_2/{good.id}.png"
    assert http.get(wrong, timeout=10).status_code == 404


# Request log -----------------------------------------------------------------------------


def test_request_log_records_every_request_with_the_secret_hidden(
    fresh: Factory, http: requests.Session
) -> None:
    portal = fresh()
    call(http, portal, "batch", {"cmd": ["profile", "scope"]})
    call(http, portal, "nope")
    http.get(portal.base_url + "/bitrix/js/im/images/blank.gif", timeout=10)
    log = portal.log
    assert portal.request_count == 3
    assert [r.rest_method for r in log] == ["batch", "nope", None]
    assert [r.status for r in log] == [200, 404, 200]
    assert log[0].path == "/rest/1/***/batch"
    assert all(portal.secret not in r.path for r in log)
    assert log[0].http_method == "POST"
    assert log[0].client == "127.0.0.1"
    assert log[0].duration_s >= 0
    assert log[0].at.utcoffset() == timedelta(hours=3)
    portal.reset_log()
    assert portal.request_count == 0


def test_log_callback(http: requests.Session) -> None:
    seen: list[str] = []
    with DemoPortal(users=5, rate_limit=None, on_request=lambda r: seen.append(r.path)) as portal:
        call(http, portal, "profile")
    assert seen == ["/rest/1/***/profile"]


# Changing users while serving ------------------------------------------------------------


def test_add_update_and_fire_users(fresh: Factory, http: requests.Session) -> None:
    portal = fresh()
    uid = portal.add_user(
        first_name="Zoë", last_name="Quinn", gender="F", phones={"inner_phone": "7"}
    )
    assert uid == max(portal.users)
    assert uid in portal.colleague_ids()
    obj = list_get(http, portal, [uid])[str(uid)]
    assert obj["name"] == "Zoë Quinn"
    assert obj["phones"] == {"inner_phone": "7"}
    portal.update_user(uid, work_position="R&D <lead>", departments=[1])
    obj = list_get(http, portal, [uid])[str(uid)]
    assert obj["work_position"] == "R&D <lead>"
    assert obj["departments"] == [1]
    portal.fire(uid)
    assert uid not in portal.colleague_ids()
    assert list_get(http, portal, [uid])[str(uid)]["active"] is False
    active = ok(call(http, portal, "user.get", {"FILTER": {"ACTIVE": True, ">ID": uid - 1}}))
    assert active == []
    with pytest.raises(TypeError):
        portal.update_user(uid, id=5)


def test_mutations_while_serving_from_threads(fresh: Factory) -> None:
    portal = fresh(users=100)
    failures: list[str] = []

    def client() -> None:
        with requests.Session() as session:
            for _ in range(15):
                response = session.post(
                    portal.webhook_url + "batch",
                    json={"cmd": {"u": "user.get", "l": "im.user.list.get?ID[]=1&ID[]=2"}},
                    timeout=10,
                )
                if response.status_code != 200 or response.json()["result"]["result_error"]:
                    failures.append(response.text)

    workers = [threading.Thread(target=client) for _ in range(4)]
    for worker in workers:
        worker.start()
    for i in range(30):
        portal.update_user(2, first_name=f"Name {i}")
        portal.add_user()
        portal.set_activity(3, last_activity=portal.clock.now())
    for worker in workers:
        worker.join(10)
    assert failures == []
    assert portal.user(2).first_name == "Name 29"


# Command line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["--users", "abc"], ["--users", "0"], ["--era", "future"], ["--port", "70000"], ["--x"]],
)
def test_cli_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: bx24presence-demo-portal" in capsys.readouterr().err


def test_cli_serves_until_ctrl_c() -> None:
    command = [sys.executable, "-m", "bx24presence.demo.cli", "--port", "0", "--users", "20"]
    with subprocess.Popen(
        [*command, "--no-rate-limit", "--log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        match = re.fullmatch(r"Webhook URL: (http://127\.0\.0\.1:\d+/rest/1/[0-9a-f]+/)", first)
        assert match, first
        with requests.Session() as session:
            response = session.post(match.group(1) + "profile", timeout=10)
        assert response.json()["result"]["ID"] == "1"
        process.stdout.readline()  # The summary line.
        assert "/rest/1/***/profile" in process.stdout.readline()
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in errors
