"""The last snapshot on disk, so the app opens instantly (and offline) with what it knew."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bx24presence.domain import Colleague, Phones, Presence, Snapshot

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_DATETIME_FIELDS = ("last_activity", "idle", "mobile_last", "desktop_last")


def snapshot_path(cache_dir: Path, portal: str) -> Path:
    """Where the snapshot of ``portal`` (a base URL without secret) is kept."""
    digest = hashlib.sha256(portal.encode()).hexdigest()[:16]
    return cache_dir / "snapshots" / f"{digest}.json"


def _colleague_to_json(c: Colleague) -> dict[str, Any]:
    d = asdict(c)
    d["presence"] = c.presence.value
    d["phones"] = c.phones.as_dict()
    d["departments"] = list(c.departments)
    for f in _DATETIME_FIELDS:
        d[f] = d[f].isoformat() if d[f] else None
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


def dumps_snapshot(snapshot: Snapshot) -> str:
    """A snapshot as JSON text."""
    return json.dumps(
        {
            "format": FORMAT_VERSION,
            "portal": snapshot.portal,
            "server_time": snapshot.server_time.isoformat(),
            "fetched_at": snapshot.fetched_at.isoformat(),
            "online_window_s": snapshot.online_window_s,
            "generation": snapshot.generation,
            "departments": {str(k): v for k, v in snapshot.departments.items()},
            "colleagues": [_colleague_to_json(c) for c in snapshot.colleagues],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def loads_snapshot(text: str) -> Snapshot:
    """A snapshot from JSON text; raises ValueError (or a subclass) when it is not one."""
    raw = json.loads(text)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_VERSION:
        raise ValueError("not a snapshot of this format")
    try:
        return Snapshot(
            colleagues=tuple(_colleague_from_json(c) for c in raw["colleagues"]),
            server_time=datetime.fromisoformat(raw["server_time"]),
            fetched_at=datetime.fromisoformat(raw["fetched_at"]),
            online_window_s=int(raw.get("online_window_s", 900)),
            departments=MappingProxyType(
                {int(k): str(v) for k, v in (raw.get("departments") or {}).items()}
            ),
            portal=str(raw.get("portal", "")),
            generation=int(raw.get("generation", 0)),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed snapshot: {exc}") from None


def save_snapshot(snapshot: Snapshot, path: Path) -> None:
    """Write atomically; failures are logged, never raised (the cache is a convenience)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(dumps_snapshot(snapshot))
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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Could not read the snapshot cache: %s", exc)
        return None
    try:
        snap = loads_snapshot(text)
    except ValueError as exc:
        log.warning("Ignoring a corrupt snapshot cache (%s)", exc)
        return None
    if portal is not None and snap.portal != portal:
        return None
    return snap
