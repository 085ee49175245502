"""Tests for bx24presence.secrets: keyring with a timeout, the private-file fallback, env var."""

from __future__ import annotations

import errno
import inspect
import json
import logging
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest

from bx24presence import paths
from bx24presence.secrets import (
    ENV_WEBHOOK,
    OAUTH_TOKENS,
    SERVICE_NAME,
    WEBHOOK_URL,
    SecretStore,
    SecretStoreError,
)
from tests.keyrings import InMemoryKeyring

WEBHOOK = "https://example.bitrix24.ru/rest/1/abcdef0123456789/"
OTHER_WEBHOOK = "https://other.bitrix24.ru/rest/7/zyxw9876543210/"
TIMEOUT_S = 0.5

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


# Test backends have a negative priority so that keyring's own detection never picks them
# for other tests: every backend class is registered globally when it is defined.
class MemoryKeyring(InMemoryKeyring):
    """A keyring held in a dict."""


class SlowKeyring(MemoryKeyring):
    """A locked keyring: every call waits 10 s for a password prompt nobody answers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(10)
        super().set_password(service, username, password)


class BrokenKeyring(MemoryKeyring):
    """A keyring whose daemon answers with errors."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError(f"D-Bus error while reading {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"refused to store {password}")


@pytest.fixture
def installed() -> Iterator[None]:
    """Restore keyring's global backend after a test installs its own."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory(installed: None) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def slow(installed: None) -> Iterator[SlowKeyring]:
    backend = SlowKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.release.set()  # let the abandoned call finish instead of lingering 10 s


@pytest.fixture
def no_keyring(installed: None) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())


@pytest.fixture
def fallback_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "secrets.json"


def make_store(fallback_path: Path) -> SecretStore:
    return SecretStore(timeout_s=TIMEOUT_S, fallback_path=fallback_path)


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- with a working keyring ------------------------------------------------------------------


def test_keyring_stores_gets_and_deletes(memory: MemoryKeyring, fallback_path: Path) -> None:
    store = make_store(fallback_path)
    assert store.get(WEBHOOK_URL) is None
    store.set(WEBHOOK_URL, WEBHOOK)
    store.set(OAUTH_TOKENS, json.dumps({"access_token": "a", "refresh_token": "r"}))
    assert memory.store[(SERVICE_NAME, WEBHOOK_URL)] == WEBHOOK
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert json.loads(store.get(OAUTH_TOKENS) or "")["refresh_token"] == "r"
    store.delete(WEBHOOK_URL)
    assert store.get(WEBHOOK_URL) is None
    store.delete(WEBHOOK_URL)  # deleting a missing secret is fine
    assert not store.is_fallback
    assert store.fallback_reason is None
    assert store.backend_description().startswith("the system keyring (")
    assert not fallback_path.exists()


def test_the_default_store_uses_the_real_keyring_module_and_config_dir(
    memory: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "cfg"))
    store = SecretStore()
    assert store.fallback_path == tmp_path / "cfg" / "secrets.json"
    store.set(WEBHOOK_URL, WEBHOOK)
    assert memory.store[(SERVICE_NAME, WEBHOOK_URL)] == WEBHOOK


def test_an_injected_keyring_module_is_used(fallback_path: Path) -> None:
    backend = MemoryKeyring()

    class FakeKeyringModule:
        @staticmethod
        def get_keyring() -> MemoryKeyring:
            return backend

    store = SecretStore(keyring_module=FakeKeyringModule, fallback_path=fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    assert backend.store == {(SERVICE_NAME, WEBHOOK_URL): WEBHOOK}


def test_a_value_left_in_the_file_wins_and_moves_into_the_keyring(
    memory: MemoryKeyring, fallback_path: Path
) -> None:
    memory.set_password(SERVICE_NAME, WEBHOOK_URL, OTHER_WEBHOOK)  # older than the file's
    fallback_path.parent.mkdir(parents=True)
    fallback_path.write_text(json.dumps({WEBHOOK_URL: WEBHOOK, "other": "x"}))
    store = make_store(fallback_path)
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert memory.store[(SERVICE_NAME, WEBHOOK_URL)] == WEBHOOK
    assert json.loads(fallback_path.read_text()) == {"other": "x"}
    assert store.get(WEBHOOK_URL) == WEBHOOK
    store.set("other", "y")
    assert not fallback_path.exists()
    assert memory.store[(SERVICE_NAME, "other")] == "y"
    assert not store.is_fallback


# --- without a usable keyring ----------------------------------------------------------------


@pytest.mark.usefixtures("no_keyring")
@posix_only
def test_no_keyring_falls_back_to_a_private_file(
    fallback_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    store.set(OAUTH_TOKENS, "{}")
    assert store.is_fallback
    assert store.backend_description() == ("a private file, because no system keyring is available")
    assert file_mode(fallback_path) == 0o600
    assert file_mode(fallback_path.parent) & 0o077 == 0
    assert json.loads(fallback_path.read_text()) == {OAUTH_TOKENS: "{}", WEBHOOK_URL: WEBHOOK}
    assert [p.name for p in fallback_path.parent.iterdir()] == ["secrets.json"]
    assert store.get(WEBHOOK_URL) == WEBHOOK
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "keyring cannot be used" in warnings[0].getMessage()
    assert "abcdef0123456789" not in caplog.text


@pytest.mark.usefixtures("no_keyring")
def test_fallback_delete(fallback_path: Path) -> None:
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    store.set("b", "2")
    store.delete(WEBHOOK_URL)
    assert store.get(WEBHOOK_URL) is None
    assert store.get("b") == "2"
    store.delete("b")
    store.delete("never-stored")
    assert not fallback_path.exists()


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    "backend",
    [keyring.backends.null.Keyring, BrokenKeyring],
    ids=["null", "broken"],
)
def test_unusable_backends_fall_back(
    fallback_path: Path,
    backend: type[keyring.backend.KeyringBackend],
    caplog: pytest.LogCaptureFixture,
) -> None:
    keyring.set_keyring(backend())
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    assert store.is_fallback
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert json.loads(fallback_path.read_text()) == {WEBHOOK_URL: WEBHOOK}
    assert "abcdef0123456789" not in caplog.text
    assert "abcdef0123456789" not in (store.fallback_reason or "")


@pytest.mark.usefixtures("installed")
def test_keyrings_alt_is_never_used(fallback_path: Path) -> None:
    plaintext = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    backend = plaintext()
    keyring.set_keyring(backend)
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    assert store.is_fallback
    assert backend.store == {}
    assert "keyrings.alt" in (store.fallback_reason or "")


def test_a_locked_keyring_falls_back_within_the_timeout(
    slow: SlowKeyring, fallback_path: Path
) -> None:
    store = make_store(fallback_path)
    started = time.monotonic()
    store.set(WEBHOOK_URL, WEBHOOK)
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT_S + 1
    assert store.is_fallback
    assert "no answer within" in (store.fallback_reason or "")
    assert json.loads(fallback_path.read_text()) == {WEBHOOK_URL: WEBHOOK}
    # Once the keyring has failed to answer, later calls do not wait for it again.
    started = time.monotonic()
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert time.monotonic() - started < TIMEOUT_S


def test_a_locked_keyring_read_falls_back_within_the_timeout(
    slow: SlowKeyring, fallback_path: Path
) -> None:
    store = make_store(fallback_path)
    started = time.monotonic()
    assert store.get(WEBHOOK_URL) is None
    assert time.monotonic() - started < TIMEOUT_S + 1
    assert store.is_fallback
    started = time.monotonic()
    store.set(WEBHOOK_URL, WEBHOOK)
    assert time.monotonic() - started < TIMEOUT_S
    assert json.loads(fallback_path.read_text()) == {WEBHOOK_URL: WEBHOOK}


def test_a_locked_keyring_cannot_hold_up_moving_a_file_value(
    slow: SlowKeyring, fallback_path: Path
) -> None:
    fallback_path.parent.mkdir(parents=True)
    fallback_path.write_text(json.dumps({WEBHOOK_URL: WEBHOOK}))
    store = make_store(fallback_path)
    started = time.monotonic()
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert time.monotonic() - started < TIMEOUT_S + 1
    assert store.is_fallback
    assert json.loads(fallback_path.read_text()) == {WEBHOOK_URL: WEBHOOK}


def test_the_default_timeout_is_three_seconds() -> None:
    default = inspect.signature(SecretStore).parameters["timeout_s"].default
    assert default == 3.0


@posix_only
@pytest.mark.usefixtures("no_keyring")
def test_a_widened_file_mode_is_fixed_on_read(fallback_path: Path) -> None:
    fallback_path.parent.mkdir(parents=True)
    fallback_path.write_text(json.dumps({WEBHOOK_URL: WEBHOOK}))
    fallback_path.chmod(0o644)
    store = make_store(fallback_path)
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert file_mode(fallback_path) == 0o600


@pytest.mark.usefixtures("no_keyring")
@pytest.mark.parametrize("content", ["{", "[1]", '{"webhook_url": 5}', ""])
def test_a_damaged_file_reads_as_empty_and_is_replaced(fallback_path: Path, content: str) -> None:
    fallback_path.parent.mkdir(parents=True)
    fallback_path.write_text(content)
    store = make_store(fallback_path)
    assert store.get(WEBHOOK_URL) is None
    store.set(WEBHOOK_URL, WEBHOOK)
    assert json.loads(fallback_path.read_text()) == {WEBHOOK_URL: WEBHOOK}


@pytest.mark.usefixtures("no_keyring")
def test_a_full_disk_raises_a_clear_error_and_keeps_the_old_file(
    fallback_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)

    def disk_full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(SecretStoreError) as caught:
        store.set(WEBHOOK_URL, OTHER_WEBHOOK)
    monkeypatch.undo()
    assert str(caught.value) == "Could not store the secret: No space left on device"
    assert "zyxw9876543210" not in str(caught.value)
    assert json.loads(fallback_path.read_text()) == {WEBHOOK_URL: WEBHOOK}
    assert [p.name for p in fallback_path.parent.iterdir()] == ["secrets.json"]


# --- the environment variable ----------------------------------------------------------------


def test_the_environment_variable_wins_and_is_never_written(
    memory: MemoryKeyring, fallback_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    monkeypatch.setenv(ENV_WEBHOOK, f" {OTHER_WEBHOOK} ")
    assert store.from_environment(WEBHOOK_URL)
    assert not store.from_environment(OAUTH_TOKENS)
    assert store.get(WEBHOOK_URL) == OTHER_WEBHOOK
    assert memory.store == {(SERVICE_NAME, WEBHOOK_URL): WEBHOOK}
    assert not fallback_path.exists()
    monkeypatch.delenv(ENV_WEBHOOK)
    assert store.get(WEBHOOK_URL) == WEBHOOK


@pytest.mark.usefixtures("no_keyring")
def test_the_environment_variable_needs_no_keyring_nor_file(
    fallback_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_WEBHOOK, WEBHOOK)
    store = make_store(fallback_path)
    assert store.get(WEBHOOK_URL) == WEBHOOK
    assert not fallback_path.parent.exists()


# --- hygiene ---------------------------------------------------------------------------------


def test_secret_values_are_never_logged(
    memory: MemoryKeyring, fallback_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = make_store(fallback_path)
    store.set(WEBHOOK_URL, WEBHOOK)
    store.get(WEBHOOK_URL)
    store.delete(WEBHOOK_URL)
    assert "abcdef0123456789" not in caplog.text
    assert WEBHOOK_URL in caplog.text


def test_bad_names_and_values_are_refused(memory: MemoryKeyring, fallback_path: Path) -> None:
    store = make_store(fallback_path)
    with pytest.raises(ValueError, match="name"):
        store.set("", "x")
    with pytest.raises(TypeError, match="text"):
        store.set(WEBHOOK_URL, 5)  # type: ignore[arg-type]
