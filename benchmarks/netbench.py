"""Pieces of the network benchmark: a demo portal in its own process, driven through a
pipe (its clock, its request log), and the naive client measured beside ours."""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
from datetime import datetime

import requests

#: A Tuesday at 11:00 in the portal's timezone: the busiest hour of the demo's office.
BUSY = datetime(2026, 3, 3, 11, 0)


def _serve(users: int, conn: multiprocessing.connection.Connection) -> None:
    from bx24presence.demo import population

    # The demo's command line stops at 20,000 users; the scaling figures need more.
    population.MAX_USERS = max(population.MAX_USERS, users)
    from bx24presence.demo import DemoPortal

    portal = DemoPortal(users=users, rate_limit=None).start()
    portal.clock.freeze()
    portal.clock.set(BUSY)
    conn.send((portal.webhook_url, portal.clock.now(), portal.online_limit_s))
    while True:
        op, arg = conn.recv()
        if op == "advance":
            portal.clock.advance(arg)
            conn.send(portal.clock.now())
        elif op == "log":
            log = portal.log
            portal.reset_log()
            conn.send((len(log), sum(r.bytes_in + r.bytes_out for r in log)))
        else:
            portal.stop()
            conn.send(None)
            return


class PortalProcess:
    """A demo portal of ``users`` colleagues in another process, its clock frozen at
    :data:`BUSY` and moved only by :meth:`advance`."""

    def __init__(self, users: int) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(users, child), daemon=True)
        self._proc.start()
        self.webhook_url, self.now, self.online_limit_s = self._conn.recv()

    def clock(self) -> datetime:
        """The portal's clock, as the local clock of a client that keeps pace with it."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the portal's clock (and the client's with it)."""
        self._conn.send(("advance", seconds))
        self.now = self._conn.recv()

    def take_log(self) -> tuple[int, int]:
        """Requests and bytes (request and answer bodies) since the last call."""
        self._conn.send(("log", None))
        requests_, bytes_ = self._conn.recv()
        return requests_, bytes_

    def close(self) -> None:
        """Stop the portal and its process."""
        self._conn.send(("stop", None))
        self._conn.recv()
        self._proc.join(10)


def naive_refresh(webhook_url: str, ids: list[int]) -> int:
    """The naive way: one ``im.user.list.get`` per colleague (the ids known beforehand).
    Returns the requests made."""
    with requests.Session() as session:
        for uid in ids:
            resp = session.post(
                webhook_url + "im.user.list.get", json={"ID": [uid], "AVATAR_HR": "Y"}, timeout=30
            )
            resp.raise_for_status()
    return len(ids)


def vm_kb(field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of this process in kB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
