"""``bx24presence --self-test``: a passing run in a fresh process, and one clear line on failure."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from bx24presence import assets, selftest


def test_self_test_passes_from_another_directory(tmp_path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BX24PRESENCE_", "QT_QPA_PLATFORM", "PYTHON_KEYRING"))
    }
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bx24presence", "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for line in ("self-test passed", "demo portal", "window", "icon", "translations", "keyring"):
        assert line in out, out
    assert "platform offscreen" in out, "runs offscreen whatever the environment says"
    assert "first row painted" in out
    assert not (tmp_path / ".config" / "bx24presence").exists(), "the real home is untouched"


def test_missing_resources_fail_with_one_line(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(assets, "_candidates", lambda: [tmp_path])
    out, err = io.StringIO(), io.StringIO()
    assert selftest.run(out, err) == selftest.EXIT_FAILED
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("bx24presence: self-test failed: resources: ")
    assert "reinstall" in lines[0]
    assert out.getvalue() == ""


def test_unreachable_portal_names_the_client_step(monkeypatch) -> None:
    def broken(url: str):
        raise ConnectionRefusedError("connection refused\nsecond line")

    monkeypatch.setattr(selftest, "check_client", broken)
    out, err = io.StringIO(), io.StringIO()
    assert selftest.run(out, err) == selftest.EXIT_FAILED
    lines = err.getvalue().splitlines()
    assert lines == [
        "bx24presence: self-test failed: client: ConnectionRefusedError: connection"
        " refused second line"
    ]


def test_temporary_home_is_restored(monkeypatch) -> None:
    monkeypatch.setenv("BX24PRESENCE_CONFIG_DIR", "/somewhere")
    monkeypatch.delenv("BX24PRESENCE_HOME", raising=False)
    with selftest.temporary_home() as home:
        assert os.environ["BX24PRESENCE_HOME"] == home
        assert "BX24PRESENCE_CONFIG_DIR" not in os.environ
        assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    assert os.environ["BX24PRESENCE_CONFIG_DIR"] == "/somewhere"
    assert "BX24PRESENCE_HOME" not in os.environ
    assert not os.path.exists(home)
