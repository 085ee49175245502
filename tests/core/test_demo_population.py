"""The demo portal's pure parts: population, presence simulation, PHP parsing, avatars, clock."""

from __future__ import annotations

import itertools
import re
import struct
import time
import zlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bx24presence.demo import names
from bx24presence.demo.activity import simulate
from bx24presence.demo.avatars import BLANK_GIF, AvatarCache, render_avatar
from bx24presence.demo.clock import DemoClock, format_iso
from bx24presence.demo.department_methods import php_slice
from bx24presence.demo.phpquery import (
    parse_str,
    php_array,
    php_equals_y,
    php_intval,
    php_truthy,
)
from bx24presence.demo.population import MAX_USERS, DemoUser, Population, generate
from bx24presence.demo.user_methods import yes_no

TODAY = date(2026, 3, 2)  # A Monday.
MSK = timezone(timedelta(hours=3))
TZ_S = 3 * 3600


@pytest.fixture(scope="module")
def population() -> Population:
    return generate(2000, seed=3, today=TODAY)


def _kinds(pop: Population) -> Counter[str]:
    return Counter(
        "fired" if u.user_type == "employee" and not u.active else u.user_type
        for u in pop.users.values()
    )


# Population ------------------------------------------------------------------------------


def test_same_seed_same_population_and_other_seed_differs() -> None:
    first = generate(300, seed=11, today=TODAY)
    again = generate(300, seed=11, today=TODAY)
    other = generate(300, seed=12, today=TODAY)
    assert dict(first.users) == dict(again.users)
    assert dict(first.departments) == dict(again.departments)
    assert dict(first.users) != dict(other.users)


@pytest.mark.parametrize("users", [1, 7, 50, 2000])
def test_exact_number_of_active_employees_and_admin_first(users: int) -> None:
    pop = generate(users, seed=5, today=TODAY)
    colleagues = [u for u in pop.users.values() if u.is_colleague]
    assert len(colleagues) == users
    admin = pop.users[1]
    assert admin.is_colleague
    assert admin.photo_hash
    assert list(pop.users) == list(range(1, len(pop.users) + 1))  # Dense ids.


def test_extras_are_mixed_in_with_realistic_shares(population: Population) -> None:
    kinds = _kinds(population)
    assert kinds["employee"] == 2000
    assert kinds["bot"] == 20
    assert kinds["imconnector"] == 40
    assert kinds["fired"] == 100
    assert kinds["extranet"] == 20
    assert kinds["email"] == 10
    # Interleaved: the extras do not all sit at the end of the id range.
    bot_ids = [u.id for u in population.users.values() if u.user_type == "bot"]
    assert min(bot_ids) < len(population.users) / 2


def test_small_portal_still_has_two_bots() -> None:
    kinds = _kinds(generate(1, seed=1, today=TODAY))
    assert kinds["bot"] == 2
    assert kinds["employee"] == 1


@pytest.mark.parametrize("users", [0, MAX_USERS + 1])
def test_user_count_out_of_range_is_refused(users: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 20000"):
        generate(users, seed=1, today=TODAY)


def test_names_are_english_and_russian_with_yo_and_consistent_gender(
    population: Population,
) -> None:
    people = [u for u in population.users.values() if u.user_type != "bot"]
    cyrillic = [u for u in people if re.search("[а-яё]", u.first_name, re.IGNORECASE)]
    latin = [u for u in people if re.fullmatch(r"[A-Za-z' -]+", u.first_name)]
    assert len(cyrillic) > len(people) / 4
    assert len(latin) > len(people) / 4
    assert any("ё" in u.name for u in cyrillic)
    for user in people:
        female_first = user.first_name in names.EN_FEMALE or user.first_name in names.RU_FEMALE
        male_first = user.first_name in names.EN_MALE or user.first_name in names.RU_MALE
        if female_first or male_first:
            assert user.gender == ("F" if female_first else "M"), user
        if user.last_name.endswith(("ов", "ев", "ёв", "ин")):
            assert user.gender == "M", user
        if user.last_name.endswith(("ова", "ева", "ёва", "ина", "ская")):
            assert user.gender == "F", user


def test_long_names_birthday_today_vacations_and_photos(population: Population) -> None:
    colleagues = [u for u in population.users.values() if u.is_colleague]
    assert max(len(u.name) for u in colleagues) >= 60
    assert any(u.birthday and u.birthday.strftime("%d-%m") == "02-03" for u in colleagues)
    on_vacation = sum(1 for u in colleagues if u.on_vacation(TODAY))
    assert 0.01 * len(colleagues) < on_vacation < 0.06 * len(colleagues)
    without_photo = sum(1 for u in colleagues if not u.photo_hash)
    assert 0.10 * len(colleagues) < without_photo < 0.20 * len(colleagues)
    broken = sum(1 for u in population.users.values() if u.avatar_broken)
    assert 1 <= broken <= 0.02 * len(population.users)
    assert all(not u.avatar_broken or u.photo_hash for u in population.users.values())


def test_optional_fields_vary(population: Population) -> None:
    people = [u for u in population.users.values() if u.is_colleague]
    positions = Counter(
        "null" if u.work_position is None else "empty" if u.work_position == "" else "text"
        for u in people
    )
    assert positions["null"] > 0
    assert positions["empty"] > 0
    assert positions["text"] > len(people) / 2
    phone_sets = {tuple(kind for kind, _ in u.phones) for u in people}
    assert () in phone_sets
    assert len(phone_sets) >= 6
    assert {kind for u in people for kind, _ in u.phones} == {
        "work_phone",
        "personal_mobile",
        "inner_phone",
        "personal_phone",
    }
    assert any(u.birthday is None for u in people)
    assert all(u.color in names.PALETTE for u in population.users.values())
    emails = [u.email for u in people if u.email]
    assert len(emails) == len(set(emails))
    assert any("&" in (u.work_position or "") for u in people)


def test_departments_form_a_tree_with_managers(population: Population) -> None:
    departments = population.departments
    assert abs(len(departments) - 2000 / 15) <= 1
    assert departments[1].parent is None
    for dept in departments.values():
        assert dept.manager_id in population.users
        assert dept.parent is None or dept.parent < dept.id
    assert len({d.name for d in departments.values()}) == len(departments)
    assert any(re.search("[а-я]", d.name) for d in departments.values())
    member_of = {d for u in population.users.values() for d in u.departments}
    assert member_of <= set(departments)


def test_kinds_have_matching_flags(population: Population) -> None:
    for user in population.users.values():
        assert user.is_real == (user.user_type not in ("bot", "imconnector", "email"))
        if user.user_type in ("bot", "imconnector", "email"):
            assert user.external_auth_id == user.user_type
            assert user.departments == ()
        else:
            assert user.external_auth_id == "default"
        if user.user_type == "bot":
            assert user.bot_code


def test_twenty_thousand_users_in_under_a_second() -> None:
    # This thread's CPU time: the wall clock also counts other processes on a shared machine.
    began = time.thread_time()
    pop = generate(MAX_USERS, seed=1, today=TODAY)
    elapsed = time.thread_time() - began
    assert sum(1 for u in pop.users.values() if u.is_colleague) == MAX_USERS
    assert elapsed < 1.0


# Activity --------------------------------------------------------------------------------


def _at(day: date, hour: float) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=MSK).timestamp() + hour * 3600


def _online_share(pop: Population, at: float, limit: int = 1440) -> float:
    people = [u for u in pop.users.values() if u.is_colleague]
    online = 0
    for user in people:
        last = simulate(user, pop.seed, at, TZ_S).last_activity
        online += last is not None and at - last <= limit
    return online / len(people)


def test_simulation_is_a_pure_function(population: Population) -> None:
    user = population.users[10]
    at = _at(TODAY, 11.5)
    assert simulate(user, 3, at, TZ_S) == simulate(user, 3, at, TZ_S)


@pytest.mark.parametrize("hour", [10, 11.5, 15, 16.5])
def test_office_hours_have_a_third_to_a_half_online(population: Population, hour: float) -> None:
    assert 0.30 <= _online_share(population, _at(TODAY, hour)) <= 0.50


@pytest.mark.parametrize(("day", "hour"), [(TODAY, 3), (TODAY, 23), (date(2026, 3, 7), 12)])
def test_night_and_weekend_keep_a_floor(population: Population, day: date, hour: float) -> None:
    assert 0.15 <= _online_share(population, _at(day, hour)) <= 0.35


def test_several_percent_change_within_three_minutes(population: Population) -> None:
    people = [u for u in population.users.values() if u.is_colleague][:1000]
    start = _at(TODAY, 14.2)
    changed = 0
    for user in people:
        states = []
        for at in (start, start + 180):
            last = simulate(user, 3, at, TZ_S).last_activity
            states.append(last is not None and at - last <= 900)
        changed += states[0] != states[1]
    assert changed >= 0.02 * len(people)


def test_last_activity_moves_forward_every_one_to_four_minutes(population: Population) -> None:
    start = _at(TODAY, 9)
    for user in list(population.users.values())[:60]:
        seen = [simulate(user, 3, start + s, TZ_S).last_activity for s in range(0, 4 * 3600, 20)]
        values = [v for v in seen if v is not None]
        assert values == sorted(values), user.id
        steps = [b - a for a, b in itertools.pairwise(values) if b != a]
        online_steps = [s for s in steps if s < 600]
        assert all(60 <= s <= 240 for s in online_steps), (user.id, online_steps)


def test_never_logged_in_fired_vacation_and_mobile(population: Population) -> None:
    at = _at(TODAY, 11)
    bots = [u for u in population.users.values() if u.user_type == "bot"]
    assert all(simulate(u, 3, at, TZ_S).last_activity is None for u in bots)
    fired = [u for u in population.users.values() if u.fired_on]
    for user in fired[:30]:
        last = simulate(user, 3, at, TZ_S).last_activity
        assert user.fired_on is not None
        assert last is None or last <= _at(user.fired_on, 17)
    vacation = [u for u in population.users.values() if u.on_vacation(TODAY)]
    online = sum(
        1 for u in vacation if (last := simulate(u, 3, at, TZ_S).last_activity) and at - last <= 900
    )
    assert online <= max(2, len(vacation) // 5)
    mobile = [u for u in population.users.values() if u.mobile_only and not u.never_logged_in]
    for user in mobile[:20]:
        activity = simulate(user, 3, at, TZ_S)
        assert activity.mobile_last == activity.last_activity
        assert activity.desktop_last is None


def test_activity_statuses_are_known(population: Population) -> None:
    at = _at(TODAY, 12)
    statuses = {simulate(u, 3, at, TZ_S).status for u in population.users.values()}
    assert statuses <= {"online", "dnd", "away", "break"}
    assert {"online", "dnd"} <= statuses


def test_user_record_helpers() -> None:
    user = DemoUser(1, "", "", login="admin", vacation=(TODAY, TODAY + timedelta(days=2)))
    assert user.name == "admin"
    assert user.on_vacation(TODAY + timedelta(days=2))
    assert not user.on_vacation(TODAY + timedelta(days=3))


# PHP parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ID[]=1&ID[]=2", {"ID": ["1", "2"]}),
        ("ID[0]=1&ID[1]=2", {"ID": ["1", "2"]}),
        ("ID[1]=5&ID[0]=4", {"ID": {"1": "5", "0": "4"}}),
        ("FILTER[ACTIVE]=Y&FILTER[%3EID]=5", {"FILTER": {"ACTIVE": "Y", ">ID": "5"}}),
        ("FILTER[%3E%3DID]=5&start=50", {"FILTER": {">=ID": "5"}, "start": "50"}),
        ("FILTER[>=ID]=5", {"FILTER_>": "ID]=5"}),  # PHP splits at the first "=" too.
        ("cmd[k]=user.get%3Fstart%3D50", {"cmd": {"k": "user.get?start=50"}}),
        ("a[b][]=1&a[b][]=2&a[c]=x", {"a": {"b": ["1", "2"], "c": "x"}}),
        ("name=J+Smith&e=%D0%81", {"name": "J Smith", "e": "Ё"}),
        ("x.y=1&a b=2", {"x_y": "1", "a_b": "2"}),
        ("a[b=1", {"a_b": "1"}),
        ("[x]=1&=2&&flag", {"flag": ""}),
        ("ID=1&ID=2", {"ID": "2"}),
        ("0=a", {"0": "a"}),
    ],
)
def test_parse_str_like_php(query: str, expected: dict[str, object]) -> None:
    assert parse_str(query) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("12abc", 12),
        (" 7", 7),
        ("abc", 0),
        ("", 0),
        ("-3", -3),
        ("1e3", 1000),
        ("2.9", 2),
        (3.7, 3),
        (True, 1),
        (None, 0),
        ([], 0),
        ([5], 1),
        (float("nan"), 0),
    ],
)
def test_php_intval(value: object, expected: int) -> None:
    assert php_intval(value) == expected


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        *[(1, True), (True, True), ("false", True), ("1", True), ("Y", True), ([0], True)],
        *[(0, False), ("0", False), (False, False), ("", False), (None, False), ([], False)],
    ],
)
def test_php_truthiness(value: object, truthy: bool) -> None:
    assert php_truthy(value) is truthy


@pytest.mark.parametrize(
    ("value", "yes"),
    [
        *[(True, True), ("Y", True), ("True", True), ("true", True), ("false", True)],
        *[("n", True), ("y", True), (1, True), (2.5, True), ("0.0", True), ([0], True)],
        *[("N", False), (False, False), (None, False), ("", False), ("0", False), (0, False)],
        *[(0.0, False), ([], False), ({}, False)],
    ],
)
def test_active_filter_yes_no_is_php_truthiness_but_n(value: object, yes: bool) -> None:
    assert yes_no(value) is yes


@pytest.mark.parametrize(
    ("value", "equal"),
    [
        *[("Y", True), (True, True)],
        *[("y", False), ("YES", False), (1, False), (False, False), (None, False), (["Y"], False)],
    ],
)
def test_php_equals_y_is_loose_comparison_of_php_8(value: object, equal: bool) -> None:
    assert php_equals_y(value) is equal


@pytest.mark.parametrize(
    ("offset", "length", "expected"),
    [(0, 3, [0, 1, 2]), (8, 5, [8, 9]), (2, 0, []), (2, -7, [2]), (5, -6, []), (12, 2, [])],
)
def test_php_slice(offset: int, length: int, expected: list[int]) -> None:
    assert php_slice(list(range(10)), offset, length) == expected


def test_php_array_shapes() -> None:
    assert php_array({}) == []
    assert php_array({"0": "a", "1": "b"}) == ["a", "b"]
    assert php_array({"0": "a", "2": "b"}) == {"0": "a", "2": "b"}
    assert php_array({"k": 1}) == {"k": 1}


# Avatars ---------------------------------------------------------------------------------


def _decode_png(png: bytes) -> tuple[int, int, bytes]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    position, idat, size = 8, b"", (0, 0)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        if kind == b"IHDR":
            size = struct.unpack(">II", data[:8])
        elif kind == b"IDAT":
            idat += data
        position += 12 + length
    return size[0], size[1], zlib.decompress(idat)


def test_avatar_is_a_valid_200px_png_in_the_users_colour() -> None:
    width, height, raw = _decode_png(render_avatar(42, "#df532d"))
    assert (width, height) == (200, 200)
    assert len(raw) == 200 * (1 + 200 * 3)
    assert raw[1:4] == bytes((0xDF, 0x53, 0x2D))  # Top-left pixel: the background.
    middle = raw[100 * 601 + 1 + 100 * 3 : 100 * 601 + 1 + 100 * 3 + 3]
    assert middle != bytes((0xDF, 0x53, 0x2D))  # The figure is lighter.


def test_avatars_differ_between_users_and_are_cached() -> None:
    assert render_avatar(1, "#64a513") != render_avatar(2, "#64a513")
    cache = AvatarCache(capacity=2)
    first = cache.get(5, "#909090")
    assert cache.get(5, "#909090") is first
    cache.get(6, "#909090")
    cache.get(7, "#909090")
    assert cache.get(5, "#909090") == first  # Re-rendered after eviction, same bytes.
    assert render_avatar(3, "not a colour").startswith(b"\x89PNG")


def test_blank_gif_is_a_real_gif() -> None:
    assert BLANK_GIF.startswith(b"GIF89a")
    assert struct.unpack("<HH", BLANK_GIF[6:10]) == (1, 1)
    assert BLANK_GIF.endswith(b";")


# Clock -----------------------------------------------------------------------------------


def test_clock_follows_real_time_in_its_timezone() -> None:
    clock = DemoClock(tz_offset_minutes=180)
    assert abs(clock.timestamp() - time.time()) < 1
    assert clock.now().utcoffset() == timedelta(hours=3)
    assert clock.tz_offset_s == 10800
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00", clock.iso())


def test_clock_advance_set_freeze_resume() -> None:
    clock = DemoClock(tz_offset_minutes=-300)
    before = clock.timestamp()
    clock.advance(3600)
    assert 3599 < clock.timestamp() - before < 3602
    clock.freeze()
    clock.set(datetime(2026, 3, 2, 9, 30))  # Naive: read in the portal timezone.
    assert clock.frozen
    assert clock.iso() == "2026-03-02T09:30:00-05:00"
    time.sleep(0.01)
    assert clock.iso() == "2026-03-02T09:30:00-05:00"
    clock.advance(30)
    assert clock.now() == datetime(2026, 3, 2, 9, 30, 30, tzinfo=timezone(timedelta(hours=-5)))
    clock.set(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    assert clock.iso() == "2026-03-02T07:00:00-05:00"
    clock.resume()
    assert not clock.frozen
    assert clock.timestamp() >= datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()
    assert format_iso(0, UTC) == "1970-01-01T00:00:00+00:00"


class _FakeTime:
    """Stands in for the ``time`` module inside the clock: real time that a test moves."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def time(self) -> float:
        return self.now


def test_clock_speed_runs_simulated_time_faster(monkeypatch: pytest.MonkeyPatch) -> None:
    import bx24presence.demo.clock as clock_module

    fake = _FakeTime()
    monkeypatch.setattr(clock_module, "time", fake)
    clock = DemoClock()
    start = clock.timestamp()
    assert clock.speed == 1
    clock.speed = 30
    fake.now += 10
    assert clock.timestamp() == pytest.approx(start + 300)
    clock.advance(60)  # Moves and keeps running at the same speed.
    fake.now += 1
    assert clock.timestamp() == pytest.approx(start + 390)
    clock.freeze()
    fake.now += 100
    assert clock.timestamp() == pytest.approx(start + 390)
    clock.resume()
    fake.now += 2
    assert clock.timestamp() == pytest.approx(start + 450)
    clock.speed = 1  # Slows down from where it stands, with no jump.
    fake.now += 5
    assert clock.timestamp() == pytest.approx(start + 455)
    clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    fake.now += 1
    assert clock.timestamp() == pytest.approx(
        datetime(2026, 3, 2, 9, 30, 1, tzinfo=UTC).timestamp()
    )
    for bad in (0, -2, float("nan")):
        with pytest.raises(ValueError, match="speed"):
            clock.speed = bad
