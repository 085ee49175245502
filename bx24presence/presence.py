"""Bitrix24-parity presence rules: effective presence, last-seen text, vacation and birthday.

Everything here is pure: the clock is always passed in. The rules follow what the Bitrix24
messenger itself shows (``im.v2.lib.utils`` ``UserUtil``; see README, "How presence is
derived"):

* online when ``server_now - last_activity <= window`` (the portal's online window; the
  messenger falls back to 15 minutes);
* mobile when online only through the mobile app: ``now - mobile_last < window`` and
  ``last_activity - mobile_last < 5 min``;
* away when ``idle`` is set, or the chosen status is ``away``; dnd and break from the chosen
  status. Current portals send ``status: "online"`` for everyone and ``false`` for ``idle``
  and ``mobile_last_date``, so only older portals ever yield mobile, away, dnd or break;
* offline otherwise. An unknown status value is judged by the times alone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bx24presence.domain import Colleague, Presence

DEFAULT_ONLINE_WINDOW_S = 15 * 60
#: The messenger counts a mobile session as "the" session when the last activity happened
#: within five minutes of the last mobile activity.
MOBILE_SLACK_S = 5 * 60

_CHOSEN = {"dnd": Presence.DND, "break": Presence.BREAK, "away": Presence.AWAY}


def is_online(last_activity: datetime | None, now: datetime, window_s: int) -> bool:
    """Whether ``last_activity`` lies within the online window before ``now``.

    A last activity slightly in the future (clock skew between portal nodes) counts as online.
    """
    if last_activity is None:
        return False
    return (now - last_activity).total_seconds() <= window_s


def effective_presence(
    *,
    now: datetime,
    last_activity: datetime | None,
    window_s: int = DEFAULT_ONLINE_WINDOW_S,
    status: str | None = None,
    idle: datetime | None = None,
    mobile_last: datetime | None = None,
    server_online: bool | None = None,
) -> Presence:
    """The presence Bitrix24 would show for one person.

    Args:
        now: the portal's clock (``time.date_finish`` of the response), not the local one.
        last_activity: ``last_activity_date``; None when the portal sent ``false``.
        window_s: the portal's online window in seconds.
        status: the raw ``status`` (only meaningful on older portals).
        idle: when the person stepped away (older portals), else None.
        mobile_last: the last mobile-app activity (older portals), else None.
        server_online: the server's own verdict (``IS_ONLINE`` / ``user.online``), used only
            when no last-activity time is known.
    """
    if last_activity is not None:
        online = is_online(last_activity, now, window_s)
    else:
        online = bool(server_online)
    chosen = (status or "").strip().lower()
    if not online or chosen == "offline":
        return Presence.OFFLINE
    if chosen in _CHOSEN and chosen != "away":
        return _CHOSEN[chosen]
    on_mobile = (
        mobile_last is not None
        and (now - mobile_last).total_seconds() < window_s
        and (
            last_activity is None or (last_activity - mobile_last).total_seconds() < MOBILE_SLACK_S
        )
    )
    if chosen == "away":
        return Presence.AWAY
    if on_mobile:
        return Presence.MOBILE
    if idle is not None:
        return Presence.AWAY
    return Presence.ONLINE


@dataclass(frozen=True, slots=True)
class Elapsed:
    """How long ago something happened, in the largest unit that reads naturally.

    ``unit`` is one of ``now``, ``minutes``, ``hours``, ``yesterday``, ``days``, ``date``;
    ``count`` is the number of units (0 for ``now`` and ``yesterday``); ``when`` the moment.
    """

    unit: str
    count: int
    when: datetime


def elapsed(then: datetime, now: datetime) -> Elapsed:
    """Classify the time between ``then`` and ``now`` for a "last seen" text."""
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 60:
        return Elapsed("now", 0, then)
    if seconds < 3600:
        return Elapsed("minutes", int(seconds // 60), then)
    if seconds < 6 * 3600:
        return Elapsed("hours", int(seconds // 3600), then)
    local_then = then.astimezone(now.tzinfo)
    days = (now.date() - local_then.date()).days
    if days <= 0:
        return Elapsed("hours", int(seconds // 3600), then)
    if days == 1:
        return Elapsed("yesterday", 0, then)
    if days < 7:
        return Elapsed("days", days, then)
    return Elapsed("date", days, then)


def format_elapsed_en(e: Elapsed) -> str:
    """English text for an :class:`Elapsed` ("12 min ago", "yesterday at 18:04")."""
    if e.unit == "now":
        return "just now"
    if e.unit == "minutes":
        return f"{e.count} min ago"
    if e.unit == "hours":
        return "1 hour ago" if e.count == 1 else f"{e.count} hours ago"
    if e.unit == "yesterday":
        return f"yesterday at {e.when:%H:%M}"
    if e.unit == "days":
        return f"{e.count} days ago"
    return f"on {e.when.day} {e.when:%b %Y}"


def status_text_en(presence: Presence, last_activity: datetime | None, now: datetime) -> str:
    """The status line for a person in English: "online", "last seen 12 min ago", ..."""
    if presence is Presence.OFFLINE:
        if last_activity is None:
            return "offline"
        return "last seen " + format_elapsed_en(elapsed(last_activity, now))
    return {
        Presence.ONLINE: "online",
        Presence.MOBILE: "online on mobile",
        Presence.AWAY: "away",
        Presence.DND: "do not disturb",
        Presence.BREAK: "on a break",
    }[presence]


def is_on_vacation(absent_until: date | None, today: date) -> bool:
    """Whether someone with the portal's ``absent`` date is still away on ``today``.

    The portal sends the day the person is back (the end of the vacation plus one day), and
    only while the vacation lasts; a cached snapshot may outlive it, hence the comparison.
    """
    return absent_until is not None and today < absent_until


def is_available(colleague: Colleague, today: date) -> bool:
    """The one definition of "available" that the filter, the status bar and the tray share:
    online or on mobile (not away, do not disturb or on a break), and not on vacation."""
    return colleague.presence.is_available and not is_on_vacation(colleague.absent_until, today)


def count_available(colleagues: Iterable[Colleague], today: date) -> int:
    """How many of ``colleagues`` are available (see :func:`is_available`) on ``today``."""
    return sum(1 for c in colleagues if is_available(c, today))


def vacation_text_en(absent_until: date) -> str:
    """ "on vacation, back on 14 May"."""
    return f"on vacation, back on {absent_until.day} {absent_until:%B}"


def parse_birthday(text: str | None) -> tuple[int, int] | None:
    """``DD-MM`` to ``(day, month)``, or None when empty or malformed."""
    if not text:
        return None
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    day, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        return None
    # Validate against a leap year so that 29-02 is accepted.
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:
        return None
    return day, month


def is_birthday(text: str | None, today: date) -> bool:
    """Whether a ``DD-MM`` birthday falls on ``today`` (29 February shows on 28 February in
    years without it)."""
    parsed = parse_birthday(text)
    if parsed is None:
        return False
    day, month = parsed
    if (day, month) == (29, 2) and not calendar.isleap(today.year):
        return (today.day, today.month) == (28, 2)
    return (today.day, today.month) == (day, month)


def server_clock_now(server_time: datetime, fetched_at: datetime, local_now: datetime) -> datetime:
    """Estimate the portal's clock now from the last response: server time plus the local
    time that has passed since. Keeps "last seen" texts honest between refreshes even when
    the local clock is wrong by hours."""
    return server_time + max(timedelta(0), local_now - fetched_at)


def rederive(colleague: Colleague, now: datetime, window_s: int) -> Colleague:
    """The same colleague with presence worked out again for a later server time."""
    presence = effective_presence(
        now=now,
        last_activity=colleague.last_activity,
        window_s=window_s,
        status=colleague.status,
        idle=colleague.idle,
        mobile_last=colleague.mobile_last,
    )
    return colleague if presence is colleague.presence else replace(colleague, presence=presence)
