"""The settings dialog: portal, polling, presence window, notifications, start-up, look,
language, logging and diagnostics."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bx24presence.qt.dialogs.relaygroup import RelayGroup
from bx24presence.settings import (
    ONLINE_WINDOW_RANGE_MIN,
    POLL_INTERVAL_RANGE_S,
    Settings,
)


def _combo(options: list[tuple[str, str]], current: str) -> QComboBox:
    box = QComboBox()
    for value, title in options:
        box.addItem(title, value)
    index = box.findData(current)
    box.setCurrentIndex(max(0, index))
    return box


class SettingsDialog(QDialog):
    """Edits a copy of the settings; :meth:`settings` gives the result after Accepted.

    Signals:
        change_portal_requested(): "Change…" was pressed (the caller runs the connect dialog).
        forget_portal_requested(): "Forget" was confirmed.
        open_log_folder_requested(): "Open log folder".
        export_diagnostics_requested(): "Export diagnostics…".
    """

    change_portal_requested = Signal()
    forget_portal_requested = Signal()
    open_log_folder_requested = Signal()
    export_diagnostics_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        *,
        portal_label: str,
        secret_storage: str,
        secret_fallback: bool,
        demo: bool = False,
        confirm: Callable[[str], bool] | None = None,
        relay_password_stored: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("Settings", "Settings"))
        self.setMinimumWidth(520)
        self._settings = settings
        self._confirm = confirm

        portal = QLabel(portal_label or QCoreApplication.translate("Settings", "not connected"))
        portal.setTextFormat(Qt.TextFormat.PlainText)
        portal.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change_button = QPushButton(QCoreApplication.translate("Settings", "Change…"))
        self.change_button.clicked.connect(self.change_portal_requested)
        self.forget_button = QPushButton(QCoreApplication.translate("Settings", "Forget"))
        self.forget_button.setEnabled(bool(portal_label))
        self.forget_button.clicked.connect(self._on_forget_button_clicked)
        portal_row = QHBoxLayout()
        portal_row.addWidget(portal, 1)
        portal_row.addWidget(self.change_button)
        portal_row.addWidget(self.forget_button)
        storage = QLabel(secret_storage)
        storage.setWordWrap(True)
        storage.setTextFormat(Qt.TextFormat.PlainText)
        if demo:  # the demo needs no webhook: nothing is stored, nothing to warn about
            storage.setText(
                QCoreApplication.translate("Settings", "Nothing: the demo portal needs no webhook.")
            )
        elif secret_fallback:
            storage.setStyleSheet("color: #b3261e;")
            storage.setText(
                QCoreApplication.translate(
                    "Settings",
                    "The webhook is kept in a private file (readable by you only), because no"
                    " system keyring is available.",
                )
            )

        self.interval = QSpinBox()
        self.interval.setRange(*POLL_INTERVAL_RANGE_S)
        self.interval.setSingleStep(15)
        self.interval.setSuffix(QCoreApplication.translate("Settings", " s"))
        self.interval.setValue(settings.poll_interval_s)
        self.interval.setToolTip(
            QCoreApplication.translate("Settings", "From 15 seconds to 15 minutes")
        )
        self.window_min = QSpinBox()
        self.window_min.setRange(*ONLINE_WINDOW_RANGE_MIN)
        self.window_min.setSuffix(QCoreApplication.translate("Settings", " min"))
        self.window_min.setValue(settings.online_window_min)
        self.window_min.setToolTip(
            QCoreApplication.translate(
                "Settings",
                "A colleague counts as online for this long after their last activity"
                " (Bitrix24's messenger uses 15 minutes)",
            )
        )
        self.notifications = QCheckBox(
            QCoreApplication.translate(
                "Settings", "Notify me when watched colleagues become available"
            )
        )
        self.notifications.setChecked(settings.notifications)
        self.start_minimised = QCheckBox(
            QCoreApplication.translate("Settings", "Start in the tray")
        )
        self.start_minimised.setChecked(settings.start_minimised)
        self.start_at_login = QCheckBox(
            QCoreApplication.translate("Settings", "Start when I log in")
        )
        self.start_at_login.setChecked(settings.start_at_login)
        self.theme = _combo(
            [
                ("system", QCoreApplication.translate("Settings", "Follow the system")),
                ("light", QCoreApplication.translate("Settings", "Light")),
                ("dark", QCoreApplication.translate("Settings", "Dark")),
            ],
            settings.theme,
        )
        self.language = _combo(
            [
                ("system", QCoreApplication.translate("Settings", "Follow the system")),
                ("en", "English"),
                ("ru", "Русский"),
            ],
            settings.language,
        )
        self.log_level = _combo(
            [
                ("error", QCoreApplication.translate("Settings", "Errors")),
                ("warning", QCoreApplication.translate("Settings", "Warnings")),
                ("info", QCoreApplication.translate("Settings", "Information")),
                ("debug", QCoreApplication.translate("Settings", "Debugging")),
            ],
            settings.log_level,
        )
        logs = QPushButton(QCoreApplication.translate("Settings", "Open log folder"))
        logs.clicked.connect(self.open_log_folder_requested)
        diagnostics = QPushButton(QCoreApplication.translate("Settings", "Export diagnostics…"))
        diagnostics.setToolTip(
            QCoreApplication.translate(
                "Settings", "A zip of logs, versions and settings, with every secret removed"
            )
        )
        diagnostics.clicked.connect(self.export_diagnostics_requested)
        tools = QHBoxLayout()
        tools.addWidget(logs)
        tools.addWidget(diagnostics)
        tools.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(QCoreApplication.translate("Settings", "Portal:"), portal_row)
        form.addRow(QCoreApplication.translate("Settings", "Webhook stored in:"), storage)
        form.addRow(QCoreApplication.translate("Settings", "Refresh every:"), self.interval)
        form.addRow(QCoreApplication.translate("Settings", "Online window:"), self.window_min)
        form.addRow("", self.notifications)
        form.addRow("", self.start_minimised)
        form.addRow("", self.start_at_login)
        form.addRow(QCoreApplication.translate("Settings", "Theme:"), self.theme)
        form.addRow(QCoreApplication.translate("Settings", "Language:"), self.language)
        note = QLabel(
            QCoreApplication.translate(
                "Settings", "A new language applies the next time the app starts."
            )
        )
        note.setEnabled(False)
        form.addRow("", note)
        form.addRow(QCoreApplication.translate("Settings", "Log level:"), self.log_level)
        form.addRow("", tools)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.relay = RelayGroup(settings, password_stored=relay_password_stored)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.relay)
        layout.addWidget(buttons)

    def settings(self) -> Settings:
        """The settings shown when the dialog opened, with the dialog's values."""
        return dataclasses.replace(self._settings, **self.changes())

    def changes(self) -> dict[str, Any]:
        """The dialog's values, as a patch for the settings store (only what it edits)."""
        return {
            "poll_interval_s": self.interval.value(),
            "online_window_min": self.window_min.value(),
            "notifications": self.notifications.isChecked(),
            "start_minimised": self.start_minimised.isChecked(),
            "start_at_login": self.start_at_login.isChecked(),
            "theme": self.theme.currentData(),
            "language": self.language.currentData(),
            "log_level": self.log_level.currentData(),
            **self.relay.changes(),
        }

    def _on_forget_button_clicked(self) -> None:
        question = QCoreApplication.translate(
            "Settings", "Forget this portal? Its webhook is removed from this computer."
        )
        if self._confirm is None or self._confirm(question):
            self.forget_portal_requested.emit()
            self.reject()

    def accept(self) -> None:
        """Close with the values, unless the relay's address cannot be saved (says why)."""
        if self.relay.validate():
            super().accept()
