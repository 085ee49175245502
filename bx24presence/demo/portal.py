"""``DemoPortal``: a Bitrix24 portal on loopback, for the demo mode and for tests."""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any

from bx24presence.demo.activity import Activity
from bx24presence.demo.clock import DemoClock
from bx24presence.demo.limits import DEFAULT_RATE_LIMIT, FaultInjector, RateLimit
from bx24presence.demo.oauth import TokenStore
from bx24presence.demo.population import DemoUser, Department, generate, new_user
from bx24presence.demo.server import PortalServer, RequestRecord
from bx24presence.demo.state import ERAS, UNSET, PortalConfig, PortalState, Unset

TimeValue = datetime | None | Unset


class DemoPortal:
    """A real HTTP server that speaks the Bitrix24 REST dialect (see the reference's
    "Facts a fake portal must reproduce").

    Example::

        with DemoPortal(users=500, rate_limit=None) as portal:
            requests.post(portal.webhook_url + "user.get", json={"start": 0})

    ``users`` is the exact number of active employees; bots, connectors, fired, extranet
    and e-mail users come on top. ``era`` picks the shape of ``im.*`` answers: ``current``,
    ``legacy`` (about 2021: real statuses) or ``legacy-old`` (no ``active`` key either).
    Every method is safe to call from a test while the server answers from its threads.
    """

    def __init__(
        self,
        users: int = 500,
        seed: int = 1,
        era: str = "current",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        scopes: Iterable[str] = ("im", "user_brief"),
        online_limit_s: int = 1440,
        tz_offset_minutes: int = 180,
        webhook_user_id: int = 1,
        secret: str | None = None,
        on_request: Callable[[RequestRecord], None] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """Generate the population; nothing listens until :meth:`start`.

        ``on_request`` is called (from a server thread) with every logged request. With
        ``tls``, a server-side context with a certificate loaded, the portal speaks HTTPS
        and its URLs start with ``https://`` (for clients that refuse plain http).
        """
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        self.clock = DemoClock(tz_offset_minutes)
        population = generate(users, seed, self.clock.now().date())
        if webhook_user_id not in population.users:
            raise ValueError(f"no user {webhook_user_id} to own the webhook")
        config = PortalConfig(seed, era, online_limit_s, webhook_user_id, frozenset(scopes))
        self._state = PortalState(population, self.clock, config)
        self.faults = FaultInjector()
        self._tokens = TokenStore()
        self._server = PortalServer(
            self._state,
            host=host,
            port=port,
            secret=secret or secrets.token_hex(16),
            rate_limit=rate_limit,
            faults=self.faults,
            tokens=self._tokens,
            on_request=on_request,
            tls=tls,
        )

    # Life cycle --------------------------------------------------------------------------

    def start(self) -> DemoPortal:
        """Bind and serve in the background; returns ``self``."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Shut down within about a second, even with requests in flight."""
        self._server.stop()

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the portal listens on."""
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https://`` with TLS; the new host after a move)."""
        return self._server.base_url

    @property
    def secret(self) -> str:
        """The webhook's secret code."""
        return self._server.secret

    @property
    def webhook_url(self) -> str:
        """``http://127.0.0.1:PORT/rest/1/<secret>/``."""
        return f"{self.base_url}/rest/{self._state.config.webhook_user_id}/{self.secret}/"

    @property
    def era(self) -> str:
        """``current``, ``legacy`` or ``legacy-old``."""
        return self._state.config.era

    @property
    def online_limit_s(self) -> int:
        """The server's online window in seconds."""
        return self._state.config.online_limit_s

    # Observation -------------------------------------------------------------------------

    @property
    def log(self) -> list[RequestRecord]:
        """Every HTTP request so far, refused and failed ones included."""
        return self._server.log

    @property
    def request_count(self) -> int:
        """``len(log)``."""
        return len(self._server.log)

    def reset_log(self) -> None:
        """Empty the request log."""
        self._server.reset_log()

    @property
    def status_log(self) -> list[str]:
        """The statuses set through ``im.user.status.set``, in order."""
        return self._state.status_log

    def colleague_ids(self) -> list[int]:
        """Sorted ids of the active employees: what a correct client must list."""
        return [u.id for u in self._state.users.values() if u.is_colleague]

    def user(self, uid: int) -> DemoUser:
        """The stored record of one user (``KeyError`` if there is none)."""
        return self._state.users[uid]

    @property
    def users(self) -> Mapping[int, DemoUser]:
        """Every account by id."""
        return self._state.users

    @property
    def departments(self) -> Mapping[int, Department]:
        """Every department by id."""
        return self._state.departments

    def activity(self, uid: int) -> Activity:
        """The presence data of one user now, by the demo clock."""
        return self._state.activity(self.user(uid), self.clock.timestamp())

    def is_online(self, uid: int) -> bool:
        """``IS_ONLINE`` of one user now."""
        return self._state.is_online(self.user(uid), self.clock.timestamp())

    def online_ids(self) -> list[int]:
        """What ``user.online`` would answer now, as integers."""
        return list(self._state.online_ids(self.clock.timestamp()))

    # Changes -----------------------------------------------------------------------------

    def add_user(self, **fields: Any) -> int:
        """Add an account (by default an active employee with generated details); its id."""
        uid = max(self._state.users) + 1
        today = self.clock.now().date()
        base = new_user(self._state.config.seed, uid, today, list(self._state.departments))
        self._state.put_user(replace(base, **_fields(fields)))
        return uid

    def update_user(self, uid: int, **fields: Any) -> None:
        """Change stored fields of one user (``first_name=...``, ``active=False``...)."""
        self._state.put_user(replace(self.user(uid), **_fields(fields)))

    def fire(self, uid: int) -> None:
        """Dismiss a user: inactive from today, last activity frozen at its current value."""
        user = self.user(uid)
        last = self._state.last_activity(user, self.clock.timestamp())
        self._state.pin(uid, {"last_activity": last})
        self.update_user(uid, active=False, fired_on=self.clock.now().date())

    def set_activity(
        self,
        uid: int,
        *,
        last_activity: TimeValue = UNSET,
        idle: TimeValue = UNSET,
        mobile_last: TimeValue = UNSET,
        desktop_last: TimeValue = UNSET,
        status: str | Unset = UNSET,
    ) -> None:
        """Pin presence values of one user, overriding the simulation; ``None`` means NULL.

        ``status`` is the status the user chose; it shows in the legacy eras while the
        user is online.
        """
        self.user(uid)
        times = {
            "last_activity": last_activity,
            "idle": idle,
            "mobile_last": mobile_last,
            "desktop_last": desktop_last,
        }
        pins: dict[str, Any] = {
            name: self._timestamp(value) for name, value in times.items() if value is not UNSET
        }
        if not isinstance(status, Unset):
            pins["status"] = status
        self._state.pin(uid, pins)

    def clear_activity(self, uid: int) -> None:
        """Give a user back to the simulation."""
        self._state.unpin(uid)

    def revoke(self) -> None:
        """Revoke the webhook: every webhook call now gets 401 ``INVALID_CREDENTIALS``."""
        self._server.revoked = True

    def move_to_host(self, host: str) -> None:
        """Rename the portal: the old host answers 302 with a ``Location`` on ``host``."""
        self._server.move_to_host(host)

    def issue_oauth_tokens(self, expires_in: int = 3600) -> tuple[str, str]:
        """An OAuth ``(access_token, refresh_token)`` pair for the webhook's user."""
        grant = self._tokens.issue(
            self._state.config.webhook_user_id, self.clock.timestamp(), expires_in
        )
        return grant.access_token, grant.refresh_token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (refresh tokens stay good)."""
        self._tokens.expire_all()

    def _timestamp(self, value: datetime | Unset | None) -> float | None:
        if value is None or isinstance(value, Unset):
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.clock.tz)
        return value.timestamp()


def _fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Accept lists and dicts where the record keeps tuples (departments, phones)."""
    converted = dict(fields)
    if "id" in converted:
        raise TypeError("a user's id cannot change")
    if isinstance(converted.get("departments"), list):
        converted["departments"] = tuple(converted["departments"])
    if isinstance(converted.get("phones"), dict):
        converted["phones"] = tuple(converted["phones"].items())
    return converted
