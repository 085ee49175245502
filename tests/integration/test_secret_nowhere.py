"""A debug-level run of the window through a storm of portal faults, a crash and a revoked
webhook: afterwards the secret is nowhere (files, diagnostics, window titles, texts on screen,
the crash report, the process's arguments)."""

from __future__ import annotations

import os
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from bx24presence import paths
from bx24presence.diagnostics import export_diagnostics
from bx24presence.logconfig import setup_logging
from bx24presence.qt import crash, i18n
from bx24presence.qt import poller as poller_module
from bx24presence.qt.controller import Controller
from bx24presence.runoptions import RunOptions
from bx24presence.secrets import SecretStore
from bx24presence.settings import (
    Settings,
    SettingsStore,
    load_settings,
    save_settings,
    settings_path,
)

FAULTS = ["500", "502-html", "truncated", "503-limit", "not-json", "429"]


@pytest.fixture(autouse=True)
def _english(qapp):
    i18n.install(qapp, "en")


def _texts_on_screen() -> list[str]:
    """Every window title, label, tooltip and accessible text of every widget there is."""
    texts: list[str] = []
    for w in QApplication.allWidgets():
        texts += [w.windowTitle(), w.toolTip(), w.accessibleName(), w.accessibleDescription()]
        if isinstance(w, QLabel):
            texts.append(w.text())
        text = getattr(w, "text", None)
        if callable(text):
            try:
                value = text()
            except TypeError:
                continue
            if isinstance(value, str):
                texts.append(value)
    return texts


def test_a_debug_run_through_faults_leaves_the_secret_nowhere(
    qtbot, qapp, portal, monkeypatch, tmp_path
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
    reports: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(crash, "_relay", None)
    monkeypatch.setattr(crash, "show_crash_dialog", reports.append)
    crash.install_excepthook()
    c = Controller(
        qapp,
        SettingsStore(load_settings().settings, path=settings_path()),
        RunOptions(demo_users=40),
    )
    secret = portal.secret
    seen_on_screen: list[str] = []
    try:
        assert c.start()
        session = c.session
        session.poller.set_interval(1)
        qtbot.waitUntil(
            lambda: session.model.rowCount() == len(portal.colleague_ids()), timeout=15000
        )
        portal.faults.every(2, FAULTS)  # every other request fails, each kind in turn
        qtbot.waitUntil(lambda: portal.faults.injected >= len(FAULTS), timeout=30000)
        seen_on_screen += _texts_on_screen()
        portal.faults.every(0, [])

        # An unexpected error in a worker thread whose text holds the webhook, as a careless
        # library might word it: logged and shown in the crash dialog.
        def careless() -> None:
            raise RuntimeError(f"cannot POST {portal.webhook_url}batch.json")

        worker = threading.Thread(target=careless, name="careless")
        worker.start()
        worker.join(10)
        qtbot.waitUntil(lambda: bool(reports), timeout=5000)
        # The webhook is revoked mid-run: polling stops, a banner says so.
        portal.faults.fail("access-denied", count=10)
        qtbot.wait(3000)
        seen_on_screen += _texts_on_screen()
        zip_path = export_diagnostics(
            tmp_path / "diag.zip",
            settings=c.settings,
            log_dir=paths.log_dir(),
            secrets=[secret],
        )
    finally:
        c.shutdown()
        for w in QApplication.topLevelWidgets():
            w.close()
        setup_logging("warning", console=False)

    assert reports and "cannot POST" in reports[0] and "***" in reports[0]
    for report in reports:
        assert secret not in report
    assert seen_on_screen
    for text in seen_on_screen:
        assert secret not in text, text
    home = Path(os.environ["BX24PRESENCE_HOME"])
    files = [p for p in home.rglob("*") if p.is_file()]
    log_text = (paths.log_dir() / "bx24presence.log").read_text()
    assert "/rest/1/***/" in log_text
    for p in files:
        assert secret.encode() not in p.read_bytes(), p
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            assert secret.encode() not in zf.read(name), name
    if Path("/proc/self/cmdline").exists():
        assert secret.encode() not in Path("/proc/self/cmdline").read_bytes()
