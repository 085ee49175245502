"""Team views: the department structure from both portal methods, counts, pick-up, who is out."""

from __future__ import annotations

import time
from datetime import date, timedelta

from bx24presence import team
from bx24presence.domain import Phones, Presence
from tests.factories import SERVER_NOW, TODAY, colleague

IM_ROWS = [
    {"id": 1, "name": "Acme", "full_name": "Acme", "manager_user_id": 1},
    {"id": 3, "name": "Sales", "full_name": "Sales / Acme", "manager_user_id": 7},
    {"id": 5, "name": "East", "full_name": "East / Sales / Acme", "manager_user_id": 0},
    {"id": 9, "name": "Support", "full_name": "Support / Helpdesk / Acme", "manager_user_id": 2},
]


def test_im_department_get_hierarchy_from_full_names() -> None:
    s = team.from_im_department_get(IM_ROWS)
    d = s.departments
    assert d[3].parent == 1 and d[5].parent == 3 and d[1].parent is None
    assert d[3].head == 7 and d[5].head is None
    # "Helpdesk" is named only in a full name: a node of its own, under Acme.
    helpdesk = d[9].parent
    assert helpdesk is not None and helpdesk < 0
    assert d[helpdesk].name == "Helpdesk" and d[helpdesk].parent == 1
    assert next(iter(d)) == 1  # parents first
    assert s.chain(5) == [5, 3, 1]


def test_department_get_rows_are_text() -> None:
    rows = [
        {"ID": "1", "NAME": "Acme", "PARENT": None, "UF_HEAD": "1"},
        {"ID": "4", "NAME": "Ops", "PARENT": "1", "UF_HEAD": "0"},
        {"ID": "6", "NAME": "Loop", "PARENT": "6"},
    ]
    d = team.from_department_get(rows).departments
    assert d[4].parent == 1 and d[4].head is None and d[1].head == 1
    assert d[6].parent is None  # its own parent: a root, not a hang


def test_hostile_rows_are_skipped_and_capped() -> None:
    rows: list[object] = [
        "x",
        {"id": True, "name": "Bool"},
        {"id": "99999", "name": ["not text"]},
        {"id": 2, "name": "A\ud800\nB" + "x" * 500},
    ]
    rows += [{"id": 10 + i, "name": f"D{i}"} for i in range(team.MAX_DEPARTMENTS + 50)]
    s = team.from_im_department_get(rows)
    assert 99999 not in s.departments
    assert s.departments[2].name.startswith("A\ufffd B") and len(s.departments[2].name) == 200
    assert len(s.departments) <= team.MAX_DEPARTMENTS
    assert team.from_im_department_get({"bad": 1}).departments == {}
    assert team.from_im_department_get(None).departments == {}


def test_cyclic_parents_do_not_hang() -> None:
    rows = [{"ID": "1", "NAME": "A", "PARENT": "2"}, {"ID": "2", "NAME": "B", "PARENT": "1"}]
    s = team.from_department_get(rows)
    assert set(s.departments) == {1, 2}
    assert len(s.chain(1)) <= 2 and len(s.chain(2)) <= 2


def test_counts_include_departments_below_and_use_one_available() -> None:
    s = team.from_im_department_get(IM_ROWS)
    people = [
        colleague(1, departments=(1,)),
        colleague(2, departments=(5,), presence=Presence.OFFLINE),
        colleague(3, departments=(5, 3)),
        colleague(4, departments=(3,), presence=Presence.DND),
        colleague(5, departments=(3,), absent_until=TODAY + timedelta(days=3)),
        colleague(6, departments=(3,), presence=Presence.MOBILE),
    ]
    groups = team.members(s, people)
    got = team.counts(groups, team.available_ids(people, TODAY))
    assert got[5] == (1, 2)
    assert got[3] == (2, 5)  # colleague 3 once; dnd and vacation are not available
    assert got[1] == (3, 6)


def test_pickup_now_needs_a_phone_and_sorts_by_recent_activity() -> None:
    people = [
        colleague(1, last_activity=SERVER_NOW - timedelta(minutes=9)),
        colleague(2, last_activity=SERVER_NOW - timedelta(minutes=1)),
        colleague(3, phones=Phones()),
        colleague(4, presence=Presence.OFFLINE),
        colleague(5, absent_until=TODAY + timedelta(days=1)),
        colleague(6, presence=Presence.MOBILE, last_activity=None),
    ]
    assert [c.id for c in team.pickup_now(people, TODAY)] == [2, 1, 6]


def test_who_is_out_grouped_by_return_day() -> None:
    people = [
        colleague(1, "Bea", absent_until=TODAY + timedelta(days=1)),
        colleague(2, "Al", absent_until=TODAY + timedelta(days=1)),
        colleague(3, absent_until=TODAY + timedelta(days=10)),
        colleague(4, absent_until=TODAY),  # back today: not out
        colleague(5),
    ]
    groups = team.who_is_out(people, TODAY)
    assert [(d, [c.id for c in cs]) for d, cs in groups] == [
        (TODAY + timedelta(days=1), [2, 1]),
        (TODAY + timedelta(days=10), [3]),
    ]


def test_back_when() -> None:
    monday = date(2026, 3, 2)
    assert team.back_when(monday + timedelta(days=1), monday) == ("tomorrow", 0)
    assert team.back_when(date(2026, 3, 6), monday) == ("weekday", 4)
    assert team.back_when(date(2026, 3, 20), monday) == ("date", 18)


def test_last_seen_order() -> None:
    people = [
        colleague(1, last_activity=SERVER_NOW - timedelta(hours=3)),
        colleague(2, last_activity=None),
        colleague(3, last_activity=SERVER_NOW),
    ]
    assert team.last_seen_order(people, {1: 0, 2: 1, 3: 2}) == [3, 1, 2]


def test_match_reason() -> None:
    c = colleague(
        1, "Anna Smith", email="boss@acme.test", departments=(2,), work_position="Manager"
    )
    deps = {2: "Sales"}
    assert team.match_reason(c, ["anna"], deps) is None
    assert team.match_reason(c, ["anna", "sales"], deps) == ("department", "Sales")
    assert team.match_reason(c, ["boss"], deps) == ("email", "boss@acme.test")
    assert team.match_reason(c, ["4950000"], deps) == ("phone", "+7 495 000-01-01")
    # The search's own form: Cyrillic text is found by its Latin spelling too.
    ru = colleague(2, "Anna Smith", departments=(3,), work_position=None)
    assert team.match_reason(ru, ["marketing"], {3: "Маркетинг"}) == ("department", "Маркетинг")


def test_counts_at_5000_are_cheap() -> None:
    rows = [{"id": 1, "name": "Acme", "full_name": "Acme"}]
    for i in range(2, 202):
        parent = 1 if i < 12 else 2 + i % 10
        rows.append({"id": i, "name": f"D{i}", "full_name": f"D{i} / x"})
        rows[-1]["full_name"] = f"D{i} / " + next(r["full_name"] for r in rows if r["id"] == parent)
    s = team.from_im_department_get(rows)
    people = [
        colleague(i, departments=(2 + i % 200,), presence=Presence(list(Presence)[i % 6]))
        for i in range(1, 5001)
    ]
    groups = team.members(s, people)
    start = time.process_time()
    for _ in range(10):
        team.counts(groups, team.available_ids(people, TODAY))
    per_poll = (time.process_time() - start) / 10
    assert per_poll < 0.05, per_poll
    assert team.counts(groups, frozenset())[1] == (0, 5000)


def test_pickup_now_takes_the_available_set_when_given() -> None:
    people = [colleague(1), colleague(2), colleague(3, presence=Presence.OFFLINE)]
    assert [c.id for c in team.pickup_now(people, TODAY, frozenset({2, 3}))] == [2, 3]
