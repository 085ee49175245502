"""The snapshot cache: hostile files load or are set aside, bad rows are skipped, writes are
atomic, private and never fail on text."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bx24presence import cache
from bx24presence.cache import (
    dumps_snapshot,
    iter_snapshot,
    load_snapshot,
    loads_snapshot,
    save_snapshot,
)
from bx24presence.domain import Presence, Snapshot
from tests.factories import colleague, snapshot

PORTAL = "https://acme.bitrix24.com"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "snapshots" / "abc.json"


def _five() -> Snapshot:
    return snapshot([colleague(i) for i in range(1, 6)])


def _lines(snap: Snapshot | None = None) -> list[str]:
    return dumps_snapshot(snap or _five()).splitlines()


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.write_bytes(data)


def _aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def _row(cid: int = 1, **fields: Any) -> str:
    d = json.loads(_lines()[cid])
    d.update(fields)
    return json.dumps(d)


# --- round trips -------------------------------------------------------------------------------


def test_round_trip(path: Path) -> None:
    snap = _five()
    assert save_snapshot(snap, path)
    loaded = load_snapshot(path, PORTAL)
    assert loaded is not None
    assert loaded.colleagues == snap.colleagues
    assert loaded.server_time == snap.server_time and loaded.departments == snap.departments


def test_a_cached_start_shares_texts_and_zones_like_a_fresh_load(path: Path) -> None:
    """Colleagues read from the cache are kept until they change, so they must cost what
    the portal's reader makes: shared names, positions and statuses, one zone object per
    offset, one avatar string when both sizes are the same address (5 MB at 10,000)."""
    avatar = "https://portal.example/upload/a.png"
    snap = snapshot(
        [
            colleague(
                i,
                first_name="Anna",
                last_name="Ivanova",
                status="online",
                avatar=avatar,
                avatar_hr=avatar,
                birthday="05-17",
            )
            for i in (1, 2, 3)
        ]
    )
    assert save_snapshot(snap, path)
    loaded = load_snapshot(path, PORTAL)
    assert loaded is not None and loaded.colleagues == snap.colleagues
    a, b, c = loaded.colleagues
    for field in ("first_name", "last_name", "work_position", "status", "birthday"):
        assert getattr(a, field) is getattr(b, field) is getattr(c, field), field
    assert a.last_activity.tzinfo is b.last_activity.tzinfo is c.last_activity.tzinfo
    assert a.avatar_hr is a.avatar


def test_a_lone_surrogate_in_a_name_is_repaired_when_saved(path: Path) -> None:
    snap = snapshot([colleague(1, "Bad\ud800Name"), colleague(2)], departments={1: "D\udfff"})
    assert save_snapshot(snap, path)
    path.read_bytes().decode("utf-8")  # strict: the file is valid UTF-8
    loaded = load_snapshot(path)
    assert loaded is not None
    assert loaded.colleagues[0].name == "Bad\ufffdName"
    assert loaded.departments[1] == "D\ufffd"


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\x85", "\x1c", "\x0b", "\r"])
def test_line_breaking_characters_in_text_survive(path: Path, odd: str) -> None:
    snap = snapshot([colleague(1, f"A{odd}B"), colleague(2)])
    assert save_snapshot(snap, path)
    loaded = load_snapshot(path)
    assert loaded is not None and loaded.colleagues[0].name == f"A{odd}B"


def test_the_display_order_is_kept_and_the_top_rows_come_first(path: Path) -> None:
    snap = snapshot([colleague(i) for i in range(1, 401)])
    order = list(range(400, 0, -1))
    save_snapshot(snap, path, order=order)
    got = list(iter_snapshot(path, PORTAL))
    assert [p for _, p in got] == [True, False]
    assert {c.id for c in got[0][0].colleagues} == set(range(251, 401))
    assert len(got[1][0].colleagues) == 400


def test_the_first_rows_are_read_before_the_rest(path: Path) -> None:
    """The window paints the first rows without waiting for the rest of the file: a tail
    that is not UTF-8 is found only after they were given (then the file is set aside and
    no whole snapshot follows), and a file replaced in between is not read on."""
    snap = snapshot([colleague(i) for i in range(1, 401)])
    save_snapshot(snap, path)
    _write(path, path.read_bytes() + b"\xff\xfe broken tail\n")
    got = iter_snapshot(path, PORTAL)
    first, partial = next(got)
    assert partial and len(first.colleagues) == cache.FIRST_ROWS
    assert list(got) == []
    assert not path.exists() and len(_aside(path)) == 1

    save_snapshot(snap, path)
    got = iter_snapshot(path, PORTAL)
    assert next(got)[1] is True
    save_snapshot(snapshot([colleague(i) for i in range(1, 301)]), path)  # a new save
    assert list(got) == []
    assert load_snapshot(path, PORTAL) is not None, "the new file is untouched"


def test_rows_longer_than_a_read_block_are_read_whole(path: Path) -> None:
    """The rest of the file is read in blocks of whole lines: a row longer than a block is
    joined before it is decoded (a multi-byte letter may straddle two blocks)."""
    people = [colleague(i) for i in range(1, 401)]
    people[300] = colleague(301, "Ж" * (cache._BLOCK // 2 + 7))  # 2 bytes a letter
    save_snapshot(snapshot(people), path)
    got = list(iter_snapshot(path, PORTAL))
    assert got[-1][1] is False
    assert [c.name for c in got[-1][0].colleagues] == [c.name for c in people]


# --- hostile files -------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_set_aside(path: Path) -> None:
    _write(path, b"\xff\xfe" + _lines()[0].encode())
    assert list(iter_snapshot(path, PORTAL)) == []
    assert not path.exists() and len(_aside(path)) == 1


@pytest.mark.parametrize(
    "header",
    [
        "",
        "null",
        "[]",
        '"text"',
        "{}",
        "{not json",
        DEEP,
        '{"format": true}',
        '{"format": 2}',
        '{"format": 2, "server_time": "2026-03-02T12:00:00", "fetched_at": "2026-03-02T12:00:00"}',
        '{"format": 2, "server_time": 5, "fetched_at": []}',
    ],
)
def test_an_unusable_header_sets_the_file_aside(path: Path, header: str) -> None:
    _write(path, "\n".join([header, *_lines()[1:]]))
    assert load_snapshot(path) is None
    assert not path.exists() and len(_aside(path)) == 1


def test_a_directory_in_place_of_the_file_is_set_aside(path: Path) -> None:
    path.mkdir(parents=True)
    assert load_snapshot(path) is None
    assert not path.exists() and len(_aside(path)) == 1


def test_a_huge_file_is_set_aside(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_snapshot(_five(), path)
    monkeypatch.setattr(cache, "MAX_FILE_BYTES", 100)
    assert load_snapshot(path) is None
    assert len(_aside(path)) == 1


def test_only_a_few_corrupt_files_are_kept(path: Path) -> None:
    for _ in range(cache.KEEP_CORRUPT + 3):
        _write(path, b"\xff")
        assert load_snapshot(path) is None
    assert len(_aside(path)) == cache.KEEP_CORRUPT


def test_count_null_and_other_counts_are_ignored(path: Path) -> None:
    lines = _lines()
    head = json.loads(lines[0])
    for count in (None, "5", 10**30, -1, 2, [1]):
        head["count"] = count
        _write(path, "\n".join([json.dumps(head), *lines[1:]]))
        loaded = load_snapshot(path)
        assert loaded is not None and len(loaded.colleagues) == 5, count


@pytest.mark.parametrize(
    "bad_row",
    [
        _row(3, name=12345),
        _row(3, name=None),
        _row(3, id="3"),
        _row(3, id=True),
        _row(3, id=-3),
        _row(3, id=10**40),
        _row(3)[:40],  # truncated
        "{",
        "null",
        "[1, 2]",
        DEEP,
        '{"id": 3, "name": "x", "phones": ' + "[" * 50_000 + "]" * 50_000 + "}",
    ],
)
def test_a_bad_row_is_skipped_and_the_rest_is_used(path: Path, bad_row: str) -> None:
    lines = _lines()
    lines[3] = bad_row
    _write(path, "\n".join(lines))
    loaded = load_snapshot(path, PORTAL)
    assert loaded is not None
    assert [c.id for c in loaded.colleagues] == [1, 2, 4, 5]
    assert path.exists(), "a file with good rows is not set aside"


def test_a_file_whose_rows_are_all_bad_is_set_aside(path: Path) -> None:
    lines = _lines()
    _write(path, "\n".join([lines[0], "{", "[", "null"]))
    assert load_snapshot(path) is None
    assert len(_aside(path)) == 1


def test_a_truncated_file_keeps_its_whole_rows(path: Path) -> None:
    save_snapshot(_five(), path)
    data = path.read_bytes()
    _write(path, data[: len(data) - 30])
    loaded = load_snapshot(path)
    assert loaded is not None and [c.id for c in loaded.colleagues] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "value", [None, 1, -1, 1.5, True, "x", "", [], {}, [1, "a"], {"a": 1}, "\ud800", 10**30]
)
@pytest.mark.parametrize(
    "field",
    [
        "presence",
        "first_name",
        "last_name",
        "work_position",
        "color",
        "avatar",
        "avatar_hr",
        "gender",
        "birthday",
        "email",
        "website",
        "phones",
        "departments",
        "last_activity",
        "last_activity_raw",
        "idle",
        "mobile_last",
        "desktop_last",
        "absent_until",
        "status",
        "unknown_field",
    ],
)
def test_a_wrong_type_in_any_field_takes_its_default(path: Path, field: str, value: Any) -> None:
    lines = _lines()
    lines[2] = _row(2, **{field: value})
    _write(path, "\n".join(lines))
    loaded = load_snapshot(path, PORTAL)
    assert loaded is not None and len(loaded.colleagues) == 5
    c = loaded.by_id()[2]
    assert isinstance(c.presence, Presence)
    for name in ("last_activity", "idle", "mobile_last", "desktop_last"):
        v = getattr(c, name)
        assert v is None or (isinstance(v, datetime) and v.tzinfo is not None)
    assert c.absent_until is None or isinstance(c.absent_until, date)
    assert all(isinstance(d, int) for d in c.departments)
    dumps_snapshot(loaded).encode("utf-8")  # saving it again never fails


@pytest.mark.parametrize(
    "value", [None, 1, 1.5, True, "x", [], {}, {"1": 5}, {"x": "y"}, "\ud800", 10**30]
)
@pytest.mark.parametrize(
    "field", ["portal", "online_window_s", "generation", "own_status", "departments", "count"]
)
def test_a_wrong_type_in_a_header_field_takes_its_default(
    path: Path, field: str, value: Any
) -> None:
    lines = _lines()
    head = json.loads(lines[0])
    head[field] = value
    _write(path, "\n".join([json.dumps(head), *lines[1:]]))
    loaded = load_snapshot(path)
    assert loaded is not None and len(loaded.colleagues) == 5
    assert isinstance(loaded.online_window_s, int) and isinstance(loaded.generation, int)
    assert all(isinstance(k, int) and isinstance(v, str) for k, v in loaded.departments.items())
    dumps_snapshot(loaded).encode("utf-8")


def test_duplicate_ids_keep_the_first_row(path: Path) -> None:
    lines = _lines()
    lines.append(_row(2, name="Impostor"))
    _write(path, "\n".join(lines))
    loaded = load_snapshot(path)
    assert loaded is not None
    assert [c.id for c in loaded.colleagues] == [1, 2, 3, 4, 5]
    assert loaded.by_id()[2].name != "Impostor"


def test_another_portals_cache_is_left_alone(path: Path) -> None:
    save_snapshot(_five(), path)
    assert load_snapshot(path, "https://other.bitrix24.com") is None
    assert path.exists() and _aside(path) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
fields_of_a_row = st.dictionaries(
    st.sampled_from([*cache._FIELDS, "x"]), json_values, max_size=len(cache._FIELDS)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.dictionaries(
        st.sampled_from(["format", "server_time", "fetched_at", "portal", "departments"]),
        json_values,
    ),
    rows=st.lists(fields_of_a_row | json_values, max_size=5),
    raw=st.binary(max_size=64),
)
def test_fuzzed_files_never_raise(head: dict, rows: list, raw: bytes) -> None:
    base = json.loads(_lines()[0])
    base.update(head)
    text = "\n".join([json.dumps(base), *(json.dumps(r) for r in rows)])
    for data in (text.encode("utf-8", "surrogatepass"), raw, text.encode()[: len(raw)]):
        try:
            snap = loads_snapshot(data.decode("utf-8", "surrogatepass"))
        except ValueError:
            continue
        dumps_snapshot(snap).encode("utf-8")


# --- writing --------------------------------------------------------------------------------------


def test_an_empty_snapshot_never_overwrites_the_cache(path: Path) -> None:
    save_snapshot(_five(), path)
    before = path.read_bytes()
    assert not save_snapshot(snapshot([]), path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", ["write", "replace", "fsync"])
def test_a_failing_write_keeps_the_old_file_whole(
    path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    save_snapshot(_five(), path)
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, where, fail)
    assert not save_snapshot(snapshot([colleague(9)]), path)  # logged, never raised
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_an_unexpected_failure_to_save_is_logged_not_raised(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(cache, "_encode_lines", broken)
    assert not save_snapshot(_five(), path)
    assert "Could not save the snapshot cache" in caplog.text


def test_the_file_is_private_whatever_the_umask(path: Path) -> None:
    old = os.umask(0)
    try:
        save_snapshot(_five(), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


SAVE_PEAK = """
import pathlib, sys, tempfile
from tests.factories import colleague, snapshot
from bx24presence.cache import save_snapshot
people = [colleague(i, f"Colleague {i}", email=f"c{i}@example.com") for i in range(1, 10001)]
snap = snapshot(people)
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
before = hwm()
assert save_snapshot(snap, pathlib.Path(tempfile.mkdtemp()) / "s.json")
print(hwm() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_saving_10000_colleagues_does_not_hold_every_line_twice() -> None:
    """Each colleague's encoded line is copied into the file's buffer at once (orjson's
    results keep their working buffers: a list of 10,000 held 70 MB)."""
    out = subprocess.run(
        [sys.executable, "-c", SAVE_PEAK], capture_output=True, text=True, check=True
    )
    assert int(out.stdout) < 30, f"saving raised the peak by {out.stdout.strip()} MB"
