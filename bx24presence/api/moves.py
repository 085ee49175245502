"""Where a portal's redirect may lead: the rules that keep the webhook secret on its host.

A Bitrix24 portal that changes its address answers 302 with the new one (docs/bitrix24-api.md,
6.5), and the request must be sent again there. That request carries the webhook secret in
its path (or the OAuth token in a header), so a redirect decides where the secret goes. The
rules, from the current portal address to the redirect's target:

* **Followed**: the same host, by the same scheme and port, or from http to https (any
  port): the secret stays with the same machine, and an upgrade only protects it better.
  The target must be a REST address (its path holds ``/rest/``); a redirect to a login page
  or anything else is refused.
* **Confirmed by the user** (:class:`PortalMoved`, nothing sent): an https target on the
  same site, which is another port of the same host, or another host with the same
  registrable domain (``old.example.com`` to ``new.example.com``).
* **Refused** (:class:`RedirectRefused`): everything else: another site, an https to http
  downgrade, a scheme other than http and https.

The registrable domain is worked out conservatively, without the Public Suffix List: the last
two labels of a name, or three when the second-to-last is a generic second level such as
``co``, ``com`` or ``org`` under a two-letter country code (``example.co.uk``). Under the
Bitrix24 cloud's domains (any ``bitrix24`` label: ``bitrix24.ru``, ``bitrix24.com``,
``bitrix24.site``...) and a few shared hosting suffixes, every portal is a different owner:
the registrable domain is the whole host, so a renamed cloud portal (``old.bitrix24.ru`` to
``new.bitrix24.ru``) is refused, and the user gives the new webhook address. IP addresses
and single-label names have no registrable domain: only the very same host counts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from bx24presence.api.auth import check_scheme, origin
from bx24presence.api.errors import (
    BadPortalUrl,
    PortalMoved,
    ProtocolError,
    Reason,
    RedirectRefused,
    portal_text,
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Second levels under which names belong to different owners (``example.co.uk``).
_GENERIC_SECOND_LEVEL = frozenset(
    {
        "ac", "biz", "co", "com", "edu", "gen", "go", "gob", "gov", "gv", "info", "int",
        "ltd", "me", "mil", "msk", "ne", "net", "nic", "nom", "or", "org", "plc", "pp", "sch",
        "spb", "web",
    }
)  # fmt: skip
#: Shared hosting suffixes where each name below is a different owner.
_SHARED_SUFFIXES = (
    "amazonaws.com",
    "appspot.com",
    "azurewebsites.net",
    "cloudfront.net",
    "firebaseapp.com",
    "github.io",
    "herokuapp.com",
    "netlify.app",
    "ngrok.io",
    "ngrok-free.app",
    "pages.dev",
    "vercel.app",
    "web.app",
    "workers.dev",
)
#: What a path prefix of a self-hosted portal may hold (``/portal`` in ``/portal/rest/...``).
_PREFIX = re.compile(r"[A-Za-z0-9._~%/-]*")


def registrable_domain(host: str) -> str | None:
    """The part of ``host`` one owner registers, by the conservative rule above; None for IP
    addresses and single-label names."""
    name = host.strip("[]").rstrip(".").lower()
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return None
    labels = name.split(".")
    if len(labels) < 2 or not all(labels):
        return None
    if "bitrix24" in labels[:-1] or any(
        name == s or name.endswith("." + s) for s in _SHARED_SUFFIXES
    ):
        return name
    if len(labels[-1]) == 2 and labels[-2] in _GENERIC_SECOND_LEVEL:
        return ".".join(labels[-3:]) if len(labels) >= 3 else None
    return ".".join(labels[-2:])


def _port(scheme: str, port: int | None) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme)


def judge_move(
    portal: str,
    location: str,
    *,
    request_url: str = "",
    allow_http: bool = False,
    secrets: Iterable[str] = (),
) -> str:
    """The new portal base URL to send the request to after a redirect to ``location``.

    Returns it when the move may be followed; raises :class:`PortalMoved` when the user must
    confirm it, :class:`RedirectRefused` when it must not be followed, and
    :class:`ProtocolError` when ``location`` is not a usable address. No message holds the
    secret: only hosts and the new base URL are named.
    """
    secrets = tuple(secrets)
    if not location or len(location) > 4096 or any(c.isspace() or ord(c) < 32 for c in location):
        raise ProtocolError(reason=Reason.REDIRECT_MALFORMED)
    try:
        old = urlsplit(portal)
        target = urlsplit(urljoin(request_url or portal + "/", location))
        old_port, new_port = old.port, target.port
    except ValueError:
        raise ProtocolError(reason=Reason.REDIRECT_MALFORMED) from None
    scheme = target.scheme.lower()
    old_scheme = old.scheme.lower()
    host = (target.hostname or "").lower()
    old_host = (old.hostname or "").lower()
    shown = portal_text(host, secrets, limit=100) or "an unnamed host"
    if not host or scheme not in _DEFAULT_PORTS:
        raise RedirectRefused(target=shown)
    same_host = host == old_host
    same_port = _port(scheme, new_port) == _port(old_scheme, old_port)
    upgrade = old_scheme == "http" and scheme == "https"
    if same_host and old_scheme == "https" and scheme == "http":
        raise RedirectRefused(reason=Reason.REDIRECT_INSECURE, target=shown)
    path = target.path
    if "/rest/" not in path:
        if same_host:
            raise RedirectRefused(reason=Reason.REDIRECT_NOT_API, target=shown)
        raise RedirectRefused(target=shown)
    prefix = path[: path.find("/rest/")].rstrip("/")
    if not _PREFIX.fullmatch(prefix) or len(prefix) > 200:
        raise ProtocolError(reason=Reason.REDIRECT_MALFORMED)
    new_portal = origin(scheme, host, new_port) + prefix
    if same_host and (upgrade or (scheme == old_scheme and same_port)):
        return new_portal
    site = registrable_domain(host)
    same_site = same_host or (site is not None and site == registrable_domain(old_host))
    acceptable = scheme == "https"
    if not acceptable and same_host:
        try:
            check_scheme(scheme, host, allow_http=allow_http)
            acceptable = True
        except BadPortalUrl:
            acceptable = False
    if same_site and acceptable:
        raise PortalMoved(new_portal=new_portal, target=shown)
    raise RedirectRefused(target=shown)
