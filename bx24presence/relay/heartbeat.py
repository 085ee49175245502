"""The relay's heartbeat in Redis: its JSON text, written and read back checked."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bx24presence.api.reasons import Failure, Reason
from bx24presence.relay.wire import FORMAT, MAX_SMALL_FIELD, aware_time, bad

STATUS_STARTING = "starting"
STATUS_OK = "ok"
STATUS_STALE = "stale"
STATUSES = (STATUS_STARTING, STATUS_OK, STATUS_STALE)


@dataclass(frozen=True)
class Heartbeat:
    """The relay's last word about itself.

    Attributes:
        status: ``starting``, ``ok`` or ``stale`` (polls of the portal are failing).
        since: when the failures began (stale) or None.
        reason: the failure's kind (``network``, ``timeout``, ``auth``, ``rate``, ``protocol``,
            ``portal``).
        message: one plain English sentence about the failure ("" when ok), for scripts and
            logs.
        failure: the failure as a value (its typed reason and the data its sentence needs), so
            that a desktop says it in its user's language; None when ok or not understood.
        interval_s: the relay's poll interval.
        period_s: how often the heartbeat is written.
        ttl_ms: its time to live as written.
        version: the published version when written.
        data_age_s: the age of the data (since the last successful poll) when written.
        age_s: how long ago it was written (from Redis's own TTL: no clock skew).
    """

    status: str
    since: datetime | None
    reason: str | None
    message: str
    failure: Failure | None
    interval_s: float
    period_s: float
    ttl_ms: int
    version: int
    data_age_s: float | None
    age_s: float

    @property
    def current_data_age_s(self) -> float | None:
        """How old the portal's data is now (not how old the heartbeat is)."""
        return None if self.data_age_s is None else self.data_age_s + self.age_s

    @property
    def is_stale(self) -> bool:
        """Whether to show the data as stale: the relay says its polls fail, or the data is
        older than two intervals (a poll stuck in its retries has not failed yet)."""
        age = self.current_data_age_s
        return self.status == STATUS_STALE or (
            age is not None and age > 2 * self.interval_s + self.period_s
        )


def encode_heartbeat(
    *,
    status: str,
    since: datetime | None,
    reason: str | None,
    message: str,
    interval_s: float,
    period_s: float,
    ttl_ms: int,
    version: int,
    data_age_s: float | None,
    failure: Failure | None = None,
) -> str:
    """The heartbeat's JSON text."""
    return json.dumps(
        {
            "format": FORMAT,
            "status": status,
            "since": since.isoformat() if since else None,
            "reason": reason,
            "message": message,
            "failure": failure_to_wire(failure),
            "interval_s": interval_s,
            "period_s": period_s,
            "ttl_ms": ttl_ms,
            "version": version,
            "data_age_s": data_age_s,
        },
        separators=(",", ":"),
    )


#: The failure's fields a heartbeat carries: what a sentence needs, never the English detail.
_FAILURE_TEXTS = ("host", "scope", "code", "method", "target", "scheme", "said")
_FAILURE_NUMBERS = ("status", "seconds", "limit_bytes")


def failure_to_wire(failure: Failure | None) -> dict[str, Any] | None:
    """A failure as JSON-ready data (None stays None)."""
    if failure is None:
        return None
    out: dict[str, Any] = {"reason": failure.reason.value}
    for name in (*_FAILURE_TEXTS, *_FAILURE_NUMBERS):
        value = getattr(failure, name)
        if value not in ("", None):
            out[name] = value
    return out


def failure_from_wire(raw: Any) -> Failure | None:
    """The failure a heartbeat carries, checked; None when absent or not understood (an
    unknown reason from a newer relay, wrong types): the English message remains."""
    if not isinstance(raw, dict):
        return None
    try:
        reason = Reason(raw.get("reason"))
    except ValueError:
        return None
    texts = {name: raw[name][:200] for name in _FAILURE_TEXTS if isinstance(raw.get(name), str)}
    numbers: dict[str, Any] = {}
    for name in _FAILURE_NUMBERS:
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isfinite(value) or not 0 <= value < 1e12:
            continue
        numbers[name] = float(value) if name == "seconds" else int(value)
    return Failure(reason, **texts, **numbers)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise bad(f"the heartbeat's {name} is not a number")
    return float(value)


def decode_heartbeat(raw: Any, pttl_ms: Any) -> Heartbeat | None:
    """The heartbeat from its value and remaining time to live; None when there is none."""
    if raw is None:
        return None
    if not isinstance(raw, bytes) or len(raw) > MAX_SMALL_FIELD:
        raise bad("the heartbeat is malformed")
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad("the heartbeat is malformed") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("status") not in STATUSES:
        raise bad("the heartbeat is malformed")
    ttl_ms = int(_number(d.get("ttl_ms"), "ttl_ms"))
    left = pttl_ms if isinstance(pttl_ms, int) and pttl_ms >= 0 else ttl_ms
    since = d.get("since")
    reason = d.get("reason")
    message = d.get("message")
    data_age = d.get("data_age_s")
    return Heartbeat(
        status=d["status"],
        since=aware_time(since, "since") if isinstance(since, str) else None,
        reason=reason[:40] if isinstance(reason, str) else None,
        message=message[:500] if isinstance(message, str) else "",
        failure=failure_from_wire(d.get("failure")),
        interval_s=_number(d.get("interval_s"), "interval_s"),
        period_s=_number(d.get("period_s"), "period_s"),
        ttl_ms=ttl_ms,
        version=int(_number(d.get("version"), "version")),
        data_age_s=None if data_age is None else _number(data_age, "data_age_s"),
        age_s=max(0.0, (ttl_ms - left) / 1000),
    )
