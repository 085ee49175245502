"""PHP-style query strings for ``batch`` commands (``ID[0]=1&FILTER[ACTIVE]=Y``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class BatchRef:
    """A reference to an earlier command's result inside the same batch.

    ``BatchRef("online")`` is written as ``$result[online]``; as the whole value of a
    parameter the portal substitutes the referenced value as is, arrays included
    (docs/bitrix24-api.md §4).
    """

    key: str
    kind: str = "result"

    def text(self) -> str:
        return f"${self.kind}[{self.key}]"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        # PHP's http_build_query writes true as 1 and false as 0.
        return "1" if value else "0"
    return str(value)


def _pairs(value: Any, prefix: str) -> list[tuple[str, str, bool]]:
    """(key, value, raw) triples; raw values are written without escaping."""
    if value is None:
        return []
    if isinstance(value, BatchRef):
        return [(prefix, value.text(), True)]
    if isinstance(value, Mapping):
        out: list[tuple[str, str, bool]] = []
        for k, v in value.items():
            out.extend(_pairs(v, f"{prefix}[{k}]"))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            out.extend(_pairs(v, f"{prefix}[{i}]"))
        return out
    return [(prefix, _scalar(value), False)]


def build_query(params: Mapping[str, Any]) -> str:
    """Encode nested parameters the way PHP's ``parse_str`` reads them back."""
    triples: list[tuple[str, str, bool]] = []
    for key, value in params.items():
        triples.extend(_pairs(value, str(key)))
    return "&".join(
        f"{quote(k, safe='[]')}={v if raw else quote(v, safe='')}" for k, v, raw in triples
    )


def command(method: str, params: Mapping[str, Any] | None = None) -> str:
    """One batch command: ``method?query``."""
    query = build_query(params or {})
    return f"{method}?{query}" if query else method
