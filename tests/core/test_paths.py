"""Tests for bx24presence.paths: directory overrides, lazy creation and atomic replacement."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from bx24presence import paths

ALL_ENV = (
    paths.ENV_HOME,
    paths.ENV_CONFIG_DIR,
    paths.ENV_CACHE_DIR,
    paths.ENV_LOG_DIR,
    paths.ENV_DATA_DIR,
)


@pytest.fixture
def no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_overrides")
def test_defaults_come_from_platformdirs() -> None:
    expected = platformdirs.PlatformDirs("bx24presence", appauthor=False)
    assert paths.config_dir() == expected.user_config_path
    assert paths.cache_dir() == expected.user_cache_path
    assert paths.log_dir() == expected.user_log_path
    assert paths.data_dir() == expected.user_data_path


@pytest.mark.usefixtures("no_overrides")
def test_home_puts_all_four_under_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path))
    assert paths.all_dirs() == {
        "config": tmp_path / "config",
        "cache": tmp_path / "cache",
        "log": tmp_path / "log",
        "data": tmp_path / "data",
    }


@pytest.mark.usefixtures("no_overrides")
def test_specific_override_beats_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "conf"))
    monkeypatch.setenv(paths.ENV_CACHE_DIR, str(tmp_path / "c"))
    monkeypatch.setenv(paths.ENV_LOG_DIR, str(tmp_path / "l"))
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "d"))
    assert paths.config_dir() == tmp_path / "conf"
    assert paths.cache_dir() == tmp_path / "c"
    assert paths.log_dir() == tmp_path / "l"
    assert paths.data_dir() == tmp_path / "d"


@pytest.mark.usefixtures("no_overrides")
def test_one_specific_override_leaves_the_others_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.setenv(paths.ENV_LOG_DIR, str(tmp_path / "logs"))
    assert paths.log_dir() == tmp_path / "logs"
    assert paths.config_dir() == tmp_path / "home" / "config"


@pytest.mark.usefixtures("no_overrides")
def test_empty_override_is_ignored_and_tilde_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(paths.ENV_HOME, "~/bx")
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, "  ")
    assert paths.config_dir() == tmp_path / "bx" / "config"


@pytest.mark.usefixtures("no_overrides")
def test_relative_override_becomes_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(paths.ENV_DATA_DIR, "rel")
    assert paths.data_dir() == tmp_path / "rel"
    assert paths.data_dir().is_absolute()


def test_getters_do_not_create_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    paths.all_dirs()
    assert not (tmp_path / "home").exists()


def test_ensure_dir_creates_private_directories(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert paths.ensure_dir(target) == target
    assert target.is_dir()
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) & 0o077 == 0
    paths.ensure_dir(target)  # existing: no error


def test_ensure_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(OSError, match="exists"):
        paths.ensure_dir(tmp_path / "f")


def test_importing_core_modules_touches_nothing_and_loads_no_qt(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "BX24PRESENCE_"))}
    env.update(HOME=str(home), BX24PRESENCE_HOME=str(tmp_path / "bx"))
    code = (
        "import sys, bx24presence.paths, bx24presence.settings, bx24presence.secrets\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert list(home.iterdir()) == []
    assert not (tmp_path / "bx").exists()


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_atomic_replaces_content_with_private_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")
    paths.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == []


def test_write_atomic_keeps_old_file_when_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")

    def disk_full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        paths.write_atomic(target, b"new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_write_atomic_keeps_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "settings.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "settings.json"
    link.symlink_to(real)
    paths.write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_text() == "new"
