"""Small widgets of the main window: the quick-filter bar and the freshness banner."""

from __future__ import annotations

import enum
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal
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
        self._buttons: dict[QuickFilter, QToolButton] = {}
        for i, kind in enumerate(QuickFilter):
            b = QToolButton()
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
            title = QCoreApplication.translate("MainWindow", FILTER_TITLES[kind])
            b.setText(f"{title}  {number(counts.get(kind, 0))}")
            b.setAccessibleName(f"{title}: {number(counts.get(kind, 0))}")

    def set_current(self, kind: QuickFilter) -> None:
        """Check the button of ``kind`` without emitting."""
        self._buttons[kind].setChecked(True)

    def button(self, kind: QuickFilter) -> QToolButton:
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
