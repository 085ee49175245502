"""Labels of the details pane: portal text shown literally, elided to fit, never a Tab stop."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from bx24presence.qt.texts import plain_tooltip


def plain_label(text: str = "", *, bold: bool = False, size_delta: int = 0) -> QLabel:
    """A label that shows portal text literally, selectable with the mouse.

    Not a Tab stop: a form's Tab goes from control to control, not through static text.
    """
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if bold or size_delta:
        f = label.font()
        f.setBold(bold)
        if size_delta:
            f.setPointSizeF(f.pointSizeF() + size_delta)
        label.setFont(f)
    return label


def button_text(text: str) -> str:
    """Text for a button, with ``&`` kept literal rather than taken as a mnemonic."""
    return text.replace("&", "&&")


class ElidedButton(QPushButton):
    """A flat link-like button whose plain text is elided to fit (full text in the tooltip),
    so a long e-mail address never widens the pane."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = text
        self.setFlat(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(60)
        self.setStyleSheet("text-align: left; padding: 2px 4px;")
        self._elide()

    @property
    def full_text(self) -> str:
        """The whole text."""
        return self._full

    def _elide(self) -> None:
        # The room the style really gives the text (the padding set above), not a guess:
        # a guess elided addresses that would have fitted.
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        opt.rect = self.rect()
        room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, self)
        width = max(20, room.width())
        elided = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width)
        self.setText(button_text(elided))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()


class NameLabel(QLabel):
    """The colleague's name, wrapped at spaces; a word too long for the width is elided with
    "…" (the whole name in the tooltip and the accessible name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        f = self.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() + 4)
        self.setFont(f)

    @property
    def full_text(self) -> str:
        """The whole name."""
        return self._full

    def set_name(self, name: str) -> None:
        """Show ``name``."""
        self._full = name
        self.setToolTip(plain_tooltip(name))
        self.setAccessibleName(name)
        self._fit()

    def _fit(self) -> None:
        width = max(20, self.contentsRect().width())
        fm = self.fontMetrics()
        words = [
            fm.elidedText(w, Qt.TextElideMode.ElideRight, width)
            if fm.horizontalAdvance(w) > width
            else w
            for w in self._full.split(" ")
        ]
        self.setText(" ".join(words))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


class ElidedText(QLabel):
    """Plain text elided to fit (full text in the tooltip): a contact that is not a link."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = text
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(60)
        self.setContentsMargins(4, 2, 4, 2)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._elide()

    @property
    def full_text(self) -> str:
        """The whole text."""
        return self._full

    def _elide(self) -> None:
        width = max(20, self.contentsRect().width())
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()
