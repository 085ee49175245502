"""The details pane: everything the portal says about one colleague, as plain text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from itertools import pairwise

from PySide6.QtCore import QCoreApplication, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QPalette,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bx24presence.domain import Colleague
from bx24presence.presence import is_birthday, is_on_vacation, parse_birthday
from bx24presence.qt.avatars.store import AvatarStore
from bx24presence.qt.details.contacts import PHONE_LABELS, contact_entries, contact_row
from bx24presence.qt.details.labels import ElidedButton, ElidedText, NameLabel, plain_label
from bx24presence.qt.details.link_failure import LinkFailure
from bx24presence.qt.details.photo import photo_pixmap
from bx24presence.qt.icons import STAR, icon
from bx24presence.qt.links import LinkKind, checked_url, safe_url
from bx24presence.qt.texts import format_date, presence_text, vacation_text
from bx24presence.qt.theme import readable, secondary_text
from bx24presence.qt.watchlist import WatchList, fill_notify_menu
from bx24presence.textsafe import isolate

__all__ = [
    "BIG_AVATAR",
    "PHONE_LABELS",
    "SMALL_AVATAR",
    "DetailsPane",
    "ElidedButton",
    "ElidedText",
]

log = logging.getLogger(__name__)

BIG_AVATAR = 96
#: In a short pane (the window is narrow, the details sit below the list): the photo, the
#: name and the Watch and Notify buttons share one line, the rest scrolls below it.
SMALL_AVATAR = 40


class DetailsPane(QScrollArea):
    """Shows one colleague; phones open ``tel:`` links and email ``mailto:``, each with a copy
    button; "Open chat in Bitrix24" opens the portal's messenger.

    Every URL goes through :func:`bx24presence.qt.links.checked_url` before ``open_url``: a
    contact the allow-list refuses is shown as text without a link.

    Signals:
        copied(str): something was copied to the clipboard (for a status message).
    """

    copied = Signal(str)

    def __init__(
        self,
        avatars: AvatarStore | None,
        *,
        portal: str = "",
        open_url: Callable[[QUrl], bool] | None = None,
        watchlist: WatchList | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.watchlist = watchlist
        self._avatars = avatars
        self.portal = portal
        self._open_url = open_url or QDesktopServices.openUrl
        self._colleague: Colleague | None = None
        self._departments: Mapping[int, str] = {}
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(300)

        body = QWidget()
        self.setWidget(body)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(16, 16, 16, 16)
        self._layout.setSpacing(6)

        self._empty = QLabel(
            QCoreApplication.translate("Details", "Select a colleague to see the details.")
        )
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setEnabled(False)

        self._avatar = QLabel()
        self._avatar.setFixedSize(QSize(BIG_AVATAR, BIG_AVATAR))
        self._avatar.setAccessibleName(QCoreApplication.translate("Details", "Photo"))
        self._name = NameLabel()
        self._position = plain_label()
        self._watch = QToolButton()
        self._watch.setCheckable(True)
        self._watch.setAutoRaise(True)
        self._watch.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._watch.setToolTip(
            QCoreApplication.translate("Details", "Watch this colleague (tray menu and alerts)")
        )
        self._watch.toggled.connect(self._on_watch_toggled)
        self._notify = QToolButton()
        self._notify.setAutoRaise(True)
        self._notify.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._notify.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._notify.setText(QCoreApplication.translate("Details", "Notify me"))
        self._notify.setToolTip(
            QCoreApplication.translate("Details", "Notify me when this colleague becomes available")
        )
        self._notify_menu = QMenu(self._notify)
        self._notify_menu.aboutToShow.connect(self._on_notify_menu_about_to_show)
        self._notify.setMenu(self._notify_menu)

        # The name gets the pane's whole width below the photo: names of 80 characters wrap
        # instead of widening the pane.
        self._head = head = QHBoxLayout()
        head.addWidget(self._avatar, 0, Qt.AlignmentFlag.AlignTop)
        head.addStretch(1)
        self._marks = marks = QVBoxLayout()
        marks.addWidget(self._watch)
        marks.addWidget(self._notify)
        marks.addStretch(1)
        head.addLayout(marks)
        self._position.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._position.setMinimumWidth(0)

        self._presence = plain_label(bold=True)
        self._last = plain_label()
        self._vacation = plain_label()
        self._birthday = plain_label()
        self._departments_label = plain_label()
        self._grid = QGridLayout()
        self._grid.setColumnStretch(1, 1)
        self._chat = QPushButton(QCoreApplication.translate("Details", "Open chat in Bitrix24"))
        self._chat.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._chat.clicked.connect(self._on_chat_clicked)
        self.link_failure = LinkFailure(self)
        self.link_failure.copied.connect(self.copied)

        self._content = QWidget()
        self._column = c = QVBoxLayout(self._content)
        c.setContentsMargins(0, 0, 0, 0)
        c.setSpacing(6)
        c.addLayout(head)
        c.addWidget(self._name)
        c.addWidget(self._position)
        c.addSpacing(6)
        for w in (
            self._presence,
            self._last,
            self._vacation,
            self._birthday,
            self._departments_label,
        ):
            c.addWidget(w)
        c.addSpacing(6)
        c.addLayout(self._grid)
        c.addSpacing(10)
        c.addWidget(self._chat, 0, Qt.AlignmentFlag.AlignLeft)
        c.addStretch(1)

        self._layout.addWidget(self._empty, 1)
        self._layout.addWidget(self._content, 1)
        self._content.hide()
        self._rows: list[QWidget] = []
        if avatars is not None:
            avatars.avatar_ready.connect(self._on_avatars_avatar_ready)

    # -- API ---------------------------------------------------------------------------------

    @property
    def colleague(self) -> Colleague | None:
        """The colleague shown, or None."""
        return self._colleague

    def show_colleague(
        self,
        c: Colleague | None,
        *,
        server_now: datetime,
        today: date,
        departments: Mapping[int, str],
    ) -> None:
        """Show ``c`` (None: the empty state)."""
        self._colleague = c
        self._departments = departments
        if c is None:
            self._content.hide()
            self._empty.show()
            return
        self._empty.hide()
        self._content.show()
        self._name.set_name(c.name)
        self._avatar.setAccessibleName(
            QCoreApplication.translate("Details", "Photo of %1").replace("%1", c.name)
        )
        self._position.setText(c.work_position or "")
        self._position.setVisible(bool(c.work_position))
        self.refresh_presence(server_now)
        if c.last_activity is not None:
            when = c.last_activity.astimezone()
            stamp = f"{format_date(when.date(), with_year=True)}, {when:%H:%M}"
            self._last.setText(
                QCoreApplication.translate("Details", "Last activity: %1").replace("%1", stamp)
            )
        else:
            self._last.setText(QCoreApplication.translate("Details", "Last activity: never"))
        on_vacation = c.absent_until is not None and is_on_vacation(c.absent_until, today)
        self._vacation.setVisible(on_vacation)
        if on_vacation and c.absent_until is not None:
            text = vacation_text(c.absent_until)
            self._vacation.setText(text[:1].upper() + text[1:])  # "back on 13 December" stays
        bday = parse_birthday(c.birthday)
        self._birthday.setVisible(bday is not None)
        if bday is not None:
            text = QCoreApplication.translate("Details", "Birthday: %1").replace(
                "%1", format_date(date(2000, bday[1], bday[0]))
            )
            if is_birthday(c.birthday, today):
                text += " — " + QCoreApplication.translate("Details", "today!")
            self._birthday.setText(text)
        # Each name in its own bidi isolate: one holding U+202E cannot reorder the others.
        names = [
            isolate(
                departments.get(d)
                or QCoreApplication.translate("Details", "Department %1").replace("%1", str(d))
            )
            for d in c.departments
        ]
        self._departments_label.setText(", ".join(names))
        self._departments_label.setVisible(bool(names))
        self._fill_contacts(c)
        self.refresh_watch_state()
        self._chat.setEnabled(self.chat_url(c) is not None)
        self._chat.setAccessibleName(
            QCoreApplication.translate("Details", "Open chat with %1 in Bitrix24").replace(
                "%1", c.name
            )
        )
        self._refresh_avatar()

    def set_compact(self, compact: bool) -> None:
        """A short pane (below the list in a narrow window): a smaller photo with the name,
        the position and the buttons beside it, thin margins; that first line is all it needs."""
        size = SMALL_AVATAR if compact else BIG_AVATAR
        if self._avatar.width() == size:
            return
        self._avatar.setFixedSize(QSize(size, size))
        self._refresh_avatar()
        font = self._name.font()
        font.setPointSizeF(self.font().pointSizeF() + (1 if compact else 4))
        self._name.setFont(font)
        if compact:
            who = QVBoxLayout()
            who.setSpacing(0)
            who.addWidget(self._name)
            who.addWidget(self._position)
            self._head.insertLayout(1, who, 1)
            self._head.setStretch(2, 0)
            self._marks.setDirection(QVBoxLayout.Direction.LeftToRight)
            self._layout.setContentsMargins(8, 6, 8, 6)
            self.setMinimumHeight(size + 12)
        else:
            item = self._head.takeAt(1)  # the name and position's own layout
            self._column.insertWidget(1, self._name)
            self._column.insertWidget(2, self._position)
            emptied = item.layout() if item is not None else None
            if emptied is not None:
                emptied.deleteLater()
            self._head.setStretch(1, 1)
            self._marks.setDirection(QVBoxLayout.Direction.TopToBottom)
            self._layout.setContentsMargins(16, 16, 16, 16)
            self.setMinimumHeight(0)

    def refresh_presence(self, server_now: datetime) -> None:
        """Update the presence line ("last seen 12 min ago" ages)."""
        if self._colleague is not None:
            self._presence.setText(presence_text(self._colleague, server_now))

    def chat_url(self, c: Colleague) -> str | None:
        """The portal's messenger dialog with ``c`` (None unless the portal is http/https)."""
        return safe_url(LinkKind.WEB, f"{self.portal.rstrip('/')}/online/?IM_DIALOG={c.id}")

    def open_link(self, url: str | None) -> bool:
        """Open ``url`` if the allow-list accepts it; every link of the pane goes through here."""
        checked = checked_url(url) if url else None
        qurl = QUrl(checked) if checked else QUrl()
        if not qurl.isValid():
            log.warning("Refused to open a link that is not allowed")
            return False
        if self._open_url(qurl):
            return True
        log.info("No application opened a %s link", qurl.scheme())
        self.link_failure.show_for(qurl)
        return False

    def copy_text(self, text: str) -> None:
        """Put ``text`` on the clipboard."""
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        self.copied.emit(text)

    # -- internals ---------------------------------------------------------------------------

    def _fill_contacts(self, c: Colleague) -> None:
        for w in self._rows:
            # Hidden now: deleteLater waits for the event loop, and a nested one (an open
            # context menu) would paint the old colleague's rows under the new ones.
            w.hide()
            self._grid.removeWidget(w)
            w.deleteLater()
        self._rows.clear()
        secondary = secondary_text(self.palette())
        for row, (label, value, url) in enumerate(contact_entries(c)):
            kind_label, link, copy = contact_row(
                label,
                value,
                url,
                secondary=secondary,
                open_link=self.open_link,
                copy_text=self.copy_text,
            )
            self._grid.addWidget(kind_label, row, 0)
            self._grid.addWidget(link, row, 1)
            self._grid.addWidget(copy, row, 2)
            self._rows.extend((kind_label, link, copy))
        # Tab order as read: watch, notify, each contact and its copy button, then the chat.
        chain: list[QWidget] = [self._watch, self._notify]
        chain += [w for w in self._rows if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
        chain.append(self._chat)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _refresh_avatar(self) -> None:
        c = self._colleague
        if c is None:
            return
        background = self.palette().color(self.backgroundRole())
        canvas = photo_pixmap(
            c, self._avatars, self._avatar.width(), self.devicePixelRatioF(), background
        )
        self._avatar.setPixmap(canvas)
        self._avatar.setAccessibleDescription(presence_text(c, datetime.now().astimezone()))

    def refresh_watch_state(self) -> None:
        """Show whether the colleague is watched and notified about."""
        c = self._colleague
        wl = self.watchlist
        on = c is not None and wl is not None and wl.is_watched(c.id)
        self._watch.blockSignals(True)
        self._watch.setChecked(on)
        self._watch.blockSignals(False)
        accent = readable(QColor(STAR), self.palette().color(QPalette.ColorRole.Window), 3.0)
        text_color = self.palette().color(QPalette.ColorRole.WindowText).name()
        self._watch.setText(
            QCoreApplication.translate("Details", "Watching")
            if on
            else QCoreApplication.translate("Details", "Watch")
        )
        self._watch.setIcon(icon("star", accent.name()) if on else icon("star-outline", text_color))
        self._watch.setAccessibleName(QCoreApplication.translate("Details", "Watch this colleague"))
        rule = wl.rule(c.id) if c is not None and wl is not None else None
        self._notify.setText(
            QCoreApplication.translate("Details", "Notifying")
            if rule
            else QCoreApplication.translate("Details", "Notify me")
        )
        self._notify.setIcon(icon("bell", accent.name()) if rule else QIcon())
        self._notify.setAccessibleName(
            QCoreApplication.translate("Details", "Notify me when available: on")
            if rule
            else QCoreApplication.translate("Details", "Notify me when available")
        )
        self._watch.setVisible(wl is not None)
        self._notify.setVisible(wl is not None)

    def _on_watch_toggled(self, on: bool) -> None:
        if self._colleague is not None and self.watchlist is not None:
            self.watchlist.set_watched(self._colleague.id, on)

    def _on_notify_menu_about_to_show(self) -> None:
        menu = self._notify_menu
        menu.clear()
        c, wl = self._colleague, self.watchlist
        if c is None or wl is None:
            return
        fill_notify_menu(menu, wl, c.id)

    def _on_chat_clicked(self) -> None:
        if self._colleague is not None:
            self.open_link(self.chat_url(self._colleague))

    def _on_avatars_avatar_ready(self, url: str) -> None:
        c = self._colleague
        if c is not None and url in (c.avatar, c.avatar_hr):
            self._refresh_avatar()
