"""The department tree: each department with its head and a live "3 of 12 available" count,
filtering the list; counts follow presence without resetting the tree."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from operator import attrgetter
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from bx24presence.api.errors import ApiError
from bx24presence.domain import Colleague
from bx24presence.failures import sentence
from bx24presence.team import (
    Structure,
    available_ids,
    counts,
    from_department_get,
    from_im_department_get,
    members,
)
from bx24presence.textsafe import for_markup, isolate

log = logging.getLogger(__name__)
#: ``im.department.get`` ids per call, and calls at most (docs/bitrix24-api.md §3.4).
IDS_PER_CALL = 200
MAX_CALLS = 25
#: ``department.get`` pages at most (50 rows each, docs/bitrix24-api.md §3.5).
MAX_PAGES = 100
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = 0  # the id of the "All departments" row
_ID = attrgetter("id")


def fetch_structure(client: Any, ids: Iterable[int]) -> Structure:
    """The company structure: ``department.get`` when the webhook has the ``department``
    scope (parents and heads by id), else ``im.department.get`` for ``ids`` (hierarchy read
    from the full names). ``scope`` names the granted scopes (docs/bitrix24-api.md §6.4).
    Raises :class:`ApiError`."""
    scopes = client.call("scope").result
    if isinstance(scopes, list) and "department" in scopes:
        rows: list[Any] = []
        start: int | None = 0
        for _ in range(MAX_PAGES):
            resp = client.call("department.get", {"start": start})
            if isinstance(resp.result, list):
                rows.extend(resp.result)
            start = resp.next
            if not start:
                break
        return from_department_get(rows)
    wanted = sorted(set(ids))
    found: list[Any] = []
    for i in range(0, min(len(wanted), IDS_PER_CALL * MAX_CALLS), IDS_PER_CALL):
        result = client.call("im.department.get", {"ID": wanted[i : i + IDS_PER_CALL]}).result
        if isinstance(result, dict):
            result = list(result.values())
        if isinstance(result, list):
            found.extend(result)
    return from_im_department_get(found)


class DepartmentLoader(QObject):
    """Loads the structure in the poller's thread, with the poller's client.

    Signals:
        requested(object): ask for the structure of these department ids (emit from the GUI).
        loaded(object): a :class:`Structure`.
        failed(str): a sentence (the portal refused, or could not be reached).
    """

    requested = Signal(object)
    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, client: Callable[[], Any]) -> None:
        super().__init__()
        self._client = client
        self.requested.connect(self.load)

    @Slot(object)
    def load(self, ids: object) -> None:
        """Fetch and emit the structure (runs in the loader's thread)."""
        wanted = [i for i in ids if isinstance(i, int)] if isinstance(ids, Iterable) else []
        try:
            structure = fetch_structure(self._client(), wanted)
        except ApiError as exc:
            log.warning("Department structure unavailable: %s", exc)
            self.failed.emit(sentence(exc))
            return
        except Exception:  # a bug must not end the poller's thread; the panel says so
            log.exception("Loading the department structure failed")
            self.failed.emit(QCoreApplication.translate("Team", "unexpected error (see the log)"))
            return
        self.loaded.emit(structure)


class DepartmentPanel(QWidget):
    """A tree of departments with their counts; choosing one filters the list.

    Signals:
        department_chosen(object): the ids of the department's people (sub-departments
            included), or None for everyone.
    """

    department_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.structure = Structure()
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("Team", "Department"),
                QCoreApplication.translate("Team", "Available"),
            ]
        )
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(QCoreApplication.translate("Team", "Departments"))
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.head = QLabel()
        self.head.setTextFormat(Qt.TextFormat.PlainText)
        self.head.setWordWrap(True)
        self.head.setAccessibleName(QCoreApplication.translate("Team", "Head of the department"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.head)
        self._items: dict[int, tuple[QStandardItem, QStandardItem]] = {}
        self._groups: dict[int, frozenset[int]] = {}
        self._membership: dict[int, tuple[int, ...]] = {}
        self._available: frozenset[int] | None = None
        self._changed: set[int] | None = None
        self._colleagues: tuple[Colleague, ...] = ()
        self._today: date | None = None
        self._names: dict[int, str] = {}
        self._chosen: int = ALL
        self._add_all_row()

    # -- data ---------------------------------------------------------------------------------

    def set_structure(self, structure: Structure) -> None:
        """Show a (new) structure, keeping what was expanded and chosen."""
        expanded = {d for d, (item, _) in self._items.items() if self.tree.isExpanded(item.index())}
        first = not self.structure.departments
        self.structure = structure
        self.model.removeRows(0, self.model.rowCount())
        self._items.clear()
        self._add_all_row()
        children = structure.children()

        def add(parent: QStandardItem, ids: list[int]) -> None:
            for did in ids:
                d = structure.departments[did]
                name = QStandardItem(isolate(d.name))
                name.setData(did, ID_ROLE)
                count = QStandardItem()
                count.setData(did, ID_ROLE)
                count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                parent.appendRow([name, count])
                self._items[did] = (name, count)
                add(name, children.get(did, []))

        add(self.model.invisibleRootItem(), children.get(None, []))
        self._membership = {}
        self._recount()
        for did, (item, _) in self._items.items():
            depth = len(structure.chain(did))
            if (first and depth < 2) or did in expanded:
                self.tree.setExpanded(item.index(), True)
        self._select(self._chosen if self._chosen in self._items else ALL)

    def set_colleagues(
        self,
        colleagues: tuple[Colleague, ...],
        today: date,
        *,
        available: frozenset[int] | None = None,
        changed: Iterable[int] | None = None,
    ) -> None:
        """New presence: update the counts in place (no reset, nothing collapses).

        Args:
            colleagues: everyone, as in the snapshot.
            today: the local date (vacations end at midnight).
            available: who is available, when already worked out (the list's keys).
            changed: the ids that changed since the last call (None: anyone may have).
        """
        self._colleagues = colleagues
        self._today = today
        self._available = available
        self._changed = None if changed is None else set(changed)
        self._recount()

    def show_failure(self, reason: str) -> None:
        """The structure could not be loaded: say so where the head is shown."""
        if not self.structure.departments:
            self.head.setText(
                QCoreApplication.translate("Team", "Departments could not be loaded: %1").replace(
                    "%1", reason
                )
            )
            self.head.setVisible(True)

    def chosen(self) -> int:
        """The chosen department's id (0: all)."""
        return self._chosen

    def count_text(self, did: int) -> str:
        """The count shown for a department ("3 of 12")."""
        pair = self._items.get(did)
        return pair[1].text() if pair else ""

    # -- internals ----------------------------------------------------------------------------

    def _add_all_row(self) -> None:
        name = QStandardItem(QCoreApplication.translate("Team", "All departments"))
        name.setData(ALL, ID_ROLE)
        count = QStandardItem()
        count.setData(ALL, ID_ROLE)
        count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.model.invisibleRootItem().appendRow([name, count])
        self._items[ALL] = (name, count)

    def _recount(self) -> None:
        if self._today is None:
            return
        regroup = self._regroup_needed()
        if regroup:
            self._membership = {c.id: c.departments for c in self._colleagues}
            self._names = {c.id: c.name for c in self._colleagues}
            self._groups = members(self.structure, self._colleagues)
            self._groups[ALL] = frozenset(self._membership)
        available = self._available
        if available is None:
            available = available_ids(self._colleagues, self._today)
        for did, (avail, total) in counts(self._groups, available).items():
            pair = self._items.get(did)
            if pair is None:
                continue
            text = (
                QCoreApplication.translate("Team", "%1 of %2")
                .replace("%1", str(avail))
                .replace("%2", str(total))
            )
            if pair[1].text() != text or regroup:  # only what changed: a few rows a poll
                pair[1].setText(text)
                name = pair[0].text()
                spoken = QCoreApplication.translate("Team", "%1: %2 of %3 available").replace(
                    "%1", name
                )
                spoken = spoken.replace("%2", str(avail)).replace("%3", str(total))
                pair[0].setData(spoken, Qt.ItemDataRole.AccessibleTextRole)
                pair[1].setData(spoken, Qt.ItemDataRole.AccessibleTextRole)
                self._set_tooltip(did, pair[0], avail, total)
        if regroup and self._chosen != ALL:
            self.department_chosen.emit(self._groups.get(self._chosen, frozenset()))
        self._show_head()

    def _regroup_needed(self) -> bool:
        """Whether anyone joined, left or moved department (or a head was renamed)."""
        old, cs = self._membership, self._colleagues
        if not old or len(old) != len(cs) or old.keys() != set(map(_ID, cs)):
            return True  # the first data, or someone joined or left
        if self._changed is None:
            return any(old.get(c.id) != c.departments for c in cs)
        by_id = {c.id: c for c in cs} if self._changed else {}
        heads = {d.head for d in self.structure.departments.values()}
        for cid in self._changed:
            c = by_id.get(cid)
            if c is None or old.get(cid) != c.departments:
                return True
            if cid in heads and self._names.get(cid) != c.name:
                return True
        return False

    def _set_tooltip(self, did: int, item: QStandardItem, avail: int, total: int) -> None:
        lines = [
            for_markup(item.text()),
            for_markup(
                QCoreApplication.translate("Team", "%1 of %2 available")
                .replace("%1", str(avail))
                .replace("%2", str(total))
            ),
        ]
        head = self._head_name(did)
        if head:
            lines.append(
                for_markup(QCoreApplication.translate("Team", "Head: %1").replace("%1", head))
            )
        tip = "<br>".join(lines)
        if item.toolTip() != tip:
            item.setToolTip(tip)

    def _head_name(self, did: int) -> str:
        d = self.structure.departments.get(did)
        if d is None or d.head is None:
            return ""
        return self._names.get(
            d.head, QCoreApplication.translate("Team", "colleague %1").replace("%1", str(d.head))
        )

    def _show_head(self) -> None:
        head = self._head_name(self._chosen)
        self.head.setText(
            QCoreApplication.translate("Team", "Head: %1").replace("%1", isolate(head))
            if head
            else ""
        )
        self.head.setVisible(bool(head))

    def _select(self, did: int) -> None:
        item = self._items[did][0]
        self.tree.selectionModel().setCurrentIndex(
            item.index(),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _on_tree_current_changed(
        self, current: QModelIndex | QPersistentModelIndex, previous: QModelIndex
    ) -> None:
        did = current.data(ID_ROLE) if current.isValid() else ALL
        did = did if isinstance(did, int) else ALL
        if did == self._chosen:
            return
        self._chosen = did
        self._show_head()
        self.department_chosen.emit(None if did == ALL else self._groups.get(did, frozenset()))

    def known_ids(self) -> Mapping[int, Any]:
        """The departments the panel shows, by id."""
        return self.structure.departments
