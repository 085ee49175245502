"""From the portal's JSON to colleagues: tolerant of every era's shape, strict about what is
unusable (a :class:`ProtocolError`, never another exception)."""

from __future__ import annotations

import logging
import math
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin

from bx24presence.api.client import parse_iso
from bx24presence.api.errors import ProtocolError
from bx24presence.domain import PHONE_KINDS, Colleague, Phones, shared_text, shared_zone
from bx24presence.presence import effective_presence

log = logging.getLogger(__name__)

#: ``external_auth_id`` values of users who are not people of the company (Bitrix's
#: ``getExternalUserTypes``): bots, e-mail and open-line contacts, shop customers, ...
EXTERNAL_AUTH_IDS = frozenset(
    {
        "bot",
        "email",
        "imconnector",
        "replica",
        "__controller",
        "sale",
        "saleanonymous",
        "shop",
        "call",
        "document_editor",
        "calendar_sharing",
    }
)
_NON_PEOPLE_TYPES = frozenset({"bot", "extranet", "collaber"})
#: The messenger's placeholder for "no photo" (docs/bitrix24-api.md §1.3).
BLANK_AVATAR = "/bitrix/js/im/images/blank.gif"


def to_int(value: Any) -> int | None:
    """Ids arrive as numbers or as text (``user.get``); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        # 18 digits: any real id, and far below Python's limit on converting long texts.
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    return None


def _text(value: Any) -> str | None:
    """A non-empty text, or None for ``false``, ``null``, ``""`` and non-text values."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("y", "yes", "true", "1")
    return bool(value)


def resolve_avatar(value: Any, portal: str) -> str | None:
    """An absolute avatar URL, or None when there is no photo.

    ``""`` and the ``blank.gif`` placeholder mean no photo; relative paths (older portals)
    are resolved against the portal; absolute ones (portal or CDN) are kept as they are.
    """
    text = _text(value)
    if text is None or text.endswith("blank.gif"):
        return None
    if text.startswith(("http://", "https://")):
        return text
    if text.startswith("//"):
        scheme = portal.split(":", 1)[0] if portal else "https"
        return f"{scheme}:{text}"
    return urljoin(portal.rstrip("/") + "/", text)


def parse_phones(value: Any) -> Phones:
    """``false`` or an object with any subset of the phone kinds; empty texts dropped."""
    if not isinstance(value, dict):
        return Phones()
    found = {k: _text(value.get(k)) for k in PHONE_KINDS}
    return Phones(**found)


def parse_departments(value: Any) -> tuple[int, ...]:
    """Department ids as ints, whatever their JSON type; duplicates removed, order kept."""
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        single = to_int(value)
        return (single,) if single is not None else ()
    out: list[int] = []
    for v in value:
        n = to_int(v)
        if n is not None and n not in out:
            out.append(n)
    return tuple(out)


def parse_absent(value: Any) -> date | None:
    """The date part of ``absent`` (the day the person is back), or None."""
    text = _text(value)
    if text is None:
        return None
    dt = parse_iso(text)
    if dt is not None:
        return dt.date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _birthday(value: Any) -> str | None:
    text = _text(value)
    if text is None or len(text) != 5 or text[2] != "-":
        return None
    return text if text[:2].isdigit() and text[3:].isdigit() else None


def is_colleague(obj: dict[str, Any]) -> bool:
    """Whether a user object describes an active person of the company.

    Inactive (fired) users, bots, open-line connectors, network and extranet users and other
    external accounts are not colleagues. ``type`` alone is not enough (docs/bitrix24-api.md, "Edge
    cases"): every flag is checked. Older portals lack ``active``: then the user counts as
    active.
    """
    if "active" in obj and not _truthy(obj.get("active")):
        return False
    if any(_truthy(obj.get(flag)) for flag in ("bot", "connector", "network", "extranet")):
        return False
    ext = obj.get("external_auth_id")
    if isinstance(ext, str) and ext.strip().lower() in EXTERNAL_AUTH_IDS:
        return False
    kind = obj.get("type")
    if isinstance(kind, str) and kind.strip().lower() in _NON_PEOPLE_TYPES:
        return False
    return not isinstance(obj.get("bot_data"), dict)


def _aware(dt: datetime | None, now: datetime) -> datetime | None:
    """A time without an offset is the portal's local time: ``now``'s offset (``now`` is the
    portal's clock, always aware)."""
    if dt is not None and dt.tzinfo is None:
        dt = dt.replace(tzinfo=now.tzinfo)
    return shared_zone(dt)


def parse_user(
    obj: Any, *, portal: str, now: datetime, window_s: int, server_online: bool | None = None
) -> Colleague | None:
    """One ``im.user.list.get`` entry to a :class:`Colleague`.

    Returns None for ``null`` entries and for users who are not colleagues. Raises
    :class:`ProtocolError` when the entry cannot describe a user at all.
    """
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise ProtocolError(f"A user entry is a {type(obj).__name__}, not an object.")
    uid = to_int(obj.get("id"))
    if uid is None or uid <= 0:
        raise ProtocolError("A user entry has no valid 'id'.")
    if now.tzinfo is None:
        # Naive and aware times cannot be compared: a clock without an offset is UTC.
        now = now.replace(tzinfo=UTC)
    if not is_colleague(obj):
        return None
    first = shared_text(_text(obj.get("first_name"))) or ""
    last = shared_text(_text(obj.get("last_name"))) or ""
    name = _text(obj.get("name")) or " ".join(p for p in (first, last) if p) or f"User {uid}"
    last_activity_raw = _text(obj.get("last_activity_date"))
    last_activity = _aware(parse_iso(last_activity_raw), now)
    idle = _aware(parse_iso(obj.get("idle")), now)
    mobile = _aware(parse_iso(obj.get("mobile_last_date")), now)
    desktop = _aware(parse_iso(obj.get("desktop_last_date")), now)
    status = _text(obj.get("status"))
    presence = effective_presence(
        now=now,
        last_activity=last_activity,
        window_s=window_s,
        status=status,
        idle=idle,
        mobile_last=mobile,
        server_online=server_online,
    )
    gender = "F" if _text(obj.get("gender")) == "F" else "M"
    avatar = resolve_avatar(obj.get("avatar"), portal)
    avatar_hr = resolve_avatar(obj.get("avatar_hr"), portal)
    if avatar_hr == avatar:
        avatar_hr = avatar  # one string, not two equal ones (10,000 colleagues add up)
    color = _text(obj.get("color"))
    return Colleague(
        id=uid,
        name=name,
        presence=presence,
        first_name=first,
        last_name=last,
        work_position=shared_text(_text(obj.get("work_position"))),
        color=shared_text(color),
        avatar=avatar,
        avatar_hr=avatar_hr,
        gender=gender,
        birthday=shared_text(_birthday(obj.get("birthday"))),
        email=_text(obj.get("email")),
        website=_text(obj.get("website")),
        phones=parse_phones(obj.get("phones")),
        departments=parse_departments(obj.get("departments")),
        last_activity=last_activity,
        last_activity_raw=last_activity_raw if last_activity is not None else None,
        idle=idle,
        mobile_last=mobile,
        desktop_last=desktop,
        absent_until=parse_absent(obj.get("absent")),
        status=shared_text(status),
    )


def user_entries(result: Any) -> list[Any]:
    """The entries of an ``im.user.list.get`` result: an object keyed by id, a list
    (``RESULT_TYPE=array``), or ``[]`` (every id skipped). ``null`` entries are kept."""
    if isinstance(result, dict):
        return list(result.values())
    if isinstance(result, list):
        return result
    raise ProtocolError(
        f"The portal's user list is a {type(result).__name__}, not an object or a list."
    )


def parse_user_ids(result: Any) -> list[int]:
    """Ids from a ``user.get`` page (rows with a text ``ID``) or ``user.online`` (a flat list)."""
    if result in ([], {}, None, False):
        return []
    rows = result.values() if isinstance(result, dict) else result
    if not isinstance(rows, (list, type({}.values()))):
        raise ProtocolError("The portal's user page is not a list.")
    ids: list[int] = []
    for row in rows:
        uid = to_int(row.get("ID") if isinstance(row, dict) else row)
        if uid is None:
            raise ProtocolError("A row of the portal's user page has no valid ID.")
        ids.append(uid)
    return ids


def parse_departments_result(result: Any) -> dict[int, str]:
    """``im.department.get`` rows to ``{id: name}``; malformed rows are skipped."""
    rows = result.values() if isinstance(result, dict) else result
    if not isinstance(rows, (list, type({}.values()))):
        raise ProtocolError("The portal's department list is not a list.")
    out: dict[int, str] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        did = to_int(row.get("id", row.get("ID")))
        name = _text(row.get("name", row.get("NAME")))
        if did is not None and name is not None:
            out[did] = name
    return out
