"""Small builders of domain values for tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from bx24presence.domain import Colleague, Phones, Presence, Snapshot

MSK = timezone(timedelta(hours=3))
SERVER_NOW = datetime(2026, 3, 2, 12, 0, tzinfo=MSK)
LOCAL_NOW = SERVER_NOW.astimezone(UTC)


def colleague(cid: int, name: str | None = None, **kw: Any) -> Colleague:
    presence = kw.pop("presence", Presence.ONLINE)
    minutes = 1 if presence is not Presence.OFFLINE else 90
    fields: dict[str, Any] = {
        "id": cid,
        "name": name or f"Person {cid:05d}",
        "presence": presence,
        "work_position": kw.pop("work_position", "Engineer"),
        "last_activity": kw.pop("last_activity", SERVER_NOW - timedelta(minutes=minutes)),
        "departments": kw.pop("departments", (1,)),
        "phones": kw.pop("phones", Phones(work_phone=f"+7 495 000-{cid:02d}-01")),
    }
    fields.update(kw)
    return Colleague(**fields)


def snapshot(colleagues: list[Colleague], **kw: Any) -> Snapshot:
    return Snapshot(
        colleagues=tuple(sorted(colleagues, key=lambda c: c.id)),
        server_time=kw.pop("server_time", SERVER_NOW),
        fetched_at=kw.pop("fetched_at", LOCAL_NOW),
        departments=kw.pop("departments", {1: "Development", 2: "Sales"}),
        portal=kw.pop("portal", "https://acme.bitrix24.com"),
        **kw,
    )


def changed(c: Colleague, **kw: Any) -> Colleague:
    return replace(c, **kw)


TODAY = date(2026, 3, 2)
