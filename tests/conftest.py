"""Test harness shared by every tier: offscreen Qt, no session bus, no real home directory."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# -- no thread or timer left behind (as napari's leak checks) ----------------------------------

#: How long a test's threads may take to end after its teardown (they are asked to stop).
LEAK_GRACE_S = 2.0

#: Threads that outlive every test by design, by name, with why.
SHARED_THREADS = {
    "bx24presence-deadlines": "one timer thread for every request's deadline; it ends by"
    " itself after two idle minutes",
}

#: Tests that still leave something running, by node id (without parameters), with why; the
#: fix belongs in the test or the code it tests, then the entry goes.
KNOWN_LEAKS: dict[str, str] = {
    "tests/integration/test_third_party_clients.py::"
    "test_https_portal_urls_and_a_client_that_refuses_the_certificate": "its http.server"
    " handler thread outlives server.shutdown() (server_close() would join it)",
    "tests/integration/test_third_party_clients.py::test_b24pysdk_sees_the_portals_errors": (
        "the same"
    ),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "leaks_threads: this test leaves threads or Qt timers running on purpose (say why)",
    )


def _qt_objects() -> tuple[list[Any], list[Any]]:
    """The Python wrappers of QTimers and of QThreads alive now.

    One pass over the collector's objects with an exact type test (a pass costs about
    10 ms per 50,000 objects, once before and once after each Qt test).
    """
    import gc

    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None:
        return [], []
    timer, thread = qtcore.QTimer, qtcore.QThread
    found = [obj for obj in gc.get_objects() if type(obj) is timer or type(obj) is thread]
    return [o for o in found if type(o) is timer], [o for o in found if type(o) is thread]


def _running_qthreads(qthreads: list[Any] | None = None) -> set[int]:
    """Ids of the QThread wrappers whose thread runs (only ones made from Python)."""
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None:
        return set()
    app = qtcore.QCoreApplication.instance()
    main = app.thread() if app is not None else qtcore.QThread.currentThread()
    found = set()
    for obj in _qt_objects()[1] if qthreads is None else qthreads:
        try:
            if obj is not main and obj.isRunning():
                found.add(id(obj))
        except RuntimeError:  # the C++ object is gone
            continue
    return found


def _active_timers(timers: list[Any] | None = None) -> dict[int, str]:
    """Active QTimers made from Python, by id, with a description."""
    found = {}
    for obj in _qt_objects()[0] if timers is None else timers:
        try:
            if obj.isActive():
                parent = obj.parent()
                owner = type(parent).__name__ if parent is not None else "no parent"
                found[id(obj)] = f"QTimer({obj.interval()} ms) of {owner}"
        except RuntimeError:  # the C++ object is gone
            continue
    return found


def _settle_qt() -> None:
    """Deliver pending deletions, so objects closed in teardown are really gone."""
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None or qtcore.QCoreApplication.instance() is None:
        return
    for _ in range(3):
        qtcore.QCoreApplication.sendPostedEvents(None, qtcore.QEvent.Type.DeferredDelete)
        qtcore.QCoreApplication.processEvents()


class Running:
    """What runs now: Python threads, QThreads and active QTimers (the Qt ones if asked)."""

    def __init__(self, *, qt: bool) -> None:
        self.qt = qt
        self.threads = set(threading.enumerate())
        timers, qthreads = _qt_objects() if qt else ([], [])
        self.qthreads = _running_qthreads(qthreads) if qt else set()
        self.timers = set(_active_timers(timers)) if qt else set()

    def leaks(self, grace_s: float = LEAK_GRACE_S) -> list[str]:
        """What runs now and did not then, after waiting up to ``grace_s`` for threads."""
        deadline = time.monotonic() + grace_s
        while True:
            if self.qt:
                _settle_qt()
            threads = [
                t
                for t in threading.enumerate()
                if t not in self.threads
                and t.is_alive()
                # A QThread that ran Python code shows up as a "dummy" thread that never
                # ends; QThreads are checked below, by their own isRunning().
                and not isinstance(t, threading._DummyThread)  # type: ignore[attr-defined]
                and t.name not in SHARED_THREADS
            ]
            qt_timers, qt_threads = _qt_objects() if self.qt else ([], [])
            qthreads = _running_qthreads(qt_threads) - self.qthreads if self.qt else set()
            if (not threads and not qthreads) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        timers = {}
        if self.qt:
            active = _active_timers(qt_timers)
            timers = {k: v for k, v in active.items() if k not in self.timers}
        problems = [f"thread {t.name!r}" for t in threads]
        problems += [f"{len(qthreads)} QThread(s) still running"] if qthreads else []
        return problems + sorted(timers.values())


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a thread, a QThread or an active QTimer behind.

    Runs after every other fixture's teardown (autouse fixtures are set up first, so they
    are torn down last). Threads get :data:`LEAK_GRACE_S` to end; Qt objects closed in
    teardown get their deferred deletions delivered first. Qt objects are checked in tests
    that use ``qapp`` or ``qtbot``.
    """
    before = Running(qt=bool({"qapp", "qtbot"} & set(request.fixturenames)))
    yield
    if request.node.get_closest_marker("leaks_threads") is not None:
        return
    if request.node.nodeid.split("[")[0] in KNOWN_LEAKS:
        return
    problems = before.leaks()
    assert not problems, "left running after the test: " + ", ".join(problems)


# -- virtual time for waits that would otherwise pass in real time ------------------------------


class VirtualTime:
    """A monotonic clock that waits move forward at once (as qutebrowser's stubbed timers).

    :meth:`attach` makes a client's retry backoff and its leaky bucket wait in this time, so
    a test of a 503 storm takes milliseconds, not the 15 s the bucket's halved rate asks.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.waits.append(seconds)
        self.now += max(0.0, seconds)

    def attach(self, client: object) -> None:
        """Make ``client`` (a ``Bitrix24Client``) wait in this time; a cancel still ends it."""
        from bx24presence.api.errors import Cancelled

        bucket = client.bucket  # type: ignore[attr-defined]
        bucket._clock = self
        bucket._stamp = self()
        cancel = client._cancel  # type: ignore[attr-defined]

        def sleep(seconds: float) -> None:
            if cancel.is_set():
                raise Cancelled("cancelled")
            self.advance(seconds)

        client._sleep = sleep  # type: ignore[attr-defined]

    def patch_clients(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make every ``Bitrix24Client``'s retry backoff wait in this time (for clients
        built where a test cannot reach them, as in the poller's thread)."""
        from bx24presence.api.client import Bitrix24Client
        from bx24presence.api.errors import Cancelled

        def sleep(client: Bitrix24Client, seconds: float) -> None:
            if client._cancel.is_set():
                raise Cancelled("cancelled")
            self.advance(seconds)

        monkeypatch.setattr(Bitrix24Client, "_sleep", sleep)


@pytest.fixture
def virtual_time() -> VirtualTime:
    """A :class:`VirtualTime` for the test."""
    return VirtualTime()
