"""``--once``: load the colleagues once, print them as JSON or a table, exit with a code.

The whole run, retries included, ends within ``--timeout``: the refresh's own deadline,
and a watchdog (:func:`with_deadline`) as its backstop.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bx24presence import APP_NAME
from bx24presence.cliargs import DEFAULT_TIMEOUT_S, run_options
from bx24presence.cliformat import format_json, format_table
from bx24presence.cliterm import (
    EXIT_AUTH,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    fail,
    stdout_is_unicode,
    write,
)
from bx24presence.logconfig import register_secret
from bx24presence.portalchoice import decide_portal, saved_webhook_url
from bx24presence.secrets import ENV_WEBHOOK

log = logging.getLogger(__name__)

#: Retries of ``--once``: about 15 s of patience before exit code 4.
ONCE_RETRY_ATTEMPTS = 5
#: After the deadline, how long the cancelled fetch may take to unwind before it is abandoned.
CANCEL_GRACE_S = 2.0
#: The watchdog fires this long after ``--timeout``, when the refresh's own deadline failed.
WATCHDOG_SLACK_S = 1.0

T = TypeVar("T")


@contextmanager
def demo_portal(users: int) -> Iterator[str]:
    """Start the embedded demo portal for this process; yields its webhook URL."""
    from bx24presence.demo import DemoPortal  # noqa: PLC0415

    portal = DemoPortal(users=users).start()
    try:
        yield portal.webhook_url
    finally:
        portal.stop()


def _webhook_from_env_or_store() -> str | None:
    """``BX24PRESENCE_WEBHOOK``, else the webhook saved by the window (the keyring)."""
    return saved_webhook_url()


class DeadlineExceeded(Exception):
    """The whole ``--once`` run took longer than ``--timeout``."""


def with_deadline(work: Callable[[], T], seconds: float, cancel: Callable[[], None]) -> T:
    """``work()`` in a worker thread, cancelled with ``cancel()`` after ``seconds``.

    Per-read timeouts do not bound a portal that sends one byte a second, nor retries; this
    does. After the deadline the work gets :data:`CANCEL_GRACE_S` to unwind, then it is
    abandoned (a daemon thread) and :class:`DeadlineExceeded` is raised either way.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"{APP_NAME}-once", daemon=True)
    worker.start()
    expired = False
    try:
        worker.join(seconds)
        expired = worker.is_alive()
    finally:
        if worker.is_alive():  # the deadline, or Ctrl+C in the caller's thread
            cancel()
            worker.join(CANCEL_GRACE_S)
    if expired:
        raise DeadlineExceeded
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or "the portal"
    except ValueError:
        return "the portal"


def run_once(args: argparse.Namespace) -> int:
    """Load once and print; never a traceback for the failures the exit codes name.

    Exit 4 covers everything the portal's answers can cause, including exceptions nobody
    foresaw while fetching and formatting them (their details go to the debug log); exit 1
    is left for failures of the command itself outside the exchange with the portal.
    """
    try:
        if args.relay:
            return _print_from_relay(args)
        # Scripts do not read the settings: the saved portal is the webhook the window saved.
        decision = decide_portal(run_options(args), None)
        if decision.is_demo:
            with demo_portal(args.demo_users) as demo_url:
                return _fetch_and_print(args, demo_url)
        url: str | None = decision.webhook_url or saved_webhook_url()
        if not url:
            return fail(
                EXIT_USAGE,
                "no portal: pass --portal URL (a webhook URL), --portal - (read it from"
                f" standard input), --demo, or set {ENV_WEBHOOK}",
            )
        return _fetch_and_print(args, url)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.debug("Unexpected error", exc_info=True)
        return fail(
            EXIT_FAILURE,
            f"internal error ({type(exc).__name__}); run with --log-level debug for details",
        )


def _print_from_relay(args: argparse.Namespace) -> int:
    """``--once --relay URL``: the same output, read from the office relay (no portal request)."""
    from bx24presence.relay.command import exit_code, load_from_relay  # noqa: PLC0415
    from bx24presence.relay.errors import RelayError  # noqa: PLC0415

    try:
        snapshot = load_from_relay(args.relay, lambda: args.portal or _webhook_from_env_or_store())
    except RelayError as exc:
        return fail(exit_code(exc), str(exc))
    ascii_only = not stdout_is_unicode()
    write(format_table(snapshot) if args.table else format_json(snapshot, ascii_only=ascii_only))
    return EXIT_OK


def _fetch_and_print(args: argparse.Namespace, url: str) -> int:
    from bx24presence.api.auth import parse_webhook_url  # noqa: PLC0415
    from bx24presence.api.client import Bitrix24Client  # noqa: PLC0415
    from bx24presence.api.errors import ApiError, AuthError, BadPortalUrl  # noqa: PLC0415
    from bx24presence.api.throttle import RetryPolicy  # noqa: PLC0415
    from bx24presence.failures import english  # noqa: PLC0415
    from bx24presence.sync import Refresher  # noqa: PLC0415

    try:
        auth = parse_webhook_url(url, allow_http=args.allow_http)
    except BadPortalUrl as exc:
        return fail(EXIT_USAGE, english(exc))
    register_secret(auth.secret)
    host = _host_of(auth.portal)
    timeout = args.timeout or DEFAULT_TIMEOUT_S
    window_s = (args.online_window or 15) * 60
    retry = RetryPolicy(attempts=ONCE_RETRY_ATTEMPTS)
    with Bitrix24Client(auth, allow_http=args.allow_http, retry=retry) as client:
        try:
            # The refresh's own deadline ends it with a typed error; the watchdog is the
            # backstop for anything that deadline cannot interrupt.
            refresher = Refresher(client, window_s=window_s, deadline_s=timeout)
            snapshot = with_deadline(refresher.refresh, timeout + WATCHDOG_SLACK_S, client.cancel)
            if not snapshot.colleagues:
                # A portal always lists at least the webhook's own user.
                return fail(
                    EXIT_UNREACHABLE,
                    f"{host} listed no colleagues at all, not even the webhook's own user;"
                    " its answer makes no sense",
                )
            if args.table:
                text = format_table(snapshot)
            else:
                text = format_json(snapshot, ascii_only=not stdout_is_unicode())
        except DeadlineExceeded:
            return fail(
                EXIT_UNREACHABLE,
                f"{host} did not give a complete answer within {timeout:g} s (--timeout)",
            )
        except AuthError as exc:
            return fail(EXIT_AUTH, english(exc))
        except ApiError as exc:
            return fail(EXIT_UNREACHABLE, english(exc))
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:
            # The portal's answer is what varies between runs: an exception nobody foresaw
            # here means an answer the command could not use. The message names only the
            # exception's type: its text may quote colleagues' data.
            log.debug("Unusable answer from %s", host, exc_info=True)
            return fail(
                EXIT_UNREACHABLE,
                f"{host} sent an answer that could not be used ({type(exc).__name__});"
                " run with --log-level debug for details",
            )
    log.info("%d HTTP requests for %d colleagues", snapshot.requests, len(snapshot.colleagues))
    write(text)
    return EXIT_OK


__all__ = [
    "CANCEL_GRACE_S",
    "DEFAULT_TIMEOUT_S",
    "ONCE_RETRY_ATTEMPTS",
    "WATCHDOG_SLACK_S",
    "DeadlineExceeded",
    "demo_portal",
    "run_once",
    "with_deadline",
]
