"""Which links the app may open: the one allow-list every URL passes before it reaches a browser.

Profile fields are written by colleagues, so a website may say ``file:///etc/passwd`` or
``javascript:...`` and an e-mail ``a@b.c?attach=/etc/passwd``. The app therefore never opens a
field as it is: it builds the URL itself from what the field means, per kind:

* website and the portal's chat: ``http``/``https`` only, with a host, no user name in it
  (``https://portal.example@evil.example`` is a deception), no spaces or control characters;
  a bare host (``example.com``) gets ``https://``;
* phone: ``tel:`` followed by an optional ``+`` and the digits alone; a number holding anything
  but digits, a leading ``+`` and the separators `` -().`` is shown as text without a link;
* e-mail: ``mailto:`` followed by one plain address (``local@domain.tld``); no ``?``, ``&``,
  ``,``, ``;``, ``%``, spaces or a second ``@``, so nothing can add headers, recipients or
  attachments.

Pure Python with no Qt: testable without a display.
"""

from __future__ import annotations

import ipaddress
import re
from enum import Enum
from urllib.parse import urlsplit

#: Longer values are not links (a real website or address is far shorter).
MAX_URL_CHARS = 2048
MAX_EMAIL_CHARS = 254
MAX_PHONE_DIGITS = 20
MIN_PHONE_DIGITS = 3


class LinkKind(Enum):
    """What a value is, which decides the only scheme it may open with."""

    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"


# A scheme followed by something that is not a port number: "javascript:", "file:", "mailto:".
_FOREIGN_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?![0-9])")
# Characters never allowed in a URL the app opens: controls, spaces, backslashes, bidi controls,
# line separators and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x20\x7f-\x9f\\\\\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]*[^\W_])?", re.UNICODE)
_PHONE_CHARS = frozenset("0123456789+ -().")
_EMAIL = re.compile(
    r"(?P<local>[\w!$*+\-=~']+(?:\.[\w!$*+\-=~']+)*)"
    r"@(?P<domain>[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+)",
    re.UNICODE,
)


def safe_url(kind: LinkKind, value: str) -> str | None:
    """The URL the app may open for a field's ``value``, or None (then show it as text only).

    This is the allow-list: every link the app opens is built here.
    """
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        return None
    if kind is LinkKind.WEB:
        return _web(value)
    if kind is LinkKind.PHONE:
        return _phone(value)
    return _email(value)


def checked_url(url: str) -> str | None:
    """``url`` if it is one the allow-list would build, else None: the last check before opening.

    A ``tel:`` or ``mailto:`` URL must be exactly what :func:`safe_url` builds from its own
    number or address; anything else must be an acceptable ``http``/``https`` URL.
    """
    if not isinstance(url, str):
        return None
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "tel":
        return url if safe_url(LinkKind.PHONE, url[4:]) == url else None
    if scheme == "mailto":
        return url if safe_url(LinkKind.EMAIL, url[7:]) == url else None
    if scheme in ("http", "https") and url.startswith(("http://", "https://")):
        return url if _web(url) == url else None
    return None


def _web(value: str) -> str | None:
    if len(value) > MAX_URL_CHARS or _UNSAFE.search(value):
        return None
    if "://" not in value:
        if _FOREIGN_SCHEME.match(value) or value.startswith("/"):
            return None
        value = f"https://{value}"
    scheme, _, rest = value.partition("://")
    value = f"{scheme.lower()}://{rest}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not value.startswith(parts.scheme + "://"):
        return None
    if "@" in parts.netloc:
        return None
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        return None
    host = parts.hostname or ""
    if not _valid_host(host, bracketed=parts.netloc.startswith("[")):
        return None
    return value


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if not host or len(host) > 253:
        return False
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return all(_HOST_LABEL.fullmatch(label) for label in host.rstrip(".").split("."))


def _phone(value: str) -> str | None:
    if not set(value) <= _PHONE_CHARS or "+" in value[1:]:
        return None
    digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return f"tel:{'+' if value.startswith('+') else ''}{digits}"


def _email(value: str) -> str | None:
    if len(value) > MAX_EMAIL_CHARS or _UNSAFE.search(value):
        return None
    match = _EMAIL.fullmatch(value)
    if match is None or len(match["local"]) > 64:
        return None
    return f"mailto:{value}"
