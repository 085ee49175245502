"""Integration tier: the real client against the embedded demo portal over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.throttle import RetryPolicy
from bx24presence.demo import DemoPortal

FAST_RETRY = RetryPolicy(attempts=4, base=0.02, cap=0.1, max_wait=2.0)


@pytest.fixture
def make_portal() -> Iterator[Callable[..., DemoPortal]]:
    """Start demo portals (no rate limit unless asked); all are stopped after the test."""
    started: list[DemoPortal] = []

    def make(users: int = 60, **kw: Any) -> DemoPortal:
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
def make_client() -> Iterator[Callable[..., Bitrix24Client]]:
    clients: list[Bitrix24Client] = []

    def make(portal: DemoPortal, **kw: Any) -> Bitrix24Client:
        kw.setdefault("retry", FAST_RETRY)
        kw.setdefault("timeout", (2.0, 5.0))
        client = Bitrix24Client(parse_webhook_url(portal.webhook_url), **kw)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(portal: DemoPortal, make_client: Callable[..., Bitrix24Client]) -> Bitrix24Client:
    return make_client(portal)


def near_window_edge(portal, window_s: int, slack_s: float = 2.0) -> set[int]:
    """Ids whose last activity lies within ``slack_s`` of the online window's edge.

    The portal sends times in whole seconds (PHP ``date('c')``), so a client and the
    portal's own ``IS_ONLINE`` may disagree about someone exactly at the edge.
    """
    now = portal.clock.timestamp()
    edge = set()
    for uid in portal.colleague_ids():
        last = portal.activity(uid).last_activity
        if last is not None and abs((now - last) - window_s) <= slack_s:
            edge.add(uid)
    return edge
