"""Small widgets of the main window: the quick-filter bar and the freshness banner."""

from __future__ import annotations

import enum
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from bx24presence.qt.flow import TOGGLE_STYLE, FlowLayout
from bx24presence.qt.i18n import QT_TRANSLATE_NOOP
from bx24presence.qt.icons import BANNER_COLORS, icon
from bx24presence.qt.list.proxy import QuickFilter


def number(n: int) -> str:
    """A count with the UI language's digit grouping ("1,250")."""
    return QLocale().toString(n)


FILTER_TITLES = {
    QuickFilter.EVERYONE: QT_TRANSLATE_NOOP("MainWindow", "Everyone"),
    QuickFilter.AVAILABLE: QT_TRANSLATE_NOOP("MainWindow", "Available now"),
    QuickFilter.VACATION: QT_TRANSLATE_NOOP("MainWindow", "On vacation"),
    QuickFilter.BIRTHDAYS: QT_TRANSLATE_NOOP("MainWindow", "Birthdays today"),
    QuickFilter.WATCHED: QT_TRANSLATE_NOOP("MainWindow", "Watched"),
}


class CountButton(QToolButton):
    """A tool button that says "Title  1,250" and keeps the width of the widest count it is
    told to reserve (:meth:`reserve`), so a count that changes with every keystroke of a
    search repaints the button alone instead of laying out and repainting the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reserved = ""
        self._held = 0  # the widest hint given for this reservation (rounding differs by text)

    def reserve(self, text: str) -> None:
        """Be at least as wide as when showing ``text``."""
        if text != self._reserved:
            self._reserved = text
            self._held = 0
            self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._held = 0
        super().changeEvent(event)

    @property
    def reserved(self) -> str:
        """The text whose width the button keeps."""
        return self._reserved

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self._reserved:
            fm = self.fontMetrics()
            extra = fm.horizontalAdvance(self._reserved) - fm.horizontalAdvance(self.text())
            if extra > 0:
                hint.setWidth(hint.width() + extra)
            self._held = max(self._held, hint.width())
            hint.setWidth(self._held)
        return hint


def widest_count(largest: int) -> str:
    """The widest count with as many digits as ``largest`` ("99,999" for 10,000)."""
    return number(10 ** len(str(max(0, largest))) - 1)


class FilterBar(QWidget):
    """Quick filters as a row of toggle buttons, each with its count.

    Signals:
        filter_chosen(QuickFilter): the user picked a filter.
    """

    filter_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self)  # wraps at narrow widths: a count is never elided
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[QuickFilter, CountButton] = {}
        # The most digits each filter's count has had: its button keeps room for them (a
        # search only lowers the counts, so a keystroke never widens a button).
        self._digits: dict[QuickFilter, int] = dict.fromkeys(QuickFilter, 1)
        for i, kind in enumerate(QuickFilter):
            b = CountButton()
            b.setCheckable(True)
            b.setAutoRaise(False)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            b.setStyleSheet(TOGGLE_STYLE)
            b.setToolTip(
                QCoreApplication.translate("MainWindow", "Show: %1 (Alt+%2)")
                .replace("%1", QCoreApplication.translate("MainWindow", FILTER_TITLES[kind]))
                .replace("%2", str(i + 1))
            )
            self._group.addButton(b, i)
            self._buttons[kind] = b
            layout.addWidget(b)
            b.clicked.connect(lambda _=False, k=kind: self.filter_chosen.emit(k))
        self._buttons[QuickFilter.EVERYONE].setChecked(True)
        self.set_counts(dict.fromkeys(QuickFilter, 0))

    def set_counts(self, counts: dict[QuickFilter, int]) -> None:
        """Show each filter's count."""
        for kind, b in self._buttons.items():
            digits = len(str(max(0, counts.get(kind, 0))))
            self._digits[kind] = max(self._digits[kind], digits)
            title = QCoreApplication.translate("MainWindow", FILTER_TITLES[kind])
            b.reserve(f"{title}  {widest_count(10 ** (self._digits[kind] - 1))}")
            b.setText(f"{title}  {number(counts.get(kind, 0))}")
            b.setAccessibleName(f"{title}: {number(counts.get(kind, 0))}")

    def reserved(self, kind: QuickFilter) -> str:
        """The text whose width the button of ``kind`` keeps."""
        return self._buttons[kind].reserved

    def set_current(self, kind: QuickFilter) -> None:
        """Check the button of ``kind`` without emitting."""
        self._buttons[kind].setChecked(True)

    def button(self, kind: QuickFilter) -> CountButton:
        """The button of a filter (for shortcuts and tests)."""
        return self._buttons[kind]

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        return layout.heightForWidth(width) if layout is not None else 0


class BannerKind(enum.StrEnum):
    """How serious the banner's message is (its colours and icon)."""

    #: Something is wrong but the app goes on (stale data, retrying).
    WARNING = "warning"
    #: The user must act (the portal refused the webhook; polling stopped).
    ERROR = "error"
    #: Nothing is wrong yet (the portal is slow to answer).
    INFO = "info"


#: What the banner's icon means, for screen readers.
BANNER_KIND_NAMES = {
    "warning": lambda: QCoreApplication.translate("MainWindow", "Warning"),
    "error": lambda: QCoreApplication.translate("MainWindow", "Error"),
    "info": lambda: QCoreApplication.translate("MainWindow", "Information"),
}


class Banner(QFrame):
    """A coloured strip above the list that nobody can miss: stale data, authentication
    problems. Plain text only.

    Signals:
        action_clicked(): the user pressed the banner's button.
    """

    action_clicked = Signal()

    STYLES: ClassVar[dict[str, tuple[str, str, str]]] = {
        "warning": ("#fff4ce", "#5c4400", "#e6c200"),
        "error": ("#fde7e9", "#6b0d14", "#d13438"),
        "info": ("#e5f1fb", "#0b3a5d", "#2b88d8"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self._icon = QLabel()
        self._text = QLabel()
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._icon.setFixedSize(20, 20)
        self._button = QPushButton()
        self._button.clicked.connect(self.action_clicked)
        layout.addWidget(self._icon)
        layout.addWidget(self._text, 1)
        layout.addWidget(self._button)
        self.kind: BannerKind | None = None
        self.hide()

    @property
    def text(self) -> str:
        """The message shown."""
        return self._text.text()

    def show_message(self, kind: BannerKind | str, text: str, action: str | None = None) -> None:
        """Show ``text`` as a :class:`BannerKind`."""
        kind = BannerKind(kind)
        bg, fg, border = self.STYLES[kind]
        self.kind = kind
        self.setStyleSheet(
            f"#banner {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }}"
            f" #banner QLabel {{ color: {fg}; }}"
        )
        self._icon.setPixmap(icon(kind, BANNER_COLORS[kind]).pixmap(20, 20))
        self._icon.setAccessibleName(BANNER_KIND_NAMES[kind]())
        self._text.setText(text)
        self.setAccessibleName(text)
        self._button.setVisible(action is not None)
        if action is not None:
            self._button.setText(action)
            self._button.setAccessibleName(action.rstrip("…"))
            self._button.setAccessibleDescription(text)
        self.show()

    def clear(self) -> None:
        """Hide the banner."""
        self.kind = None
        self.hide()
