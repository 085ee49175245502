"""Type a failure of the network that ``requests`` raised, by the exceptions it wraps."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import requests
import urllib3

from bx24presence.api.errors import (
    ApiError,
    CertificateError,
    NetworkError,
    Reason,
    TimedOut,
    portal_text,
)


def network_error(
    exc: requests.exceptions.RequestException,
    method: str,
    host: str,
    secrets: Callable[[], tuple[str, ...]],
) -> ApiError:
    """The typed error for a failure of the network, by the types of the exceptions
    ``requests`` wraps (never by their words, which vary by platform and version)."""
    kw: dict[str, Any] = {"method": method, "host": host}
    causes = list(_causes(exc))
    if isinstance(exc, requests.exceptions.SSLError):
        plain = any(
            isinstance(c, ssl.SSLError)
            and not isinstance(c, ssl.SSLCertVerificationError)
            and getattr(c, "reason", None) in _NOT_TLS
            for c in causes
        )
        return CertificateError(reason=Reason.NOT_TLS if plain else Reason.CERTIFICATE, **kw)
    if isinstance(exc, requests.exceptions.Timeout):
        return TimedOut(**kw)
    detail = portal_text(str(exc), secrets())
    if any(isinstance(c, socket.gaierror) for c in causes):
        return NetworkError(reason=Reason.HOST_NOT_FOUND, **kw)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return NetworkError(reason=Reason.REFUSED, **kw)
    if any(isinstance(c, _DROPPED) for c in causes):
        return NetworkError(reason=Reason.DROPPED, **kw)
    return NetworkError(reason=Reason.UNREACHABLE, detail=detail, **kw)


#: OpenSSL's reasons when what answered an https address does not speak TLS (a plain-http
#: server: its answer is read as a TLS record of a wrong version).
_NOT_TLS = frozenset(
    {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE"}
)
#: A connection that ended without an answer.
_DROPPED = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    urllib3.exceptions.ProtocolError,
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps (``requests`` and ``urllib3`` nest them in their
    arguments and ``reason``), depth and count bounded."""
    todo: list[BaseException] = [exc]
    seen: set[int] = set()
    while todo and len(seen) < 32:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        nested = [*e.args, getattr(e, "reason", None), e.__cause__, e.__context__]
        todo.extend(n for n in nested if isinstance(n, BaseException))


__all__ = ["network_error"]
