"""Settings (with the watch list) and the snapshot cache are written atomically: a process
killed at any point of a save, or a write that fails, leaves the previous file whole."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bx24presence.cache import load_snapshot, save_snapshot
from bx24presence.settings import Settings, load_settings, save_settings
from tests.factories import colleague, snapshot

KILLS = 3
#: Where a save is killed: as it creates the file, half-way through writing it, before it is
#: flushed to disk, before it is renamed over the old one, and after the rename.
POINTS = ("open", "mid-write", "fsync", "replace", "after-replace")

# The child saves version A, then dies at ``point`` while saving version B.
_AT_POINT = """
import os, signal, sys
from pathlib import Path
kind, path, point = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
if kind == "settings":
    from bx24presence.settings import Settings, save_settings as save
    a = Settings(watched=tuple(range(1, 2000)), extra={"note": "x" * 100_000})
    b = Settings(watched=(7,), theme="dark")
else:
    from bx24presence.cache import save_snapshot as save
    from tests.factories import colleague, snapshot
    a = snapshot([colleague(i) for i in range(1, 3000)])
    b = snapshot([colleague(i) for i in range(1, 40)])
save(a, path)
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
real = {name: getattr(os, name) for name in ("open", "write", "fsync", "replace")}
def wrap(name):
    def hook(*args, **kw):
        if name == "write" and point == "mid-write":
            real["write"](args[0], bytes(args[1])[: len(args[1]) // 2])
            die()
        if name == point:
            die()
        result = real[name](*args, **kw)
        if name == "replace" and point == "after-replace":
            die()
        return result
    return hook
for name in real:
    setattr(os, name, wrap(name))
save(b, path)
"""

# Saves the same file over and over, alternating between two versions that differ in size,
# and says "ready" once the first version is on disk (then it is killed at a random moment).
_LOOP = """
import sys
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])
if kind == "settings":
    from bx24presence.settings import Settings, save_settings as save
    versions = [Settings(watched=tuple(range(1, 2000)), extra={"note": "x" * 100_000}),
                Settings(watched=(7,), theme="dark")]
else:
    from bx24presence.cache import save_snapshot as save
    from tests.factories import colleague, snapshot
    versions = [snapshot([colleague(i) for i in range(1, n)]) for n in (3000, 40)]
save(versions[0], path)
print("ready", flush=True)
i = 0
while True:
    i += 1
    save(versions[i % 2], path)
"""


def _child(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE, env=env)


def _kill_at(kind: str, path: Path, point: str) -> None:
    proc = _child(_AT_POINT, kind, str(path), point)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "killed in the middle of the save"


def _kill_after(kind: str, path: Path, delay_s: float) -> None:
    proc = _child(_LOOP, kind, str(path))
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay_s)
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _delays() -> list[float]:
    rng = random.Random(8)
    return [rng.uniform(0.0, 0.25) for _ in range(KILLS)]


def _check_settings(path: Path, *, old_only: bool) -> None:
    loaded = load_settings(path)
    assert loaded.notice is None and loaded.backup_path is None, "the file is whole"
    a = tuple(range(1, 2000))
    assert loaded.settings.watched in ((a,) if old_only else (a, (7,)))
    big = loaded.settings.watched == a
    assert (loaded.settings.extra.get("note") == "x" * 100_000) == big, "one version, not a mix"


def _check_cache(path: Path, *, old_only: bool) -> None:
    snap = load_snapshot(path)
    assert snap is not None, "the file is whole"
    assert len(snap.colleagues) in ((2999,) if old_only else (2999, 39))
    assert [c.id for c in snap.colleagues] == list(range(1, len(snap.colleagues) + 1))


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("kind", ["settings", "cache"])
def test_a_kill_at_any_point_of_a_save_leaves_a_whole_file(
    tmp_path: Path, kind: str, point: str
) -> None:
    path = tmp_path / kind / "file.json"
    _kill_at(kind, path, point)
    check = _check_settings if kind == "settings" else _check_cache
    check(path, old_only=point != "after-replace")


@pytest.mark.parametrize("delay_s", _delays())
@pytest.mark.parametrize("kind", ["settings", "cache"])
def test_a_kill_at_a_random_moment_of_a_save_loop_leaves_a_whole_file(
    tmp_path: Path, kind: str, delay_s: float
) -> None:
    path = tmp_path / kind / "file.json"
    _kill_after(kind, path, delay_s)
    check = _check_settings if kind == "settings" else _check_cache
    check(path, old_only=False)


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_an_oserror_on_any_step_keeps_the_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    settings_path = tmp_path / "settings.json"
    cache_path = tmp_path / "snapshot.json"
    save_settings(Settings(watched=(1, 2, 3)), settings_path)
    save_snapshot(snapshot([colleague(1), colleague(2)]), cache_path)
    before = settings_path.read_bytes(), cache_path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(OSError):
        save_settings(Settings(watched=(9,)), settings_path)
    assert not save_snapshot(snapshot([colleague(9)]), cache_path)
    monkeypatch.undo()
    assert (settings_path.read_bytes(), cache_path.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json", "snapshot.json"]
