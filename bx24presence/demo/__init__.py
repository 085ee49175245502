"""The embedded demo portal: a real HTTP server on loopback that speaks Bitrix24 REST."""

from bx24presence.demo.clock import DemoClock
from bx24presence.demo.limits import FaultInjector, RateLimit
from bx24presence.demo.population import DemoUser
from bx24presence.demo.portal import DemoPortal
from bx24presence.demo.server import RequestRecord

__all__ = ["DemoClock", "DemoPortal", "DemoUser", "FaultInjector", "RateLimit", "RequestRecord"]
