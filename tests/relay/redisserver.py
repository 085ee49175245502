"""A real redis-server on loopback for the relay's tests and benchmark: TLS and ACL users.

The server listens on a random loopback port, TLS only (no plain port), with a self-signed
certificate authority, the default user disabled, an ``admin`` user for checks, and the
relay's and the desktops' users created with the exact ``ACL SETUSER`` lines the
documentation gives. Users live in an ACL file, so they survive a restart; the data does not
(no persistence): a restart loses every key, as a Redis without persistence does.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import redis

from bx24presence.relay.address import RelayKeys, acl_setuser_lines

REDIS_SERVER = shutil.which("redis-server")
ADMIN_PASSWORD = "admin-test-password"
RELAY_PASSWORD = "relay-test-password"
DESKTOP_PASSWORD = "desktop-test-password"
START_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Certs:
    ca: Path
    cert: Path
    key: Path
    other_ca: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def make_certs(d: Path) -> Certs:
    """A certificate authority, a server certificate for 127.0.0.1 signed by it, and an
    unrelated authority (a client trusting it must refuse the server), made with openssl."""
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
