"""The last snapshot on disk, so the app opens instantly (and offline) with what it knew."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bx24presence.domain import Colleague, Phones, Presence, Snapshot

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
#: Rows sent ahead of the rest at start-up: more than any screen shows.
FIRST_ROWS = 150
_DATETIME_FIELDS = ("last_activity", "idle", "mobile_last", "desktop_last")


def snapshot_path(cache_dir: Path, portal: str) -> Path:
    """Where the snapshot of ``portal`` (a base URL without secret) is kept."""
    digest = hashlib.sha256(portal.encode()).hexdigest()[:16]
    return cache_dir / "snapshots" / f"{digest}.json"


_FIELDS = tuple(f.name for f in fields(Colleague))


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


def _colleague_from_json(d: dict[str, Any]) -> Colleague:
    d = dict(d)
    d["presence"] = Presence(d["presence"])
    d["phones"] = Phones(**d.get("phones") or {})
    d["departments"] = tuple(int(x) for x in d.get("departments") or ())
    for f in _DATETIME_FIELDS:
        d[f] = datetime.fromisoformat(d[f]) if d.get(f) else None
    d["absent_until"] = date.fromisoformat(d["absent_until"]) if d.get("absent_until") else None
    return Colleague(**d)


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
    colleagues: Iterable[Colleague] = snapshot.colleagues
    if order and len(order) == len(snapshot.colleagues):
        by_id = snapshot.by_id()
        colleagues = (by_id[i] for i in order)
    for c in colleagues:
        yield json.dumps(_colleague_to_json(c), ensure_ascii=False, separators=(",", ":"))


def dumps_snapshot(snapshot: Snapshot, order: Sequence[int] = ()) -> str:
    """A snapshot as JSON Lines: a header, then one colleague a line, in ``order`` (the
    display order, so the first lines are the rows at the top of the list).

    One small ``json.dumps`` per colleague rather than one for everything: each call holds
    the interpreter lock briefly, so the GUI thread stays responsive while the poller
    thread writes 10,000 colleagues.
    """
    return "\n".join(_dump_lines(snapshot, order)) + "\n"


def _header(line: str) -> dict[str, Any]:
    head = json.loads(line)
    if not isinstance(head, dict) or head.get("format") != FORMAT_VERSION:
        raise ValueError("not a snapshot of this format")
    return head


def _build(head: dict[str, Any], colleagues: list[Colleague]) -> Snapshot:
    try:
        return Snapshot(
            colleagues=tuple(sorted(colleagues, key=lambda c: c.id)),
            server_time=datetime.fromisoformat(head["server_time"]),
            fetched_at=datetime.fromisoformat(head["fetched_at"]),
            online_window_s=int(head.get("online_window_s", 900)),
            departments=MappingProxyType(
                {int(k): str(v) for k, v in (head.get("departments") or {}).items()}
            ),
            portal=str(head.get("portal", "")),
            generation=int(head.get("generation", 0)),
            own_status=head.get("own_status") if isinstance(head.get("own_status"), str) else None,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed snapshot: {exc}") from None


def _parse_line(line: str) -> Colleague:
    try:
        return _colleague_from_json(json.loads(line))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed colleague: {exc}") from None


def loads_snapshot(text: str) -> Snapshot:
    """A snapshot from :func:`dumps_snapshot` text; raises ValueError when it is not one."""
    lines = [line for line in text.splitlines() if line]
    if not lines:
        raise ValueError("empty snapshot")
    head = _header(lines[0])
    colleagues = [_parse_line(line) for line in lines[1:]]
    if len(colleagues) != int(head.get("count", len(colleagues))):
        raise ValueError("truncated snapshot")
    return _build(head, colleagues)


def iter_snapshot(
    path: Path, portal: str | None = None, first: int = FIRST_ROWS
) -> Iterator[tuple[Snapshot, bool]]:
    """The cached snapshot in two steps: its first ``first`` rows (the top of the list, as it
    was saved in display order) flagged partial, then the whole. Nothing when the file is
    missing, corrupt or of another portal; a corrupt file is logged and left alone."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("Could not read the snapshot cache: %s", exc)
        return
    try:
        lines = [line for line in text.splitlines() if line]
        if not lines:
            raise ValueError("empty snapshot")
        head = _header(lines[0])
        if portal is not None and head.get("portal") != portal:
            return
        count = int(head.get("count", len(lines) - 1))
        if count != len(lines) - 1:
            raise ValueError("truncated snapshot")
        colleagues = [_parse_line(line) for line in lines[1 : first + 1]]
        partial = _build(head, colleagues) if count > first else None
    except ValueError as exc:
        log.warning("Ignoring a corrupt snapshot cache (%s)", exc)
        return
    if partial is not None:
        yield partial, True
    try:
        colleagues.extend(_parse_line(line) for line in lines[first + 1 :])
        whole = _build(head, colleagues)
    except ValueError as exc:
        log.warning("Ignoring a corrupt snapshot cache (%s)", exc)
        return
    yield whole, False


def save_snapshot(snapshot: Snapshot, path: Path, order: Sequence[int] = ()) -> None:
    """Write atomically; failures are logged, never raised (the cache is a convenience)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(dumps_snapshot(snapshot, order))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("Could not save the snapshot cache: %s", exc)


def load_snapshot(path: Path, portal: str | None = None) -> Snapshot | None:
    """The cached snapshot, or None when missing, unreadable, corrupt or of another portal."""
    whole = None
    for snap, _partial in iter_snapshot(path, portal):
        whole = snap
    return whole
