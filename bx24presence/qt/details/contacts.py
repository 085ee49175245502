"""The contact rows of the details pane: label, link (or plain text) and a copy button each."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from bx24presence.domain import Colleague
from bx24presence.qt.details.labels import ElidedButton, ElidedText
from bx24presence.qt.i18n import QT_TRANSLATE_NOOP
from bx24presence.qt.links import LinkKind, safe_url
from bx24presence.qt.texts import plain_tooltip

PHONE_LABELS = {
    "work_phone": QT_TRANSLATE_NOOP("Details", "Work"),
    "personal_mobile": QT_TRANSLATE_NOOP("Details", "Mobile"),
    "inner_phone": QT_TRANSLATE_NOOP("Details", "Extension"),
    "personal_phone": QT_TRANSLATE_NOOP("Details", "Home"),
}


def contact_entries(c: Colleague) -> list[tuple[str, str, str | None]]:
    """``(label, value, url)`` for each phone, the email and the website; url None if refused."""
    entries: list[tuple[str, str, str | None]] = []
    for kind, number in c.phones.as_dict().items():
        label = QCoreApplication.translate("Details", PHONE_LABELS.get(kind, kind))
        entries.append((label, number, safe_url(LinkKind.PHONE, number)))
    if c.email:
        entries.append(
            (
                QCoreApplication.translate("Details", "Email"),
                c.email,
                safe_url(LinkKind.EMAIL, c.email),
            )
        )
    if c.website:
        entries.append(
            (
                QCoreApplication.translate("Details", "Website"),
                c.website,
                safe_url(LinkKind.WEB, c.website),
            )
        )
    return entries


def contact_row(
    label: str,
    value: str,
    url: str | None,
    *,
    secondary: QColor,
    open_link: Callable[[str | None], object],
    copy_text: Callable[[str], object],
) -> tuple[QLabel, QWidget, QToolButton]:
    """The three widgets of one contact row: its kind, its link (text if no url), a copy button."""
    kind_label = QLabel(label)
    kind_label.setTextFormat(Qt.TextFormat.PlainText)
    pal = kind_label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, secondary)
    kind_label.setPalette(pal)
    link: QWidget
    if url is None:
        link = ElidedText(value)
        link.setToolTip(plain_tooltip(value))
    else:
        button = link = ElidedButton(value)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setToolTip(plain_tooltip(f"{value}\n{url}"))
        button.clicked.connect(lambda _=False, u=url: open_link(u))
    link.setAccessibleName(f"{label}: {value}")
    copy = QToolButton()
    copy.setText(QCoreApplication.translate("Details", "Copy"))
    copy.setAutoRaise(True)
    copy.setAccessibleName(QCoreApplication.translate("Details", "Copy %1").replace("%1", label))
    copy.clicked.connect(lambda _=False, v=value: copy_text(v))
    return kind_label, link, copy
