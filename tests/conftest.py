"""Test harness shared by every tier: offscreen Qt, no session bus, no real home directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Set before anything imports Qt or platformdirs: tests never touch the real home, never
# start a session bus, and never need a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
os.environ.setdefault("BX24PRESENCE_HOME", tempfile.mkdtemp(prefix="bx24presence-tests-"))
os.environ.pop("BX24PRESENCE_WEBHOOK", None)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own config, cache, log and data directories."""
    home = tmp_path / "home"
    monkeypatch.setenv("BX24PRESENCE_HOME", str(home))
    for var in (
        "BX24PRESENCE_CONFIG_DIR",
        "BX24PRESENCE_CACHE_DIR",
        "BX24PRESENCE_LOG_DIR",
        "BX24PRESENCE_DATA_DIR",
        "BX24PRESENCE_WEBHOOK",
    ):
        monkeypatch.delenv(var, raising=False)
    yield home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[object]:
    """Every test gets an empty in-memory keyring."""
    import keyring

    from tests.keyrings import InMemoryKeyring

    previous = keyring.get_keyring()
    ring = InMemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)
