"""What the details pane says when no application opens a link: why, and "Copy link"."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class LinkFailure(QMessageBox):
    """A window-modal note, opened without blocking: the desktop has no handler for a link
    ("Open chat", ``tel:``, ``mailto:``), so it says so and offers to copy the link.

    Signals:
        copied(str): the link was copied to the clipboard.
    """

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle(QCoreApplication.translate("Details", "Link not opened"))
        self._copy = QPushButton(QCoreApplication.translate("Details", "Copy link"))
        self.addButton(self._copy, QMessageBox.ButtonRole.AcceptRole)
        self.addButton(QMessageBox.StandardButton.Close)
        self._copy.clicked.connect(self._on_copy_clicked)
        self._url = ""

    @property
    def url(self) -> str:
        """The link that did not open."""
        return self._url

    def show_for(self, url: QUrl) -> None:
        """Say that ``url`` did not open."""
        self._url = url.toString()
        scheme = url.scheme()
        if scheme == "tel":
            text = QCoreApplication.translate(
                "Details", "No application on this computer makes phone calls."
            )
        elif scheme == "mailto":
            text = QCoreApplication.translate(
                "Details", "No e-mail application is set up on this computer."
            )
        else:
            text = QCoreApplication.translate("Details", "No web browser opened the link.")
        self.setText(text)
        self.setInformativeText(
            QCoreApplication.translate("Details", "You can copy the link and open it elsewhere.")
        )
        self.setDetailedText("")
        self.open()

    def _on_copy_clicked(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self._url)
        self.copied.emit(self._url)
