"""Who can pick up now (available with a phone, one click to call) and who is out (on
vacation, grouped by the day they are back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bx24presence.domain import Colleague
from bx24presence.qt.i18n import QT_TRANSLATE_NOOP
from bx24presence.qt.links import LinkKind, safe_url
from bx24presence.team import back_when, pickup_now, who_is_out
from bx24presence.textsafe import isolate

#: Rows shown at most (the most recently active); the list says how many more there are.
PICKUP_LIMIT = 100
OUT_LIMIT = 500
#: "Back on <weekday>", whole (languages change the preposition with the day).
BACK_ON_WEEKDAY = {
    0: QT_TRANSLATE_NOOP("Team", "Back on Monday"),
    1: QT_TRANSLATE_NOOP("Team", "Back on Tuesday"),
    2: QT_TRANSLATE_NOOP("Team", "Back on Wednesday"),
    3: QT_TRANSLATE_NOOP("Team", "Back on Thursday"),
    4: QT_TRANSLATE_NOOP("Team", "Back on Friday"),
    5: QT_TRANSLATE_NOOP("Team", "Back on Saturday"),
    6: QT_TRANSLATE_NOOP("Team", "Back on Sunday"),
}
ID_ROLE = Qt.ItemDataRole.UserRole + 1
URL_ROLE = Qt.ItemDataRole.UserRole + 2


def first_phone(c: Colleague) -> tuple[str, str | None]:
    """The number to call (mobile first) and its ``tel:`` link (None when not allowed)."""
    phones = c.phones
    number = (
        phones.personal_mobile or phones.work_phone or phones.inner_phone or phones.personal_phone
    )
    return (number or ""), (safe_url(LinkKind.PHONE, number) if number else None)


def back_text(back: date, today: date) -> str:
    """ "Back tomorrow", "Back on Monday", "Back on 14 March"."""
    kind, value = back_when(back, today)
    locale = QLocale()
    if kind == "tomorrow":
        return QCoreApplication.translate("Team", "Back tomorrow")
    if kind == "weekday":
        return QCoreApplication.translate("Team", BACK_ON_WEEKDAY[value])
    return QCoreApplication.translate("Team", "Back on %1").replace(
        "%1", locale.toString(QDate(back.year, back.month, back.day), "d MMMM")
    )


class PickupList(QWidget):
    """Colleagues available this minute with a phone, most recently active first; a click on
    the number (or Enter) calls through the link allow-list.

    Signals:
        call_requested(str): a ``tel:`` URL to open.
        colleague_chosen(int): show this colleague in the list.
    """

    call_requested = Signal(str)
    colleague_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(
            [
                QCoreApplication.translate("Team", "Colleague"),
                QCoreApplication.translate("Team", "Call"),
            ]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(QCoreApplication.translate("Team", "Who can pick up now"))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setAccessibleName(QCoreApplication.translate("Team", "About this list"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.note)
        self.shown: list[int] = []
        self._signature: tuple[object, ...] = ()

    def set_colleagues(
        self,
        colleagues: tuple[Colleague, ...],
        today: date,
        available: frozenset[int] | None = None,
    ) -> None:
        """Rebuild the list (keeps the chosen colleague chosen)."""
        people = pickup_now(colleagues, today, available)
        ids = [c.id for c in people[:PICKUP_LIMIT]]
        signature = (
            len(people),
            *((c.id, c.name, c.work_position, first_phone(c)[0]) for c in people[:PICKUP_LIMIT]),
        )
        if signature == self._signature:
            return  # the same people in the same order: nothing to redraw
        self._signature = signature
        current = self.tree.currentItem()
        keep = current.data(0, ID_ROLE) if current is not None else None
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        link_font = QFont(self.tree.font())
        link_font.setUnderline(True)
        for c in people[:PICKUP_LIMIT]:
            number, url = first_phone(c)
            name = isolate(c.name) + (f" · {isolate(c.work_position)}" if c.work_position else "")
            item = QTreeWidgetItem([name, number])
            item.setData(0, ID_ROLE, c.id)
            item.setData(1, URL_ROLE, url or "")
            if url:
                item.setFont(1, link_font)
                item.setToolTip(
                    1, QCoreApplication.translate("Team", "Call %1").replace("%1", number)
                )
            spoken = (
                QCoreApplication.translate("Team", "%1, call %2")
                .replace("%1", c.name)
                .replace("%2", number)
            )
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, spoken)
            self.tree.addTopLevelItem(item)
            if c.id == keep:
                self.tree.setCurrentItem(item)
        self.tree.setUpdatesEnabled(True)
        self.shown = ids
        if not people:
            self.note.setText(
                QCoreApplication.translate("Team", "Nobody with a phone is available right now.")
            )
        elif len(people) > PICKUP_LIMIT:
            self.note.setText(
                QCoreApplication.translate(
                    "Team", "The %1 most recently active of %2; click a number to call."
                )
                .replace("%1", str(PICKUP_LIMIT))
                .replace("%2", str(len(people)))
            )
        else:
            self.note.setText(
                QCoreApplication.translate(
                    "Team", "Most recently active first; click a number to call."
                )
            )

    def _call(self, item: QTreeWidgetItem) -> None:
        url = item.data(1, URL_ROLE)
        if isinstance(url, str) and url:
            self.call_requested.emit(url)

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 1:
            self._call(item)
        elif isinstance(cid := item.data(0, ID_ROLE), int):
            self.colleague_chosen.emit(cid)

    def _on_tree_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        self._call(item)


class OutList(QWidget):
    """Everyone on vacation, grouped by the day they are back.

    Signals:
        colleague_chosen(int): show this colleague in the list.
    """

    colleague_chosen = Signal(int)

    def __init__(
        self, today: Callable[[], date] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(QCoreApplication.translate("Team", "Who is out"))
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setAccessibleName(QCoreApplication.translate("Team", "About this list"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.note)
        self.groups: list[str] = []
        self._signature: tuple[object, ...] = ()

    def set_colleagues(self, colleagues: tuple[Colleague, ...], today: date) -> None:
        """Rebuild the groups (collapsed groups stay collapsed)."""
        tops = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        collapsed = {t.data(0, ID_ROLE) for t in tops if t is not None and not t.isExpanded()}
        groups = who_is_out(colleagues, today)
        signature = (
            today,
            *((d, *((c.id, c.name, c.work_position) for c in p)) for d, p in groups),
        )
        if signature == self._signature:
            return
        self._signature = signature
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        self.groups = []
        shown = 0
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for back, people in groups:
            title = f"{back_text(back, today)} ({len(people)})"
            self.groups.append(title)
            top = QTreeWidgetItem([title])
            top.setData(0, ID_ROLE, back.isoformat())
            top.setFont(0, bold)
            self.tree.addTopLevelItem(top)
            for c in people:
                if shown >= OUT_LIMIT:
                    break
                shown += 1
                text = isolate(c.name) + (
                    f" · {isolate(c.work_position)}" if c.work_position else ""
                )
                child = QTreeWidgetItem([text])
                child.setData(0, ID_ROLE, c.id)
                top.addChild(child)
            top.setExpanded(back.isoformat() not in collapsed)
        self.tree.setUpdatesEnabled(True)
        total = sum(len(p) for _, p in groups)
        self.note.setText(
            QCoreApplication.translate("Team", "Nobody is on vacation.")
            if not total
            else QCoreApplication.translate("Team", "%1 on vacation").replace("%1", str(total))
        )

    def _on_tree_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        cid = item.data(0, ID_ROLE)
        if isinstance(cid, int):
            self.colleague_chosen.emit(cid)
