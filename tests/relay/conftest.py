"""A real redis-server for the relay tests: loopback, a random port, TLS, ACL users.

Each test gets its own server in a temporary directory, with a self-signed certificate
authority made for the session (openssl), TLS only (no plain port), the default user
disabled, an ``admin`` user for the test's own checks, and the relay's and the desktops'
users created with the exact ``ACL SETUSER`` lines the documentation gives. Users live in
an ACL file, so they survive a restart; the data does not (no persistence): a restart
loses every key, as a Redis without persistence does.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.throttle import RetryPolicy
from bx24presence.demo import DemoPortal
from bx24presence.relay.address import (
    RelayKeys,
    acl_setuser_lines,
    connect,
    namespace_for,
    parse_relay_url,
    portal_host,
)
from bx24presence.relay.publisher import Publisher
from bx24presence.relay.reader import RelayReader
from bx24presence.relay.service import RelayService
from bx24presence.sync import Refresher

REDIS_SERVER = shutil.which("redis-server")
ADMIN_PASSWORD = "admin-test-password"
RELAY_PASSWORD = "relay-test-password"
DESKTOP_PASSWORD = "desktop-test-password"
START_TIMEOUT_S = 10.0
FAST_RETRY = RetryPolicy(attempts=2, base=0.02, cap=0.05, max_wait=1.0)


@dataclass(frozen=True)
class Certs:
    ca: Path
    cert: Path
    key: Path
    other_ca: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A certificate authority, a server certificate for 127.0.0.1 signed by it, and an
    unrelated authority (a client trusting it must refuse the server)."""
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for name in ("ca", "other-ca"):
        _openssl(
            "req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.crt",
            "-days", "2", "-subj", f"/CN=bx24presence test {name}", cwd=d,
        )  # fmt: skip
    _openssl(
        "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
        cwd=d,
    )  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext", cwd=d,
    )  # fmt: skip
    return Certs(d / "ca.crt", d / "server.crt", d / "server.key", d / "other-ca.crt")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One redis-server process over TLS on loopback."""

    def __init__(self, directory: Path, certs: Certs) -> None:
        self.dir = directory
        self.certs = certs
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        (directory / "users.acl").write_text(
            f"user default off\nuser admin on >{ADMIN_PASSWORD} ~* &* +@all\n"
        )
        (directory / "redis.conf").write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    "port 0",
                    f"tls-port {self.port}",
                    f"tls-cert-file {certs.cert}",
                    f"tls-key-file {certs.key}",
                    f"tls-ca-cert-file {certs.ca}",
                    "tls-auth-clients no",
                    f"dir {directory}",
                    'save ""',
                    "appendonly no",
                    f"aclfile {directory / 'users.acl'}",
                    f"logfile {directory / 'redis.log'}",
                    "daemonize no",
                ]
            )
            + "\n"
        )

    def start(self) -> RedisServer:
        assert REDIS_SERVER is not None
        self.proc = subprocess.Popen(
            [REDIS_SERVER, str(self.dir / "redis.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with self.admin() as r:
                    r.ping()
                return self
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    log = (self.dir / "redis.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"redis-server did not start:\n{log}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def admin(self) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            username="admin",
            password=ADMIN_PASSWORD,
            ssl=True,
            ssl_ca_certs=str(self.certs.ca),
            socket_timeout=5,
            socket_connect_timeout=2,
        )

    def url(self, user: str, *, portal: str | None = None, ca: Path | None = None) -> str:
        ca_file = ca or self.certs.ca
        url = f"rediss://{user}@127.0.0.1:{self.port}/0?ca={quote(str(ca_file))}"
        return url + (f"&portal={quote(portal)}" if portal else "")

    def create_users(self, keys: RelayKeys) -> None:
        """The documented ACL lines, then ACL SAVE (the users survive a restart)."""
        relay, desktop = acl_setuser_lines(
            keys, relay_password=RELAY_PASSWORD, desktop_password=DESKTOP_PASSWORD
        )
        with self.admin() as r:
            for line in (relay, desktop):
                r.execute_command(*line.split())
            r.execute_command("ACL", "SAVE")


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
