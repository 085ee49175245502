"""The settings dialog's "Office relay" group: the Redis address, user and password (the
password kept in the keyring, as the webhook is)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QMessageBox, QWidget

from bx24presence import APP_NAME
from bx24presence.relay.source import AddressProblem, address_problem
from bx24presence.secrets import REDIS_PASSWORD
from bx24presence.settings import Settings

if TYPE_CHECKING:
    from bx24presence.secrets import SecretStore


def problem_text(problem: AddressProblem) -> str:
    """One translated sentence for what is wrong with a relay address."""
    texts = {
        AddressProblem.SCHEME: QCoreApplication.translate(
            "Settings", "The relay's address must start with rediss://."
        ),
        AddressProblem.NO_HOST: QCoreApplication.translate(
            "Settings", "The relay's address names no server."
        ),
        AddressProblem.PASSWORD: QCoreApplication.translate(
            "Settings",
            "Type the password in the Password field, not in the address: the address is"
            " saved as plain text.",
        ),
        AddressProblem.PLAIN: QCoreApplication.translate(
            "Settings",
            "Plain redis:// would carry the password and the directory unencrypted: use"
            " rediss:// for a server on another computer.",
        ),
        AddressProblem.NO_CA_FILE: QCoreApplication.translate(
            "Settings", "The certificate file named by ca= does not exist."
        ),
        AddressProblem.INVALID: QCoreApplication.translate(
            "Settings",
            "This is not a relay address; it looks like rediss://HOST:PORT/0, optionally"
            " with ?ca=FILE.",
        ),
    }
    return texts[problem]


class RelayGroup(QGroupBox):
    """Edits the office relay's address and user; the password goes to the keyring.

    Args:
        settings: the current settings.
        password_stored: a password is in the keyring already (an empty field keeps it).
    """

    def __init__(
        self, settings: Settings, *, password_stored: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(QCoreApplication.translate("Settings", "Office relay"), parent)
        note = QLabel(
            QCoreApplication.translate(
                "Settings",
                "Read presence from your office's relay (Redis) instead of polling the portal"
                " from this computer; your IT department gives these. Leave the address empty"
                " to poll the portal directly.",
            )
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        self.address = QLineEdit(settings.relay_url)
        self.address.setPlaceholderText("rediss://redis.office.example:6380/0")
        self.address.setAccessibleName(
            QCoreApplication.translate("Settings", "Office relay address")
        )
        self.user = QLineEdit(settings.relay_user)
        self.user.setPlaceholderText("bx24-desktop")
        self.user.setAccessibleName(QCoreApplication.translate("Settings", "Office relay user"))
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setAccessibleName(
            QCoreApplication.translate("Settings", "Office relay password")
        )
        if password_stored:
            self.password_field.setPlaceholderText(
                QCoreApplication.translate("Settings", "stored in the keyring; type to replace")
            )
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        self.address.textChanged.connect(self.error.hide)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(note)
        form.addRow(QCoreApplication.translate("Settings", "Address:"), self.address)
        form.addRow(QCoreApplication.translate("Settings", "User:"), self.user)
        form.addRow(QCoreApplication.translate("Settings", "Password:"), self.password_field)
        form.addRow(self.error)

    def validate(self) -> bool:
        """Whether the values can be saved; if not, says why under the fields."""
        problem = address_problem(self.address.text())
        user = self.user.text().strip()
        if problem is None and any(not ch.isprintable() or ch in " @:/" for ch in user):
            text = QCoreApplication.translate(
                "Settings", "A Redis user name has no spaces and none of @ : /."
            )
        elif problem is not None:
            text = problem_text(problem)
        else:
            self.error.hide()
            return True
        self.error.setText(text)
        self.error.setAccessibleName(text)
        self.error.show()
        (self.address if problem is not None else self.user).setFocus()
        return False

    def changes(self) -> dict[str, Any]:
        """The group's values, as a patch for the settings store."""
        return {"relay_url": self.address.text().strip(), "relay_user": self.user.text().strip()}

    def password(self) -> str | None:
        """The password typed, or None to keep the stored one."""
        return self.password_field.text() or None


def store_relay_password(
    secrets: SecretStore, password: str | None, relay_url: str, parent: QWidget | None = None
) -> bool:
    """Keep a typed password in the keyring, as the webhook is (or forget the stored one
    when no relay is configured any more). True when the stored password changed; a
    keyring that refuses is said in a message box."""
    try:
        if not relay_url:
            if secrets.get(REDIS_PASSWORD) is None:
                return False
            secrets.delete(REDIS_PASSWORD)
        elif password is not None:
            secrets.set(REDIS_PASSWORD, password)
        else:
            return False
    except OSError as exc:
        QMessageBox.warning(
            parent,
            APP_NAME,
            QCoreApplication.translate(
                "Settings", "The office relay's password could not be stored: %1"
            ).replace("%1", str(exc)),
        )
        return False
    return True
