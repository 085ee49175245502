"""The webhook secret on the command line: read it from standard input, warn when it is in argv."""

from __future__ import annotations

import getpass
import sys

from bx24presence import APP_NAME
from bx24presence.logconfig import register_secret
from bx24presence.secrets import ENV_WEBHOOK

#: ``--portal -`` reads at most this much of the first line of standard input.
MAX_WEBHOOK_LINE = 4096
STDIN = "-"


def read_webhook_from_stdin() -> str:
    """The webhook URL from the first line of standard input, stripped ("" when none).

    On a terminal it is asked for without echo, so it shows neither on the screen nor in
    the process list.
    """
    stream = sys.stdin
    if stream is None or stream.closed:
        return ""
    if stream.isatty():
        return getpass.getpass("Webhook URL (not shown): ", stream=sys.stderr).strip()
    return stream.readline(MAX_WEBHOOK_LINE).strip()


def secret_in(url: str) -> bool:
    """Whether a command-line argument holds a webhook secret."""
    from bx24presence.api.auth import parse_webhook_url  # noqa: PLC0415
    from bx24presence.api.errors import BadPortalUrl  # noqa: PLC0415

    try:
        auth = parse_webhook_url(url, allow_http=True)
    except BadPortalUrl:
        return False
    register_secret(auth.secret)
    return True


def warn_secret_in_argv() -> None:
    """One line on stderr: a secret given as an argument is readable by every local user."""
    print(
        f"{APP_NAME}: warning: the webhook secret in --portal is visible to every user of this"
        f" computer in the process list; use --portal - (read from standard input) or set"
        f" {ENV_WEBHOOK} instead",
        file=sys.stderr,
    )


__all__ = [
    "MAX_WEBHOOK_LINE",
    "STDIN",
    "read_webhook_from_stdin",
    "secret_in",
    "warn_secret_in_argv",
]
