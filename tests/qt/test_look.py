"""What eyes and screen readers get, measured offscreen in both palettes: contrast computed
from the palette's roles (WCAG AA), visibly checked controls, icons that need no emoji font,
a readable tray count, and a name for every control."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from bx24presence.domain import Phones, Presence
from bx24presence.qt import theme
from bx24presence.qt.details.pane import DetailsPane
from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.list.proxy import QuickFilter
from bx24presence.qt.tray.tray import tray_pixmap
from bx24presence.qt.watchlist import WatchList, fill_notify_menu
from bx24presence.qt.widgets import Banner, FilterBar
from bx24presence.settings import Settings
from tests.factories import SERVER_NOW, TODAY, colleague
from tests.qt.test_window_use import make_window, population

AA = 4.5
#: WCAG 1.4.11: parts of controls against what is next to them.
NON_TEXT = 3.0


def wcag(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio, worked out here rather than trusted to the app."""

    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture(params=["light", "dark"])
def palette(request, qapp: QApplication) -> Iterator[str]:
    theme.apply_theme(qapp, request.param)
    yield request.param
    theme.apply_theme(qapp, "system")


def colour_at(image: QImage, x: int, y: int) -> QColor:
    return QColor(image.pixel(x, y))


def strongest(image: QImage, x0: int, y0: int, x1: int, y1: int, against: QColor) -> float:
    """The highest contrast of any pixel in a box against a colour (text pixels reach the
    text's own colour at their core)."""
    best = 1.0
    for y in range(max(0, y0), min(image.height(), y1)):
        for x in range(max(0, x0), min(image.width(), x1)):
            best = max(best, wcag(colour_at(image, x, y), against))
    return best


def test_secondary_text_meets_aa_on_window_and_base(palette) -> None:
    p = QApplication.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert wcag(theme.secondary_text(p, role), p.color(role)) >= AA
    text = p.color(QPalette.ColorRole.WindowText)
    assert wcag(text, p.color(QPalette.ColorRole.Window)) >= AA
    selected = p.color(QPalette.ColorRole.HighlightedText)
    assert wcag(selected, p.color(QPalette.ColorRole.Highlight)) >= AA, "a selected row's text"


def test_details_labels_meet_aa(qtbot, palette) -> None:
    pane = DetailsPane(None)
    qtbot.addWidget(pane)
    c = colleague(1, "Anna", phones=Phones(work_phone="+7 1"), email="a@example.com")
    pane.show_colleague(c, server_now=SERVER_NOW, today=TODAY, departments={})
    window = pane.palette().color(QPalette.ColorRole.Window)
    kinds = [w for w in pane.findChildren(QLabel) if w.text() in ("Work", "Email")]
    assert len(kinds) == 2
    for label in kinds:
        group = QPalette.ColorGroup.Active if label.isEnabled() else QPalette.ColorGroup.Disabled
        fg = label.palette().color(group, QPalette.ColorRole.WindowText)
        assert wcag(fg, window) >= AA, label.text()


def test_list_positions_and_statuses_meet_aa(qtbot, palette) -> None:
    people = [colleague(1, "Anna", work_position="Sales lead")]
    people.append(colleague(2, "Boris", work_position="Engineer", presence=Presence.MOBILE))
    w = make_window(qtbot, people)
    image = w.list.viewport().grab().toImage()
    base = w.list.palette().color(QPalette.ColorRole.Base)
    h = w.list.verticalHeader().defaultSectionSize()
    for row in range(2):
        top = row * h
        # The text column: the name (first third), the position, the status (last third).
        third = h // 3
        for y0 in (top + third, top + 2 * third):
            assert strongest(image, 64, y0, 300, y0 + third - 4, base) >= AA, (row, y0)


def test_checked_quick_filter_stands_out(qtbot, palette) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    on = bar.button(QuickFilter.EVERYONE).grab().toImage()
    off = bar.button(QuickFilter.AVAILABLE).grab().toImage()
    assert (
        wcag(colour_at(on, 4, on.height() // 2), colour_at(off, 4, off.height() // 2)) >= NON_TEXT
    )


def test_unticked_check_box_is_visible(qtbot, palette) -> None:
    box = QCheckBox("Start in the tray")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    image = box.grab().toImage()
    window = box.palette().color(QPalette.ColorRole.Window)
    assert strongest(image, 0, 0, 20, image.height(), window) >= NON_TEXT


def no_pictographs(text: str) -> bool:
    return all(unicodedata.category(ch) != "So" for ch in text)


def test_icons_are_drawn_not_emoji(qtbot) -> None:
    wl = WatchList(Settings())
    pane = DetailsPane(None, watchlist=wl)
    qtbot.addWidget(pane)
    c = colleague(1, "Anna")
    pane.show_colleague(c, server_now=SERVER_NOW, today=TODAY, departments={})
    wl.set_watched(1, True)
    wl.set_rule(1, "always")
    pane.refresh_watch_state()
    for button in (pane._watch, pane._notify):
        assert no_pictographs(button.text()), button.text()
        assert not button.icon().isNull()
    banner = Banner()
    qtbot.addWidget(banner)
    for kind in ("warning", "error", "info"):
        banner.show_message(kind, "text", "Retry now")
        assert no_pictographs(banner._icon.text())
        assert banner._icon.pixmap() is not None and not banner._icon.pixmap().isNull()


def changed_rows(a: QImage, b: QImage) -> int:
    """How many pixel rows differ between two icons in their right half (the count bubble)."""
    return sum(
        1
        for y in range(a.height())
        if any(a.pixel(x, y) != b.pixel(x, y) for x in range(a.width() // 2, a.width()))
    )


@pytest.mark.parametrize("size", [16, 22])
def test_tray_count_is_readable_at_tray_sizes(size) -> None:
    plain = tray_pixmap(None, 0, stale=False, size=size).toImage()
    counted = tray_pixmap(None, 7, stale=False, size=size).toImage()
    assert changed_rows(plain, counted) >= size * 0.55  # was 0.42: 6 px at 16


INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


def accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def unnamed_controls(root: QWidget) -> list[str]:
    out = []
    for w in root.findChildren(QWidget):
        inner = isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)  # parts of one control
        if (
            isinstance(w, INTERACTIVE)
            and not inner
            and w.isVisibleTo(root)
            and not accessible_name(w).strip()
        ):
            out.append(f"{type(w).__name__} {w.objectName()!r} {w.toolTip()!r}")
    return out


def test_every_control_of_the_window_has_a_name(qtbot) -> None:
    people = population(20)
    people[0] = colleague(1, "Anna Smith", phones=Phones(work_phone="+7 1"), email="a@example.com")
    w = make_window(qtbot, people)
    w.select_colleague(1)
    w.search.setText("a")
    w.banner.show_message("warning", "Portal unreachable", "Retry now")
    QCoreApplication.processEvents()
    assert unnamed_controls(w) == []
    assert accessible_name(w.details._name) == "Anna Smith"
    clear = [b for b in w.search.findChildren(QAbstractButton) if b.isVisibleTo(w)]
    assert clear and all(accessible_name(b) == "Clear search" for b in clear)


def test_every_control_of_the_settings_has_a_name(qtbot) -> None:
    dialog = SettingsDialog(
        Settings(), portal_label="acme", secret_storage="x", secret_fallback=False
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []


def test_notify_choices_are_one_exclusive_choice(qtbot) -> None:
    wl = WatchList(Settings())
    menu = QMenu()
    fill_notify_menu(menu, wl, 1)
    choices = [a for a in menu.actions() if a.isCheckable()]
    assert len(choices) == 3
    groups = {a.actionGroup() for a in choices}
    assert len(groups) == 1 and None not in groups
    choices[0].trigger()
    choices[1].trigger()
    assert [a.isChecked() for a in choices] == [False, True, False]
    assert QPoint(0, 0) == QPoint()  # (the menu never opens: no platform menu needed)


def test_the_list_scroll_bar_handle_stands_out_and_scrolls(qtbot, palette) -> None:
    """The list's flat scroll bar: its handle reaches 3:1 against the groove (measured on
    the pixels), follows the list, and a click below it pages down."""
    window = make_window(qtbot, population(400), size=(600, 500))
    bar = window.list.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    image = bar.grab().toImage()
    groove = colour_at(image, 1, image.height() - 2)
    middle = image.width() // 2
    assert strongest(image, middle - 1, 4, middle + 1, 20, groove) >= NON_TEXT
    assert (
        bar.style()
        .subControlRect(
            QStyle.ComplexControl.CC_ScrollBar,
            _slider_option(bar),
            QStyle.SubControl.SC_ScrollBarAddLine,
            bar,
        )
        .isEmpty()
    ), "no arrow buttons"
    before = bar.value()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(middle, bar.height() - 5))
    assert bar.value() == before + bar.pageStep()
    bar.setValue(bar.maximum())
    slider = bar.style().subControlRect(
        QStyle.ComplexControl.CC_ScrollBar,
        _slider_option(bar),
        QStyle.SubControl.SC_ScrollBarSlider,
        bar,
    )
    assert slider.bottom() == bar.rect().bottom()


def _slider_option(bar) -> QStyleOptionSlider:
    opt = QStyleOptionSlider()
    bar.initStyleOption(opt)
    return opt
