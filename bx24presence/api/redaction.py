"""Secrets out of text: webhook secrets, tokens, and any secret string the caller names."""

from __future__ import annotations

import re
from urllib.parse import quote

# Anything that looks like a webhook secret inside a text (logs, messages, URLs).
_SECRET_IN_TEXT = re.compile(r"(/rest/\d+/)([^/?#\s'\"]+)")
_TOKEN_IN_TEXT = re.compile(
    r"((?:auth|access_token|refresh_token|client_secret)=)[^&\s'\"]+", re.IGNORECASE
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)

REDACTED = "***"


def _variants(secret: str) -> set[str]:
    """The forms a secret takes in text: as is, and percent-encoded (in a URL)."""
    return {secret, quote(secret, safe=""), quote(secret)}


def redact(text: str, *secrets: str) -> str:
    """Remove webhook secrets, tokens and the given secret strings from ``text``.

    The given secrets are removed in any letter case and percent-encoded as well: a portal
    or a proxy may echo them either way.
    """
    for s in secrets:
        if s and len(s) >= 4:
            for form in _variants(s):
                text = re.sub(re.escape(form), REDACTED, text, flags=re.IGNORECASE)
    text = _SECRET_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
    text = _TOKEN_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
