"""Asks which portal to use (the welcome dialog); keeps a tested webhook in the secret store
and the choice in the settings, by a patch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bx24presence import APP_NAME
from bx24presence.qt.dialogs.welcome import WelcomeDialog
from bx24presence.qt.session import PortalChoice, start_demo
from bx24presence.settings import SettingsStore, portal_hint_from_url

if TYPE_CHECKING:
    from bx24presence.secrets import SecretStore


def ask_for_portal(
    store: SettingsStore,
    secrets: SecretStore,
    *,
    demo_users: int,
    connect_only: bool,
    parent: QWidget | None = None,
) -> PortalChoice | None:
    """The welcome dialog; None when the user closed it.

    The demo is saved as the portal; a webhook whose test passed goes to the secret store
    (a failure to store it is said, and the webhook is still used for this run) and its
    portal's address to the settings.
    """
    dialog = WelcomeDialog(parent, connect_only=connect_only, keyring=not secrets.is_fallback)
    if dialog.exec() != WelcomeDialog.DialogCode.Accepted:
        return None
    if dialog.choice == "demo":
        store.update(portal_kind="demo", portal_url_hint="")
        return start_demo(demo_users)
    check = dialog.check
    if check is None or check.auth is None:
        return None
    auth = check.auth
    try:
        secrets.set("webhook_url", auth.webhook_url)
    except OSError as exc:
        QMessageBox.warning(
            parent,
            APP_NAME,
            QApplication.translate("App", "The webhook could not be stored: %1").replace(
                "%1", str(exc)
            ),
        )
    store.update(
        portal_kind="webhook",
        portal_url_hint=portal_hint_from_url(auth.portal),
        allow_http=dialog.allow_http,
    )
    return PortalChoice.from_auth(auth, allow_http=dialog.allow_http)
