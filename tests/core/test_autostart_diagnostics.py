"""Start at login on each platform, and the diagnostics zip without secrets."""

from __future__ import annotations

import logging
import os
import plistlib
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bx24presence import autostart
from bx24presence.diagnostics import export_diagnostics, versions_text
from bx24presence.logconfig import register_secret, setup_logging
from bx24presence.settings import Settings


def test_xdg_autostart(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert not autostart.is_start_at_login(platform="linux")
    autostart.set_start_at_login(True, platform="linux")
    entry = tmp_path / "autostart" / "bx24presence.desktop"
    text = entry.read_text()
    assert "[Desktop Entry]" in text and "Exec=" in text and "Type=Application" in text
    assert autostart.is_start_at_login(platform="linux")
    autostart.set_start_at_login(False, platform="linux")
    assert not entry.exists()
    autostart.set_start_at_login(False, platform="linux")  # twice is fine


def test_launch_agent(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    autostart.set_start_at_login(True, platform="darwin")
    plist = plistlib.loads(autostart.launch_agent_path().read_bytes())
    assert plist["RunAtLoad"] is True and plist["ProgramArguments"]
    assert autostart.is_start_at_login(platform="darwin")
    autostart.set_start_at_login(False, platform="darwin")
    assert not autostart.is_start_at_login(platform="darwin")


class FakeWinreg:
    """Enough of winreg for the Run key."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    class _Key:
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    def CreateKey(self, root, path):
        assert path == autostart.RUN_KEY
        return self._Key()

    def OpenKey(self, root, path):
        return self._Key()

    def SetValueEx(self, key, name, reserved, kind, value):
        self.values[name] = value

    def DeleteValue(self, key, name):
        if name not in self.values:
            raise FileNotFoundError(name)
        del self.values[name]

    def QueryValueEx(self, key, name):
        if name not in self.values:
            raise FileNotFoundError(name)
        return self.values[name], self.REG_SZ


def test_windows_run_key() -> None:
    reg = FakeWinreg()
    autostart.set_start_at_login(True, platform="win32", winreg_module=reg)
    assert "bx24presence" in reg.values
    assert autostart.is_start_at_login(platform="win32", winreg_module=reg)
    autostart.set_start_at_login(False, platform="win32", winreg_module=reg)
    assert not autostart.is_start_at_login(platform="win32", winreg_module=reg)


def test_diagnostics_zip_has_no_secret(tmp_path) -> None:
    secret = "s3cr3tWebhookCode42"
    register_secret(secret)
    logs = tmp_path / "log"
    logs.mkdir()
    (logs / "bx24presence.log").write_text(
        f"POST https://acme.bitrix24.com/rest/1/{secret}/batch.json -> 200\n"
        f"oops {secret} leaked raw\nBearer abc.def\n"
    )
    out = export_diagnostics(
        tmp_path / "diag.zip",
        settings=Settings(portal_url_hint="https://acme.bitrix24.com"),
        log_dir=logs,
        secrets=[secret],
        qt_version="6.11.3",
    )
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"versions.txt", "settings.json", "logs/bx24presence.log"} <= names
        for name in names:
            text = zf.read(name).decode()
            assert secret not in text, name
            assert "abc.def" not in text
        assert "Qt 6.11.3" in zf.read("versions.txt").decode()


def test_versions_text() -> None:
    text = versions_text()
    assert text.startswith("bx24presence ") and "Python" in text


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_disable_when_never_enabled(tmp_path, monkeypatch, platform) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    autostart.set_start_at_login(False, platform=platform)
    assert not autostart.is_start_at_login(platform=platform)


# -- what starts at login -----------------------------------------------------------------


def _launcher(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_bundle_starts_its_own_executable(tmp_path) -> None:
    exe = tmp_path / "dist" / "bx24presence" / "bx24presence"
    command = autostart.launch_command(frozen=True, executable=str(exe), which=lambda _n: None)
    assert command == [str(exe)]


def test_launcher_beside_the_running_python_wins_over_path(tmp_path) -> None:
    """A pipx install starts its own launcher even when a development venv is on PATH."""
    pipx_bin = tmp_path / "pipx" / "venvs" / "bx24presence" / "bin"
    gui = _launcher(pipx_bin, "bx24presence-gui")
    dev = tmp_path / "src" / ".venv" / "bin" / "bx24presence-gui"
    command = autostart.launch_command(
        frozen=False,
        executable=str(pipx_bin / "python"),
        platform="linux",
        which=lambda _n: str(dev),
    )
    assert command == [str(gui)]


def test_launcher_on_path_when_none_beside_python(tmp_path) -> None:
    found = str(tmp_path / "bin" / "bx24presence-gui")
    command = autostart.launch_command(
        frozen=False,
        executable=str(tmp_path / "python" / "bin" / "python3"),
        platform="linux",
        which=lambda name: found if name == "bx24presence-gui" else None,
    )
    assert command == [found]


def test_windows_launcher_has_exe_suffix(tmp_path) -> None:
    scripts = tmp_path / "venv" / "Scripts"
    gui = _launcher(scripts, "bx24presence-gui.exe")
    command = autostart.launch_command(
        frozen=False,
        executable=str(scripts / "python.exe"),
        platform="win32",
        which=lambda _n: None,
    )
    assert command == [str(gui)]


def test_python_module_only_as_last_resort(tmp_path) -> None:
    python = str(tmp_path / "bin" / "python3")
    command = autostart.launch_command(
        frozen=False, executable=python, platform="linux", which=lambda _n: None
    )
    assert command == [python, "-m", "bx24presence"]


def test_enabled_entry_runs_the_bundle_with_spaces_in_its_path(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    exe = tmp_path / "My Apps" / "bx24presence" / "bx24presence"
    monkeypatch.setattr(autostart.sys, "frozen", True, raising=False)
    monkeypatch.setattr(autostart.sys, "executable", str(exe))
    autostart.set_start_at_login(True, platform="linux")
    text = autostart.xdg_autostart_path().read_text()
    assert f'Exec="{exe}"\n' in text
    assert "Icon=io.github.bx24presence.bx24presence\n" in text


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/opt/bx/bx24presence", "/opt/bx/bx24presence"),
        ("/home/a b/bx", '"/home/a b/bx"'),
        ('a"b', '"a\\"b"'),
        ("a$b`c", '"a\\$b\\`c"'),
        ("100%", "100%%"),
        ("", '""'),
    ],
)
def test_desktop_exec_quoting(arg: str, quoted: str) -> None:
    assert autostart.desktop_exec_arg(arg) == quoted


# --- private files ---------------------------------------------------------------------------


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    setup_logging("warning", console=False)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_the_log_is_private_whatever_the_umask(tmp_path, restore_logging, mask: int) -> None:
    log_file = tmp_path / "state" / "log" / "bx24presence.log"
    with umask(mask):
        setup_logging("info", log_file=log_file, console=False)
        logging.getLogger("test").warning("a line")
        handler = next(h for h in logging.getLogger().handlers if hasattr(h, "doRollover"))
        handler.doRollover()
        logging.getLogger("test").warning("another line")
    assert mode(log_file.parent) == 0o700
    assert mode(log_file) == 0o600
    assert mode(log_file.with_name("bx24presence.log.1")) == 0o600


def test_an_older_readable_log_and_folder_are_made_private(tmp_path, restore_logging) -> None:
    folder = tmp_path / "log"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    for name in ("bx24presence.log", "bx24presence.log.1"):
        (folder / name).write_text("old\n")
        (folder / name).chmod(0o644)
    setup_logging("info", log_file=folder / "bx24presence.log", console=False)
    assert mode(folder) == 0o700
    assert mode(folder / "bx24presence.log") == 0o600
    assert mode(folder / "bx24presence.log.1") == 0o600


def test_a_shared_folder_chosen_for_the_log_keeps_its_mode(tmp_path, restore_logging) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    (folder / "someone-elses.txt").write_text("x")
    setup_logging("info", log_file=folder / "bx24presence.log", console=False)
    assert mode(folder) == 0o755, "a folder the user chose is not locked"
    assert mode(folder / "bx24presence.log") == 0o600
    assert mode(folder / "someone-elses.txt") != 0o600


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_the_diagnostics_zip_is_private(tmp_path, mask: int) -> None:
    target = tmp_path / "new" / "folder" / "diag.zip"
    with umask(mask):
        export_diagnostics(target, settings=Settings(), log_dir=tmp_path / "none")
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    assert zipfile.ZipFile(target).testzip() is None


def test_an_older_readable_zip_is_replaced_by_a_private_one(tmp_path) -> None:
    target = tmp_path / "diag.zip"
    target.write_bytes(b"old")
    target.chmod(0o644)
    with umask(0):
        export_diagnostics(target, settings=Settings(), log_dir=tmp_path)
    assert mode(target) == 0o600


def test_a_failed_export_leaves_no_partial_zip(tmp_path, monkeypatch) -> None:
    target = tmp_path / "diag.zip"
    target.write_bytes(b"previous")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        export_diagnostics(target, settings=Settings(), log_dir=tmp_path / "none")
    monkeypatch.undo()
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diag.zip"]
