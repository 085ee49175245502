"""From im.user.list.get JSON of every era to colleagues; anything unusable is a ProtocolError."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bx24presence import domain
from bx24presence.api import jsonio
from bx24presence.api.client import ResponseTime, _int_or_none, parse_batch, parse_iso
from bx24presence.api.errors import ApiError, ProtocolError
from bx24presence.api.parse import (
    is_colleague,
    parse_departments_result,
    parse_user,
    parse_user_ids,
    resolve_avatar,
    to_int,
    user_entries,
)
from bx24presence.domain import Presence, shared_zone

PORTAL = "https://acme.bitrix24.com"
MSK = timezone(timedelta(hours=3))
NOW = datetime(2026, 3, 2, 9, 40, tzinfo=MSK)

CURRENT = {
    "id": 4,
    "active": True,
    "name": "Emily Smith",
    "first_name": "Emily",
    "last_name": "Smith",
    "work_position": "Analyst",
    "color": "#df532d",
    "avatar": "https://acme.bitrix24.com/upload/resize_cache/main/abc/200_200_2/p.jpg",
    "avatar_hr": "https://acme.bitrix24.com/upload/resize_cache/main/abc/200_200_2/p.jpg",
    "gender": "F",
    "birthday": "08-03",
    "extranet": False,
    "network": False,
    "bot": False,
    "connector": False,
    "external_auth_id": "default",
    "status": "online",
    "idle": False,
    "last_activity_date": "2026-03-02T09:30:00+03:00",
    "mobile_last_date": False,
    "desktop_last_date": False,
    "absent": False,
    "departments": [7, 5],
    "phones": {"work_phone": "+1 555 0100", "personal_mobile": "+1 555 0101", "inner_phone": "22"},
    "bot_data": None,
    "type": "user",
    "website": "",
    "email": "emily@example.com",
}


def parse(obj: Any, **kw: Any):
    return parse_user(obj, portal=PORTAL, now=NOW, window_s=900, **kw)


def test_current_era_object() -> None:
    c = parse(CURRENT)
    assert c is not None
    assert (c.id, c.name, c.first_name, c.last_name) == (4, "Emily Smith", "Emily", "Smith")
    assert c.presence is Presence.ONLINE
    assert c.last_activity_raw == "2026-03-02T09:30:00+03:00"
    assert c.phones.as_dict() == {
        "work_phone": "+1 555 0100",
        "personal_mobile": "+1 555 0101",
        "inner_phone": "22",
    }
    assert c.departments == (7, 5)
    assert c.birthday == "08-03"
    assert c.email == "emily@example.com" and c.website is None
    assert c.avatar == CURRENT["avatar"] and c.gender == "F"
    assert c.absent_until is None


def test_documented_2018_example() -> None:
    """The example of the older documentation page, as published."""
    page = Path("/work/shared/reference/im.user.list.get.md")
    if page.exists():
        text = page.read_text()
        body = text[text.index("```json", text.index("Successful Response")) + 7 :]
        payload = json.loads(body[: body.index("```")])
    else:  # the same example, inline
        payload = {
            "result": {
                "4": None,
                "5": {
                    "id": 5,
                    "name": "Eugene Shelenkov",
                    "work_position": "",
                    "avatar": "http://192.168.2.232/upload/x.png",
                    "status": "online",
                    "last_activity_date": "2018-01-29T17:35:31+03:00",
                    "departments": [50],
                    "absent": False,
                    "phones": {"work_phone": "", "personal_mobile": "", "personal_phone": ""},
                },
            }
        }
    entries = user_entries(payload["result"])
    assert entries[0] is None
    now = datetime(2018, 1, 29, 17, 40, tzinfo=MSK)
    c = parse_user(entries[1], portal="http://192.168.2.232", now=now, window_s=900)
    assert c is not None and c.id == 5 and c.name == "Eugene Shelenkov"
    assert c.presence is Presence.ONLINE
    assert c.work_position is None, "an empty position is no position"
    assert not c.phones, "only empty phone numbers"
    assert c.avatar_hr is None, "no avatar_hr key on that era without AVATAR_HR=Y"


def test_legacy_status_idle_and_mobile() -> None:
    obj = dict(CURRENT, status="away", idle="2026-03-02T09:20:00+03:00")
    assert parse(obj).presence is Presence.AWAY
    obj = dict(CURRENT, status="online", mobile_last_date="2026-03-02T09:29:00+03:00")
    assert parse(obj).presence is Presence.MOBILE
    obj = dict(CURRENT, status="dnd")
    assert parse(obj).presence is Presence.DND


def test_tolerates_odd_types_and_missing_keys() -> None:
    obj = {
        "id": "12",
        "name": None,
        "first_name": "Иван",
        "last_name": "Петров",
        "work_position": None,
        "departments": ["3", 4, "x", None, 3],
        "phones": False,
        "birthday": "",
        "last_activity_date": False,
        "absent": "2026-05-14T00:00:00+03:00",
        "avatar": "",
        "avatar_hr": "/bitrix/js/im/images/blank.gif",
        "gender": None,
    }
    c = parse(obj)
    assert c is not None
    assert c.id == 12 and c.name == "Иван Петров" and c.initials == "ИП"
    assert c.departments == (3, 4)
    assert not c.phones and c.birthday is None and c.work_position is None
    assert c.last_activity is None and c.last_activity_raw is None
    assert c.presence is Presence.OFFLINE
    assert c.absent_until == date(2026, 5, 14)
    assert c.avatar is None and c.avatar_hr is None
    assert c.gender == "M"


def test_minimal_entry_gets_a_name() -> None:
    c = parse({"id": 9})
    assert c is not None and c.name == "User 9"


@pytest.mark.parametrize(
    "obj",
    [
        dict(CURRENT, active=False),
        dict(CURRENT, bot=True),
        dict(CURRENT, connector=True),
        dict(CURRENT, extranet=True),
        dict(CURRENT, network=True),
        dict(CURRENT, external_auth_id="imconnector"),
        dict(CURRENT, external_auth_id="email"),
        dict(CURRENT, type="bot"),
        dict(CURRENT, type="collaber"),
        dict(CURRENT, bot_data={"code": "helper", "type": "bot"}),
        dict(CURRENT, active="N"),
    ],
)
def test_non_colleagues_are_skipped(obj: dict) -> None:
    assert not is_colleague(obj)
    assert parse(obj) is None


def test_older_portal_without_active_key_counts_as_active() -> None:
    obj = {k: v for k, v in CURRENT.items() if k != "active"}
    assert parse(obj) is not None


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("", None),
        (False, None),
        (None, None),
        ("https://acme.bitrix24.com/bitrix/js/im/images/blank.gif", None),
        ("/upload/main/1/p.png", "https://acme.bitrix24.com/upload/main/1/p.png"),
        ("upload/main/1/p.png", "https://acme.bitrix24.com/upload/main/1/p.png"),
        ("https://cdn.bitrix24.com/b1/p.jpg", "https://cdn.bitrix24.com/b1/p.jpg"),
        ("//cdn.example/p.jpg", "https://cdn.example/p.jpg"),
    ],
)
def test_avatar_resolution(value: Any, url: str | None) -> None:
    assert resolve_avatar(value, PORTAL) == url


def test_result_shapes() -> None:
    assert user_entries({"4": CURRENT, "999": None}) == [CURRENT, None]
    assert user_entries([CURRENT, None]) == [CURRENT, None]
    assert user_entries([]) == []
    with pytest.raises(ProtocolError):
        user_entries("nope")


@pytest.mark.parametrize("bad", [42, "text", ["list"], {"id": "abc"}, {"id": -1}, {"name": "x"}])
def test_unusable_entries_are_protocol_errors(bad: Any) -> None:
    with pytest.raises(ProtocolError):
        parse(bad)


def test_user_ids_and_departments() -> None:
    assert parse_user_ids([{"ID": "1"}, {"ID": 2}]) == [1, 2]
    assert parse_user_ids(["3", 4]) == [3, 4]
    assert parse_user_ids([]) == []
    with pytest.raises(ProtocolError):
        parse_user_ids([{"NAME": "x"}])
    with pytest.raises(ProtocolError):
        parse_user_ids("x")
    rows = [{"id": 7, "name": "Development"}, {"id": "5", "name": "Sales"}, "junk", {"id": 1}]
    assert parse_departments_result(rows) == {7: "Development", 5: "Sales"}


def test_markup_in_names_is_kept_as_text() -> None:
    c = parse(dict(CURRENT, name="<b>x</b> & <img src=y>"))
    assert c is not None and c.name == "<b>x</b> & <img src=y>"


# Any JSON value may arrive where a user entry or a result should be.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.sampled_from(["work_phone", "inner_phone", "x"]), st.text(max_size=8)),
    st.sampled_from(["2026-03-02T09:30:00+03:00", "2026-03-02", "", "not-a-date", "08-03"]),
)
user_like = st.fixed_dictionaries(
    {"id": st.one_of(st.integers(-5, 10**6), st.text(max_size=6), st.none(), st.floats())},
    optional={k: field_values for k in CURRENT if k != "id"},
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(user_like, json_values))
def test_any_entry_parses_or_is_a_protocol_error(obj: Any) -> None:
    try:
        c = parse(obj)
    except ProtocolError as exc:
        assert str(exc)
        return
    if c is not None:
        assert isinstance(c.id, int) and c.id > 0
        assert isinstance(c.name, str) and c.name
        assert isinstance(c.presence, Presence)
        assert all(isinstance(d, int) for d in c.departments)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_result_gives_entries_or_a_protocol_error(result: Any) -> None:
    try:
        entries = user_entries(result)
    except ProtocolError:
        return
    for entry in entries:
        with contextlib.suppress(ProtocolError):
            parse(entry)


# -- times without an offset, numbers where text belongs ---------------------------------------


def test_a_date_finish_without_an_offset_is_utc() -> None:
    t = ResponseTime.parse({"date_finish": "2026-03-02T12:00:00", "start": "1.5"})
    assert t is not None and t.date_finish == datetime(2026, 3, 2, 12, tzinfo=UTC)
    t = ResponseTime.parse({"date_finish": "2026-03-02T12:00:00+03:00"})
    assert t is not None and t.date_finish is not None
    assert t.date_finish.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    "value",
    ["0000-00-00 00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "x" * 100],
)
def test_absurd_times_are_no_times(value: str) -> None:
    assert parse_iso(value) is None
    assert ResponseTime.parse({"date_finish": value}).date_finish is None  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", 1e400, "1" * 5000])
def test_time_numbers_must_be_finite(value: Any) -> None:
    t = ResponseTime.parse({"operating_reset_at": value, "start": value})
    assert t is not None and t.operating_reset_at is None and t.start is None


def test_naive_times_take_the_portals_offset_and_presence_works() -> None:
    obj = dict(CURRENT, last_activity_date="2026-03-02T09:35:00", idle="2026-03-02T09:36:00")
    c = parse(obj)
    assert c is not None and c.last_activity == datetime(2026, 3, 2, 9, 35, tzinfo=MSK)
    assert c.presence is Presence.AWAY
    # A naive clock (a portal's date_finish without an offset reaching here) is UTC.
    naive_now = datetime(2026, 3, 2, 6, 40)
    c = parse_user(CURRENT, portal=PORTAL, now=naive_now, window_s=900)
    assert c is not None and c.presence is Presence.ONLINE, "09:30 MSK is 06:30 UTC"
    c = parse_user(
        dict(CURRENT, last_activity_date="2026-03-02T06:00:00"),
        portal=PORTAL,
        now=naive_now,
        window_s=900,
    )
    assert c is not None and c.presence is Presence.OFFLINE


def test_long_digit_strings_are_no_ids() -> None:
    assert to_int("1" * 5000) is None and to_int("12") == 12
    assert _int_or_none("9" * 5000) is None and _int_or_none("-7") == -7
    assert _int_or_none(float("inf")) is None
    c = parse(dict(CURRENT, id="4", name=12345, work_position=1.5, email=True))
    assert c is not None and c.name == "12345" and c.work_position == "1.5" and c.email is None


# -- the whole path of an answer: bytes, batch maps, colleagues --------------------------------

COMMANDS: dict[str, Any] = {
    "first": ("user.get", {}),
    "me": ("im.user.status.get", {}),
    "r0": ("im.user.list.get", {}),
    "r1": ("im.user.list.get", {}),
}
batch_maps = st.fixed_dictionaries(
    {},
    optional={
        k: st.one_of(
            json_values,
            st.dictionaries(st.sampled_from([*list(COMMANDS), "x"]), json_values, max_size=4),
            st.lists(json_values, max_size=4),
        )
        for k in ("result", "result_error", "result_total", "result_next", "result_time")
    },
)
user_maps = st.dictionaries(st.text(max_size=4), st.one_of(user_like, json_values), max_size=4)


def _through_the_parsers(body: Any) -> None:
    """What the client and a refresh do with a decoded answer."""
    if not isinstance(body, dict):
        return
    timing = ResponseTime.parse(body.get("time"))
    now = (timing.date_finish if timing else None) or NOW
    batch = parse_batch(body.get("result"), COMMANDS, timing=timing, secrets=("s3cr3t",))
    for err in batch.errors.values():
        assert isinstance(err, ApiError) and "s3cr3t" not in str(err)
        str(err).encode("utf-8")
    for value in batch.results.values():
        with contextlib.suppress(ProtocolError):
            for entry in user_entries(value):
                with contextlib.suppress(ProtocolError):
                    parse_user(entry, portal=PORTAL, now=now, window_s=900)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"result": batch_maps},
            optional={"time": st.one_of(json_values, st.fixed_dictionaries({}, optional={
                "date_finish": st.one_of(st.text(max_size=30), st.sampled_from(
                    ["2026-03-02T12:00:00", "2026-03-02T12:00:00+03:00", "0000-00-00"]
                )),
                "operating_reset_at": json_values,
            }))},
        ),
        st.fixed_dictionaries({"result": st.fixed_dictionaries({"result": st.fixed_dictionaries(
            {}, optional={"r0": user_maps, "r1": st.lists(user_like, max_size=3)}
        )})}),
    )
)  # fmt: skip
def test_any_value_through_the_batch_and_colleague_parsers(value: Any) -> None:
    """Only the project's own errors come out, whatever JSON the portal sends."""
    with contextlib.suppress(ProtocolError):
        _through_the_parsers(value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_any_bytes_through_the_decoder_and_the_parsers(data: bytes) -> None:
    try:
        body = jsonio.decode_answer(data)
    except jsonio.MalformedJson:
        return
    with contextlib.suppress(ProtocolError):
        _through_the_parsers(body)


def test_texts_many_colleagues_share_are_kept_once() -> None:
    """First and last names, positions and birthdays repeat across thousands of people:
    one string object each, not one per colleague (2.5 MB at 10,000)."""
    now = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    people = [
        jsonio.decode_answer(
            json.dumps(
                {"id": i, "first_name": "Anna", "last_name": "Smith", "birthday": "1990-05-04",
                 "work_position": "Account Manager", "email": f"a{i}@example.com"}
            ).encode()
        )
        for i in (1, 2)
    ]  # fmt: skip
    a, b = (parse_user(p, portal="https://x.bitrix24.ru", now=now, window_s=900) for p in people)
    assert a is not None and b is not None
    for field in ("first_name", "last_name", "work_position", "birthday"):
        assert getattr(a, field) is getattr(b, field), field
    assert a.email != b.email


def test_times_share_one_zone_object_per_offset() -> None:
    """``datetime.fromisoformat`` makes a zone object per time read (80 bytes each, 10,000
    colleagues): the reader keeps one per offset, and a portal sending many offsets cannot
    grow that table without bound."""
    a = parse({**CURRENT, "id": 1, "last_activity_date": "2026-12-03T09:00:00+03:00"})
    b = parse({**CURRENT, "id": 2, "last_activity_date": "2026-12-03T09:05:00+03:00"})
    assert a.last_activity is not None and b.last_activity is not None
    assert a.last_activity.tzinfo is b.last_activity.tzinfo
    assert a.last_activity.utcoffset() == timedelta(hours=3)
    for minutes in range(200):
        dt = datetime(2026, 12, 3, tzinfo=timezone(timedelta(minutes=minutes - 100)))
        assert shared_zone(dt) == dt and shared_zone(dt).utcoffset() == dt.utcoffset()
    assert len(domain._ZONES) <= domain._SHARED_ZONES_MAX
