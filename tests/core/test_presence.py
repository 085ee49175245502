"""Presence rules, table-driven with fixed timestamps, for current and older portals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bx24presence.domain import Colleague, Presence
from bx24presence.presence import (
    effective_presence,
    elapsed,
    format_elapsed_en,
    is_birthday,
    is_on_vacation,
    parse_birthday,
    rederive,
    server_clock_now,
    status_text_en,
    vacation_text_en,
)

MSK = timezone(timedelta(hours=3))
NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=MSK)


def ago(**kw: float) -> datetime:
    return NOW - timedelta(**kw)


# (label, kwargs, expected)
CASES = [
    # Current portals: status is always "online", idle/mobile false: times alone decide.
    (
        "current, active a minute ago",
        {"last_activity": ago(minutes=1), "status": "online"},
        Presence.ONLINE,
    ),
    (
        "current, exactly at the window",
        {"last_activity": ago(minutes=15), "status": "online"},
        Presence.ONLINE,
    ),
    (
        "current, just past the window",
        {"last_activity": ago(minutes=15, seconds=1), "status": "online"},
        Presence.OFFLINE,
    ),
    (
        "current, hours ago, status online",
        {"last_activity": ago(hours=3), "status": "online"},
        Presence.OFFLINE,
    ),
    ("current, never logged in", {"last_activity": None, "status": "online"}, Presence.OFFLINE),
    (
        "clock skew: activity in the future",
        {"last_activity": NOW + timedelta(seconds=30)},
        Presence.ONLINE,
    ),
    (
        "other timezone offset",
        {"last_activity": datetime(2026, 3, 2, 8, 55, tzinfo=UTC)},
        Presence.ONLINE,
    ),
    (
        "other offset, past window",
        {"last_activity": datetime(2026, 3, 2, 8, 44, tzinfo=UTC)},
        Presence.OFFLINE,
    ),
    ("custom window 5 min", {"last_activity": ago(minutes=6), "window_s": 300}, Presence.OFFLINE),
    ("custom window 30 min", {"last_activity": ago(minutes=20), "window_s": 1800}, Presence.ONLINE),
    # Older portals (about 2018-2021) send the chosen status, idle and mobile times.
    ("legacy dnd", {"last_activity": ago(minutes=2), "status": "dnd"}, Presence.DND),
    ("legacy break", {"last_activity": ago(minutes=2), "status": "break"}, Presence.BREAK),
    ("legacy chosen away", {"last_activity": ago(minutes=2), "status": "away"}, Presence.AWAY),
    (
        "legacy idle",
        {"last_activity": ago(minutes=2), "status": "online", "idle": ago(minutes=12)},
        Presence.AWAY,
    ),
    (
        "legacy dnd but offline by time",
        {"last_activity": ago(hours=2), "status": "dnd"},
        Presence.OFFLINE,
    ),
    (
        "legacy offline status",
        {"last_activity": ago(minutes=1), "status": "offline"},
        Presence.OFFLINE,
    ),
    (
        "legacy mobile only",
        {"last_activity": ago(minutes=3), "mobile_last": ago(minutes=4)},
        Presence.MOBILE,
    ),
    (
        "legacy mobile long before desktop",
        {"last_activity": ago(minutes=1), "mobile_last": ago(minutes=10)},
        Presence.ONLINE,
    ),
    (
        "legacy mobile outside window",
        {"last_activity": ago(minutes=14), "mobile_last": ago(minutes=16)},
        Presence.ONLINE,
    ),
    (
        "legacy idle on mobile is mobile",
        {"last_activity": ago(minutes=1), "mobile_last": ago(minutes=2), "idle": ago(minutes=5)},
        Presence.MOBILE,
    ),
    (
        "legacy dnd on mobile is dnd",
        {"last_activity": ago(minutes=1), "mobile_last": ago(minutes=1), "status": "dnd"},
        Presence.DND,
    ),
    (
        "unknown status judged by times",
        {"last_activity": ago(minutes=1), "status": "lunch"},
        Presence.ONLINE,
    ),
    (
        "unknown status, offline by times",
        {"last_activity": ago(hours=1), "status": "lunch"},
        Presence.OFFLINE,
    ),
    ("status in capitals", {"last_activity": ago(minutes=1), "status": "DND"}, Presence.DND),
    # The server's own verdict counts only when no time is known.
    ("IS_ONLINE=Y without a time", {"last_activity": None, "server_online": True}, Presence.ONLINE),
    (
        "time wins over IS_ONLINE",
        {"last_activity": ago(hours=1), "server_online": True},
        Presence.OFFLINE,
    ),
]


@pytest.mark.parametrize(("label", "kwargs", "expected"), CASES, ids=[c[0] for c in CASES])
def test_effective_presence(label: str, kwargs: dict, expected: Presence) -> None:
    assert effective_presence(now=NOW, **kwargs) is expected, label


@pytest.mark.parametrize(
    ("then", "text"),
    [
        (ago(seconds=20), "just now"),
        (ago(minutes=12, seconds=30), "12 min ago"),
        (ago(minutes=59), "59 min ago"),
        (ago(hours=1, minutes=5), "1 hour ago"),
        (ago(hours=2), "2 hours ago"),
        (ago(hours=5, minutes=59), "5 hours ago"),
        (datetime(2026, 3, 2, 1, 0, tzinfo=MSK), "11 hours ago"),
        (datetime(2026, 3, 1, 18, 4, tzinfo=MSK), "yesterday at 18:04"),
        (ago(days=3), "3 days ago"),
        (datetime(2026, 1, 14, 9, 0, tzinfo=MSK), "on 14 Jan 2026"),
        (NOW + timedelta(minutes=2), "just now"),
    ],
)
def test_last_seen_text(then: datetime, text: str) -> None:
    assert format_elapsed_en(elapsed(then, NOW)) == text


def test_yesterday_uses_the_viewers_calendar_day() -> None:
    # 23:30 UTC on 1 March is 02:30 on 2 March in Moscow: six hours or more ago counts by day.
    then = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    now = datetime(2026, 3, 2, 21, 0, tzinfo=MSK)
    assert elapsed(then, now).unit == "hours"


@pytest.mark.parametrize(
    ("presence", "last", "text"),
    [
        (Presence.ONLINE, ago(minutes=1), "online"),
        (Presence.MOBILE, ago(minutes=1), "online on mobile"),
        (Presence.AWAY, ago(minutes=1), "away"),
        (Presence.DND, ago(minutes=1), "do not disturb"),
        (Presence.BREAK, ago(minutes=1), "on a break"),
        (Presence.OFFLINE, ago(minutes=42), "last seen 42 min ago"),
        (Presence.OFFLINE, None, "offline"),
    ],
)
def test_status_text(presence: Presence, last: datetime | None, text: str) -> None:
    assert status_text_en(presence, last, NOW) == text


def test_vacation() -> None:
    back = date(2026, 5, 14)
    assert is_on_vacation(back, date(2026, 5, 13))
    assert not is_on_vacation(back, date(2026, 5, 14)), "back on that day"
    assert not is_on_vacation(None, date(2026, 5, 13))
    assert vacation_text_en(back) == "on vacation, back on 14 May"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("08-03", (8, 3)),
        ("29-02", (29, 2)),
        ("", None),
        (None, None),
        ("31-04", None),
        ("1-3", (1, 3)),
        ("aa-bb", None),
        ("08-13", None),
        ("00-01", None),
    ],
)
def test_parse_birthday(text: str | None, parsed: tuple[int, int] | None) -> None:
    assert parse_birthday(text) == parsed


def test_birthday_today() -> None:
    assert is_birthday("02-03", date(2026, 3, 2))
    assert not is_birthday("03-03", date(2026, 3, 2))
    assert not is_birthday("", date(2026, 3, 2))
    assert is_birthday("29-02", date(2026, 2, 28)), "non-leap year: shown on 28 February"
    assert not is_birthday("29-02", date(2028, 2, 28)), "leap year: shown on the day itself"
    assert is_birthday("29-02", date(2028, 2, 29))


def test_server_clock_now_ignores_local_skew() -> None:
    fetched = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # local clock 11 h ahead
    est = server_clock_now(NOW, fetched, fetched + timedelta(minutes=5))
    assert est == NOW + timedelta(minutes=5)
    # A local clock that went backwards never moves the estimate before the server time.
    assert server_clock_now(NOW, fetched, fetched - timedelta(hours=1)) == NOW


def test_rederive_moves_people_offline_as_server_time_passes() -> None:
    c = Colleague(id=5, name="Emily", presence=Presence.ONLINE, last_activity=ago(minutes=10))
    assert rederive(c, NOW, 900) is c
    later = rederive(c, NOW + timedelta(minutes=6), 900)
    assert later.presence is Presence.OFFLINE
    assert later.last_activity == c.last_activity


def test_presence_order_is_availability() -> None:
    order = [p.value for p in sorted(Presence, key=lambda p: p.rank)]
    assert order == ["online", "mobile", "away", "dnd", "break", "offline"]
    assert [p for p in Presence if p.is_available] == [Presence.ONLINE, Presence.MOBILE]
