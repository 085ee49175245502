"""``bx24presence --self-test``: prove an installed copy works, offscreen, in a temporary home.

Runs the embedded demo portal, loads it through the real client, then (in
:mod:`bx24presence.qt.selftest`) renders the window once, loads the icon and the translations
and looks for a tray. Keyring and tray are reported, never failed on: a headless machine has
neither. Prints a short report and returns 0, or prints one line naming the failed step and
returns 1.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from bx24presence import APP_NAME, __version__, paths
from bx24presence.textsafe import for_terminal

EXIT_OK = 0
EXIT_FAILED = 1
DEMO_USERS = 60
KEYRING_TIMEOUT_S = 5.0
_PATH_ENVS = (
    paths.ENV_HOME,
    paths.ENV_CONFIG_DIR,
    paths.ENV_CACHE_DIR,
    paths.ENV_LOG_DIR,
    paths.ENV_DATA_DIR,
)


class SelfTestFailed(Exception):
    """A step failed; the message names it."""


@contextmanager
def temporary_home() -> Iterator[str]:
    """Point every app directory at a fresh temporary folder (restored and removed after)."""
    saved = {name: os.environ.get(name) for name in (*_PATH_ENVS, "QT_QPA_PLATFORM")}
    with tempfile.TemporaryDirectory(prefix=f"{APP_NAME}-selftest-") as home:
        for name in _PATH_ENVS:
            os.environ.pop(name, None)
        os.environ[paths.ENV_HOME] = home
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        try:
            yield home
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def how_installed() -> str:
    """``bundle``, ``source tree`` or ``installed``."""
    if getattr(sys, "frozen", False):
        return "bundle"
    from bx24presence import assets  # noqa: PLC0415

    try:
        where = assets.resources_dir()
    except assets.ResourcesMissing:
        return "installed (resources missing)"
    return "installed" if where.parent.name == APP_NAME else "source tree"


def keyring_backend(timeout_s: float = KEYRING_TIMEOUT_S) -> str:
    """The keyring backend's name, or why there is none (never blocks longer than the timeout)."""
    result: list[str] = []

    def probe() -> None:
        try:
            import keyring  # noqa: PLC0415

            ring = keyring.get_keyring()
            name = f"{type(ring).__module__}.{type(ring).__name__}"
            if "fail" in name.lower() or "null" in name.lower():
                name += " (none: the webhook would be kept in a private file)"
            result.append(name)
        except Exception as exc:
            result.append(f"unavailable ({type(exc).__name__})")

    worker = threading.Thread(target=probe, name="selftest-keyring", daemon=True)
    worker.start()
    worker.join(timeout_s)
    return result[0] if result else f"no answer within {timeout_s:.0f} s"


def check_client(webhook_url: str) -> tuple[Any, str]:
    """Load the demo portal through the real client; returns the snapshot and a report line."""
    from bx24presence.api.auth import parse_webhook_url  # noqa: PLC0415
    from bx24presence.api.client import Bitrix24Client  # noqa: PLC0415
    from bx24presence.sync import Refresher  # noqa: PLC0415

    started = time.monotonic()
    client = Bitrix24Client(parse_webhook_url(webhook_url))
    try:
        snapshot = Refresher(client).refresh()
        requests_made = client.request_count
    finally:
        client.close()
    if not snapshot.colleagues:
        raise SelfTestFailed("client: the demo portal returned no colleagues")
    elapsed = time.monotonic() - started
    line = f"{len(snapshot.colleagues)} colleagues in {requests_made} requests, {elapsed:.2f} s"
    return snapshot, line


def run(out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run every step and print the report; the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    started = time.monotonic()
    report: list[tuple[str, str]] = [
        ("python", f"{platform.python_version()} on {platform.system()} {platform.machine()}"),
        ("installed as", how_installed()),
    ]
    step = "start"
    try:
        with temporary_home() as home:
            report.append(("home", f"{home} (temporary)"))
            step = "resources"
            from bx24presence import assets  # noqa: PLC0415

            try:
                report.append(("resources", str(assets.resources_dir())))
            except assets.ResourcesMissing as exc:
                raise SelfTestFailed(f"resources: {exc}") from exc
            step = "demo portal"
            from bx24presence.demo import DemoPortal  # noqa: PLC0415

            portal = DemoPortal(users=DEMO_USERS).start()
            try:
                step = "client"
                _snapshot, line = check_client(portal.webhook_url)
                report.append(("demo portal", line))
                step = "window"
                from bx24presence.qt.selftest import check_gui  # noqa: PLC0415

                report.extend(check_gui(portal))
            finally:
                portal.stop()
            step = "keyring"
            report.append(("keyring", keyring_backend()))
    except SelfTestFailed as exc:
        return _fail(err, str(exc))
    except Exception as exc:
        return _fail(err, f"{step}: {type(exc).__name__}: {exc}")
    _print_report(out, report, time.monotonic() - started)
    return EXIT_OK


def _print_report(out: TextIO, report: list[tuple[str, str]], elapsed: float) -> None:
    width = max(len(k) for k, _ in report)
    print(f"{APP_NAME} {__version__} self-test", file=out)
    for key, value in report:
        print(f"  {key.ljust(width)}  {for_terminal(value)}", file=out)
    print(f"self-test passed in {elapsed:.1f} s", file=out)
    out.flush()


def _fail(err: TextIO, message: str) -> int:
    line = " ".join(message.split())
    print(f"{APP_NAME}: self-test failed: {for_terminal(line)}", file=err)
    err.flush()
    return EXIT_FAILED
