"""The last snapshot on disk, so the app opens instantly (and offline) with what it knew.

The file is JSON Lines: a header, then one colleague a line. It holds what the portal sent,
so it is read as hostile: any file content must load or be set aside, never crash the app.

* A file that is not UTF-8, too big, not JSON, or whose header is not a valid header of this
  format is **set aside** (renamed ``<name>.corrupt-<YYYYmmdd-HHMMSS>``, as a corrupt
  settings file is) and the app starts without it.
* A **bad row** (truncated, not JSON, nested too deep, no valid id or name) is skipped and the
  rest is used: the cache is a preview that the next refresh replaces whole. A field of a
  wrong type in an otherwise good row takes its default.
* Writing repairs text that cannot be encoded (a lone surrogate in a name) and is atomic;
  an empty snapshot is never written over a cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

from bx24presence import paths
from bx24presence.domain import (
    PHONE_KINDS,
    Colleague,
    Phones,
    Presence,
    Snapshot,
    shared_text,
    shared_zone,
)
from bx24presence.textsafe import repair, repair_deep

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
#: Rows sent ahead of the rest at start-up: more than any screen shows.
FIRST_ROWS = 150
#: A cache bigger than this is not one this app wrote (10,000 colleagues take about 10 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: A colleague row longer than this is skipped unread (a real one is about 1 KB).
MAX_ROW_CHARS = 256 * 1024
#: Corrupt caches kept aside per portal; older ones are deleted.
KEEP_CORRUPT = 3
_DATETIME_FIELDS = ("last_activity", "idle", "mobile_last", "desktop_last")
_TEXT_FIELDS = ("first_name", "last_name", "gender")
_SHARED_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "work_position",
    "color",
    "birthday",
    "status",
)
_OPTIONAL_TEXT_FIELDS = (
    "work_position",
    "color",
    "avatar",
    "avatar_hr",
    "birthday",
    "email",
    "website",
    "last_activity_raw",
    "status",
)
# A JSON escape of a UTF-16 surrogate: only then can a parsed string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_PRESENCES = {p.value: p for p in Presence}
_OFFLINE = Presence.OFFLINE


class CorruptCache(ValueError):
    """The cache file cannot be used at all (its header or encoding is wrong)."""


def snapshot_path(cache_dir: Path, portal: str) -> Path:
    """Where the snapshot of ``portal`` (a base URL without secret) is kept."""
    digest = hashlib.sha256(repair(portal).encode()).hexdigest()[:16]
    return cache_dir / "snapshots" / f"{digest}.json"


_FIELDS = tuple(f.name for f in fields(Colleague))


# --- writing -----------------------------------------------------------------------------------


def _colleague_to_json(c: Colleague) -> dict[str, Any]:
    # Field by field: dataclasses.asdict deep-copies every value and is ten times slower.
    d = {name: getattr(c, name) for name in _FIELDS}
    d["presence"] = c.presence.value
    d["phones"] = c.phones.as_dict()
    d["departments"] = list(c.departments)
    for f in _DATETIME_FIELDS:
        value = d[f]
        d[f] = value.isoformat() if value else None
    d["absent_until"] = c.absent_until.isoformat() if c.absent_until else None
    return d


def _in_order(snapshot: Snapshot, order: Sequence[int]) -> Iterable[Colleague]:
    """The colleagues in ``order`` (the display order) when it names each of them, else as
    the snapshot holds them."""
    if order and len(order) == len(snapshot.colleagues):
        by_id = snapshot.by_id()
        if all(i in by_id for i in order):
            return (by_id[i] for i in order)
    return snapshot.colleagues


def _dump_lines(snapshot: Snapshot, order: Sequence[int] = ()) -> Iterator[str]:
    yield json.dumps(
        {
            "format": FORMAT_VERSION,
            "portal": snapshot.portal,
            "server_time": snapshot.server_time.isoformat(),
            "fetched_at": snapshot.fetched_at.isoformat(),
            "online_window_s": snapshot.online_window_s,
            "generation": snapshot.generation,
            "own_status": snapshot.own_status,
            "departments": {str(k): v for k, v in snapshot.departments.items()},
            "count": len(snapshot.colleagues),
        },
        ensure_ascii=False,
    )
    for c in _in_order(snapshot, order):
        yield json.dumps(_colleague_to_json(c), ensure_ascii=False, separators=(",", ":"))


def dumps_snapshot(snapshot: Snapshot, order: Sequence[int] = ()) -> str:
    """A snapshot as JSON Lines: a header, then one colleague a line, in ``order`` (the
    display order, so the first lines are the rows at the top of the list). Text that cannot
    be encoded as UTF-8 (lone surrogates) is repaired.

    One small ``json.dumps`` per colleague rather than one for everything: each call holds
    the interpreter lock briefly, so the GUI thread stays responsive while the poller
    thread writes 10,000 colleagues.
    """
    return "".join(repair(line) + "\n" for line in _dump_lines(snapshot, order))


#: The cache writer lets go of the interpreter lock for _PAUSE_S every _PAUSE_EVERY rows.
_PAUSE_EVERY = 100
_PAUSE_S = 0.004


def _encode_lines(snapshot: Snapshot, order: Sequence[int]) -> bytes:
    """The file's bytes: the same lines as :func:`dumps_snapshot`, each colleague encoded by
    orjson straight from the dataclass in C (10,000 colleagues: about 15 ms of the poller's
    time instead of 300 ms of Python, which the GUI thread had to share the interpreter lock
    with). A colleague orjson refuses (a lone surrogate) takes the careful way, repaired."""
    lines = _dump_lines(snapshot, order)
    # Into one buffer, each line copied at once: orjson's result keeps its working buffer
    # (several KB), so a list of 10,000 of them would hold 70 MB until joined.
    out = bytearray(repair(next(lines)).encode("utf-8") + b"\n")
    for n, c in enumerate(_in_order(snapshot, order), 1):
        if not n % _PAUSE_EVERY:
            # A breath for the GUI thread: without it, a repaint made of hundreds of calls
            # into Python waited for the interpreter lock at each, 30-50 ms in all.
            time.sleep(_PAUSE_S)
        try:
            out += orjson.dumps(c)
        except TypeError:  # orjson.JSONEncodeError: text that is not valid Unicode
            line = json.dumps(_colleague_to_json(c), ensure_ascii=False, separators=(",", ":"))
            out += repair(line).encode("utf-8")
        out += b"\n"
    return bytes(out)


def save_snapshot(snapshot: Snapshot, path: Path, order: Sequence[int] = ()) -> bool:
    """Write atomically (a private file, flushed to disk, then renamed over the old one).

    Never raises: the cache is a convenience, and a failure to write it is logged. An empty
    snapshot is not written (a portal always lists at least the webhook's own user, so it
    would be a malformed answer, and would wipe what the app can open with).

    Returns:
        True when the file was written.
    """
    if not snapshot.colleagues:
        log.warning("Not saving an empty snapshot over the cache")
        return False
    try:
        data = _encode_lines(snapshot, order)
        paths.ensure_dir(path.parent)
        paths.write_atomic(path, data)
    except OSError as exc:
        log.warning("Could not save the snapshot cache: %s", exc.strerror or exc)
        return False
    except Exception:
        log.exception("Could not save the snapshot cache")
        return False
    return True


# --- reading -----------------------------------------------------------------------------------


def _aware(value: Any) -> datetime | None:
    """An aware datetime from ISO text, else None (a naive one cannot be compared)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and parsed.utcoffset() is not None else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) > 32:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _loads(line: str) -> Any:
    value = json.loads(line)
    if _SURROGATE_ESCAPE.search(line):
        value = repair_deep(value)
    return value


def _header(line: str) -> dict[str, Any]:
    """The header's values, checked; raises CorruptCache when it is not a valid header."""
    try:
        head = _loads(line)
    except (ValueError, RecursionError) as exc:
        raise CorruptCache(f"the header is not JSON ({type(exc).__name__})") from None
    if not isinstance(head, dict):
        raise CorruptCache("the header is not an object")
    if head.get("format") != FORMAT_VERSION or isinstance(head.get("format"), bool):
        raise CorruptCache("not a snapshot of this format")
    server_time = _aware(head.get("server_time"))
    fetched_at = _aware(head.get("fetched_at"))
    if server_time is None or fetched_at is None:
        raise CorruptCache("the header's times are missing or invalid")
    window = head.get("online_window_s")
    generation = head.get("generation")
    departments: dict[int, str] = {}
    raw_departments = head.get("departments")
    if isinstance(raw_departments, dict):
        for key, name in raw_departments.items():
            if isinstance(name, str) and isinstance(key, str) and key.isascii() and key.isdigit():
                departments[int(key)] = name
    portal = head.get("portal")
    own = head.get("own_status")
    return {
        "portal": portal if isinstance(portal, str) else "",
        "server_time": server_time,
        "fetched_at": fetched_at,
        "online_window_s": window if type(window) is int and 0 < window <= 10**7 else 900,
        "generation": generation if type(generation) is int and generation >= 0 else 0,
        "own_status": own if isinstance(own, str) else None,
        "departments": MappingProxyType(departments),
    }


def _colleague(d: Any) -> Colleague | None:
    """A colleague from a parsed row, or None when the row has no valid id and name. Fields
    of a wrong type take their defaults."""
    if not isinstance(d, dict):
        return None
    cid = d.get("id")
    name = d.get("name")
    if type(cid) is not int or not 0 < cid <= 2**53 or not isinstance(name, str):
        return None
    kw: dict[str, Any] = {
        f: v if isinstance(v := d.get(f), str) else None for f in _OPTIONAL_TEXT_FIELDS
    }
    for f in _TEXT_FIELDS:
        if isinstance(v := d.get(f), str):
            kw[f] = v
    # the fields the portal's reader shares are shared here too: a start from the cache
    # keeps these colleagues until they change, and must not cost more than a fresh load
    for f in _SHARED_FIELDS:
        kw[f] = shared_text(kw.get(f))
    if kw["avatar_hr"] == kw["avatar"]:
        kw["avatar_hr"] = kw["avatar"]
    presence = d.get("presence")
    kw["presence"] = _PRESENCES.get(presence, _OFFLINE) if isinstance(presence, str) else _OFFLINE
    phones = d.get("phones")
    if isinstance(phones, dict) and phones:
        kw["phones"] = Phones(
            *(v if isinstance(v := phones.get(k), str) else None for k in PHONE_KINDS)
        )
    departments = d.get("departments")
    if isinstance(departments, list) and departments:
        kw["departments"] = tuple(x for x in departments if type(x) is int)
    for f in _DATETIME_FIELDS:
        if (v := d.get(f)) is not None:
            kw[f] = shared_zone(_aware(v))
    if (v := d.get("absent_until")) is not None:
        kw["absent_until"] = _date(v)
    return Colleague(id=cid, name=name, **kw)


def _parse_row(line: str) -> Colleague | None:
    if len(line) > MAX_ROW_CHARS:
        return None
    try:
        return _colleague(_loads(line))
    except (ValueError, RecursionError, TypeError):
        return None


def _build(head: dict[str, Any], colleagues: list[Colleague]) -> Snapshot:
    unique = {c.id: c for c in reversed(colleagues)}  # the first row of an id wins
    return Snapshot(
        colleagues=tuple(sorted(unique.values(), key=lambda c: c.id)),
        server_time=head["server_time"],
        fetched_at=head["fetched_at"],
        online_window_s=head["online_window_s"],
        departments=head["departments"],
        portal=head["portal"],
        generation=head["generation"],
        own_status=head["own_status"],
    )


def _parse_rows(lines: Iterable[str], into: list[Colleague]) -> int:
    """Append the good rows to ``into``; the number of bad rows skipped."""
    bad = 0
    for line in lines:
        c = _parse_row(line)
        if c is None:
            bad += 1
        else:
            into.append(c)
    return bad


def loads_snapshot(text: str) -> Snapshot:
    """A snapshot from :func:`dumps_snapshot` text (bad rows skipped); raises
    :class:`CorruptCache` (a ValueError) when the text is not a snapshot at all."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        raise CorruptCache("empty snapshot")
    head = _header(lines[0])
    colleagues: list[Colleague] = []
    _parse_rows(lines[1:], colleagues)
    return _build(head, colleagues)


def set_aside(path: Path, why: str) -> Path | None:
    """Move an unusable cache out of the way (``<name>.corrupt-<stamp>``), keeping the few
    newest; the app then starts without it. Returns where it went, or None."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.corrupt-{stamp}")
    backup = base
    counter = 1
    while backup.exists() or backup.is_symlink():
        backup = base.with_name(f"{base.name}-{counter}")
        counter += 1
    try:
        os.replace(path, backup)
    except OSError as exc:
        log.warning(
            "Ignoring an unusable snapshot cache (%s); could not move it aside: %s", why, exc
        )
        return None
    log.warning("Set aside an unusable snapshot cache (%s) as %s", why, backup.name)
    try:
        old = sorted(path.parent.glob(f"{path.name}.corrupt-*"), key=lambda p: p.name)
        for extra in old[:-KEEP_CORRUPT]:
            extra.unlink()
    except OSError:
        log.debug("Could not prune old corrupt caches", exc_info=True)
    return backup


def _checked_size(path: Path) -> int | None:
    """The file's size; None when there is none. Raises CorruptCache when it is a directory
    or bigger than any cache this app writes."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Could not read the snapshot cache: %s", exc.strerror or exc)
        return None
    if path.is_dir():
        raise CorruptCache("a directory stands where the cache file should be")
    if size > MAX_FILE_BYTES:
        raise CorruptCache(f"it is too big ({size} bytes)")
    return size


def iter_snapshot(
    path: Path, portal: str | None = None, first: int = FIRST_ROWS
) -> Iterator[tuple[Snapshot, bool]]:
    """The cached snapshot in two steps: its first ``first`` rows (the top of the list, as it
    was saved in display order) flagged partial, then the whole. Nothing when the file is
    missing, of another portal, or unusable (then it is set aside); bad rows are skipped.

    The first rows are read on their own (a few kilobytes): the window paints them before
    the rest of a 10,000-colleague file (7 MB, about 40 ms to read, decode and split) is
    read. A file whose rest turns out not to be UTF-8 is set aside after its first rows
    were shown (the portal's answer replaces them); one replaced in between is not read on.
    """
    try:
        start = _read_start(path, first + 2)  # the header, the first rows, and one more
    except CorruptCache as exc:
        set_aside(path, str(exc))
        return
    if start is None:
        return
    lines, where = start
    head = _header_or_none(path, lines)
    if head is None:
        return
    if portal is not None and head["portal"] != portal:
        return
    colleagues: list[Colleague] = []
    bad = _parse_rows(lines[1 : first + 1], colleagues)
    rows = len(lines) - 1
    if rows > first:
        if colleagues:
            yield _build(head, colleagues), True
        try:
            rest = _read_rest(path, where)
        except CorruptCache as exc:
            set_aside(path, str(exc))
            return
        if rest is None:
            return
        bad += _parse_rows(lines[first + 1 :], colleagues)
        bad += _parse_rows(rest, colleagues)
        rows += len(rest)
    if bad:
        log.warning("Skipped %d unreadable rows of %d in the snapshot cache", bad, rows)
    if rows and not colleagues:
        set_aside(path, "none of its rows could be read")
        return
    if not colleagues:
        return
    yield _build(head, colleagues), False


def _header_or_none(path: Path, lines: list[str]) -> dict[str, Any] | None:
    """The header of a file's first lines; a file without a usable one is set aside."""
    try:
        if not lines:
            raise CorruptCache("it is empty")
        return _header(lines[0])
    except CorruptCache as exc:
        set_aside(path, str(exc))
        return None


#: Where a file's first lines ended: the offset, and what identifies that very file.
_Where = tuple[int, tuple[int, int, int, int]]


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _read_start(path: Path, count: int) -> tuple[list[str], _Where] | None:
    """Up to ``count`` non-blank lines from the start of the file, and where they ended;
    None when there is no file. Raises CorruptCache when it is unusable."""
    if _checked_size(path) is None:
        return None
    lines: list[str] = []
    try:
        with path.open("rb") as f:
            identity = _identity(os.fstat(f.fileno()))
            while len(lines) < count:
                raw = f.readline()
                if not raw:
                    break
                text = _utf8(raw).rstrip("\n")
                if text.strip():
                    lines.append(text)
            return lines, (f.tell(), identity)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Could not read the snapshot cache: %s", exc.strerror or exc)
        return None


def _read_rest(path: Path, where: _Where) -> list[str] | None:
    """The non-blank lines after ``where``; None when the file is gone or was replaced
    since its start was read. Raises CorruptCache when they are not UTF-8."""
    offset, identity = where
    try:
        with path.open("rb") as f:
            if _identity(os.fstat(f.fileno())) != identity:
                log.info("The snapshot cache was replaced while it was read; not read on")
                return None
            f.seek(offset)
            lines: list[str] = []
            parts: list[bytes] = []  # the read bytes of lines not yet ended
            # In blocks of whole lines: one decode of 7 MB holds the interpreter lock for
            # about 20 ms, while the window paints the first rows in the GUI thread.
            while block := f.read(_BLOCK):
                cut = block.rfind(b"\n") + 1
                if not cut:  # a line longer than a block: keep reading it
                    parts.append(block)
                    continue
                parts.append(block[:cut])
                _add_lines(lines, b"".join(parts))
                parts = [block[cut:]]
            _add_lines(lines, b"".join(parts))
            return lines
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Could not read the snapshot cache: %s", exc.strerror or exc)
        return None


#: How much of the cache file is read, decoded and split at a time.
_BLOCK = 256 * 1024


def _add_lines(into: list[str], raw: bytes) -> None:
    # split("\n"), not splitlines(): a name may hold U+2028 or U+0085, written raw.
    into.extend(line for line in _utf8(raw).split("\n") if line.strip())


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptCache("it is not UTF-8 text") from None


def load_snapshot(path: Path, portal: str | None = None) -> Snapshot | None:
    """The cached snapshot, or None when missing, unusable or of another portal."""
    whole = None
    for snap, _partial in iter_snapshot(path, portal):
        whole = snap
    return whole
