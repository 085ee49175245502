"""Read a successful answer: its ``time`` block, the call and batch results, and checks.

Pure functions and data: nothing here talks to the network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bx24presence.api.errors import (
    ApiError,
    AuthError,
    ProtocolError,
    Reason,
    error_from_envelope,
    malformed,
)

#: Times outside these years are not times a portal means (``0000-00-00``, hostile values);
#: the bounds also keep every later datetime sum or difference in range.
_YEARS = (1900, 2999)


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 text to a datetime; None for ``false``, empty, malformed or absurd values.

    The result is naive when the text has no offset: the caller decides which offset such a
    time means (see :meth:`ResponseTime.parse` and ``parse.parse_user``).
    """
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if _YEARS[0] <= dt.year <= _YEARS[1] else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and len(value) < 64:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class ResponseTime:
    """The ``time`` block of a successful response (absent from errors)."""

    start: float | None = None
    finish: float | None = None
    duration: float | None = None
    date_finish: datetime | None = None
    operating_reset_at: float | None = None
    operating: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> ResponseTime | None:
        """Tolerant parse: keys may be missing, ``start`` int or float (docs/bitrix24-api.md §5.3).

        ``date_finish`` is always aware: a portal sends it with its offset; one without is
        taken as UTC (the ``time`` block's Unix times are UTC too).
        """
        if not isinstance(raw, dict):
            return None
        date_finish = parse_iso(raw.get("date_finish"))
        if date_finish is not None and date_finish.tzinfo is None:
            date_finish = date_finish.replace(tzinfo=UTC)
        return cls(
            start=_num(raw.get("start")),
            finish=_num(raw.get("finish")),
            duration=_num(raw.get("duration")),
            date_finish=date_finish,
            operating_reset_at=_num(raw.get("operating_reset_at")),
            operating=_num(raw.get("operating")),
        )


@dataclass(frozen=True)
class ApiResponse:
    """A successful call: ``result`` plus the list paging keys and the ``time`` block."""

    result: Any
    total: int | None = None
    next: int | None = None
    time: ResponseTime | None = None


@dataclass
class BatchResult:
    """The five maps of a ``batch`` answer, keyed by command name, with typed errors."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, ApiError] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    time: ResponseTime | None = None
    #: ``operating_reset_at`` of methods near their time limit, by lower-case method name.
    reset_at: dict[str, float] = field(default_factory=dict)

    def raise_auth_errors(self) -> None:
        """Authentication and scope failures in any command are fatal for the whole call."""
        for err in self.errors.values():
            if isinstance(err, AuthError):
                raise err


Command = tuple[str, Mapping[str, Any]]


def _as_map(value: Any, keys: list[str], what: str) -> dict[str, Any]:
    """A batch map that PHP may have encoded as ``[]`` or as a list (docs/bitrix24-api.md §4)."""
    if value is None or value == []:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        # A gapless numeric map arrives as a list: positions follow the command order.
        return {keys[i] if i < len(keys) else str(i): v for i, v in enumerate(value)}
    raise malformed(f"the batch answer has a malformed '{what}' map", method="batch")


def parse_batch(
    raw: Any,
    commands: Mapping[str, Command],
    *,
    timing: ResponseTime | None = None,
    secrets: tuple[str, ...] = (),
) -> BatchResult:
    """The ``result`` of a ``batch`` answer to a :class:`BatchResult`.

    Raises :class:`ProtocolError` when it is not a batch answer, or when it answers none of
    the commands (a portal answers every command with a result or an error).
    """
    if raw == []:
        raw = {}
    if not isinstance(raw, dict):
        raise malformed("the batch answer is not an object", method="batch")
    keys = list(commands)
    out = BatchResult(time=timing)
    out.results = _as_map(raw.get("result"), keys, "result")
    for k, err in _as_map(raw.get("result_error"), keys, "result_error").items():
        sub = commands[k][0] if k in commands else None
        out.errors[k] = error_from_envelope(err, status=None, method=sub, secrets=secrets)
    for k, v in _as_map(raw.get("result_total"), keys, "result_total").items():
        if (n := _int_or_none(v)) is not None:
            out.totals[k] = n
    for k, v in _as_map(raw.get("result_next"), keys, "result_next").items():
        if (n := _int_or_none(v)) is not None:
            out.nexts[k] = n
    for k, v in _as_map(raw.get("result_time"), keys, "result_time").items():
        t = ResponseTime.parse(v)
        if t is not None and t.operating_reset_at and k in commands:
            out.reset_at[commands[k][0].lower()] = t.operating_reset_at
    if commands and not any(k in out.results or k in out.errors for k in commands):
        raise malformed("the batch answer holds no results at all", method="batch")
    return out


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(text)
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def check_answer(
    method: str,
    status: int,
    body: Any,
    ctype: str,
    secrets: Callable[[], tuple[str, ...]],
) -> dict[str, Any]:
    """The decoded answer to one request, or the typed error it stands for.

    ``body`` is the decoded JSON (None when it was not JSON); ``ctype`` the Content-Type.
    """
    if not isinstance(body, dict):
        # The Content-Type header is data: an HTML page comes from a proxy or a login page.
        html = "html" in ctype.lower()
        raise ProtocolError(
            reason=Reason.HTML_PAGE if html else Reason.NOT_JSON,
            retryable=status >= 500 or status == 429,
            status=status,
            method=method,
        )
    if "error" in body and (status >= 400 or "result" not in body):
        raise error_from_envelope(body, status=status, method=method, secrets=secrets())
    if status >= 400:
        raise ProtocolError(
            reason=Reason.HTTP_STATUS, retryable=status >= 500, status=status, method=method
        )
    if "result" not in body:
        raise malformed(f"the answer to {method} has no 'result'", status=status, method=method)
    return body


__all__ = [
    "ApiResponse",
    "BatchResult",
    "Command",
    "ResponseTime",
    "check_answer",
    "parse_batch",
    "parse_iso",
]
