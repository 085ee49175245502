"""OAuth 2.0 for the demo portal: access and refresh tokens, and the token endpoint."""

from __future__ import annotations

import enum
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ACCESS_TOKEN_LIFETIME_S = 3600  # One hour (docs/bitrix24-api.md §6.2).


class TokenCheck(enum.Enum):
    """The outcome of looking up an access token."""

    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Grant:
    """A pair of tokens as the token server hands them out."""

    access_token: str
    refresh_token: str
    user_id: int
    expires_in: int
    expires: int


class TokenStore:
    """Issued tokens. Expiry follows the demo clock, so tests can age tokens instantly."""

    def __init__(self) -> None:
        """No tokens yet."""
        self._access: dict[str, tuple[int, float]] = {}
        self._refresh: dict[str, int] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: int, now: float, expires_in: int = ACCESS_TOKEN_LIFETIME_S) -> Grant:
        """A new access token for ``user_id`` lasting ``expires_in`` s, and a refresh token."""
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        expires = now + expires_in
        with self._lock:
            self._access[access] = (user_id, expires)
            self._refresh[refresh] = user_id
        return Grant(access, refresh, user_id, expires_in, int(expires))

    def check(self, token: str, now: float) -> tuple[TokenCheck, int]:
        """Whether ``token`` is valid now, and whose it is (0 when unknown)."""
        with self._lock:
            found = self._access.get(token)
        if found is None:
            return TokenCheck.UNKNOWN, 0
        user_id, expires = found
        return (TokenCheck.VALID if now < expires else TokenCheck.EXPIRED), user_id

    def expire_all(self) -> None:
        """Every access token issued so far expires now."""
        with self._lock:
            self._access = {k: (uid, float("-inf")) for k, (uid, _) in self._access.items()}

    def refresh(self, refresh_token: str, now: float) -> Grant | None:
        """Trade a refresh token for a new pair; the old refresh token is used up."""
        with self._lock:
            user_id = self._refresh.pop(refresh_token, None)
        if user_id is None:
            return None
        return self.issue(user_id, now)


def token_endpoint(
    params: Mapping[str, Any], store: TokenStore, now: float, portal: Mapping[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Answer ``/oauth/token/`` like the Bitrix24 OAuth server (docs/bitrix24-api.md §6.2).

    Only ``grant_type=refresh_token`` is supported; client id and secret are not checked.
    A bad refresh token gives 400 ``{"error": "invalid_grant"}``.
    """
    grant_type = params.get("grant_type")
    if grant_type == "authorization_code":
        return 400, {"error": "invalid_grant"}
    if grant_type != "refresh_token":
        return 400, {"error": "invalid_request", "error_description": "Unknown grant_type"}
    grant = store.refresh(str(params.get("refresh_token") or ""), now)
    if grant is None:
        return 400, {"error": "invalid_grant"}
    return 200, {
        "access_token": grant.access_token,
        "expires": grant.expires,
        "expires_in": grant.expires_in,
        "scope": ",".join(portal["scopes"]),
        "domain": portal["domain"],
        "server_endpoint": portal["base_url"] + "/oauth/rest/",
        "status": "L",
        "client_endpoint": portal["base_url"] + "/rest/",
        "member_id": portal["member_id"],
        "user_id": grant.user_id,
        "refresh_token": grant.refresh_token,
    }
