"""The shapes around every REST answer: results, errors and the ``time`` object."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import timezone
from typing import Any

from bx24presence.demo.clock import format_iso

OPERATING_WINDOW_S = 600  # 10 buckets of 60 s (docs/bitrix24-api.md §5.2).


class RestError(Exception):
    """A REST error answer: HTTP status plus ``{"error": code, "error_description": text}``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        """Describe the error as the portal would send it."""
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description

    def body(self) -> dict[str, str]:
        """The JSON body; errors never carry ``time`` (docs/bitrix24-api.md §5.3)."""
        return {"error": self.code, "error_description": self.description}


def method_not_found() -> RestError:
    """404, checked before authentication (docs/bitrix24-api.md §6.3)."""
    return RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


@dataclass(frozen=True, slots=True)
class MethodResult:
    """What a method returns: ``result`` plus, for lists, ``total`` and ``next``."""

    result: Any
    total: int | None = None
    next: int | None = None


@dataclass(frozen=True, slots=True)
class Timing:
    """When a call ran, by the demo clock, and its method's load in the last ten minutes."""

    start: float
    finish: float
    operating: float

    def to_json(self, tz: timezone) -> dict[str, Any]:
        """The ``time`` object of current portals: ``start`` is an integer (see
        docs/bitrix24-api.md §5.3)."""
        start = int(self.start)
        processing = self.finish - self.start
        return {
            "start": start,
            "finish": self.finish,
            "duration": self.finish - start,
            "processing": int(processing),
            "date_start": format_iso(self.start, tz),
            "date_finish": format_iso(self.finish, tz),
            "operating_reset_at": start + OPERATING_WINDOW_S,
            "operating": round(self.operating, 4),
        }


class OperatingMeter:
    """Seconds each method ran in the last ten minutes (``time.operating``)."""

    def __init__(self) -> None:
        """Nothing measured yet."""
        self._runs: dict[str, deque[tuple[float, float]]] = {}
        self._totals: dict[str, float] = {}
        self._lock = threading.Lock()

    def record(self, method: str, at: float, seconds: float) -> float:
        """Add one run of ``method`` and return the method's total in the window."""
        with self._lock:
            runs = self._runs.setdefault(method, deque())
            runs.append((at, seconds))
            total = self._totals.get(method, 0.0) + seconds
            while runs and runs[0][0] < at - OPERATING_WINDOW_S:
                total -= runs.popleft()[1]
            self._totals[method] = total
            return max(0.0, total)


def success_body(outcome: MethodResult, timing: Timing, tz: timezone) -> dict[str, Any]:
    """``{"result", "next"?, "total"?, "time"}`` in the order portals send them."""
    body: dict[str, Any] = {"result": outcome.result}
    if outcome.next is not None:
        body["next"] = outcome.next
    if outcome.total is not None:
        body["total"] = outcome.total
    body["time"] = timing.to_json(tz)
    return body


def encode(body: Any) -> bytes:
    """JSON as PHP's ``json_encode`` writes it: compact, non-ASCII as ``\\uXXXX``."""
    return json.dumps(body, separators=(",", ":")).encode("ascii")
