"""How the demo portal writes a user: the ``im.*`` object per era and the ``user.get`` row."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from bx24presence.demo.clock import format_iso
from bx24presence.demo.population import PHONE_KINDS, DemoUser
from bx24presence.demo.state import PortalState

BLANK_GIF_PATH = "/bitrix/js/im/images/blank.gif"


def _names(text: str) -> frozenset[str]:
    """A set of field names written as one text."""
    return frozenset(text.split())


# user.get fields by scope (docs/bitrix24-api.md §3.1): user_brief sees no e-mail and no phones.
BRIEF_FIELDS = _names(
    "ID XML_ID ACTIVE NAME LAST_NAME SECOND_NAME TITLE IS_ONLINE TIME_ZONE TIMESTAMP_X "
    "DATE_REGISTER PERSONAL_PROFESSION PERSONAL_GENDER PERSONAL_BIRTHDAY PERSONAL_PHOTO "
    "PERSONAL_CITY PERSONAL_STATE PERSONAL_COUNTRY WORK_POSITION WORK_CITY WORK_STATE "
    "WORK_COUNTRY LAST_ACTIVITY_DATE UF_EMPLOYMENT_DATE UF_TIMEMAN UF_SKILLS UF_INTERESTS "
    "UF_DEPARTMENT UF_PHONE_INNER USER_TYPE"
)
BASIC_FIELDS = BRIEF_FIELDS | _names(
    "EMAIL LAST_LOGIN PERSONAL_WWW PERSONAL_PHONE PERSONAL_MOBILE PERSONAL_FAX WORK_PHONE "
    "WORK_COMPANY WORK_DEPARTMENT WORK_WWW"
)

# The key order of the older documentation's example (im.user.list.get.md).
_LEGACY_OLD_ORDER = (
    "id",
    "name",
    "first_name",
    "last_name",
    "work_position",
    "color",
    "avatar",
    "avatar_hr",
    "gender",
    "birthday",
    "extranet",
    "network",
    "bot",
    "connector",
    "external_auth_id",
    "status",
    "idle",
    "last_activity_date",
    "desktop_last_date",
    "mobile_last_date",
    "departments",
    "absent",
    "phones",
)

_BOT_TYPES = {"support24": "support24", "openlines": "openline"}


def photo_path(user: DemoUser, *, original: bool = False) -> str:
    """The site path of a user's picture (resized 200x200 like ``avatar``, or the original)."""
    if original:
        return f"/upload/main/{user.photo_hash}/{user.id}.png"
    return f"/upload/resize_cache/main/{user.photo_hash}/200_200_2/{user.id}.png"


def im_user(
    state: PortalState,
    user: DemoUser,
    at: float,
    *,
    avatar_hr: bool = False,
    desktop: bool = False,
) -> dict[str, Any]:
    """The ``im.user.list.get`` / ``im.user.get`` object of ``user`` in the portal's era.

    ``avatar_hr`` is the caller's ``AVATAR_HR=Y`` (older eras only); ``desktop`` is true for
    ``im.user.get``, which fills ``desktop_last_date`` with the real value (docs/bitrix24-api.md
    §1.2).
    """
    era = state.config.era
    legacy = era != "current"
    tz = state.clock.tz
    activity = state.activity(user, at)
    base = state.base_url

    def iso(value: float | None) -> str | bool:
        return False if value is None else format_iso(value, tz)

    photo = ""
    if user.photo_hash:
        path = photo_path(user)
        photo = path if legacy and user.avatar_relative else base + path
    obj: dict[str, Any] = {"id": user.id}
    if era != "legacy-old":
        obj["active"] = user.active
    obj.update(
        name=user.name,
        first_name=user.first_name,
        last_name=user.last_name,
        work_position=user.work_position,
        color=user.color,
        avatar=photo,
    )
    if not legacy:
        # Current portals always send avatar_hr, the blank placeholder without a photo (§1.3).
        obj["avatar_hr"] = photo or base + BLANK_GIF_PATH
    elif avatar_hr:
        obj["avatar_hr"] = photo
    obj.update(
        gender="F" if user.gender == "F" else "M",
        birthday=f"{user.birthday:%d-%m}" if user.birthday else "",
        extranet=user.user_type == "extranet",
        network=False,
        bot=user.user_type == "bot",
        connector=user.user_type == "imconnector",
        external_auth_id=user.external_auth_id,
    )
    if legacy:
        online = activity.last_activity is not None and (
            at - activity.last_activity <= state.config.online_limit_s
        )
        # 2021 portals send the chosen status (§1.4); this simulation says "offline" for
        # people outside the online window, except for a status stored through
        # im.user.status.set, which is b_im_status.STATUS itself.
        chosen = state.status(user.id)
        obj["status"] = chosen or (activity.status if online else "offline")
        obj["idle"] = iso(activity.idle)
        obj["last_activity_date"] = iso(activity.last_activity)
        obj["mobile_last_date"] = iso(activity.mobile_last)
        if desktop or era == "legacy-old":
            obj["desktop_last_date"] = iso(activity.desktop_last)
    else:
        # Hard-coded on current portals (docs/bitrix24-api.md §0 and §1.3).
        obj["status"] = "online"
        obj["idle"] = False
        obj["last_activity_date"] = iso(activity.last_activity)
        obj["mobile_last_date"] = False
        obj["desktop_last_date"] = iso(activity.desktop_last) if desktop else False
    obj["absent"] = _absent(user, state, at)
    obj["departments"] = list(user.departments)
    obj["phones"] = _phones(user, era)
    if era == "legacy-old":
        return {key: obj[key] for key in _LEGACY_OLD_ORDER if key in obj}
    if not legacy:
        obj["bot_data"] = _bot_data(user)
        obj["type"] = _type(user)
        obj["website"] = user.website
        obj["email"] = user.email
    return obj


def _absent(user: DemoUser, state: PortalState, at: float) -> str | bool:
    """The day after the vacation ends, as ``date('c')``, while the user is on vacation."""
    if user.vacation is None or not user.on_vacation(state.today(at)):
        return False
    back = datetime.combine(user.vacation[1] + timedelta(days=1), time(0), state.clock.tz)
    return back.isoformat()


def _phones(user: DemoUser, era: str) -> dict[str, str] | bool:
    """``false`` without phones, else the non-empty kinds; the oldest era lists empty kinds too."""
    found = dict(user.phones)
    if era == "legacy-old":
        # The older documentation shows every kind, empty ones as "" (im.user.list.get.md).
        return {"work_phone": "", "personal_mobile": "", "personal_phone": "", **found}
    if not found:
        return False
    return {kind: found[kind] for kind in PHONE_KINDS if kind in found}


def _bot_data(user: DemoUser) -> dict[str, Any] | None:
    """``null`` for people; the ``BotData`` object for bots (docs/bitrix24-api.md §1.3)."""
    if user.user_type != "bot":
        return None
    code = user.bot_code or "bot"
    return {
        "code": code,
        "type": _BOT_TYPES.get(code, "bot"),
        "app_id": "",
        "is_hidden": False,
        "is_support_openline": code == "support24",
        "background_id": None,
        "reactions_enabled": True,
    }


def _type(user: DemoUser) -> str:
    """``bot``, ``extranet`` or ``user``: e-mail and connector users are plain ``user``."""
    if user.user_type == "bot":
        return "bot"
    if user.user_type == "extranet":
        return "extranet"
    return "user"


def user_row(
    state: PortalState, user: DemoUser, at: float, fields: frozenset[str]
) -> dict[str, Any]:
    """A ``user.get`` row: ``ID`` as text, NULL values left out, dates as ``{}`` (§3.1)."""
    tz = state.clock.tz
    phones = dict(user.phones)
    last = state.last_activity(user, at)
    photo = state.base_url + photo_path(user, original=True) if user.photo_hash else None
    birthday = _date_text(user.birthday, tz) if user.birthday else None
    values: dict[str, Any] = {
        "ID": str(user.id),
        "ACTIVE": user.active,
        "NAME": user.first_name,
        "LAST_NAME": user.last_name,
        "EMAIL": user.email or None,
        "LAST_LOGIN": {} if last is not None else None,
        "DATE_REGISTER": {},
        "IS_ONLINE": "Y" if last is not None and at - last <= state.config.online_limit_s else "N",
        "TIME_ZONE": user.time_zone or None,
        "TIMESTAMP_X": {},
        # An ORM DateTime has no JSON form and arrives as {} on current portals (§3.1).
        "LAST_ACTIVITY_DATE": {} if last is not None else None,
        "PERSONAL_GENDER": user.gender,
        "PERSONAL_BIRTHDAY": birthday,
        "PERSONAL_PHOTO": photo,
        "PERSONAL_WWW": user.website or None,
        "PERSONAL_PHONE": phones.get("personal_phone"),
        "PERSONAL_MOBILE": phones.get("personal_mobile"),
        "WORK_PHONE": phones.get("work_phone"),
        "WORK_POSITION": user.work_position,
        "UF_DEPARTMENT": list(user.departments),
        "UF_PHONE_INNER": phones.get("inner_phone"),
        "USER_TYPE": user.user_type,
    }
    return {k: v for k, v in values.items() if v is not None and k in fields}


def _date_text(day: date, tz: Any) -> str:
    """A date field as current portals print it: midnight in the server timezone."""
    return datetime.combine(day, time(0), tz).isoformat()
