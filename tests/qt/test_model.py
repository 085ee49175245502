"""The list model and the proxy: diffs, precise signals, qtmodeltester, search and filters."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex

from bx24presence.domain import Phones, Presence, diff_snapshots
from bx24presence.qt.list.keys import compute_keys
from bx24presence.qt.list.model import (
    ColleagueModel,
    ColleagueRole,
    StatusTextRole,
    _runs,
    sorted_runs,
)
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.list.view import ColleagueList
from tests.factories import LOCAL_NOW, TODAY, changed, colleague, snapshot

PEOPLE = [
    colleague(
        1, "Anna Smith", work_position="Sales lead", email="anna@example.com", departments=(2,)
    ),
    colleague(2, "Борис Ёлкин", work_position="Инженер", presence=Presence.OFFLINE),
    colleague(
        3, "Carl Young", presence=Presence.AWAY, phones=Phones(personal_mobile="+7 (495) 000-00-01")
    ),
    colleague(4, "Dana Brown", absent_until=TODAY + timedelta(days=5)),
    colleague(5, "Eve Adams", birthday="02-03", presence=Presence.MOBILE),
    colleague(6, "<b>x</b>", presence=Presence.OFFLINE),
]


def make(people=PEOPLE):
    model = ColleagueModel()
    model.set_clock(lambda: LOCAL_NOW)
    snap = snapshot(people)
    model.apply(snap, keys=compute_keys(snap))
    proxy = ColleagueProxy()
    proxy.set_today(TODAY)
    proxy.setSourceModel(model)
    return model, proxy


def apply(model, people):
    snap = snapshot(people)
    model.apply(snap, diff_snapshots(model.colleagues(), snap.colleagues), compute_keys(snap))


def names(proxy):
    return [proxy.colleague_at(r).name for r in range(proxy.rowCount())]


def test_models_pass_the_model_tester(qtmodeltester) -> None:
    model, proxy = make()
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    # And keep passing while data changes underneath.
    apply(model, [changed(PEOPLE[0], presence=Presence.OFFLINE), *PEOPLE[2:], colleague(9)])
    proxy.set_search("a")
    proxy.set_quick_filter(QuickFilter.AVAILABLE)
    apply(model, PEOPLE)
    proxy.set_search("")
    qtmodeltester.check(proxy)


def test_first_load_inserts_rows_without_reset(qtbot) -> None:
    model = ColleagueModel()
    snap = snapshot(PEOPLE)
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsInserted) as sig:
        model.apply(snap)
    assert sig.args[1:] == [0, len(PEOPLE) - 1]


def test_refresh_changing_three_emits_exactly_those_rows(qtbot) -> None:
    model, _ = make([colleague(i) for i in range(1, 101)])
    people = model.colleagues()
    people[10] = changed(people[10], presence=Presence.OFFLINE)
    people[11] = changed(people[11], work_position="Boss")
    people[70] = changed(people[70], name="Renamed")
    rows: list[int] = []
    model.dataChanged.connect(lambda a, b: rows.extend(range(a.row(), b.row() + 1)))
    with qtbot.assertNotEmitted(model.modelReset), qtbot.assertNotEmitted(model.rowsRemoved):
        apply(model, people)
    assert sorted(rows) == [10, 11, 70]


def test_arrivals_and_departures(qtbot) -> None:
    model, proxy = make()
    removed, inserted = [], []
    model.rowsRemoved.connect(lambda p, a, b: removed.append((a, b)))
    model.rowsInserted.connect(lambda p, a, b: inserted.append((a, b)))
    apply(model, [*PEOPLE[:2], *PEOPLE[3:], colleague(7, "Zoe New")])
    assert removed == [(2, 2)] and inserted == [(5, 5)]
    assert model.row_of(3) is None and model.row_of(7) == 5
    assert "Carl Young" not in names(proxy) and "Zoe New" in names(proxy)


def test_sort_by_presence_then_name() -> None:
    _, proxy = make()
    assert names(proxy) == [
        "Anna Smith",
        "Dana Brown",
        "Eve Adams",
        "Carl Young",
        "<b>x</b>",
        "Борис Ёлкин",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anna", {"Anna Smith"}),
        ("ANNA", {"Anna Smith"}),
        ("елкин", {"Борис Ёлкин"}),
        ("ёлк", {"Борис Ёлкин"}),
        ("инженер", {"Борис Ёлкин"}),
        ("sales", {"Anna Smith"}),  # position and department name
        ("development", {p.name for p in PEOPLE if p.id != 1}),
        ("anna@example", {"Anna Smith"}),
        ("4950000001", {"Carl Young"}),
        ("+7 495 000-00-01", {"Carl Young"}),
        ("000-05", {"Eve Adams"}),  # +7 495 000-05-01, work phone of id 5
        ("anna sales", {"Anna Smith"}),
        ("anna boris", set()),
        ("<b>", {"<b>x</b>"}),
        ("", {p.name for p in PEOPLE}),
    ],
)
def test_search(query: str, expected: set[str]) -> None:
    _, proxy = make()
    proxy.set_search(query)
    assert set(names(proxy)) == expected


def test_typing_on_narrows_and_deleting_widens() -> None:
    _, proxy = make()
    for text, count in [("a", 4), ("an", 2), ("ann", 1), ("an", 2), ("", 6)]:
        proxy.set_search(text)
        assert proxy.rowCount() == count, text


def test_typed_searches_show_what_a_fresh_search_shows_and_keep_surviving_rows() -> None:
    """Typing on removes the rows that stop matching (known from the search pass itself),
    erasing widens: after every keystroke, with any quick filter, the rows are exactly
    those a fresh proxy shows, positions agree, and an index on a row that still matches
    keeps pointing at that colleague."""
    rng = random.Random(7)
    first = ["Anna", "Boris", "Carl", "Dana", "Elena", "Fedor", "Gleb", "Anton", "Nina"]
    last = ["Smith", "Elkin", "Young", "Brown", "Antonova", "Nikitin", "Sanders", "Bell"]
    people = [
        colleague(
            i,
            f"{rng.choice(first)} {rng.choice(last)}",
            presence=rng.choice(list(Presence)),
            work_position=rng.choice(["Sales lead", "Engineer", None, "Analyst"]),
        )
        for i in range(1, 301)
    ]
    _, proxy = make(people)
    words = ["anna", "an", "nik", "sales", "ton", "e", "brown", "engineer"]
    for kind in (QuickFilter.EVERYONE, QuickFilter.AVAILABLE, QuickFilter.EVERYONE):
        proxy.set_quick_filter(kind)
        for word in words:
            typed = [word[:i] for i in range(1, len(word) + 1)]
            for text in [*typed, *reversed(typed[:-1]), ""]:
                held = proxy.colleague_at(0).id if proxy.rowCount() else None
                index = QPersistentModelIndex(proxy.index(0, 0))
                proxy.set_search(text)
                _, fresh = make(people)
                fresh.set_quick_filter(kind)
                fresh.set_search(text)
                assert names(proxy) == names(fresh), text
                rows = [proxy.colleague_at(r).id for r in range(proxy.rowCount())]
                assert all(proxy.row_of(cid) == r for r, cid in enumerate(rows)), text
                if held in rows and index.isValid():
                    assert proxy.colleague_at(index.row()).id == held, text


def test_an_erased_search_is_remembered_only_while_the_list_is_the_same() -> None:
    """Erasing back to an earlier query reuses its matches, unless a refresh came between:
    then the newcomer must be found, and the one who left must not."""
    model, proxy = make()
    for text in ("a", "an", "ann", "an"):
        proxy.set_search(text)
    assert sorted(names(proxy)) == ["Anna Smith", "Dana Brown"]
    apply(model, [*PEOPLE[1:], colleague(7, "Annika Bell")])  # Anna left, Annika came
    proxy.set_search("ann")
    assert names(proxy) == ["Annika Bell"]
    proxy.set_search("an")
    assert sorted(names(proxy)) == ["Annika Bell", "Dana Brown"]
    proxy.set_search("a")
    assert "Anna Smith" not in names(proxy) and "Annika Bell" in names(proxy)


def test_quick_filters_and_counts(qtbot) -> None:
    _, proxy = make()
    c = proxy.counts
    assert c[QuickFilter.EVERYONE] == 6
    assert c[QuickFilter.AVAILABLE] == 2  # Anna, Eve (Dana is on vacation)
    assert c[QuickFilter.VACATION] == 1
    assert c[QuickFilter.BIRTHDAYS] == 1
    proxy.set_quick_filter(QuickFilter.AVAILABLE)
    assert names(proxy) == ["Anna Smith", "Eve Adams"]
    proxy.set_quick_filter(QuickFilter.VACATION)
    assert names(proxy) == ["Dana Brown"]
    proxy.set_quick_filter(QuickFilter.BIRTHDAYS)
    assert names(proxy) == ["Eve Adams"]
    with qtbot.waitSignal(proxy.counts_changed):
        proxy.set_search("anna")
    assert proxy.counts[QuickFilter.EVERYONE] == 1


def test_status_role_texts() -> None:
    model, _ = make()
    texts = {
        model.colleague(r).id: model.data(model.index(r), StatusTextRole)
        for r in range(model.rowCount())
    }
    assert texts[1] == "online"
    assert texts[2] == "last seen 1 hour ago"
    assert texts[4].startswith("online · on vacation, back on 7 ")
    assert texts[5] == "online on mobile · birthday today"


def test_tooltip_shows_markup_literally() -> None:
    model, _ = make()
    tip = model.data(model.index(model.row_of(6)), 3)  # ToolTipRole
    assert "&lt;b&gt;x&lt;/b&gt;" in tip and "<b>x</b>" not in tip


def test_selection_and_scroll_survive_a_refresh(qtbot) -> None:
    model, proxy = make([colleague(i, presence=Presence.OFFLINE) for i in range(1, 400)])
    view = ColleagueList()
    view.set_row_height(40)
    view.setModel(proxy)
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    target = proxy.index(proxy.row_of(250), 0)
    view.selectionModel().setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.scrollTo(target)
    scroll = view.verticalScrollBar().value()
    assert scroll > 0
    # Colleague 5 comes online (moves to the top), 100 leaves, 500 arrives.
    people = [
        changed(c, presence=Presence.ONLINE) if c.id == 5 else c
        for c in model.colleagues()
        if c.id != 100
    ]
    apply(model, [*people, colleague(500, presence=Presence.OFFLINE)])
    current = view.selectionModel().currentIndex()
    assert proxy.colleague_at(current.row()).id == 250
    assert [proxy.colleague_at(i.row()).id for i in view.selectionModel().selectedIndexes()] == [
        250
    ]
    # The selected row moved by at most one position; the view kept it in sight.
    assert abs(view.verticalScrollBar().value() - scroll) <= view.rowHeight(0) * 2


def test_colleague_role() -> None:
    model, proxy = make()
    c = proxy.index(0, 0).data(ColleagueRole)
    assert c.name == "Anna Smith"
    assert proxy.colleague_at(0) is c
    assert proxy.mapToSource(proxy.index(0, 0)).row() == model.row_of(1)


@given(st.lists(st.integers(0, 300), unique=True), st.integers(1, 70))
def test_runs_found_in_c_match_the_plain_loop(rows, limit) -> None:
    rows = sorted(rows)
    plain = _runs(rows)
    assert sorted_runs(rows, limit) == (plain if len(plain) <= limit else None)
