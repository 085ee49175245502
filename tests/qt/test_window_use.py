"""The window in a day's use (offscreen): one colleague in the details, a list that keeps its
place, searches from the top, one "available" count, keyboard as in any list."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

from bx24presence.domain import Colleague, Phones, Presence, diff_snapshots
from bx24presence.qt.details.pane import DetailsPane
from bx24presence.qt.list.keys import compute_keys
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.list.proxy import ColleagueProxy, QuickFilter
from bx24presence.qt.main_window import MainWindow
from bx24presence.qt.tray.tray import Tray
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import Settings
from tests.factories import LOCAL_NOW, SERVER_NOW, TODAY, colleague, snapshot


def population(n: int) -> list[Colleague]:
    people = []
    for i in range(1, n + 1):
        presence = Presence.ONLINE if i % 3 == 0 else Presence.OFFLINE
        people.append(colleague(i, f"Person {i:05d}", presence=presence))
    return people


def make_window(qtbot, people: list[Colleague], size=(900, 600)) -> MainWindow:
    model = ColleagueModel()
    model.set_clock(lambda: LOCAL_NOW)
    proxy = ColleagueProxy()
    proxy.set_today(TODAY)
    proxy.setSourceModel(model)
    window = MainWindow(model, proxy, None, portal="https://acme.bitrix24.com", portal_label="acme")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    apply(model, people)
    return window


def apply(model: ColleagueModel, people: list[Colleague]) -> None:
    snap = snapshot(people)
    model.apply(
        snap, diff_snapshots(model.colleagues(), snap.colleagues), compute_keys(snap, today=TODAY)
    )


def visible_texts(widget: QWidget) -> list[str]:
    out = []
    for w in widget.findChildren(QWidget):
        if w.isVisibleTo(widget) and hasattr(w, "text"):
            out.append(str(w.text()))
    return out


def test_details_show_one_colleague_even_before_the_event_loop_runs(qtbot) -> None:
    """An open context menu runs a nested event loop: the old rows must vanish at once."""
    pane = DetailsPane(None)
    qtbot.addWidget(pane)
    pane.show()
    a = colleague(1, "Anna", phones=Phones(work_phone="+7 111"), email="anna@example.com")
    b = colleague(2, "Boris", phones=Phones(work_phone="+7 222"), email="boris@example.com")
    pane.show_colleague(a, server_now=SERVER_NOW, today=TODAY, departments={})
    pane.show_colleague(b, server_now=SERVER_NOW, today=TODAY, departments={})
    # Queued events run (new rows are shown), deferred deletes do not, as in a menu's loop.
    QCoreApplication.processEvents()
    assert pane.findChildren(QWidget, options=Qt.FindChildOption.FindChildrenRecursively)
    texts = " ".join(visible_texts(pane))
    assert "+7 222" in texts and "boris@" in texts
    assert "+7 111" not in texts and "anna@" not in texts


def row_y(window: MainWindow, cid: int) -> int:
    row = window.proxy.row_of(cid)
    assert row is not None
    return window.list.rowViewportPosition(row)


def test_selected_row_keeps_its_place_when_people_above_move(qtbot) -> None:
    people = population(400)
    w = make_window(qtbot, people)
    h = w.list.verticalHeader().defaultSectionSize()
    chosen = w.proxy.colleague_at(100).id  # online: the online sort first
    w.select_colleague(chosen)
    w.list.verticalScrollBar().setValue(w.proxy.row_of(chosen) * h - 3 * h)  # 4th row in view
    before = row_y(w, chosen)
    assert before == 3 * h
    # People sorted above go offline (their rows leave above, arrive below), then come back.
    moved = [
        replace(c, presence=Presence.OFFLINE)
        if c.id % 3 == 0 and c.id < 250 and c.id != chosen
        else c
        for c in people
    ]
    assert w.proxy.row_of(chosen) == 100
    apply(w.model, moved)
    assert w.proxy.row_of(chosen) < 100
    assert w.selected_colleague().id == chosen
    assert row_y(w, chosen) == before
    apply(w.model, people)
    assert w.proxy.row_of(chosen) == 100
    assert row_y(w, chosen) == before


def test_without_selection_the_first_visible_colleague_stays(qtbot) -> None:
    people = population(400)
    w = make_window(qtbot, people)
    h = w.list.verticalHeader().defaultSectionSize()
    w.list.verticalScrollBar().setValue(150 * h + h // 2)
    first = w.proxy.colleague_at(150).id
    before = row_y(w, first)
    moved = [replace(c, presence=Presence.ONLINE) if c.id < 90 and c.id % 3 else c for c in people]
    apply(w.model, moved)
    assert row_y(w, first) == before


def test_a_new_search_starts_at_the_top(qtbot) -> None:
    people = population(600)
    w = make_window(qtbot, people)
    w.list.verticalScrollBar().setValue(40 * w.list.verticalHeader().defaultSectionSize())
    qtbot.keyClicks(w.search, "0001")  # Person 00010..00019, 00100..00199, 01000...
    assert w.proxy.rowCount() > 30
    assert w.list.verticalScrollBar().value() == 0
    assert w.list.indexAt(w.list.viewport().rect().topLeft()).row() == 0


def test_one_available_count_in_filter_status_bar_and_tray(qtbot) -> None:
    people = population(30)
    people[2] = replace(people[2], absent_until=TODAY + timedelta(days=3))  # online, away
    people[5] = replace(people[5], presence=Presence.DND)
    people[8] = replace(people[8], presence=Presence.MOBILE)
    w = make_window(qtbot, people)
    w.on_snapshot(type("Ready", (), {"partial": False, "from_cache": False})())  # type: ignore[arg-type]
    expected = 8  # ids 6, 12, ... 30 and the mobile 9; not 3 (on vacation) nor 6 (dnd)
    assert w.proxy.counts[QuickFilter.AVAILABLE] == expected
    assert f"{expected} available" in w.status_label.text()
    tray = Tray(WatchList(Settings()), clock=lambda: LOCAL_NOW, notifier=lambda *a: None)
    tray.set_snapshot(w.model.snapshot)
    assert tray.counts()[0] == expected


def test_home_end_and_the_first_down_from_search(qtbot) -> None:
    w = make_window(qtbot, population(50))
    w.search.setFocus()
    qtbot.keyClick(w.search, Qt.Key.Key_Down)
    current = w.list.currentIndex()
    assert current.row() == 0
    assert w.list.selectionModel().isSelected(current), "the row shown in details is highlighted"
    assert w.details.colleague is not None and w.details.colleague.id == w.proxy.colleague_at(0).id
    qtbot.keyClick(w.list, Qt.Key.Key_End)
    assert w.list.currentIndex().row() == 49
    assert w.details.colleague.id == w.proxy.colleague_at(49).id
    qtbot.keyClick(w.list, Qt.Key.Key_Home)
    assert w.list.currentIndex().row() == 0


def test_details_tab_order_skips_static_text_and_reaches_phones_before_chat(qtbot) -> None:
    pane = DetailsPane(None, portal="https://acme.bitrix24.com", watchlist=WatchList(Settings()))
    qtbot.addWidget(pane)
    pane.show()
    c = colleague(1, "Anna", phones=Phones(work_phone="+7 111"), email="anna@example.com")
    pane.show_colleague(c, server_now=SERVER_NOW, today=TODAY, departments={1: "Sales"})
    QCoreApplication.processEvents()
    labels = [w for w in pane.findChildren(QLabel) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert labels == []
    order, w = [], pane._watch
    for _ in range(20):
        order.append(w)
        w = w.nextInFocusChain()
        while not (w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(pane)):
            w = w.nextInFocusChain()
        if w is pane._watch:
            break
    names = [x.accessibleName() or x.text() for x in order if x is not pane]
    chat = names.index(pane._chat.accessibleName())
    phone = next(i for i, n in enumerate(names) if "+7 111" in n)
    assert phone < chat


def test_a_filter_that_hides_the_selected_colleague_clears_the_details(qtbot) -> None:
    people = population(30)
    w = make_window(qtbot, people)
    offline = next(c for c in people if c.presence is Presence.OFFLINE)
    w.select_colleague(offline.id)
    assert w.details.colleague is not None and w.details.colleague.id == offline.id
    w.choose_filter(QuickFilter.AVAILABLE)
    assert w.details.colleague is None
    w.choose_filter(QuickFilter.EVERYONE)
    assert w.details.colleague is not None and w.details.colleague.id == offline.id


def test_vacation_date_keeps_the_month_capitalised(qtbot) -> None:
    pane = DetailsPane(None)
    qtbot.addWidget(pane)
    c = colleague(1, "Anna", absent_until=TODAY + timedelta(days=11))
    pane.show_colleague(c, server_now=SERVER_NOW, today=TODAY, departments={})
    assert pane._vacation.text() == "On vacation, back on 13 March"


def test_a_link_nobody_opens_says_so_and_offers_to_copy(qtbot) -> None:
    opened: list[QUrl] = []

    def fail(url: QUrl) -> bool:
        opened.append(url)
        return False

    pane = DetailsPane(None, portal="https://acme.bitrix24.com", open_url=fail)
    qtbot.addWidget(pane)
    pane.show()
    c = colleague(7, "Anna")
    pane.show_colleague(c, server_now=SERVER_NOW, today=TODAY, departments={})
    qtbot.mouseClick(pane._chat, Qt.MouseButton.LeftButton)
    assert opened and pane.link_failure.isVisible()
    assert "browser" in pane.link_failure.text()
    with qtbot.waitSignal(pane.copied):
        pane.link_failure._copy.click()
    assert QGuiApplication.clipboard().text() == "https://acme.bitrix24.com/online/?IM_DIALOG=7"


def test_long_name_is_elided_with_an_ellipsis(qtbot) -> None:
    pane = DetailsPane(None)
    qtbot.addWidget(pane)
    pane.resize(320, 500)
    pane.show()
    long = "Maximilian" * 8
    pane.show_colleague(colleague(1, long), server_now=SERVER_NOW, today=TODAY, departments={})
    qtbot.waitUntil(lambda: "…" in pane._name.text())
    assert pane._name.accessibleName() == long


@pytest.mark.parametrize("size", [(500, 400), (1920, 1080)])
def test_nothing_is_cut_off(qtbot, size) -> None:
    people = population(30)
    people[0] = replace(
        people[0], phones=Phones(work_phone="+7 495 000-00-01"), email="anna.smith@example.com"
    )
    w = make_window(qtbot, people, size)
    w.select_colleague(people[0].id)
    qtbot.wait(50)
    assert w.width() <= size[0] and w.height() <= size[1]
    for kind in QuickFilter:
        b = w.filters.button(kind)
        if b.isVisible():
            assert b.width() >= b.sizeHint().width(), b.text()
    pane = w.details
    body = pane.widget()
    for button in (pane._watch, pane._notify, pane._chat):
        rect = button.geometry().translated(
            button.parentWidget().mapTo(body, button.pos()) - button.pos()
        )
        assert rect.right() <= pane.viewport().width(), button.text()
        assert button.width() >= button.minimumSizeHint().width(), button.text()


def test_a_new_session_window_continues_where_the_old_one_was(qtbot) -> None:
    """Changing the webhook starts a new session: same place, search, filter, selection."""
    from bx24presence.qt import window_frame

    people = population(300)
    old = make_window(qtbot, people, (800, 560))
    old.move(140, 90)
    chosen = old.proxy.colleague_at(120).id
    old.select_colleague(chosen)
    h = old.list.verticalHeader().defaultSectionSize()
    old.list.verticalScrollBar().setValue(120 * h - 2 * h)
    carried = window_frame.carry(old)
    before = (old.geometry(), row_y(old, chosen))

    model = ColleagueModel()
    model.set_clock(lambda: LOCAL_NOW)
    proxy = ColleagueProxy()
    proxy.set_today(TODAY)
    proxy.setSourceModel(model)
    new = MainWindow(model, proxy, None, portal="https://acme.bitrix24.com", portal_label="acme")
    qtbot.addWidget(new)
    window_frame.take_over(new, carried)
    new.show()
    qtbot.waitExposed(new)
    apply(model, people)
    assert new.geometry() == before[0]
    assert new.selected_colleague() is not None and new.selected_colleague().id == chosen
    assert new.details.colleague is not None and new.details.colleague.id == chosen
    assert row_y(new, chosen) == before[1]


def test_an_address_that_fits_is_not_elided(qtbot) -> None:
    from bx24presence.qt.details.labels import ElidedButton

    button = ElidedButton("emma.harris@demo-company.com")
    qtbot.addWidget(button)
    button.show()
    advance = button.fontMetrics().horizontalAdvance(button.full_text)
    button.resize(advance + 11, button.height())  # the padding is 4 + 4 px
    QCoreApplication.processEvents()
    assert button.text() == "emma.harris@demo-company.com"
    button.resize(advance - 20, button.height())
    QCoreApplication.processEvents()
    assert "…" in button.text()


@pytest.mark.parametrize("size", [(900, 600), (1400, 600)])
def test_search_counts_do_not_resize_the_filter_buttons(qtbot, size) -> None:
    """Every keystroke changes the counts ("Everyone 1,250" to "Everyone 37"): the buttons
    keep the width of the widest count, so a keystroke repaints them without laying out and
    repainting the window (a 1 px change of width did that on every keystroke)."""
    window = make_window(qtbot, population(1250), size=size)
    buttons = [window.filters.button(k) for k in QuickFilter] + [window.panel.filter_menu]
    before = [b.sizeHint() for b in buttons]
    for text in ("p", "pe", "person 0", "person 01", "person 012", "", "3", "person 00001"):
        window.proxy.set_search(text)
        qtbot.wait(1)
        assert [b.sizeHint() for b in buttons] == before, text
        for b in buttons:
            assert b.fontMetrics().horizontalAdvance(b.text()) < b.sizeHint().width(), b.text()


def test_an_arriving_avatar_repaints_its_row_only(qtbot) -> None:
    """A picture that arrives repaints the rows showing it, not the whole list (a screenful
    of rows is about 5 ms of painting, paid again for every avatar while the user types)."""
    url = "https://acme.bitrix24.com/upload/7.png"
    people = [colleague(i, f"Person {i:05d}", avatar=url if i == 7 else None) for i in range(1, 40)]
    window = make_window(qtbot, people)
    view = window.list
    row = window.proxy.row_of(7)
    assert row is not None
    painted: list = []

    class Spy(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                painted.append(event.region().boundingRect())
            return False

    spy = Spy()
    view.viewport().installEventFilter(spy)
    qtbot.wait(50)
    painted.clear()
    view.repaint_avatar(url)
    qtbot.waitUntil(lambda: bool(painted), timeout=2000)
    assert painted == [view.visualRect(window.proxy.index(row, 0))]
    view.viewport().removeEventFilter(spy)
