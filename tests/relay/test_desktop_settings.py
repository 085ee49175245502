"""Settings → "Office relay": the address and user saved (never a password), the password in
the keyring, the dialog refusing what cannot be saved, and a session window that follows the
relay configured there, says so, and polls its portal again when the relay is removed."""

from __future__ import annotations

import re

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.reasons import Failure, Reason
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.dialogs.relaygroup import problem_text, store_relay_password
from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.relayfeed import RelayMode, _relay_says
from bx24presence.qt.session import PortalChoice, Session
from bx24presence.relay.address import ENV_REDIS_PASSWORD, portal_host
from bx24presence.relay.source import AddressProblem, address_problem
from bx24presence.secrets import REDIS_PASSWORD, SecretStore
from bx24presence.settings import Settings, SettingsStore, load_settings, save_settings
from bx24presence.state import StateStore
from tests.relay.conftest import DESKTOP_PASSWORD, wait_for

ADDRESS = "rediss://redis.office.example:6380/0"


def test_the_relay_settings_are_saved_and_never_hold_a_password(tmp_path) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(relay_url=ADDRESS, relay_user="bx24-desktop"), path)
    loaded = load_settings(path).settings
    assert (loaded.relay_url, loaded.relay_user) == (ADDRESS, "bx24-desktop")
    with pytest.raises(ValueError, match="secret store"):
        Settings(relay_url="rediss://bx24-desktop:hunter2@redis.office.example/0")
    with pytest.raises(ValueError):
        Settings(relay_user="me@office")
    # A file holding one (edited by hand) loses that value, not the rest, nor the password.
    path.write_text(
        '{"relay_url": "rediss://u:hunter2@h/0", "relay_user": "bx24-desktop",'
        ' "poll_interval_s": 30}'
    )
    loaded = load_settings(path).settings
    assert loaded.relay_url == "" and loaded.relay_user == "bx24-desktop"
    assert loaded.poll_interval_s == 30 and "hunter2" not in repr(loaded)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", None),
        (ADDRESS + "?portal=company.bitrix24.ru", None),
        ("redis://127.0.0.1:6379/0", None),
        ("https://redis.office.example", AddressProblem.SCHEME),
        ("rediss:///0", AddressProblem.NO_HOST),
        ("rediss://u:secret@redis.office.example/0", AddressProblem.PASSWORD),
        ("redis://redis.office.example/0", AddressProblem.PLAIN),
        ("rediss://redis.office.example/0?ca=/no/such/file.pem", AddressProblem.NO_CA_FILE),
        ("rediss://redis.office.example/zero", AddressProblem.INVALID),
        ("rediss://redis.office.example:99999/0", AddressProblem.INVALID),
    ],
)
def test_what_a_person_types_as_the_address_is_checked(text, problem) -> None:
    assert address_problem(text) is problem


def _dialog(qtbot, settings: Settings, **kw) -> SettingsDialog:
    dialog = SettingsDialog(
        settings, portal_label="x.bitrix24.ru", secret_storage="memory", secret_fallback=False, **kw
    )
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_edits_the_relay_and_refuses_an_address_it_cannot_save(qtbot) -> None:
    dialog = _dialog(qtbot, Settings(), relay_password_stored=True)
    group = dialog.relay
    assert group.title() == "Office relay" and "keyring" in group.password_field.placeholderText()
    assert group.address.accessibleName() and group.password_field.accessibleName()
    group.address.setText("rediss://me:hunter2@redis.office.example/0")
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert group.error.text() == problem_text(AddressProblem.PASSWORD)
    assert not group.error.isHidden()
    group.address.setText(ADDRESS)
    group.user.setText("bx24-desktop")
    group.password_field.setText("s3cret")
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert dialog.changes()["relay_url"] == ADDRESS
    assert dialog.changes()["relay_user"] == "bx24-desktop"
    assert group.password() == "s3cret"
    assert "s3cret" not in repr(dialog.changes())


def test_the_dialog_speaks_russian(qtbot, qapp) -> None:
    i18n.install(qapp, "ru")
    try:
        dialog = _dialog(qtbot, Settings())
        assert dialog.relay.title() == "Офисный ретранслятор"
        assert problem_text(AddressProblem.PLAIN).startswith("Обычный redis://")
    finally:
        i18n.install(qapp, "en")


def test_the_password_is_kept_in_the_keyring_and_forgotten_with_the_relay() -> None:
    secrets = SecretStore()
    assert not store_relay_password(secrets, None, ADDRESS)  # nothing typed: kept as it is
    assert store_relay_password(secrets, "s3cret", ADDRESS)
    assert secrets.get(REDIS_PASSWORD) == "s3cret"
    assert not store_relay_password(secrets, None, ADDRESS)
    assert store_relay_password(secrets, None, "")  # no relay any more: no password kept
    assert secrets.get(REDIS_PASSWORD) is None


def test_a_session_follows_the_relay_of_its_settings_and_the_status_bar_says_so(
    qtbot, qapp, portal, start_relay, make_portal, redis_server, monkeypatch
) -> None:
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    i18n.install(qapp, "en")
    SecretStore().set(REDIS_PASSWORD, DESKTOP_PASSWORD)  # as the dialog leaves it
    monkeypatch.delenv(ENV_REDIS_PASSWORD, raising=False)
    relay = start_relay()
    wait_for(lambda: relay.service.polls >= 1)
    own = make_portal(users=40)  # the user's own webhook: the same company
    url = redis_server.url("bx24-desktop", portal=portal_host(portal.base_url))
    store = SettingsStore(Settings(poll_interval_s=15, relay_url=url, relay_user="bx24-desktop"))
    choice = PortalChoice.from_auth(parse_webhook_url(own.webhook_url))
    session = Session(qapp, store, choice, state=StateStore())
    session.poller.set_interval(1)
    try:
        session.start()
        qtbot.waitUntil(lambda: session.model.rowCount() == 40, timeout=10000)
        indicator = session.relay_indicator
        qtbot.waitUntil(lambda: indicator.text() == "Via the office relay", timeout=5000)
        assert indicator.isVisibleTo(session.window)
        assert own.request_count == 0
        # The relay removed in Settings: the desktop polls its own portal again.
        store.update(relay_url="")
        qtbot.waitUntil(lambda: own.request_count > 0, timeout=10000)
        qtbot.waitUntil(lambda: session.poller.relay.mode is RelayMode.OFF, timeout=5000)
        qtbot.waitUntil(indicator.isHidden, timeout=5000)
    finally:
        session.shutdown()
        session.window.close()
    assert not session.poller_thread.is_running()


def test_a_stale_relay_is_explained_in_the_users_language(qapp) -> None:
    """The relay's heartbeat carries its failure as a value: a Russian desktop says it in
    Russian, not the relay's English; an older relay's bare message is still shown."""
    failure = Failure(Reason.TIMEOUT, host="company.bitrix24.ru", seconds=60.0)
    english = "The portal company.bitrix24.ru did not answer within 60 s"
    i18n.install(qapp, "ru")
    try:
        said = _relay_says("timeout", english, failure)
        assert "did not answer" not in said and "60" in said
        assert re.search("[а-я]{4}", said.split("(", 1)[1]), said
        assert "did not answer" in _relay_says("timeout", english, None)
    finally:
        i18n.install(qapp, "en")
    assert "company.bitrix24.ru" in _relay_says("timeout", english, failure)
