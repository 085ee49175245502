"""Fuzzing every parser and loader of outside data: only the project's own error types come out.

API answers (the JSON parsers, the client's envelope and batch handling, a whole refresh), the
snapshot cache, the settings (the watch list and notification rules live there), the
fallback secrets file and the webhook address. A ``KeyError``, ``TypeError``, ``ValueError``,
``RecursionError`` or ``UnicodeError`` escaping any of them is a bug: the app would crash
or show "Unexpected error" for one odd profile or one damaged file.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bx24presence import cache
from bx24presence.api import jsonio, parse
from bx24presence.api.auth import WebhookAuth, parse_webhook_url
from bx24presence.api.client import Bitrix24Client, ResponseTime, parse_iso
from bx24presence.api.errors import ApiError, BadPortalUrl, ProtocolError, error_from_envelope
from bx24presence.api.throttle import LeakyBucket, RetryPolicy
from bx24presence.domain import Colleague, Snapshot
from bx24presence.secrets import WEBHOOK_URL, SecretStore
from bx24presence.settings import NotifyRule, Settings, load_settings
from bx24presence.sync import Refresher
from tests.factories import colleague, snapshot

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PORTAL = "https://acme.bitrix24.com"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=3)))
#: Any code point, lone surrogates included: JSON's ``"\ud800"`` decodes to one.
ANY_CHAR = st.characters(exclude_categories=())
TEXT = st.text(ANY_CHAR, max_size=12)

# -- what a portal can send -------------------------------------------------------------------

_dates = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.none()
)
DATE_TEXTS = st.one_of(
    _dates.map(datetime.isoformat),
    st.builds(
        lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
        _dates,
        st.integers(-1439, 1439),
    ),
    st.sampled_from(
        [
            "2026-03-02T11:59:00+03:00",
            "2026-03-02T11:59:00",
            "2026-03-02",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2026-02-30T00:00:00+03:00",
            "02-03",
            "29-02",
            "99-99",
            "1e999",
        ]
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    TEXT,
    DATE_TEXTS,
    st.sampled_from(["Y", "N", "", "0", "1", "true", "false", "online", "bot", "email"]),
)
JSON = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(TEXT, kids, max_size=4),
    max_leaves=12,
)
USER_KEYS = [
    "id",
    "name",
    "first_name",
    "last_name",
    "active",
    "bot",
    "connector",
    "network",
    "extranet",
    "external_auth_id",
    "type",
    "bot_data",
    "last_activity_date",
    "idle",
    "mobile_last_date",
    "desktop_last_date",
    "status",
    "gender",
    "avatar",
    "avatar_hr",
    "color",
    "work_position",
    "birthday",
    "email",
    "website",
    "phones",
    "departments",
    "absent",
]
USER = st.fixed_dictionaries(
    {"id": st.one_of(st.integers(-5, 10**20), st.sampled_from(["7", " 8 ", "x", "", "٣"]))},
    optional=dict.fromkeys(USER_KEYS[1:], JSON),
)
ENTRY = st.one_of(USER, JSON)


def _check_colleague(c: Colleague | None) -> None:
    if c is None:
        return
    assert isinstance(c.id, int) and c.id > 0
    assert isinstance(c.name, str) and c.name
    for text in (c.work_position, c.email, c.website, c.color, c.avatar, c.avatar_hr):
        assert text is None or isinstance(text, str)
    assert all(isinstance(d, int) for d in c.departments)
    assert all(isinstance(v, str) for v in c.phones.as_dict().values())


# -- api/parse.py ------------------------------------------------------------------------------


@FUZZ
@given(entry=ENTRY, online=st.none() | st.booleans(), window=st.integers(1, 10**6))
@example(entry={"id": 1, "last_activity_date": "0001-01-01T00:00:00+14:00"}, online=None, window=1)
@example(entry={"id": 1, "idle": "9999-12-31T23:59:59-14:00"}, online=None, window=1)
@example(entry={"id": 1, "absent": "9999-12-31T23:59:59-14:00"}, online=None, window=1)
@example(entry={"id": 1, "name": 5, "departments": {"a": "1"}}, online=None, window=1)
def test_parse_user(entry: Any, online: bool | None, window: int) -> None:
    try:
        c = parse.parse_user(entry, portal=PORTAL, now=NOW, window_s=window, server_online=online)
    except ProtocolError:
        return
    _check_colleague(c)


@FUZZ
@given(result=st.one_of(JSON, st.lists(ENTRY, max_size=4), st.dictionaries(TEXT, ENTRY)))
def test_user_lists_pages_and_departments(result: Any) -> None:
    for parser in (parse.user_entries, parse.parse_user_ids, parse.parse_departments_result):
        with contextlib.suppress(ProtocolError):
            parser(result)


@FUZZ
@given(value=JSON, portal=st.sampled_from([PORTAL, "", "http://127.0.0.1:8080/sub"]))
@example(value="http://[::1", portal=PORTAL)
@example(value="//[::1", portal=PORTAL)
@example(value="../../x\ud800", portal=PORTAL)
def test_field_parsers(value: Any, portal: str) -> None:
    parse.to_int(value)
    parse.parse_phones(value)
    parse.parse_departments(value)
    parse.parse_absent(value)
    parse.resolve_avatar(value, portal)
    parse.is_colleague(value if isinstance(value, dict) else {"type": value})
    parse_iso(value)
    ResponseTime.parse(value)
    ResponseTime.parse({"date_finish": value, "operating_reset_at": value, "start": value})


@FUZZ
@given(body=JSON, status=st.none() | st.integers(100, 599), method=st.none() | TEXT)
def test_error_envelopes(body: Any, status: int | None, method: str | None) -> None:
    assert isinstance(error_from_envelope(body, status=status, method=method), ApiError)


# -- jsonio and the client ---------------------------------------------------------------------


@FUZZ
@given(
    data=st.binary(max_size=200)
    | JSON.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass"))
)
@example(data=b"[" * 100_000 + b"]" * 100_000)
@example(data=b'{"a":' * 50_000 + b"1" + b"}" * 50_000)
@example(data=b"9" * 5000)
def test_json_decoding_raises_value_error_only(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        jsonio.loads_bytes(data)
    with contextlib.suppress(ValueError):
        jsonio.decode_answer(data.decode("utf-8", "replace").encode())


@dataclass
class _Response:
    status_code: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        pass


class _Session:
    """Answers every POST with the next of ``answers``; a network error when they run out."""

    def __init__(self, answers: list[_Response]) -> None:
        self.answers = list(answers)
        self.posts = 0

    def post(self, url: str, **kw: Any) -> _Response:
        self.posts += 1
        if not self.answers:
            import requests

            raise requests.exceptions.ConnectionError("refused")
        return self.answers.pop(0)

    def close(self) -> None:
        pass


def _client(answers: list[_Response]) -> Bitrix24Client:
    return Bitrix24Client(
        WebhookAuth(PORTAL, 1, "s3cr3tt0ken"),
        session=_Session(answers),
        bucket=LeakyBucket(rate=1e6, burst=10**6),
        retry=RetryPolicy(attempts=2, base=0.0, cap=0.0, max_wait=0.0),
    )


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


RESPONSE = st.builds(
    _Response,
    status_code=st.sampled_from([200, 200, 200, 301, 302, 400, 401, 403, 429, 500, 503]),
    content=st.one_of(
        JSON.map(_encode),
        st.fixed_dictionaries({"result": JSON}, optional={"time": JSON, "total": JSON}).map(
            _encode
        ),
        st.fixed_dictionaries(
            {"error": JSON}, optional={"error_description": JSON, "result": JSON}
        ).map(_encode),
        st.binary(max_size=40),
    ),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "Location": st.one_of(
                TEXT,
                st.sampled_from(
                    [
                        "http://[::1",
                        "https://[::1]:99999/rest/1/x/",
                        "https://other.example/rest/1/x/batch.json",
                        "ftp://x/",
                        "https://:0/",
                        "//\ud800/",
                    ]
                ),
            ),
            "Content-Type": st.sampled_from(["text/html", "application/json"]),
        },
    ),
)

BATCH_MAPS = ["result", "result_error", "result_total", "result_next", "result_time"]
BATCH = st.fixed_dictionaries(
    {},
    optional={
        k: st.one_of(
            JSON,
            st.dictionaries(st.sampled_from(["a", "b", "c", "x"]), JSON, max_size=3),
            st.lists(JSON, max_size=3),
        )
        for k in BATCH_MAPS
    },
)


@FUZZ
@given(answers=st.lists(RESPONSE, min_size=1, max_size=3))
@example(answers=[_Response(302, b"", {"Location": "http://[::1"})])
@example(answers=[_Response(200, b'{"result":' + b"[" * 100_000 + b"]" * 100_000 + b"}")])
def test_client_call_raises_api_errors_only(answers: list[_Response]) -> None:
    client = _client(answers)
    with contextlib.suppress(ApiError):
        client.call("profile")


@FUZZ
@given(raw=st.one_of(BATCH, JSON), time=JSON)
@example(raw={"result_error": {"a": "x", "b": None}}, time=None)
@example(raw={"result_time": {"a": {"operating_reset_at": 1e308}}}, time=None)
def test_batch_maps_raise_api_errors_only(raw: Any, time: Any) -> None:
    client = _client([_Response(200, _encode({"result": raw, "time": time}))])
    commands = {k: ("user.get", {}) for k in ("a", "b", "c")}
    try:
        out = client.batch(commands)
    except ApiError:
        return
    assert all(isinstance(e, ApiError) for e in out.errors.values())


def _answer_for(body: dict[str, Any]) -> _Response:
    return _Response(200, _encode(body))


_REFRESH_RESULTS = st.dictionaries(
    st.sampled_from(["first", "last", "me", "r0", "r1", "d0", "p50", "online", "x"]),
    st.one_of(
        JSON,
        st.lists(st.fixed_dictionaries({"ID": JSON}), max_size=3),
        st.dictionaries(st.sampled_from(["1", "2", "3"]), ENTRY, max_size=3),
    ),
    max_size=5,
)
REFRESH_ANSWER = st.fixed_dictionaries(
    {
        "result": st.fixed_dictionaries(
            {"result": _REFRESH_RESULTS},
            optional={
                "result_total": st.dictionaries(
                    st.sampled_from(["first", "x"]), st.integers(-5, 3000) | JSON
                ),
                "result_error": st.dictionaries(st.sampled_from(["me", "r1"]), JSON),
            },
        )
    },
    optional={"time": st.fixed_dictionaries({"date_finish": DATE_TEXTS | JSON})},
).map(_answer_for)


def _batch_answer(results: dict[str, Any], date_finish: Any = "2026-03-02T12:00:00+03:00"):
    return _answer_for(
        {
            "result": {"result": results, "result_total": {"first": 1}},
            "time": {"date_finish": date_finish},
        }
    )


_ONE_USER = {
    "first": [{"ID": "1"}],
    "last": [{"ID": "1"}],
    "r0": {"1": {"id": 1, "name": "A", "last_activity_date": "2026-03-02T11:59:00+03:00"}},
}


@FUZZ
@given(answers=st.lists(REFRESH_ANSWER | RESPONSE, min_size=1, max_size=4))
@example(answers=[_batch_answer(_ONE_USER)])
@example(answers=[_batch_answer(_ONE_USER, date_finish="2026-03-02T12:00:00")])
@example(answers=[_batch_answer(_ONE_USER, date_finish="9999-12-31T23:59:59-14:00")])
@example(answers=[_batch_answer({**_ONE_USER, "r0": {"1": {"id": 1, "name": "\ud800"}}})])
@example(answers=[_answer_for({"result": []})])
@example(answers=[_answer_for({"result": {"result": [], "result_total": []}})])
def test_a_whole_refresh_raises_api_errors_only(answers: list[_Response]) -> None:
    """Every answer of a refresh drawn at random, batches shaped like real ones."""
    client = _client(answers)
    try:
        snap = Refresher(client, window_s=900, clock=lambda: NOW.astimezone(UTC)).refresh()
    except ApiError:
        return
    for c in snap.colleagues:
        _check_colleague(c)
    assert snap.server_time.tzinfo is not None


# -- the snapshot cache ------------------------------------------------------------------------


def _valid_cache_text() -> str:
    people = [colleague(1, "Анна"), colleague(2, email="b@x.example"), colleague(3)]
    return cache.dumps_snapshot(snapshot(people))


def _check_loaded(snap: Snapshot | None) -> None:
    if snap is None:
        return
    for c in snap.colleagues:
        _check_colleague(c)
    assert isinstance(snap.server_time, datetime) and isinstance(snap.fetched_at, datetime)


def _load_cache(tmp_path: Path, data: bytes) -> Snapshot | None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(data)
    for _snap, _partial in cache.iter_snapshot(path, first=1):
        _check_loaded(_snap)
    snap = cache.load_snapshot(path)
    _check_loaded(snap)
    return snap


@FUZZ
@given(data=st.binary(max_size=300))
@example(data=b"\xff\xfe not utf-8")
@example(data=b"[" * 100_000)
def test_cache_of_any_bytes(tmp_path: Path, data: bytes) -> None:
    _load_cache(tmp_path, data)


@FUZZ
@given(line=st.integers(0, 3), key=st.sampled_from(["", "name", "id", "presence"]), value=JSON)
@example(line=0, key="count", value=None)
@example(line=1, key="name", value=5)
@example(line=0, key="server_time", value="2026-03-02T12:00:00")
@example(line=2, key="last_activity", value="9999-12-31T23:59:59-14:00")
@example(line=1, key="phones", value={"work_phone": 5, "fax": "1"})
@example(line=1, key="departments", value=["x"])
def test_cache_with_one_value_changed(tmp_path: Path, line: int, key: str, value: Any) -> None:
    """A valid cache file with one value (or one whole line) replaced by anything."""
    lines = _valid_cache_text().splitlines()
    doc = json.loads(lines[line])
    if key and isinstance(doc, dict):
        doc[key] = value
    else:
        doc = value
    lines[line] = json.dumps(doc, ensure_ascii=False)
    _load_cache(tmp_path, "\n".join(lines).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("field_name", ["last_activity", "idle", "absent_until", "server_time"])
def test_cache_with_nested_values(tmp_path: Path, field_name: str) -> None:
    lines = _valid_cache_text().splitlines()
    line = 0 if field_name == "server_time" else 1
    doc = json.loads(lines[line])
    doc[field_name] = json.loads("[" * 50 + "]" * 50)
    lines[line] = json.dumps(doc)
    _load_cache(tmp_path, "\n".join(lines).encode())
    lines[line] = lines[line][:-1] + ',"deep":' + "[" * 100_000 + "]" * 100_000 + "}"
    _load_cache(tmp_path, "\n".join(lines).encode())


def test_cache_round_trip_with_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    snap = snapshot([colleague(1, "bad \ud800 name", email="x\udfff@y")])
    cache.save_snapshot(snap, path)
    _check_loaded(cache.load_snapshot(path))


# -- settings (the watch list and the notification rules live there) ---------------------------

SETTING_KEYS = [
    "schema_version",
    "portal_url_hint",
    "portal_kind",
    "allow_http",
    "poll_interval_s",
    "online_window_min",
    "notifications",
    "start_minimised",
    "start_at_login",
    "theme",
    "language",
    "log_level",
    "watched",
    "notify",
    "window_geometry",
    "splitter_state",
    "quick_filter",
    "hidden_to_tray_notice_shown",
]
NOTIFY = st.dictionaries(
    st.one_of(TEXT, st.sampled_from(["1", "2", "-1", "x"])),
    st.one_of(
        JSON,
        st.fixed_dictionaries(
            {}, optional={"mode": JSON, "until_end_of_day": JSON, "since": DATE_TEXTS | JSON}
        ),
    ),
    max_size=3,
)
SETTINGS_DOC = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(SETTING_KEYS, JSON),
        "watched": st.one_of(JSON, st.lists(st.one_of(st.integers(), TEXT, JSON), max_size=4)),
        "notify": st.one_of(JSON, NOTIFY),
    },
)


def _check_settings(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(data)
    loaded = load_settings(path)
    s = loaded.settings
    assert isinstance(s, Settings)
    assert all(isinstance(i, int) for i in s.watched)
    assert all(isinstance(k, str) and isinstance(r, NotifyRule) for k, r in s.notify.items())
    if loaded.notice is not None:
        assert isinstance(loaded.notice, str)


@FUZZ
@given(doc=SETTINGS_DOC)
@example(doc={"watched": [1, "2", None, 1e308, float("nan")], "notify": {"1": {"since": 5}}})
@example(doc={"notify": {"\ud800": {"mode": "\ud800"}}, "portal_url_hint": "\udfff"})
@example(doc={"schema_version": 10**400})
def test_settings_documents(tmp_path: Path, doc: dict[str, Any]) -> None:
    _check_settings(tmp_path, json.dumps(doc).encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.binary(max_size=200))
@example(data=b"[" * 100_000 + b"]" * 100_000)
@example(data=b'{"watched":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
def test_settings_of_any_bytes(tmp_path: Path, data: bytes) -> None:
    _check_settings(tmp_path, data)


# -- the fallback secrets file and the webhook address -----------------------------------------


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=100),
        st.dictionaries(TEXT | st.just(WEBHOOK_URL), JSON, max_size=3).map(_encode),
    )
)
@example(data=b"[" * 100_000)
def test_secrets_file(tmp_path: Path, data: bytes) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        path = tmp_path / "secrets.json"
        path.write_bytes(data)
        path.chmod(0o600)
        value = SecretStore(fallback_path=path).get(WEBHOOK_URL)
        assert value is None or isinstance(value, str)
    finally:
        keyring.set_keyring(previous)


@FUZZ
@given(
    text=st.one_of(
        TEXT,
        st.builds(
            lambda host, uid, secret: f"https://{host}/rest/{uid}/{secret}/",
            TEXT,
            st.integers(-1, 10**30),
            TEXT,
        ),
    ),
    allow_http=st.booleans(),
)
@example(text="https://[::1/rest/1/abc/", allow_http=False)
@example(text="https://host:99999/rest/1/abc/", allow_http=False)
@example(text="http://\ud800/rest/1/abc/", allow_http=True)
def test_webhook_addresses(text: str, allow_http: bool) -> None:
    try:
        auth = parse_webhook_url(text, allow_http=allow_http)
    except BadPortalUrl as exc:
        assert type(exc) is BadPortalUrl
        return
    assert isinstance(auth.portal, str) and auth.secret


def test_dates_from_the_far_ends_of_the_calendar() -> None:
    """Year 1 and 9999 with offsets: converting them would overflow."""
    for text in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        c = parse.parse_user(
            {"id": 1, "last_activity_date": text, "idle": text, "mobile_last_date": text},
            portal=PORTAL,
            now=NOW,
            window_s=900,
        )
        _check_colleague(c)
