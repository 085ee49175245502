"""Presence on the demo portal over time: a pure function of (seed, user, moment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bx24presence.demo.population import DemoUser

_MASK = (1 << 64) - 1
_DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday is 0).
# Mean spacing of LAST_ACTIVITY_DATE updates: 60-240 s (docs/bitrix24-api.md §2.2).
_HEARTBEAT_S = 150
_JITTER_S = 90
_JITTER_SALT = 0x5BD1E995
_MAX_LOOKBACK_BLOCKS = 4000  # About three months of blocks.
STATUSES = ("online", "dnd", "away", "break")


@dataclass(frozen=True, slots=True)
class Activity:
    """What the portal's database holds about someone's presence at one moment.

    Times are Unix timestamps; ``None`` is the database NULL (``false`` in ``im.*``).
    ``status`` is the status the person chose (``b_im_status.STATUS``).
    """

    last_activity: float | None
    idle: float | None = None
    mobile_last: float | None = None
    desktop_last: float | None = None
    status: str = "online"


NEVER = Activity(None)


def simulate(user: DemoUser, seed: int, at: float, tz_offset_s: int) -> Activity:
    """The presence of ``user`` at Unix time ``at``.

    Each person's day is cut into blocks of 20 to 45 minutes (the length and phase are
    the person's own). A block is online or not by a hash, with a probability that follows
    the working day in the portal timezone: about a third of the people in office hours, a
    floor of about a tenth at night and at weekends so that the demo never looks dead, and
    much less on vacation. While a block is online ``last_activity`` moves forward every 1
    to 4 minutes, as the pull agent refreshes it on real portals (docs/bitrix24-api.md
    §2.2); offline, it stays at the last heartbeat of the last online block. Fired users stop
    at the day they left.
    """
    found = _locate(user, seed, at, tz_offset_s)
    if found is None:
        return NEVER
    block, start, length, online, last = found
    return _details(
        user, seed, block=block, start=start, length=length, last=last, online=online, at=at
    )


def last_activity(
    user: DemoUser, seed: int, at: float, tz_offset_s: int, not_before: float | None = None
) -> float | None:
    """Only ``simulate(...).last_activity``, faster: ``user.online`` asks it of everyone.

    With ``not_before``, an activity older than that may be reported as ``None``: enough to
    decide ``IS_ONLINE`` without searching far into the past.
    """
    found = _locate(user, seed, at, tz_offset_s, not_before)
    return None if found is None else float(found[4])


def _locate(
    user: DemoUser, seed: int, at: float, tz_offset_s: int, not_before: float | None = None
) -> tuple[int, int, int, bool, int] | None:
    """The block holding the last activity at ``at``: (index, start, length, current, last).

    Activity updates lie on one grid per person; the last activity is the latest update
    at or before ``at`` that falls inside an online block.
    """
    if user.never_logged_in:
        return None
    if user.fired_on is not None:
        at = min(at, _local_timestamp(user.fired_on, 17 * 3600, tz_offset_s))
    uid = user.id
    length = 1200 + int(_unit(seed, uid, 1) * 1500)
    phase = int(_unit(seed, uid, 2) * length)
    block = int((at - phase) // length)
    start = phase + block * length
    until = at
    for back in range(_MAX_LOOKBACK_BLOCKS):
        if not_before is not None and start + length <= not_before:
            return None
        if _block_online(user, seed, block, start + length // 2 + tz_offset_s):
            last = _last_heartbeat(seed, uid, phase, until)
            if last >= start:
                return block, start, length, back == 0, last
        block -= 1
        until = start - 1
        start -= length
    return None


def _details(
    user: DemoUser,
    seed: int,
    *,
    block: int,
    start: int,
    length: int,
    last: int,
    online: bool,
    at: float,
) -> Activity:
    """Idle, device and chosen status of the block holding the last activity."""
    mobile = user.mobile_only or _unit(seed, user.id, block * 8 + 3) < 0.15
    roll = _unit(seed, user.id, block * 8 + 4)
    status = "online" if roll < 0.8 else "dnd" if roll < 0.9 else "away" if roll < 0.96 else "break"
    idle = None
    if online and not mobile and _unit(seed, user.id, block * 8 + 5) < 0.2:
        idle_from = start + int(length * (0.3 + 0.5 * _unit(seed, user.id, block * 8 + 6)))
        idle = float(idle_from) if at >= idle_from else None
    if mobile:
        mobile_last: float | None = float(last)
    elif _unit(seed, user.id, 3) < 0.6:
        mobile_last = float(start - 3600 - int(_unit(seed, user.id, block * 8 + 7) * 5 * 3600))
    else:
        mobile_last = None
    desktop_last = float(last) if user.desktop_app and not mobile else None
    return Activity(float(last), idle, mobile_last, desktop_last, status)


def _block_online(user: DemoUser, seed: int, block: int, local_middle: int) -> bool:
    """Whether the person is active during a block, given its middle in local seconds."""
    day_index = local_middle // _DAY
    if user.vacation is not None:
        day = date.fromordinal(_EPOCH_ORDINAL + day_index)
        if user.vacation[0] <= day <= user.vacation[1]:
            return _unit(seed, user.id, block * 8) < 0.03
    chance = workday_chance(local_middle % _DAY, (day_index + _EPOCH_WEEKDAY) % 7)
    return _unit(seed, user.id, block * 8) < max(0.1, min(0.9, chance * user.propensity))


def workday_chance(second_of_day: float, weekday: int) -> float:
    """The share of people active at a local time of day: the rhythm of an office."""
    if weekday >= 5:
        return 0.14
    hour = second_of_day / 3600
    if hour < 7 or hour >= 20:
        return 0.13
    if hour < 9:
        return 0.13 + (hour - 7) / 2 * 0.2
    if hour < 13 or 14 <= hour < 18:
        return 0.33
    if hour < 14:
        return 0.25
    return 0.33 - (hour - 18) / 2 * 0.2


def _last_heartbeat(seed: int, uid: int, phase: int, until: float) -> int:
    """The last activity update at or before ``until`` on the person's grid.

    Updates fall every 150 s, each moved by up to 45 s either way, so consecutive
    updates are 60 to 240 s apart.
    """
    k = int((until - phase) // _HEARTBEAT_S)
    for candidate in (k + 1, k):
        moment = phase + candidate * _HEARTBEAT_S + _jitter(seed, uid, candidate)
        if moment <= until:
            return moment
    # Update k - 1 is at most until - 105 s, whatever the jitter.
    return phase + (k - 1) * _HEARTBEAT_S + _jitter(seed, uid, k - 1)


def _jitter(seed: int, uid: int, k: int) -> int:
    """The deterministic shift of update ``k``, within ±45 s."""
    return int((_unit(seed ^ _JITTER_SALT, uid, k) - 0.5) * _JITTER_S)


def _unit(seed: int, uid: int, salt: int) -> float:
    """A uniform number in [0, 1) from three integers (a splitmix64-style mix)."""
    h = (seed * 0x9E3779B97F4A7C15 + uid * 0xC2B2AE3D27D4EB4F + salt) & _MASK
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((h ^ (h >> 31)) >> 11) / 9007199254740992.0


def _local_timestamp(day: date, second_of_day: int, tz_offset_s: int) -> float:
    """The Unix time of a local wall-clock moment in the portal timezone."""
    midnight = datetime.combine(day, time(0), UTC).timestamp()
    return midnight + second_of_day - tz_offset_s
