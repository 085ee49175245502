"""First run and settings against the demo portal: the welcome dialog's connection test in
each failure mode, the settings dialog, the controller, and no secret on disk."""

from __future__ import annotations

import dataclasses
import http.server
import os
import ssl
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from bx24presence import paths
from bx24presence.diagnostics import export_diagnostics
from bx24presence.logconfig import setup_logging
from bx24presence.qt import i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.controller import Controller
from bx24presence.qt.dialogs.settings import SettingsDialog
from bx24presence.qt.dialogs.welcome import WelcomeDialog
from bx24presence.runoptions import RunOptions
from bx24presence.secrets import SecretStore
from bx24presence.settings import (
    Settings,
    SettingsStore,
    load_settings,
    save_settings,
    settings_path,
)


@pytest.fixture(autouse=True)
def _english(qapp):
    i18n.install(qapp, "en")


def test_connection(qtbot, url: str, *, allow_http: bool = False) -> WelcomeDialog:
    dialog = WelcomeDialog(connect_only=True)
    qtbot.addWidget(dialog)
    dialog.url_edit.setText(url)
    dialog.http_box.setChecked(allow_http)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=15000)
    return dialog


test_connection.__test__ = False  # a helper, not a test


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server with a self-signed certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_success_names_the_user_and_portal(qtbot, portal) -> None:
    d = test_connection(qtbot, portal.webhook_url)
    user = portal.user(1)
    assert d.check.ok
    assert (
        d.result_text
        == f"✔ Connected as {user.first_name} {user.last_name} to 127.0.0.1:{portal.port}."
    )
    assert d.ok_button.isEnabled()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda p: p.revoke(), "The webhook was rejected: its secret is wrong"),
        (
            lambda p: p.faults.fail("access-denied", 5),
            "REST access is not available on this portal's plan",
        ),
        (lambda p: p.faults.fail("503-limit", 20), "request limit was reached"),
        (lambda p: p.faults.fail("502-html", 20), "answered with an HTML page, HTTP 502"),
    ],
    ids=["revoked", "plan", "rate-limited", "html-proxy"],
)
def test_failure_modes_say_what_is_wrong(qtbot, portal, setup, expected) -> None:
    setup(portal)
    d = test_connection(qtbot, portal.webhook_url)
    assert not d.check.ok
    assert expected in d.result_text
    assert portal.secret not in d.result_text


def test_wrong_secret(qtbot, portal) -> None:
    d = test_connection(qtbot, portal.webhook_url.replace(portal.secret, "wrongsecret123"))
    assert "The webhook was rejected" in d.result_text


def test_missing_scope_is_named(qtbot, make_portal) -> None:
    portal = make_portal(scopes=("im",))
    d = test_connection(qtbot, portal.webhook_url)
    assert "lacks the 'user_brief' scope" in d.result_text


def test_no_such_host(qtbot) -> None:
    d = test_connection(qtbot, "https://no-such-portal.invalid/rest/1/abcdef123456/")
    assert "The host no-such-portal.invalid could not be found" in d.result_text
    assert d.check.kind == "no-host"


def test_not_https(qtbot) -> None:
    d = test_connection(qtbot, "http://intranet.example/rest/1/abcdef123456/")
    assert "plain http://" in d.result_text and d.check.kind == "not-https"


def test_not_a_webhook(qtbot) -> None:
    d = test_connection(qtbot, "https://acme.bitrix24.com/company/")
    assert "not a Bitrix24 webhook address" in d.result_text


def test_unreachable(qtbot, portal) -> None:
    url = portal.webhook_url
    portal.stop()
    d = test_connection(qtbot, url)
    assert "refused the connection" in d.result_text and d.check.kind == "unreachable"


def test_untrusted_certificate(qtbot, tls_server) -> None:
    d = test_connection(qtbot, f"{tls_server}/rest/1/abcdef123456/")
    assert "is not trusted" in d.result_text and d.check.kind == "certificate"


def test_demo_choice(qtbot) -> None:
    d = WelcomeDialog()
    qtbot.addWidget(d)
    qtbot.mouseClick(d.demo_button, Qt.MouseButton.LeftButton)
    assert d.choice == "demo" and d.result() == WelcomeDialog.DialogCode.Accepted


def test_connect_runs_the_test_then_accepts(qtbot, portal) -> None:
    d = WelcomeDialog()
    qtbot.addWidget(d)
    qtbot.mouseClick(d.connect_button, Qt.MouseButton.LeftButton)
    assert d.pages.currentIndex() == 1
    d.url_edit.setText(portal.webhook_url)
    assert d.url_edit.echoMode() == d.url_edit.EchoMode.Password, "the secret is masked"
    with qtbot.waitSignal(d.accepted, timeout=15000):
        qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
    assert d.choice == "webhook" and d.check.auth.secret == portal.secret


def test_settings_dialog_edits_a_copy(qtbot) -> None:
    forgets = []
    d = SettingsDialog(
        Settings(),
        portal_label="acme.bitrix24.com",
        secret_storage="the system keyring",
        secret_fallback=False,
        confirm=lambda q: True,
    )
    qtbot.addWidget(d)
    d.forget_portal_requested.connect(lambda: forgets.append(1))
    d.interval.setValue(5)  # below the minimum: clamped to 15
    d.window_min.setValue(30)
    d.theme.setCurrentIndex(d.theme.findData("dark"))
    d.language.setCurrentIndex(d.language.findData("ru"))
    d.notifications.setChecked(False)
    s = d.settings()
    assert (s.poll_interval_s, s.online_window_min, s.theme, s.language, s.notifications) == (
        15,
        30,
        "dark",
        "ru",
        False,
    )
    d.interval.setValue(2000)
    assert d.settings().poll_interval_s == 900
    qtbot.mouseClick(d.forget_button, Qt.MouseButton.LeftButton)
    assert forgets == [1]


@pytest.fixture
def run_args():
    return RunOptions(demo_users=40)


def test_corrupt_settings_are_kept_aside_and_the_app_starts(qtbot, qapp, portal, run_args):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    loaded = load_settings()
    assert loaded.notice and loaded.backup_path and loaded.backup_path.exists()
    run_args = dataclasses.replace(run_args, portal=portal.webhook_url)
    c = Controller(qapp, SettingsStore(loaded.settings, path=path), run_args)
    try:
        assert c.start()
        qtbot.waitUntil(
            lambda: c.session.model.rowCount() == len(portal.colleague_ids()), timeout=10000
        )
    finally:
        c.shutdown()
        c.session.window.close()


def test_a_failed_save_is_shown_and_the_old_file_kept(qtbot, qapp, portal, run_args, monkeypatch):
    save_settings(Settings(poll_interval_s=120))
    before = settings_path().read_bytes()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths, "write_atomic", full)
    run_args = dataclasses.replace(run_args, portal=portal.webhook_url)
    c = Controller(qapp, SettingsStore(Settings(), path=settings_path()), run_args)
    c.apply_settings(poll_interval_s=300)
    assert shown and "No space left on device" in shown[0]
    assert settings_path().read_bytes() == before
    c.shutdown()


def test_no_secret_on_disk_after_a_debug_run(
    qtbot, qapp, portal, run_args, monkeypatch, tmp_path
) -> None:
    monkeypatch.setattr(poller_module, "MIN_INTERVAL_S", 0)
    setup_logging("debug", log_file=paths.log_dir() / "bx24presence.log", console=False)
    SecretStore().set("webhook_url", portal.webhook_url)
    save_settings(
        Settings(
            portal_kind="webhook",
            portal_url_hint=f"http://127.0.0.1:{portal.port}",
            log_level="debug",
        )
    )
    settings = load_settings().settings
    c = Controller(qapp, SettingsStore(settings, path=settings_path()), run_args)
    try:
        assert c.start()
        session = c.session
        session.poller.set_interval(1)
        qtbot.waitUntil(
            lambda: session.model.rowCount() == len(portal.colleague_ids()), timeout=10000
        )
        qtbot.waitUntil(lambda: len(portal.log) >= 3, timeout=10000)  # a few refreshes
        qtbot.wait(1500)  # avatars
        zip_path = export_diagnostics(
            tmp_path / "diag.zip",
            settings=c.settings,
            log_dir=paths.log_dir(),
            secrets=[portal.secret],
        )
    finally:
        c.shutdown()
        c.session.window.close()
        setup_logging("warning", console=False)
    secret = portal.secret.encode()
    home = Path(os.environ["BX24PRESENCE_HOME"])
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".log") for p in files), "the debug log was written"
    log_text = (paths.log_dir() / "bx24presence.log").read_text()
    assert "batch" in log_text and "/rest/1/***/" in log_text
    for p in files:
        assert secret not in p.read_bytes(), p
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            assert secret not in zf.read(name), name
