"""Typed failures of the relay and its readers: a reason set where they are raised."""

from __future__ import annotations

import enum


class RelayFailure(enum.Enum):
    """Why Redis could not be used."""

    #: The address cannot be used as given (a usage error, exit code 2).
    BAD_ADDRESS = "bad-address"
    #: Redis refused the user name or password.
    AUTH = "auth"
    #: The ACL user may not run a command or touch a key.
    PERMISSION = "permission"
    #: The server's TLS certificate did not verify.
    TLS = "tls"
    #: No connection, or no answer in time.
    UNREACHABLE = "unreachable"
    #: Redis holds something that is not the relay's data (or is too big).
    PROTOCOL = "protocol"
    #: The relay has published nothing for this portal yet.
    NO_DATA = "no-data"
    #: The relay's heartbeat is gone or older than two periods: the relay has stopped.
    GONE = "gone"


_SENTENCES = {
    RelayFailure.BAD_ADDRESS: "The relay's address cannot be used",
    RelayFailure.AUTH: "Redis refused the relay user name or password",
    RelayFailure.PERMISSION: "The Redis user may not do this (check its ACL)",
    RelayFailure.TLS: "The relay's TLS certificate could not be verified",
    RelayFailure.UNREACHABLE: "The relay (Redis) cannot be reached",
    RelayFailure.PROTOCOL: "The relay's data in Redis makes no sense",
    RelayFailure.NO_DATA: "The relay has published nothing for this portal yet",
    RelayFailure.GONE: "The relay has stopped (its heartbeat is gone)",
}


def sentence(reason: RelayFailure) -> str:
    """One plain sentence for a reason (the one place that turns reasons into words)."""
    return _SENTENCES[reason]


class RelayError(Exception):
    """Redis could not be used. ``str()`` is safe to show: never a password or a webhook.

    Attributes:
        reason: why, as a :class:`RelayFailure`.
        detail: what exactly (the server's words, redacted), for logs.
    """

    def __init__(self, reason: RelayFailure, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{sentence(reason)}: {detail}" if detail else sentence(reason))


class BadRelayUrl(RelayError, ValueError):
    """The Redis address is malformed or insecure."""

    def __init__(self, detail: str) -> None:
        super().__init__(RelayFailure.BAD_ADDRESS, detail)
