"""What ``--once`` prints: the JSON array and the table, safe to send to a terminal.

Every text in them came from the portal (names, positions, phones, e-mails, links), so none
of it may reach a terminal as it is: an escape sequence in a name could set the window
title, clear the screen, rewrite earlier rows or plant a link; a CSI (U+009B), CR/LF/TAB or
a bidi override could break or reorder the table. :func:`bx24presence.textsafe.for_terminal`
decides what is unsafe, here and in every error line.

* ``--table`` shows each unsafe character as U+FFFD and aligns columns by display width
  (East Asian wide letters take two cells, combining marks none).
* ``--json`` keeps the exact text, and writes each unsafe character as a ``\\uXXXX`` escape,
  so that the output is valid JSON that carries the same strings but no raw control, bidi
  control, line separator or lone surrogate.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bx24presence.textsafe import REPLACEMENT, for_terminal

ELLIPSIS = "…"
#: Widest a column may be, in terminal cells (a hostile text must not make a row endless).
NAME_WIDTH = 40
STATUS_WIDTH = 48
POSITION_WIDTH = 32
PHONE_WIDTH = 24
EMAIL_WIDTH = 48


def colleague_record(c: Any) -> dict[str, Any]:
    """The JSON object for one colleague (the ``--once --json`` contract)."""
    return {
        "id": c.id,
        "name": c.name,
        "presence": c.presence.value,
        "last_activity": c.last_activity_raw,
        "absent_until": c.absent_until.isoformat() if c.absent_until else None,
        "birthday": c.birthday,
        "work_position": c.work_position,
        "email": c.email,
        "phones": c.phones.as_dict(),
        "departments": list(c.departments),
        "avatar": c.avatar or c.avatar_hr,
        "avatar_hr": c.avatar_hr or c.avatar,
        "color": c.color,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "gender": c.gender,
    }


def escape_unsafe_json(text: str) -> str:
    """JSON text with every character a terminal must not receive raw written as ``\\uXXXX``.

    ``json.dumps(ensure_ascii=False)`` escapes only C0 controls: DEL, the C1 block, bidi
    controls, line separators and lone surrogates pass raw. Outside strings, JSON text holds
    only ASCII punctuation, digits, letters, spaces and newlines, so every other unsafe
    character is inside a string, where ``\\uXXXX`` stands for exactly that character.
    """
    safe = for_terminal(text)
    # Raw newlines are the layout of the JSON itself: when they are all that was replaced,
    # the text is safe as it is (the common case, decided by two counts in C).
    if safe.count(REPLACEMENT) - text.count(REPLACEMENT) == text.count("\n"):
        return text
    # for_terminal replaces character by character: the characters it replaced are those
    # of the text missing from its result.
    unsafe = set(text) - set(safe) - {"\n"}
    pattern = re.compile("|".join(re.escape(ch) for ch in sorted(unsafe)))
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def format_json(snapshot: Any, *, ascii_only: bool = False) -> str:
    """A JSON array of colleagues sorted by id, safe for a terminal.

    ``ascii_only`` escapes every non-ASCII character (for an output that cannot encode them).
    """
    rows = [colleague_record(c) for c in sorted(snapshot.colleagues, key=lambda c: c.id)]
    return escape_unsafe_json(json.dumps(rows, ensure_ascii=ascii_only, indent=1)) + "\n"


@functools.lru_cache(maxsize=8192)
def char_width(ch: str) -> int:
    """Terminal cells taken by one character: 0 for combining and format characters, 2 for
    East Asian wide and full-width ones, else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal cells taken by a neutralised text."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def cell(text: str | None, width: int | None = None) -> str:
    """One table cell: neutralised for a terminal, clipped to ``width`` cells with an ellipsis."""
    safe = for_terminal(text or "")
    if width is None or display_width(safe) <= width:
        return safe
    out: list[str] = []
    used = 0
    for ch in safe:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def align(rows: Iterable[tuple[str, ...]]) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell plus two spaces."""
    table = list(rows)
    if not table:
        return []
    widths = [max(display_width(r[i]) for r in table) for i in range(len(table[0]))]
    return ["  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table]


def format_table(snapshot: Any, local_now: Callable[[], datetime] | None = None) -> str:
    """An aligned table for people: id, name, presence, status, position, phone, email."""
    from bx24presence.presence import (  # noqa: PLC0415  (only the table needs these)
        count_available,
        is_birthday,
        is_on_vacation,
        server_clock_now,
        status_text_en,
        vacation_text_en,
    )

    now_local = (local_now or (lambda: datetime.now(UTC)))()
    now = server_clock_now(snapshot.server_time, snapshot.fetched_at, now_local)
    today = now_local.astimezone().date()
    header = ("ID", "NAME", "PRESENCE", "STATUS", "POSITION", "PHONE", "EMAIL")
    rows = []
    for c in sorted(snapshot.colleagues, key=lambda c: c.id):
        status = status_text_en(c.presence, c.last_activity, now)
        if is_on_vacation(c.absent_until, today) and c.absent_until:
            status += "; " + vacation_text_en(c.absent_until)
        if is_birthday(c.birthday, today):
            status += "; birthday today"
        phones = c.phones.as_dict()
        rows.append(
            (
                str(c.id),
                cell(c.name, NAME_WIDTH),
                c.presence.value,
                cell(status, STATUS_WIDTH),
                cell(c.work_position, POSITION_WIDTH),
                cell(next(iter(phones.values()), ""), PHONE_WIDTH),
                cell(c.email, EMAIL_WIDTH),
            )
        )
    lines = align([header, *rows])
    available = count_available(snapshot.colleagues, today)
    lines.append(f"{len(rows)} colleagues, {available} available")
    return "\n".join(lines) + "\n"
