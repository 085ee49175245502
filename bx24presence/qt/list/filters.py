"""The list's quick filters and sort orders (what the proxy shows, and in which order)."""

from __future__ import annotations

import enum


class QuickFilter(enum.Enum):
    """The quick filters above the list."""

    EVERYONE = "everyone"
    AVAILABLE = "available"
    VACATION = "vacation"
    BIRTHDAYS = "birthdays"
    WATCHED = "watched"


class SortOrder(enum.Enum):
    """The list's order: presence then name, or last seen (most recent first)."""

    PRESENCE = "presence"
    LAST_SEEN = "last_seen"
