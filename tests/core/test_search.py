"""Search keys without Qt: either alphabet finds either spelling; one definition of available."""

from __future__ import annotations

from datetime import timedelta

from bx24presence.domain import Presence
from bx24presence.presence import count_available, is_available
from bx24presence.search import Query, colleague_haystack, compute_keys, transliterate
from tests.factories import TODAY, colleague, snapshot

ANNA_RU = colleague(1, "Анна Петрова", work_position="Бухгалтер")
ANNA_EN = colleague(2, "Anna Smith", work_position="Accountant")
YULIA = colleague(3, "Юлия Щукина")
ELKIN = colleague(4, "Борис Ёлкин")


def finds(text: str) -> set[int]:
    q = Query.parse(text)
    people = (ANNA_RU, ANNA_EN, YULIA, ELKIN)
    return {c.id for c in people if q.matches(colleague_haystack(c), "")}


def test_latin_finds_cyrillic_and_cyrillic_finds_latin() -> None:
    assert finds("anna") == {1, 2}
    assert finds("Анна") == {1, 2}
    assert finds("АННА") == {1, 2}
    assert finds("yuliya shchukina") == {3}
    assert finds("Юлия") == {3}
    assert finds("елкин") == {4} and finds("Ёлкин") == {4} and finds("elkin") == {4}
    assert finds("бухгалтер") == {1}


def test_transliteration_keeps_substrings_so_narrowing_stays_true() -> None:
    for short, long in (("ан", "анна"), ("щу", "щукина"), ("a", "anna")):
        assert transliterate(short) in transliterate(long)
        assert Query.parse(long).narrows(Query.parse(short))


def test_keys_work_without_qt_and_sort_by_presence_then_name() -> None:
    people = [
        colleague(1, "Boris", presence=Presence.OFFLINE),
        colleague(2, "anna"),
        colleague(3, "Carl"),
    ]
    keys = compute_keys(snapshot(people), today=TODAY)
    assert keys.order == (2, 3, 1)
    assert keys.available == frozenset({2, 3})


def test_available_is_online_or_mobile_not_dnd_not_on_vacation() -> None:
    back = TODAY + timedelta(days=3)
    cases = {
        colleague(1, presence=Presence.ONLINE): True,
        colleague(2, presence=Presence.MOBILE): True,
        colleague(3, presence=Presence.DND): False,
        colleague(4, presence=Presence.AWAY): False,
        colleague(5, presence=Presence.OFFLINE): False,
        colleague(6, presence=Presence.ONLINE, absent_until=back): False,
        colleague(7, presence=Presence.ONLINE, absent_until=TODAY): True,  # back today
    }
    for c, expected in cases.items():
        assert is_available(c, TODAY) is expected, c.id
    assert count_available(cases, TODAY) == 3
    keys = compute_keys(snapshot(list(cases)), today=TODAY)
    assert len(keys.available) == count_available(cases, TODAY)


def test_select_keeps_exactly_what_matches_keeps() -> None:
    hays = ["anna smith sales", "boris elkin", "carl young", "dana brown sales"]
    digits = {1: "", 2: "", 3: "74950000001", 4: "74950000501"}
    ids = [1, 2, 3, 4]
    for text in ("a", "sales", "an sa", "4950000", "+7 495 000-05", "zzz", "carl 495"):
        q = Query.parse(text)
        expected = [i for i, h in zip(ids, hays, strict=True) if q.matches(h, digits[i])]
        got, got_hays = q.select(ids, hays, digits)
        assert got == expected, text
        assert got_hays == [hays[i - 1] for i in expected]
        mask = q.mask(ids, hays, digits)
        assert [i for i, kept in zip(ids, mask, strict=True) if kept] == expected, text
