"""state.json: its own loader, a corrupt file set aside without touching settings, values
taken over once from an older settings.json, atomic saves."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bx24presence import paths
from bx24presence.settings import Settings, load_settings, save_settings
from bx24presence.state import State, StateStore, load_state, save_state, state_path


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "state.json"


def test_missing_file_gives_defaults(path: Path) -> None:
    loaded = load_state(path)
    assert loaded.state == State() and loaded.notice is None and loaded.backup_path is None


def test_state_sits_beside_the_settings() -> None:
    assert state_path().parent == paths.config_dir()
    assert state_path().name == "state.json"


def test_round_trip(path: Path) -> None:
    state = State(window_geometry="AdnQywADAAA=", quick_filter="vacation", tray_notice_shown=True)
    save_state(state, path)
    assert load_state(path).state == state
    assert json.loads(path.read_text())["version"] == 1


@pytest.mark.parametrize(
    "data", [b"", b"{", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 100_000], ids=repr
)
def test_a_corrupt_file_is_set_aside_and_no_setting_is_lost(tmp_path: Path, data: bytes) -> None:
    settings_file = tmp_path / "settings.json"
    save_settings(Settings(theme="dark", watched=(4,)), settings_file)
    path = tmp_path / "state.json"
    path.write_bytes(data)
    loaded = load_state(path, clock=lambda: datetime(2026, 1, 2, 3, 4, 5))
    assert loaded.state == State()
    assert loaded.backup_path == tmp_path / "state.json.corrupt-20260102-030405"
    assert loaded.backup_path.read_bytes() == data
    assert loaded.notice and "state.json.corrupt-20260102-030405" in loaded.notice
    settings = load_settings(settings_file).settings
    assert (settings.theme, settings.watched) == ("dark", (4,))


def test_bad_values_fall_back_one_by_one(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "window_geometry": "not base64!",
                "quick_filter": "x" * 100,
                "tray_notice_shown": True,
                "https://x.bitrix24.ru/rest/1/abcdef0123456789/": 1,
                "splitter_state": "https://x.bitrix24.ru/rest/1/abcdef0123456789/",
            }
        )
    )
    state = load_state(path).state
    assert state == State(tray_notice_shown=True)


def test_values_of_an_older_settings_file_are_taken_over_once(tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(
        json.dumps({"theme": "dark", "quick_filter": "birthdays", "hidden_to_tray_notice_shown": 1})
    )
    loaded = load_settings(settings_file)
    path = tmp_path / "state.json"
    store, _ = StateStore.open(path, legacy=loaded.moved)
    assert store.current.quick_filter == "birthdays" and store.current.tray_notice_shown
    store.update(quick_filter="available")
    save_settings(loaded.settings, settings_file)  # the next save drops them from settings
    again = load_settings(settings_file)
    assert dict(again.moved) == {} and again.settings.theme == "dark"
    assert load_state(path, legacy=again.moved).state.quick_filter == "available"


def test_the_state_file_wins_over_old_settings(path: Path) -> None:
    save_state(State(quick_filter="vacation"), path)
    assert load_state(path, legacy={"quick_filter": "birthdays"}).state.quick_filter == "vacation"


def test_a_failed_save_keeps_the_value_and_the_old_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path=path)
    store.update(quick_filter="vacation")
    before = path.read_bytes()

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths, "write_atomic", full)
    assert store.update(tray_notice_shown=True)
    assert store.current.tray_notice_shown
    assert path.read_bytes() == before
    with pytest.raises(TypeError):
        store.update(colour="red")
    with pytest.raises(ValueError, match="quick_filter"):
        store.update(quick_filter="")
