"""The Redis address of a relay: parsing, credentials, key names, ACLs and the connection.

Address form::

    rediss://USER@redis.office.example:6380/0?portal=company.bitrix24.ru&ca=/etc/ssl/office-ca.pem

* ``rediss://`` (TLS, certificate and host name checked) anywhere; plain ``redis://`` only on
  loopback, where nothing crosses a network.
* ``portal`` names the portal's host, whose namespace is read (a desktop knows it from its
  own webhook and may leave it out); ``prefix`` overrides the key prefix (``bx24presence:``);
  ``ca`` is a PEM file of the certificate authorities to trust (default: the system's).
* The password comes from ``BX24PRESENCE_REDIS_PASSWORD`` or the keyring (secret
  ``redis_password``); one in the address works but is visible in the process list and
  shell history, and the caller is told so.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bx24presence.api.auth import is_loopback_host
from bx24presence.logconfig import redact_all, register_secret
from bx24presence.relay.errors import BadRelayUrl, RelayError, RelayFailure
from bx24presence.secrets import REDIS_PASSWORD

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "bx24presence:"
DEFAULT_PORT = 6379
ENV_REDIS_PASSWORD = "BX24PRESENCE_REDIS_PASSWORD"  # noqa: S105  (a variable name, not a secret)
"""The Redis password for the relay and for ``--once --relay`` (never written anywhere)."""
CONNECT_TIMEOUT_S = 5.0
#: Replies to ordinary commands within this time (a blocking read adds its block time).
COMMAND_TIMEOUT_S = 10.0
_PREFIX_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_HOST_RE = re.compile(r"^[a-z0-9.-]{1,253}(?::\d{1,5})?$")


@dataclass(frozen=True)
class RelayKeys:
    """The keys of one portal's namespace: ``<prefix><portal host>:<name>``."""

    namespace: str

    @property
    def snapshot(self) -> str:
        """A hash: the latest full snapshot, compressed, with its version."""
        return self.namespace + "snapshot"

    @property
    def stream(self) -> str:
        """A stream: one compact diff per poll, bounded in length."""
        return self.namespace + "changes"

    @property
    def heartbeat(self) -> str:
        """A string with a time to live: the relay's status."""
        return self.namespace + "heartbeat"

    @property
    def pattern(self) -> str:
        """The ACL key pattern that covers exactly this namespace."""
        return self.namespace + "*"


def namespace_for(prefix: str, portal_host: str) -> RelayKeys:
    """The keys of ``portal_host`` (``company.bitrix24.ru``, with ``:port`` when not 443)."""
    host = portal_host.strip().lower()
    if not _HOST_RE.fullmatch(host):
        raise BadRelayUrl(f"not a portal host name: {host[:80]!r}")
    if not _PREFIX_RE.fullmatch(prefix):
        raise BadRelayUrl("the key prefix may hold only letters, digits and _ . : -")
    return RelayKeys(f"{prefix}{host}:")


def portal_host(portal_url: str) -> str:
    """The namespace name of a portal base URL or webhook URL (host, and port if any)."""
    parts = urlsplit(portal_url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


@dataclass(frozen=True)
class RelayAddress:
    """A parsed Redis address (no password: see :func:`redis_password`)."""

    host: str
    port: int
    tls: bool
    db: int = 0
    username: str | None = None
    url_password: str | None = None
    ca_file: str | None = None
    portal: str | None = None
    prefix: str = DEFAULT_PREFIX

    def display(self) -> str:
        """The address for logs and messages: without credentials."""
        scheme = "rediss" if self.tls else "redis"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}/{self.db}"

    def keys(self, portal: str | None = None) -> RelayKeys:
        """The namespace of ``portal`` (a host), else of the address's ``portal=``."""
        host = portal or self.portal
        if not host:
            raise BadRelayUrl(
                "which portal? add ?portal=HOST to the relay address (the portal's host name)"
            )
        return namespace_for(self.prefix, host)


def parse_relay_url(text: str) -> RelayAddress:
    """Parse and check a Redis address; raises :class:`BadRelayUrl` with a plain reason."""
    text = (text or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BadRelayUrl(f"not a valid address ({redact_all(str(exc))})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("redis", "rediss"):
        raise BadRelayUrl("it must start with rediss:// (or redis:// on this computer)")
    host = parts.hostname or ""
    if not host:
        raise BadRelayUrl("it names no host")
    tls = scheme == "rediss"
    if not tls and not is_loopback_host(host):
        raise BadRelayUrl(
            "plain redis:// would send the password and the directory unencrypted;"
            " use rediss:// (TLS) for a Redis server on another computer"
        )
    password = unquote(parts.password) if parts.password else None
    register_secret(password)
    db_text = parts.path.strip("/") or "0"
    if not db_text.isdigit() or int(db_text) > 1_000_000:
        raise BadRelayUrl("the path must be a database number, such as /0")
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in ("portal", "prefix", "ca"):
            raise BadRelayUrl(f"unknown option {key[:40]!r} (known: portal, prefix, ca)")
        query[key] = value
    if "ca" in query and not tls:
        raise BadRelayUrl("ca= needs rediss://")
    portal = query.get("portal") or None
    if portal is not None:
        portal = portal_host(portal if "//" in portal else f"https://{portal}") or portal
    address = RelayAddress(
        host=host,
        port=port or DEFAULT_PORT,
        tls=tls,
        db=int(db_text),
        username=unquote(parts.username) if parts.username else None,
        url_password=password,
        ca_file=query.get("ca") or None,
        portal=portal,
        prefix=query.get("prefix", DEFAULT_PREFIX),
    )
    if address.portal is not None:
        address.keys()  # validates the host and the prefix
    elif not _PREFIX_RE.fullmatch(address.prefix):
        raise BadRelayUrl("the key prefix may hold only letters, digits and _ . : -")
    return address


def redis_password(address: RelayAddress, store: Any = None) -> str | None:
    """The password: ``BX24PRESENCE_REDIS_PASSWORD``, else the keyring, else the address's."""
    value = os.environ.get(ENV_REDIS_PASSWORD, "")
    if value:
        register_secret(value)
        return value
    if store is None:
        from bx24presence.secrets import SecretStore  # noqa: PLC0415  (keyring is slow to import)

        store = SecretStore()
    try:
        stored = store.get(REDIS_PASSWORD)
    except OSError:
        log.debug("No stored Redis password", exc_info=True)
        stored = None
    if stored:
        register_secret(stored)
        return str(stored)
    return address.url_password


def connect(
    address: RelayAddress,
    password: str | None,
    *,
    command_timeout_s: float = COMMAND_TIMEOUT_S,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
    retries: int = 1,
    client_name: str = "bx24presence",
) -> Any:
    """A ``redis.Redis`` client (connections are made lazily, on the first command).

    A failed command is retried ``retries`` times at once (a pooled connection may be stale
    after a Redis restart), then the error is the caller's: the relay and the readers have
    their own backoff. A desktop passes 0 and retries itself, so that closing its
    connections from another thread (to stop) is not undone by a reconnection.
    """
    import redis  # noqa: PLC0415  (only relay users need it)
    from redis.backoff import NoBackoff  # noqa: PLC0415
    from redis.retry import Retry  # noqa: PLC0415

    if address.ca_file is not None and not Path(address.ca_file).is_file():
        raise BadRelayUrl("the ca= file does not exist")
    kwargs: dict[str, Any] = {
        "host": address.host,
        "port": address.port,
        "db": address.db,
        "username": address.username,
        "password": password,
        "socket_connect_timeout": connect_timeout_s,
        "socket_timeout": command_timeout_s,
        "socket_keepalive": True,
        "retry": Retry(NoBackoff(), retries),
        "client_name": client_name,
        "max_connections": 16,
    }
    if address.tls:
        kwargs.update(
            ssl=True,
            ssl_cert_reqs="required",
            ssl_check_hostname=True,
            ssl_ca_certs=address.ca_file,
            ssl_min_version=ssl.TLSVersion.TLSv1_2,
        )
    return redis.Redis(**kwargs)


def relay_error(exc: BaseException) -> RelayError:
    """The typed error for an exception raised by redis-py (or the sockets under it)."""
    from redis import exceptions as rx  # noqa: PLC0415

    if isinstance(exc, RelayError):
        return exc
    detail = redact_all(str(exc))[:300]
    if isinstance(exc, rx.AuthenticationError | rx.AuthenticationWrongNumberOfArgsError):
        return RelayError(RelayFailure.AUTH, detail)
    if isinstance(exc, rx.NoPermissionError):
        return RelayError(RelayFailure.PERMISSION, detail)
    if isinstance(exc, rx.ResponseError) and str(exc).startswith(("WRONGPASS", "NOAUTH")):
        return RelayError(RelayFailure.AUTH, detail)
    if isinstance(exc, rx.ConnectionError | rx.TimeoutError | OSError):
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                return RelayError(RelayFailure.TLS, detail)
            cause = cause.__cause__ or cause.__context__
        if "certificate verify failed" in str(exc) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return RelayError(RelayFailure.TLS, detail)
        return RelayError(RelayFailure.UNREACHABLE, detail)
    return RelayError(RelayFailure.PROTOCOL, detail or type(exc).__name__)


def acl_setuser_lines(
    keys: RelayKeys,
    *,
    relay_user: str = "bx24-relay",
    desktop_user: str = "bx24-desktop",
    relay_password: str = "RELAY_PASSWORD",  # noqa: S107  (placeholders for the docs)
    desktop_password: str = "DESKTOP_PASSWORD",  # noqa: S107
) -> tuple[str, str]:
    """The two ``ACL SETUSER`` commands: the relay writes its namespace only; desktops read it.

    ``resetkeys``/``resetchannels`` and ``-@all`` start from nothing; ``%R~`` lets the
    desktop user read the namespace's keys and nothing else (Redis 7).
    """
    pattern = keys.pattern
    relay = (
        f"ACL SETUSER {relay_user} reset on >{relay_password} ~{pattern} resetchannels -@all"
        " +ping +hello +auth +client|setname +multi +exec +discard"
        " +get +set +del +exists +pttl +hset +hgetall +hget +xadd +xtrim +xrevrange +xrange +xlen"
    )
    desktop = (
        f"ACL SETUSER {desktop_user} reset on >{desktop_password} %R~{pattern} resetchannels"
        " -@all +ping +hello +auth +client|setname +multi +exec +discard"
        " +get +pttl +hgetall +hget +xread +xrevrange +xrange +xlen"
    )
    return relay, desktop
