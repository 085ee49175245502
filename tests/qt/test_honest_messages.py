"""Messages that say how things are: no webhook file on the demo, no keyring promised where
there is none."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.dialogs.welcome import WelcomeDialog
from bx24presence.settings import Settings


def texts(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_settings_on_the_demo_mention_no_webhook_file(qtbot) -> None:
    dialog = SettingsDialog(
        Settings(),
        portal_label="demo portal",
        secret_storage="a private file, because no system keyring is available",
        secret_fallback=True,
        demo=True,
    )
    qtbot.addWidget(dialog)
    shown = texts(dialog)
    assert "private file" not in shown
    assert "the demo portal needs no webhook" in shown
    storage = next(w for w in dialog.findChildren(QLabel) if "demo portal needs" in w.text())
    assert storage.styleSheet() == "", "not in red: nothing is wrong"


def test_settings_with_a_real_webhook_still_warn_about_the_file(qtbot) -> None:
    dialog = SettingsDialog(
        Settings(), portal_label="acme", secret_storage="x", secret_fallback=True
    )
    qtbot.addWidget(dialog)
    assert "private file" in texts(dialog)


def test_connect_dialog_promises_the_keyring_only_where_there_is_one(qtbot) -> None:
    without = WelcomeDialog(connect_only=True, keyring=False)
    qtbot.addWidget(without)
    assert "keyring." not in texts(without)
    assert "a file only you can read" in texts(without)
    with_keyring = WelcomeDialog(connect_only=True, keyring=True)
    qtbot.addWidget(with_keyring)
    assert "keeps it in your system's keyring" in texts(with_keyring)


def test_log_levels_are_named_in_the_ui_language(qtbot, qapp) -> None:
    from bx24presence.qt import i18n

    i18n.install(qapp, "ru")
    try:
        dialog = SettingsDialog(
            Settings(), portal_label="", secret_storage="", secret_fallback=False
        )
        qtbot.addWidget(dialog)
        names = [dialog.log_level.itemText(i) for i in range(dialog.log_level.count())]
    finally:
        i18n.install(qapp, "en")
    assert names == ["Ошибки", "Предупреждения", "Информация", "Отладка"]
