"""Relay tests: a real redis-server per test (TLS, ACL users; see redisserver.py), the demo
portal over loopback, and relays running as they do under ``bx24presence relay``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.throttle import RetryPolicy
from bx24presence.demo import DemoPortal
from bx24presence.relay.address import (
    RelayKeys,
    connect,
    namespace_for,
    parse_relay_url,
    portal_host,
)
from bx24presence.relay.publisher import Publisher
from bx24presence.relay.reader import RelayReader
from bx24presence.relay.service import RelayService
from bx24presence.sync import Refresher
from tests.relay.redisserver import (
    DESKTOP_PASSWORD,
    REDIS_SERVER,
    RELAY_PASSWORD,
    Certs,
    RedisServer,
    make_certs,
)

__all__ = ["DESKTOP_PASSWORD", "RELAY_PASSWORD", "wait_for"]

FAST_RETRY = RetryPolicy(attempts=2, base=0.02, cap=0.05, max_wait=1.0)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def redis_server(tmp_path: Path, certs: Certs) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (make sysdeps installs it)")
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis", certs).start()
    yield server
    server.stop()


@pytest.fixture
def make_portal() -> Iterator[Callable[..., DemoPortal]]:
    started: list[DemoPortal] = []

    def make(users: int = 40, **kw: Any) -> DemoPortal:
        kw.setdefault("rate_limit", None)
        portal = DemoPortal(users=users, **kw).start()
        started.append(portal)
        return portal

    yield make
    for p in started:
        p.stop()


@pytest.fixture
def portal(make_portal: Callable[..., DemoPortal]) -> DemoPortal:
    return make_portal()


@pytest.fixture
def keys(portal: DemoPortal, redis_server: RedisServer) -> RelayKeys:
    k = namespace_for("bx24presence:", portal_host(portal.base_url))
    redis_server.create_users(k)
    return k


class RunningRelay:
    """A :class:`RelayService` in a thread (as ``bx24presence relay`` runs it)."""

    def __init__(self, service: RelayService) -> None:
        import threading

        self.service = service
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="test-relay", daemon=True)

    def _run(self) -> None:
        try:
            self.service.run()
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        self.service.stop()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the relay did not stop"


@pytest.fixture
def start_relay(
    portal: DemoPortal, redis_server: RedisServer, keys: RelayKeys
) -> Iterator[Callable[..., RunningRelay]]:
    """Start relays against the portal and the server, as the relay user; stopped after."""
    running: list[RunningRelay] = []
    clients: list[Any] = []

    def start(interval_s: float = 0.2, heartbeat_s: float = 0.2, **kw: Any) -> RunningRelay:
        client = Bitrix24Client(
            parse_webhook_url(portal.webhook_url), retry=FAST_RETRY, timeout=(1.0, 3.0)
        )
        address = parse_relay_url(redis_server.url("bx24-relay"))
        r = connect(address, RELAY_PASSWORD, command_timeout_s=2.0)
        clients.extend([client, r])
        service = RelayService(
            Refresher(client),
            Publisher(r, keys, **kw),
            interval_s=interval_s,
            heartbeat_s=heartbeat_s,
        )
        relay = RunningRelay(service)
        relay.thread.start()
        running.append(relay)
        return relay

    yield start
    for relay in running:
        relay.stop()
    for c in clients:
        c.close()


@pytest.fixture
def make_reader(redis_server: RedisServer, keys: RelayKeys) -> Iterator[Callable[..., RelayReader]]:
    readers: list[RelayReader] = []

    def make(user: str = "bx24-desktop", password: str = DESKTOP_PASSWORD) -> RelayReader:
        address = parse_relay_url(redis_server.url(user))
        reader = RelayReader(connect(address, password, command_timeout_s=3.0), keys)
        readers.append(reader)
        return reader

    yield make
    for r in readers:
        r.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Poll ``predicate`` every 20 ms until it is truthy (bounded); its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
