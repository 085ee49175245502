"""Desktop notifications, tray texts and tooltips: portal text is escaped and bidi-isolated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from bx24presence.domain import Colleague, Presence
from bx24presence.qt.details.pane import DetailsPane, ElidedButton, ElidedText
from bx24presence.qt.list.model import ColleagueModel
from bx24presence.qt.texts import markup_text, menu_text, plain_tooltip
from bx24presence.qt.tray.tray import Tray, alert_texts
from bx24presence.qt.watchlist import WatchList
from bx24presence.settings import Settings
from bx24presence.textsafe import FSI, PDI
from bx24presence.watch import Alert
from tests.factories import SERVER_NOW, TODAY, colleague, snapshot

IMG = '<img src="http://attacker.example/track.png">'
LINK = "<a href='http://attacker.example/'>click</a>"
RLO_NAME = "\u202eevil\u202c abc"
RAW = ("<img", "<a ", "<b>", "\u202e", "\u202c")


class Notifier:
    """Stands in for QSystemTrayIcon.showMessage and records what it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any, int]] = []

    def __call__(self, title: str, body: str, icon: Any, ms: int) -> None:
        self.calls.append((title, body, icon, ms))


@pytest.fixture
def tray(qapp: QApplication) -> Iterator[tuple[Tray, Notifier]]:
    notifier = Notifier()
    t = Tray(WatchList(Settings()), clock=lambda: SERVER_NOW, notifier=notifier)
    yield t, notifier
    t.hide()
    t.menu.deleteLater()
    t.deleteLater()


def _person(cid: int, name: str, position: str | None = f"{LINK} <b>Boss</b>") -> Colleague:
    return colleague(cid, name, work_position=position, presence=Presence.ONLINE)


def _assert_safe(text: str) -> None:
    for raw in RAW:
        assert raw not in text, (raw, text)


def test_single_alert_escapes_and_isolates_name_and_position(tray: Any) -> None:
    t, notifier = tray
    t.set_snapshot(snapshot([_person(2, IMG)]))

    t.notify(Alert((_person(2, IMG),)))

    (title, body, _icon, ms) = notifier.calls[-1]
    _assert_safe(title)
    _assert_safe(body)
    assert title == f'{FSI}&lt;img src="http://attacker.example/track.png"&gt;{PDI} is available'
    assert body.startswith("online · ")
    assert f"{FSI}&lt;a href='http://attacker.example/'&gt;click&lt;/a&gt;" in body
    assert ms == 10_000


def test_bidi_override_in_a_name_cannot_reorder_the_title(tray: Any) -> None:
    t, notifier = tray
    person = _person(3, RLO_NAME, position=None)

    t.notify(Alert((person,)))

    title, body, _icon, _ms = notifier.calls[-1]
    assert title == f"{FSI}evil abc{PDI} is available"
    assert body == "online"


def test_summary_alert_escapes_every_name(tray: Any) -> None:
    t, notifier = tray
    people = tuple(_person(i, f"{IMG} {i} {RLO_NAME}") for i in range(10, 15))

    t.notify(Alert(people))

    title, body, _icon, _ms = notifier.calls[-1]
    _assert_safe(title)
    _assert_safe(body)
    assert title == "5 watched colleagues are available"
    assert body.count(FSI) == 3 and body.count(PDI) == 3
    assert body.endswith(f"{PDI} and 2 more")


def test_notice_escapes_text_quoted_from_the_portal(tray: Any) -> None:
    t, notifier = tray

    t.notice("bx24presence", f"Your status could not be set: {IMG}")

    title, body, _icon, _ms = notifier.calls[-1]
    assert title == "bx24presence"
    _assert_safe(body)
    assert "&lt;img" in body


def test_alert_texts_keep_apostrophes_readable() -> None:
    title, _body = alert_texts(Alert((_person(4, "Dan O'Brien & Co", position=None),)), SERVER_NOW)
    assert title == f"{FSI}Dan O'Brien &amp; Co{PDI} is available"


def test_tray_tooltip_is_never_rich_text(tray: Any) -> None:
    t, _notifier = tray
    t.set_snapshot(snapshot([_person(2, IMG)], own_status=f"{IMG}{LINK}"))

    tip = t.icon.toolTip()

    assert not GuiQt.mightBeRichText(tip), tip
    _assert_safe(tip)


def test_tray_menu_isolates_names_and_keeps_ampersands(tray: Any) -> None:
    t, _notifier = tray
    people = [_person(2, "A&B\tCtrl+Q"), _person(3, RLO_NAME)]
    t.watchlist.set_watched(2, True)
    t.watchlist.set_watched(3, True)
    t.set_snapshot(snapshot(people))

    t.rebuild_menu()

    texts = [a.text() for a in t.menu.actions()]
    assert f"{FSI}A&&B Ctrl+Q{PDI} — online" in texts
    assert f"{FSI}evil abc{PDI} — online" in texts


def test_markup_and_menu_text_helpers() -> None:
    assert markup_text(IMG) == f'{FSI}&lt;img src="http://attacker.example/track.png"&gt;{PDI}'
    assert menu_text("a\nb&c") == f"{FSI}a b&&c{PDI}"


def test_plain_tooltip_escapes_and_isolates_each_line() -> None:
    tip = plain_tooltip(f"{RLO_NAME}\n{IMG}")
    assert tip == (
        f"<qt>{FSI}evil abc{PDI}<br>{FSI}&lt;img src=&quot;http://attacker.example/track.png"
        f"&quot;&gt;{PDI}</qt>"
    )


def test_list_tooltip_is_escaped_and_isolated(qapp: QApplication) -> None:
    model = ColleagueModel()
    model.apply(snapshot([_person(2, RLO_NAME, position=IMG)]))

    tip = model.data(model.index(0, 0, QModelIndex()), Qt.ItemDataRole.ToolTipRole)

    assert tip.startswith(f"<qt>{FSI}evil abc{PDI}<br>{FSI}&lt;img")
    _assert_safe(tip)


def test_details_tooltips_are_escaped_and_isolated(qtbot: QtBot) -> None:
    pane = DetailsPane(None, portal="https://acme.example")
    qtbot.addWidget(pane)
    person = colleague(5, "X", email="ivan@acme.example", website=f"{RLO_NAME}{IMG}")

    pane.show_colleague(person, server_now=SERVER_NOW, today=TODAY, departments={})

    tips = [w.toolTip() for w in pane.findChildren(ElidedButton)]
    tips += [w.toolTip() for w in pane.findChildren(ElidedText)]
    assert tips
    for tip in tips:
        assert tip.startswith(f"<qt>{FSI}")
        _assert_safe(tip)


def test_department_names_are_isolated_from_each_other(qtbot: QtBot) -> None:
    pane = DetailsPane(None, portal="https://acme.example")
    qtbot.addWidget(pane)
    person = colleague(5, "X", departments=(1, 2))

    pane.show_colleague(
        person, server_now=SERVER_NOW, today=TODAY, departments={1: RLO_NAME, 2: "Sales"}
    )

    assert pane._departments_label.text() == f"{FSI}evil abc{PDI}, {FSI}Sales{PDI}"
