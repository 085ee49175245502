"""First run: connect to a Bitrix24 portal with a webhook, or try the demo."""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bx24presence.api.errors import Failure, Reason
from bx24presence.connection import ConnectionCheck, Outcome, check_connection
from bx24presence.qt.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

GUIDE = QT_TRANSLATE_NOOP(
    "Welcome",
    "1. In Bitrix24 open Developer resources → Other → Incoming webhook.\n"
    "2. Tick the permissions Messenger (im) and Users (user_brief).\n"
    "3. Save, copy the webhook address and paste it here.",
)
#: Where the webhook goes: said as it is on this computer, never a keyring that is not there.
IN_KEYRING = QT_TRANSLATE_NOOP(
    "Welcome", "The address works like a password: bx24presence keeps it in your system's keyring."
)
IN_FILE = QT_TRANSLATE_NOOP(
    "Welcome",
    "The address works like a password. This computer has no system keyring, so bx24presence"
    " keeps it in a file only you can read.",
)


class _Tester(QObject):
    """Runs a connection test off the GUI thread.

    Signals:
        finished(object): the :class:`ConnectionCheck`.
    """

    finished = Signal(object)

    def __init__(self, checker: Any = check_connection) -> None:
        super().__init__()
        self._checker = checker

    def start(self, url: str, allow_http: bool) -> None:
        threading.Thread(
            target=self._run, args=(url, allow_http), name="connection-test", daemon=True
        ).start()

    def _run(self, url: str, allow_http: bool) -> None:
        try:
            result = self._checker(url, allow_http=allow_http)
        except Exception as exc:  # a bug must still end the test with a message
            log.exception("Connection test crashed")
            failure = Failure(Reason.UNEXPECTED, detail=type(exc).__name__)
            result = ConnectionCheck(ok=False, kind=Outcome.BUG, failure=failure)
        self.finished.emit(result)


class WelcomeDialog(QDialog):
    """Offers "Connect to my Bitrix24" or "Try the demo".

    After ``exec()`` returns Accepted, :attr:`choice` is ``"demo"`` or ``"webhook"``; for a
    webhook, :attr:`check` holds the successful :class:`ConnectionCheck` (with the parsed
    webhook) and :attr:`allow_http` whether plain http was allowed.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        connect_only: bool = False,
        checker: Any = check_connection,
        keyring: bool = True,
    ) -> None:
        super().__init__(parent)
        self._keyring = keyring
        self.setWindowTitle(QCoreApplication.translate("Welcome", "Welcome to bx24presence"))
        self.setMinimumWidth(560)
        self.choice = ""
        self.check: ConnectionCheck | None = None
        self.allow_http = False
        self._testing = False
        self._connect_after_test = False
        self._tester = _Tester(checker)
        self._tester.finished.connect(self._on_tester_finished)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._connect_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        if connect_only:
            self.show_connect_page()
            self.back_button.setText(QCoreApplication.translate("Welcome", "Cancel"))

    # -- pages -------------------------------------------------------------------------------

    def _choice_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        title = QLabel(
            QCoreApplication.translate("Welcome", "See which colleagues are available right now")
        )
        f = QFont(title.font())
        f.setPointSizeF(f.pointSizeF() + 5)
        f.setBold(True)
        title.setFont(f)
        title.setWordWrap(True)
        intro = QLabel(
            QCoreApplication.translate(
                "Welcome",
                "bx24presence shows who among your Bitrix24 colleagues is online, away or on"
                " vacation, and tells you when the people you wait for come online.",
            )
        )
        intro.setWordWrap(True)
        self.connect_button = QPushButton(
            QCoreApplication.translate("Welcome", "Connect to my Bitrix24")
        )
        self.connect_button.setDefault(True)
        self.connect_button.setMinimumHeight(44)
        self.connect_button.clicked.connect(self.show_connect_page)
        self.demo_button = QPushButton(QCoreApplication.translate("Welcome", "Try the demo"))
        self.demo_button.setMinimumHeight(44)
        self.demo_button.setToolTip(
            QCoreApplication.translate(
                "Welcome", "A simulated company on this computer: no account needed"
            )
        )
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        v.addWidget(title)
        v.addWidget(intro)
        v.addSpacing(12)
        v.addWidget(self.connect_button)
        v.addWidget(self.demo_button)
        v.addStretch(1)
        return page

    def _connect_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        heading = QLabel(QCoreApplication.translate("Welcome", "Connect with an incoming webhook"))
        f = QFont(heading.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() + 2)
        heading.setFont(f)
        guide = QLabel(
            QCoreApplication.translate("Welcome", GUIDE)
            + "\n"
            + (
                QCoreApplication.translate("Welcome", IN_KEYRING)
                if self._keyring
                else QCoreApplication.translate("Welcome", IN_FILE)
            )
        )
        guide.setWordWrap(True)
        guide.setTextFormat(Qt.TextFormat.PlainText)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://yourcompany.bitrix24.com/rest/1/…/")
        self.url_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.url_edit.setAccessibleName(QCoreApplication.translate("Welcome", "Webhook address"))
        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)
        self.url_edit.returnPressed.connect(self._on_test_button_clicked)
        self.show_box = QCheckBox(QCoreApplication.translate("Welcome", "Show"))
        self.show_box.toggled.connect(self._on_show_box_toggled)
        row = QHBoxLayout()
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.show_box)
        self.http_box = QCheckBox(
            QCoreApplication.translate(
                "Welcome", "Allow plain http:// (a self-hosted portal without HTTPS)"
            )
        )
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setMinimumHeight(48)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.back_button = QPushButton(QCoreApplication.translate("Welcome", "Back"))
        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.test_button = QPushButton(QCoreApplication.translate("Welcome", "Test connection"))
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.ok_button = QPushButton(QCoreApplication.translate("Welcome", "Connect"))
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.ok_button)
        v.addWidget(heading)
        v.addWidget(guide)
        v.addSpacing(6)
        v.addWidget(QLabel(QCoreApplication.translate("Welcome", "Webhook address:")))
        v.addLayout(row)
        v.addWidget(self.http_box)
        v.addWidget(self.result_label)
        v.addStretch(1)
        v.addLayout(buttons)
        self._update_buttons()
        return page

    # -- API ---------------------------------------------------------------------------------

    def show_connect_page(self) -> None:
        """Go to the webhook page."""
        self.pages.setCurrentIndex(1)
        self.url_edit.setFocus()

    @property
    def result_text(self) -> str:
        """The sentence shown after a test."""
        return self.result_label.text()

    def test_connection(self) -> None:
        """Run the test in the background; the result appears in the dialog."""
        url = self.url_edit.text().strip()
        if not url or self._testing:
            return
        self._testing = True
        self.check = None
        self._show_result("info", QCoreApplication.translate("Welcome", "Testing the connection…"))
        self._update_buttons()
        self._tester.start(url, self.http_box.isChecked())

    # -- internals ---------------------------------------------------------------------------

    def _show_result(self, kind: str, text: str) -> None:
        color = {"ok": "#1f7a3a", "error": "#b3261e", "info": ""}[kind]
        icon = {"ok": "✔ ", "error": "✖ ", "info": ""}[kind]
        self.result_label.setStyleSheet(f"color: {color};" if color else "")
        self.result_label.setText(icon + text)
        self.result_label.setAccessibleDescription(text)

    def _update_buttons(self) -> None:
        has_text = bool(self.url_edit.text().strip())
        self.test_button.setEnabled(has_text and not self._testing)
        self.ok_button.setEnabled(has_text and not self._testing)

    def _on_url_edit_text_changed(self, text: str) -> None:
        self.check = None
        self._update_buttons()

    def _on_show_box_toggled(self, on: bool) -> None:
        self.url_edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)

    def _on_test_button_clicked(self) -> None:
        self._connect_after_test = False
        self.test_connection()

    def _on_ok_button_clicked(self) -> None:
        if self.check is not None and self.check.ok:
            self._accept_webhook()
            return
        self._connect_after_test = True
        self.test_connection()

    def _on_back_button_clicked(self) -> None:
        if self.pages.count() and self.back_button.text() == QCoreApplication.translate(
            "Welcome", "Cancel"
        ):
            self.reject()
        else:
            self.pages.setCurrentIndex(0)

    def _on_demo_button_clicked(self) -> None:
        self.choice = "demo"
        self.accept()

    def _on_tester_finished(self, check: ConnectionCheck) -> None:
        self._testing = False
        self.check = check
        self._show_result("ok" if check.ok else "error", check.message)
        self._update_buttons()
        if check.ok and self._connect_after_test:
            self._accept_webhook()

    def _accept_webhook(self) -> None:
        self.choice = "webhook"
        self.allow_http = self.http_box.isChecked()
        self.accept()
