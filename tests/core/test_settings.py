"""Tests for bx24presence.settings: tolerant loading, atomic saving, overrides and reset."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bx24presence import paths
from bx24presence.settings import (
    SCHEMA_VERSION,
    LoadResult,
    NotifyRule,
    SecretInSettingsError,
    Settings,
    SettingsChange,
    SettingsSaveError,
    SettingsStore,
    load_settings,
    portal_hint_from_url,
    reset_settings,
    save_settings,
    settings_path,
)

WEBHOOK = "https://example.bitrix24.ru/rest/1/abcdef0123456789/"
FIXED_NOW = datetime(2025, 3, 4, 5, 6, 7)


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --- defaults and round trips ----------------------------------------------------------------


def test_missing_file_gives_defaults_without_notice(path: Path) -> None:
    result = load_settings(path)
    assert result == LoadResult(Settings(), None, None)
    assert not path.parent.exists()


def test_defaults() -> None:
    s = Settings()
    assert s.schema_version == SCHEMA_VERSION == 1
    assert (s.portal_url_hint, s.portal_kind, s.allow_http) == ("", "", False)
    assert (s.poll_interval_s, s.online_window_min) == (60, 15)
    assert (s.notifications, s.start_minimised, s.start_at_login) == (True, False, False)
    assert (s.theme, s.language, s.log_level) == ("system", "system", "warning")
    assert s.watched == ()
    assert dict(s.notify) == {}
    assert not hasattr(s, "window_geometry"), "window state is not a setting"


def test_default_path_is_in_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "cfg"))
    assert settings_path() == tmp_path / "cfg" / "settings.json"
    save_settings(Settings(theme="dark"))
    assert load_settings().settings.theme == "dark"


def test_save_then_load_round_trips(path: Path) -> None:
    original = Settings(
        portal_url_hint="https://example.bitrix24.ru",
        portal_kind="webhook",
        allow_http=True,
        poll_interval_s=120,
        online_window_min=30,
        notifications=False,
        start_minimised=True,
        start_at_login=True,
        theme="dark",
        language="ru",
        log_level="debug",
        watched=(5, 3, 9),
        notify={"5": NotifyRule("always", True, "2025-03-04T05:06:07+03:00")},
    )
    save_settings(original, path)
    result = load_settings(path)
    assert result.notice is None
    assert result.settings == original


def test_saved_file_is_readable_json(path: Path) -> None:
    save_settings(Settings(watched=(2, 1)), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    assert document["watched"] == [2, 1]
    assert document["notify"] == {}
    assert "extra" not in document
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert leftovers(path.parent) == []


def test_settings_are_frozen_and_updated_with_replace() -> None:
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.theme = "dark"  # type: ignore[misc]
    changed = dataclasses.replace(s, theme="dark", watched=[4, 4, 2])
    assert (changed.theme, changed.watched) == ("dark", (4, 2))
    assert s.theme == "system"
    with pytest.raises(TypeError):
        changed.notify["1"] = NotifyRule()  # type: ignore[index]


def test_construction_normalises_and_rejects() -> None:
    s = Settings(poll_interval_s=1, online_window_min=5000, theme="DARK")  # type: ignore[arg-type]
    assert (s.poll_interval_s, s.online_window_min, s.theme) == (15, 1440, "dark")
    with pytest.raises(ValueError, match="theme"):
        Settings(theme="purple")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="poll_interval_s"):
        Settings(poll_interval_s="often")  # type: ignore[arg-type]


def test_portal_hint_keeps_scheme_and_host_only() -> None:
    assert portal_hint_from_url(WEBHOOK) == "https://example.bitrix24.ru"
    assert (
        portal_hint_from_url("http://user:pw@Portal.Local:8080/x?y") == "http://portal.local:8080"
    )
    assert portal_hint_from_url("") == ""
    assert Settings(portal_url_hint=WEBHOOK).portal_url_hint == "https://example.bitrix24.ru"
    with pytest.raises(ValueError):
        portal_hint_from_url("ftp://example.com")


# --- corrupt files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[1, 2, 3]", b'"text"', b"null", b"\xff\xfe\x00garbage", b"[" * 100000],
    ids=["invalid", "empty", "list", "string", "null", "not-utf8", "deeply-nested"],
)
def test_corrupt_file_is_kept_aside_and_defaults_are_used(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = load_settings(path, clock=fixed_clock)
    backup = path.with_name("settings.json.corrupt-20250304-050607")
    assert result.settings == Settings()
    assert result.backup_path == backup
    assert result.notice == (
        "Your settings file could not be read; it was kept as "
        "settings.json.corrupt-20250304-050607 and defaults are used."
    )
    assert backup.read_bytes() == content
    assert not path.exists()


def test_backup_name_is_unique(path: Path) -> None:
    taken = path.with_name("settings.json.corrupt-20250304-050607")
    path.parent.mkdir(parents=True)
    taken.write_text("earlier")
    path.write_text("{")
    first = load_settings(path, clock=fixed_clock)
    path.write_text("{{")
    second = load_settings(path, clock=fixed_clock)
    assert first.backup_path == path.with_name("settings.json.corrupt-20250304-050607-1")
    assert second.backup_path == path.with_name("settings.json.corrupt-20250304-050607-2")
    assert taken.read_text() == "earlier"
    assert first.backup_path.read_text() == "{"
    assert second.backup_path.read_text() == "{{"


def test_unreadable_file_is_kept_aside(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_json(path, {"theme": "dark"})
    original_read = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == path:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return original_read(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = load_settings(path, clock=fixed_clock)
    assert result.settings == Settings()
    assert result.notice is not None
    assert result.backup_path is not None
    assert result.backup_path.exists()


def test_a_directory_in_place_of_the_file_is_moved_aside(path: Path) -> None:
    path.mkdir(parents=True)
    result = load_settings(path, clock=fixed_clock)
    assert result.settings == Settings()
    assert result.backup_path is not None
    assert result.backup_path.is_dir()


def test_corrupt_file_that_cannot_be_moved_still_gives_defaults(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("{")

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", refuse)
    result = load_settings(path)
    assert result.settings == Settings()
    assert result.backup_path is None
    assert result.notice == "Your settings file could not be read, so defaults are used."


# --- individual values -----------------------------------------------------------------------


def test_a_wrong_typed_field_is_replaced_alone(path: Path) -> None:
    write_json(
        path,
        {
            "schema_version": 1,
            "poll_interval_s": "often",
            "notifications": "maybe",
            "theme": "dark",
            "watched": [3, 1],
            "language": "ru",
        },
    )
    result = load_settings(path)
    assert result.notice is None
    assert result.backup_path is None
    s = result.settings
    assert s.poll_interval_s == 60
    assert s.notifications is True
    assert (s.theme, s.watched, s.language) == ("dark", (3, 1), "ru")
    assert path.exists()


@pytest.mark.parametrize(
    ("key", "stored", "expected"),
    [
        ("poll_interval_s", 5, 15),
        ("poll_interval_s", 100000, 900),
        ("poll_interval_s", 30.4, 30),
        ("poll_interval_s", "45", 45),
        ("poll_interval_s", True, 60),
        ("poll_interval_s", None, 60),
        ("online_window_min", 0, 1),
        ("online_window_min", 2000, 1440),
        ("online_window_min", float("nan"), 15),
        ("theme", "Light", "light"),
        ("theme", "blue", "system"),
        ("language", "de", "system"),
        ("log_level", "ERROR", "error"),
        ("log_level", "verbose", "warning"),
        ("portal_kind", "oauth", ""),
        ("portal_kind", "demo", "demo"),
        ("allow_http", 1, True),
        ("allow_http", "yes", True),
        ("allow_http", 2, False),
        ("portal_url_hint", "not a url", ""),
        ("portal_url_hint", "https://Example.com/path", "https://example.com"),
        ("watched", "1,2", ()),
        ("watched", [1, 2, 2, "3", -1, 0, True, "x", 4.0, 5.5, None, 1], (1, 2, 3, 4)),
        ("notify", ["5"], {}),
    ],
)
def test_bad_values_become_defaults_or_are_clamped(
    path: Path, key: str, stored: Any, expected: Any
) -> None:
    write_json(
        path,
        {"schema_version": 1, key: stored, "theme": "dark"} if key != "theme" else {key: stored},
    )
    result = load_settings(path)
    assert result.notice is None
    value = getattr(result.settings, key)
    assert (dict(value) if key == "notify" else value) == expected
    if key != "theme":
        assert result.settings.theme == "dark"


def test_notify_rules_are_checked_one_by_one(path: Path) -> None:
    write_json(
        path,
        {
            "notify": {
                "5": {"mode": "always", "until_end_of_day": True, "since": "2025-03-04T05:06:07"},
                "6": {"mode": "sometimes", "until_end_of_day": "no", "since": "yesterday"},
                "x": {"mode": "once"},
                "7": "always",
                "-3": {"mode": "once"},
                "8": {},
            }
        },
    )
    notify = load_settings(path).settings.notify
    assert dict(notify) == {
        "5": NotifyRule("always", True, "2025-03-04T05:06:07"),
        "6": NotifyRule("once", False, ""),
        "8": NotifyRule(),
    }


# --- forward compatibility -------------------------------------------------------------------


def test_unknown_keys_survive_a_load_and_save(path: Path) -> None:
    future = {
        "schema_version": 1,
        "theme": "dark",
        "favourite_colour": "teal",
        "columns": {"order": ["name", "status"], "widths": [120, 80]},
        "beta": None,
    }
    write_json(path, future)
    loaded = load_settings(path).settings
    save_settings(dataclasses.replace(loaded, poll_interval_s=90), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["favourite_colour"] == "teal"
    assert document["columns"] == {"order": ["name", "status"], "widths": [120, 80]}
    assert document["beta"] is None
    assert document["theme"] == "dark"
    assert document["poll_interval_s"] == 90


def test_a_newer_schema_loads_what_it_understands_and_keeps_its_version(path: Path) -> None:
    write_json(
        path,
        {"schema_version": 7, "theme": "light", "watched": [4], "sync": {"mode": "push"}},
    )
    result = load_settings(path)
    assert result.notice is None
    s = result.settings
    assert (s.schema_version, s.theme, s.watched) == (7, "light", (4,))
    save_settings(s, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["schema_version"] == 7
    assert document["sync"] == {"mode": "push"}


@pytest.mark.parametrize("stored", [None, "two", 0, -5])
def test_missing_or_bad_schema_version_reads_as_current(path: Path, stored: Any) -> None:
    document = {"theme": "dark"} if stored is None else {"schema_version": stored, "theme": "dark"}
    write_json(path, document)
    s = load_settings(path).settings
    assert (s.schema_version, s.theme) == (SCHEMA_VERSION, "dark")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
setting_names = st.sampled_from(
    [f.name for f in dataclasses.fields(Settings)] + ["notify", "watched", "other"]
)


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=st.dictionaries(setting_names, json_values, max_size=8))
def test_any_object_loads_without_error_and_saves_back(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = load_settings(path)
    assert isinstance(result.settings, Settings)
    assert result.notice is None
    save_settings(result.settings, path)
    assert load_settings(path).settings == result.settings


# --- atomic saving ---------------------------------------------------------------------------


def test_a_crash_before_replace_leaves_the_old_file_whole(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(theme="dark"), path)
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SettingsSaveError):
        save_settings(Settings(theme="light"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []
    assert load_settings(path).settings.theme == "dark"


def test_disk_full_keeps_the_old_file_and_says_why(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(theme="dark"), path)
    before = path.read_bytes()

    def disk_full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(SettingsSaveError) as caught:
        save_settings(Settings(theme="light"), path)
    monkeypatch.undo()
    error = caught.value
    assert isinstance(error, OSError)
    assert error.errno == errno.ENOSPC
    assert str(error) == "Could not save settings: No space left on device"
    assert error.path == path
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_save_into_an_unusable_directory_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a directory should be")
    with pytest.raises(SettingsSaveError, match=r"^Could not save settings: "):
        save_settings(Settings(), tmp_path / "blocker" / "settings.json")


# --- no secrets in settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings_value",
    [
        Settings(extra={"note": f"see {WEBHOOK}"}),
        Settings(extra={"nested": {"list": ["x", WEBHOOK]}}),
    ],
    ids=["extra", "nested"],
)
def test_saving_a_webhook_url_is_refused(path: Path, settings_value: Settings) -> None:
    save_settings(Settings(theme="dark"), path)
    before = path.read_bytes()
    with pytest.raises(SecretInSettingsError) as caught:
        save_settings(settings_value, path)
    assert "abcdef0123456789" not in str(caught.value)
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_a_webhook_url_in_the_file_is_dropped_on_load(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_json(path, {"portal_url_hint": WEBHOOK, "theme": "dark", "note": WEBHOOK})
    caplog.set_level("DEBUG")
    s = load_settings(path).settings
    assert s.portal_url_hint == ""
    assert s.theme == "dark"
    assert "note" not in s.extra
    save_settings(s, path)
    assert "abcdef0123456789" not in path.read_text(encoding="utf-8")
    assert "abcdef0123456789" not in caplog.text


# --- the store: patches that validate, save and notify --------------------------------------


def test_a_patch_is_checked_saved_and_announced(path: Path) -> None:
    store = SettingsStore(Settings(watched=(3,)), path=path)
    seen: list[SettingsChange] = []
    store.subscribe(seen.append)
    change = store.update(poll_interval_s=1, theme="DARK")
    assert change is not None and change.changed == {"poll_interval_s", "theme"}
    assert (store.current.poll_interval_s, store.current.theme) == (15, "dark"), "clamped"
    assert seen == [change]
    saved = load_settings(path).settings
    assert (saved.poll_interval_s, saved.theme, saved.watched) == (15, "dark", (3,))
    assert store.update(theme="dark") is None, "no change: nothing written, nobody told"
    assert len(seen) == 1


def test_a_bad_patch_changes_nothing(path: Path) -> None:
    store = SettingsStore(Settings(), path=path)
    with pytest.raises(TypeError, match="colour"):
        store.update(colour="red")
    with pytest.raises(TypeError, match="schema_version"):
        store.update(schema_version=3)
    with pytest.raises(ValueError, match="theme"):
        store.update(theme="purple")
    with pytest.raises(TypeError, match="extra"):
        store.update(extra={"note": WEBHOOK})
    assert store.current == Settings()
    assert not path.exists()


def test_a_failed_save_keeps_the_change_and_the_old_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(poll_interval_s=120), path)
    before = path.read_bytes()
    store, _ = SettingsStore.open(path)
    errors: list[SettingsSaveError] = []
    store.subscribe_errors(errors.append)

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths, "write_atomic", full)
    assert store.update(poll_interval_s=300) is not None
    assert store.current.poll_interval_s == 300 and store.unsaved
    assert [str(e) for e in errors] == ["Could not save settings: No space left on device"]
    assert path.read_bytes() == before
    monkeypatch.undo()
    assert store.save() and not store.unsaved
    assert load_settings(path).settings.poll_interval_s == 300


def test_a_memory_store_never_writes(tmp_path: Path) -> None:
    store = SettingsStore(Settings())
    store.update(theme="dark")
    assert store.current.theme == "dark"
    assert list(tmp_path.rglob("*.json")) == []


def test_window_state_in_old_settings_is_handed_over_and_dropped(path: Path) -> None:
    write_json(
        path,
        {
            "schema_version": 1,
            "theme": "dark",
            "window_geometry": "AdnQywADAAA=",
            "quick_filter": "available",
            "hidden_to_tray_notice_shown": True,
        },
    )
    loaded = load_settings(path)
    assert loaded.settings.theme == "dark"
    assert dict(loaded.moved) == {
        "window_geometry": "AdnQywADAAA=",
        "quick_filter": "available",
        "hidden_to_tray_notice_shown": True,
    }
    assert "quick_filter" not in loaded.settings.extra
    save_settings(loaded.settings, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert not set(document) & {"window_geometry", "quick_filter", "hidden_to_tray_notice_shown"}


def test_reset_keeps_the_old_file_as_bak(path: Path) -> None:
    save_settings(Settings(theme="dark"), path)
    result = reset_settings(path)
    backup = path.with_name("settings.json.bak")
    assert result == LoadResult(
        Settings(), "Settings were reset; the previous file was kept as settings.json.bak.", backup
    )
    assert not path.exists()
    assert json.loads(backup.read_text(encoding="utf-8"))["theme"] == "dark"
    assert load_settings(path).settings == Settings()


def test_reset_without_a_file(path: Path) -> None:
    assert reset_settings(path) == LoadResult(Settings(), None, None)


# --- text that cannot be encoded ---------------------------------------------------------------


def test_a_lone_surrogate_in_the_file_is_repaired_and_saves_again(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '{"quick_filter": "x\\ud800", "notify": {"7": {"mode": "once"}}, "note\\udfff": "\\ud800"}'
    )
    loaded = load_settings(path)
    assert loaded.notice is None
    assert loaded.moved["quick_filter"] == "x\ufffd"
    assert loaded.settings.extra["note\ufffd"] == "\ufffd"
    save_settings(loaded.settings, path)  # never UnicodeEncodeError
    assert load_settings(path).settings == loaded.settings


def test_a_lone_surrogate_in_a_value_is_repaired_when_saved(path: Path) -> None:
    save_settings(Settings(extra={"note": "a\ud800b"}), path)
    path.read_bytes().decode("utf-8")
    assert load_settings(path).settings.extra["note"] == "a\ufffdb"
