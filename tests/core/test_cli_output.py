"""What ``--once`` prints, as pure functions: hostile portal text never reaches a terminal raw,
the JSON keeps the exact text, and the table stays aligned."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bx24presence.cliformat import (
    cell,
    display_width,
    escape_unsafe_json,
    format_json,
    format_table,
)
from bx24presence.domain import Phones, Presence
from bx24presence.textsafe import for_terminal
from tests.factories import LOCAL_NOW, colleague, snapshot

HOSTILE = [
    "\x1b]0;window title\x07",  # set the terminal's title
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b[3A\x1b[2Kforged row",  # move up and rewrite an earlier row
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8 link
    "\x9b31mC1 CSI",  # a one-byte CSI
    "\x90DCS\x9c",
    "carriage\rreturn",
    "new\nline",
    "tab\tstop",
    "del\x7f",
    "\u202eright-to-left override\u202c",
    "\u2066isolate\u2069 \u200fmark",
    "line\u2028separator\u2029",
    "lone \ud800 surrogate \udfff",
    "\x00nul",
]
#: Raw characters no output may hold (beyond the newlines that end rows).
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


#: Every code point, lone surrogates included (JSON can carry them).
ANY_CHAR = st.characters(exclude_categories=())


def hostile_snapshot(texts: list[str]):
    people = [
        colleague(
            i + 1,
            name=text,
            work_position=text,
            email=f"x{text}@example.com",
            phones=Phones(work_phone=f"+1 {text}"),
            presence=Presence.OFFLINE,
        )
        for i, text in enumerate(texts)
    ]
    return snapshot(people)


def test_json_keeps_the_exact_text_and_escapes_every_unsafe_character() -> None:
    out = format_json(hostile_snapshot(HOSTILE))
    assert not UNSAFE.search(out)
    out.encode("utf-8")
    rows = json.loads(out)
    for row, text in zip(rows, HOSTILE, strict=True):
        assert row["name"] == text
        assert row["work_position"] == text
        assert row["email"] == f"x{text}@example.com"
        assert row["phones"] == {"work_phone": f"+1 {text}"}


def test_json_writes_unsafe_characters_as_unicode_escapes() -> None:
    out = format_json(hostile_snapshot(["\x9b\u202e\ud800\x7f\u2028"]))
    assert "\\u009b\\u202e\\ud800\\u007f\\u2028" in out


def test_json_of_ordinary_text_is_unchanged() -> None:
    snap = hostile_snapshot(["Анна Петрова", "山田 太郎", "Zoë", 'O\'Brien "Jr"'])
    out = format_json(snap)
    assert "Анна Петрова" in out and "山田 太郎" in out
    assert out == escape_unsafe_json(out)


def test_json_ascii_only_is_pure_ascii() -> None:
    out = format_json(hostile_snapshot([*HOSTILE, "Анна"]), ascii_only=True)
    assert out.isascii() and not UNSAFE.search(out)
    assert [r["name"] for r in json.loads(out)] == [*HOSTILE, "Анна"]


def test_table_shows_no_unsafe_character_and_one_line_per_colleague() -> None:
    out = format_table(hostile_snapshot(HOSTILE), local_now=lambda: LOCAL_NOW)
    assert not UNSAFE.search(out)
    lines = out.splitlines()
    assert len(lines) == 1 + len(HOSTILE) + 1
    assert lines[-1] == f"{len(HOSTILE)} colleagues, 0 available"


def _presence_columns(out: str) -> set[int]:
    lines = out.splitlines()
    columns = {display_width(lines[0][: lines[0].index("PRESENCE")])}
    for line in lines[1:-1]:
        m = re.search(r"  (online|offline)  ", line)
        assert m, line
        columns.add(display_width(line[: m.start(1)]))
    return columns


def test_table_columns_align_with_wide_letters_and_combining_marks() -> None:
    names = ["山田 太郎", "Zoe\u0301 Cafe\u0301", "Ann", "\x1b[2J", "한국어 이름", "a\u200bb"]
    out = format_table(hostile_snapshot(names), local_now=lambda: LOCAL_NOW)
    assert len(_presence_columns(out)) == 1, out


def test_long_texts_are_clipped_by_display_width() -> None:
    out = format_table(hostile_snapshot(["界" * 100, "x" * 100]), local_now=lambda: LOCAL_NOW)
    assert len(_presence_columns(out)) == 1
    assert "界" * 19 + "…" in out and "x" * 39 + "…" in out


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("abc", 5, "abc"),
        ("abcdef", 4, "abc…"),
        ("界界界", 4, "界…"),
        ("a\x1bb", 10, "a\ufffdb"),
        (None, 3, ""),
    ],
)
def test_cell(text, width, expected) -> None:
    assert cell(text, width) == expected
    assert display_width(cell(text, width)) <= width


def test_display_width() -> None:
    assert display_width("abc") == 3
    assert display_width("界a") == 3
    assert display_width("e\u0301") == 1
    assert display_width("a\u200bb") == 2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(ANY_CHAR, min_size=1, max_size=30), min_size=1, max_size=5))
def test_any_text_gives_safe_valid_output(texts: list[str]) -> None:
    snap = hostile_snapshot(texts)
    out = format_json(snap)
    assert not UNSAFE.search(out)
    assert [r["name"] for r in json.loads(out)] == texts
    table = format_table(snap, local_now=lambda: LOCAL_NOW)
    assert not UNSAFE.search(table)
    assert len(table.splitlines()) == len(texts) + 2
    for text in texts:
        assert for_terminal(text) == for_terminal(for_terminal(text))


def test_the_table_counts_available_as_the_window_and_the_tray_do() -> None:
    """Online on vacation, or do not disturb, is not available: one definition everywhere."""
    from datetime import date

    people = [
        colleague(1),
        colleague(2, presence=Presence.MOBILE),
        colleague(3, absent_until=date(2026, 3, 10)),  # online, but on vacation
        colleague(4, presence=Presence.DND),
        colleague(5, presence=Presence.OFFLINE),
    ]
    out = format_table(snapshot(people), local_now=lambda: LOCAL_NOW)
    assert out.rstrip().splitlines()[-1] == "5 colleagues, 2 available"
