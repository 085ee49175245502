"""User-visible presence texts, translated through Qt (status lines, last seen, vacation)."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, QLocale

from bx24presence.domain import Colleague, Presence
from bx24presence.presence import elapsed, is_birthday, is_on_vacation
from bx24presence.qt.i18n import Context
from bx24presence.textsafe import for_markup, isolate


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: Qt guesses whether a tooltip is rich text
    (``Qt.mightBeRichText``), so portal text is escaped inside a forced rich-text block, and
    each line sits in its own bidi isolate: a name holding U+202E cannot reorder the next line."""
    return "<qt>" + "<br>".join(for_markup(line) for line in text.split("\n")) + "</qt>"


def markup_text(text: str) -> str:
    """Outside text for a place that may read markup (a desktop notification's title or body).

    Escaped (``<``, ``>``, ``&``) and isolated in its own bidi context. Quotes stay as they are:
    the text never goes into an attribute, and a server that shows the text plain would show
    ``&#x27;`` literally in every O'Brien.
    """
    return for_markup(text).replace("&#x27;", "'").replace("&quot;", '"')


def menu_text(text: str) -> str:
    """Outside text for a menu entry: one line, isolated, ``&`` literal (not a mnemonic).

    A tab would split the entry into a fake shortcut column; newlines would break the row.
    """
    one_line = "".join(" " if ch in "\t\r\n\v\f\u2028\u2029" else ch for ch in text)
    return isolate(one_line).replace("&", "&&")


#: lupdate reads ``Status.tr(text, None, n)`` as a plural message in context "Status".
Status = Context("Status")


def presence_name(p: Presence) -> str:
    """The name of a presence state ("online", "do not disturb", ...)."""
    return {
        Presence.ONLINE: QCoreApplication.translate("Status", "online"),
        Presence.MOBILE: QCoreApplication.translate("Status", "online on mobile"),
        Presence.AWAY: QCoreApplication.translate("Status", "away"),
        Presence.DND: QCoreApplication.translate("Status", "do not disturb"),
        Presence.BREAK: QCoreApplication.translate("Status", "on a break"),
        Presence.OFFLINE: QCoreApplication.translate("Status", "offline"),
    }[p]


def format_date(d: date, *, with_year: bool = False) -> str:
    """A short date in the UI language ("14 May")."""
    locale = QLocale()
    qd = QDate(d.year, d.month, d.day)
    return locale.toString(qd, "d MMMM yyyy" if with_year else "d MMMM")


def format_time(dt: datetime) -> str:
    """A local time of day ("18:04")."""
    return dt.astimezone().strftime("%H:%M")


def last_seen(then: datetime, now: datetime) -> str:
    """ "just now", "12 min ago", "3 hours ago", "yesterday at 18:04", "on 14 May"."""
    e = elapsed(then.astimezone(), now.astimezone())
    if e.unit == "now":
        return QCoreApplication.translate("Status", "just now")
    if e.unit == "minutes":
        return Status.tr("%n min ago", None, e.count)
    if e.unit == "hours":
        return Status.tr("%n hour(s) ago", None, e.count)
    if e.unit == "yesterday":
        return QCoreApplication.translate("Status", "yesterday at %1").replace(
            "%1", format_time(e.when)
        )
    if e.unit == "days":
        return Status.tr("%n day(s) ago", None, e.count)
    return QCoreApplication.translate("Status", "on %1").replace(
        "%1", format_date(e.when.date(), with_year=True)
    )


def presence_text(c: Colleague, server_now: datetime) -> str:
    """ "online", "last seen 12 min ago", "offline" (never logged in)."""
    if c.presence is Presence.OFFLINE:
        if c.last_activity is None:
            return QCoreApplication.translate("Status", "offline")
        return QCoreApplication.translate("Status", "last seen %1").replace(
            "%1", last_seen(c.last_activity, server_now)
        )
    return presence_name(c.presence)


def vacation_text(back: date) -> str:
    """ "on vacation, back on 14 May"."""
    return QCoreApplication.translate("Status", "on vacation, back on %1").replace(
        "%1", format_date(back)
    )


def status_line(c: Colleague, server_now: datetime, today: date) -> str:
    """The row's status line: presence, then vacation and birthday when they apply."""
    parts = [presence_text(c, server_now)]
    if c.absent_until is not None and is_on_vacation(c.absent_until, today):
        parts.append(vacation_text(c.absent_until))
    if is_birthday(c.birthday, today):
        parts.append(QCoreApplication.translate("Status", "birthday today"))
    return " · ".join(parts)
