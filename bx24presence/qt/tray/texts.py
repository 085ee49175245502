"""The tray's words: own-status titles, the stale note's wording, notification texts."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from bx24presence.failures import QT_TRANSLATE_NOOP, FailureKind
from bx24presence.qt.texts import markup_text, presence_text
from bx24presence.watch import Alert

#: The statuses Bitrix24 lets a user choose (im.user.status.set).
OWN_STATUSES = ("online", "dnd", "away", "break")


def status_title(status: str) -> str:
    """The menu title of an own status."""
    return {
        "online": QCoreApplication.translate("Tray", "Online"),
        "dnd": QCoreApplication.translate("Tray", "Do not disturb"),
        "away": QCoreApplication.translate("Tray", "Away"),
        "break": QCoreApplication.translate("Tray", "On a break"),
    }.get(status) or _plain_word(status)


# The tooltip's word on stale data, by the kind of failure.
_STALE_TEXTS: dict[str, str] = {
    FailureKind.NETWORK: QT_TRANSLATE_NOOP("Tray", "portal unreachable since %1"),
    FailureKind.TIMEOUT: QT_TRANSLATE_NOOP("Tray", "portal too slow to answer since %1"),
    FailureKind.RATE: QT_TRANSLATE_NOOP("Tray", "portal limiting requests since %1"),
    FailureKind.AUTH: QT_TRANSLATE_NOOP("Tray", "polling stopped at %1"),
    FailureKind.PROTOCOL: QT_TRANSLATE_NOOP("Tray", "portal's answers unusable since %1"),
    FailureKind.PORTAL: QT_TRANSLATE_NOOP("Tray", "portal's answers unusable since %1"),
}


def stale_note(kind: str, since: str) -> str:
    """The tooltip's word on stale data for a failure of ``kind``, since ``since`` (HH:MM)."""
    return QCoreApplication.translate(
        "Tray", _STALE_TEXTS.get(kind, _STALE_TEXTS[FailureKind.PORTAL])
    ).replace("%1", since)


def _plain_word(text: str) -> str:
    """A status the app does not know, as the portal sent it but only letters, digits, ``-``
    and ``_`` (it reaches the tray tooltip, which Qt may read as rich text)."""
    return "".join(ch for ch in text if ch.isalnum() or ch in "-_")[:32]


def alert_texts(alert: Alert, now: datetime) -> tuple[str, str]:
    """The (title, body) of an availability notification, markup-safe.

    Names and positions are escaped and each sits in its own bidi isolate, so a name such as
    ``<img src=...>`` shows as written, and one holding U+202E (right-to-left override) cannot
    reorder the words around it. The app's own words are escaped too (a translation may hold ``&``).
    """
    if alert.is_summary:
        names = [markup_text(c.name) for c in alert.colleagues]
        body = ", ".join(names[:3])
        if len(names) > 3:
            body += " " + escape(
                QCoreApplication.translate("Tray", "and %1 more").replace("%1", str(len(names) - 3))
            )
        title = escape(
            QCoreApplication.translate("Tray", "%1 watched colleagues are available").replace(
                "%1", str(len(names))
            )
        )
        return title, body
    c = alert.colleagues[0]
    title = escape(QCoreApplication.translate("Tray", "%1 is available")).replace(
        "%1", markup_text(c.name)
    )
    parts = [escape(presence_text(c, now))]
    if c.work_position:
        parts.append(markup_text(c.work_position))
    return title, " · ".join(parts)


def escape(app_text: str) -> str:
    return html.escape(app_text, quote=False)
