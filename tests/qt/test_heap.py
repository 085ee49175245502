"""Large snapshots freeze the heap out of full garbage collections; small ones do not."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bx24presence.qt import heap
from bx24presence.qt.list.model import ColleagueModel
from tests.factories import colleague, snapshot


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_large_snapshot_is_frozen_out_of_full_collections() -> None:
    model = ColleagueModel()
    model.apply(snapshot([colleague(i) for i in range(1, heap.FREEZE_AT + 1)]))

    assert gc.get_freeze_count() > heap.FREEZE_AT  # the rows, at least


def test_a_small_change_does_not_freeze() -> None:
    model = ColleagueModel()
    model.apply(snapshot([colleague(i) for i in range(1, 11)]))
    assert gc.get_freeze_count() == 0


def test_the_first_load_is_not_collected_while_parsed_and_is_frozen_after() -> None:
    assert gc.isenabled()
    kept = []
    with heap.first_load():
        assert not gc.isenabled()
        kept.extend([i] for i in range(1000))  # the snapshot: long-lived
    assert gc.isenabled()
    assert gc.get_freeze_count() >= 1000
    try:
        with heap.first_load():
            raise RuntimeError("the portal failed")
    except RuntimeError:
        pass
    assert gc.isenabled(), "a failed refresh must not leave collections off"
