"""The command line's options: the parser, the checks between options, and the run's options."""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from bx24presence import APP_NAME, __version__, trust
from bx24presence.cliterm import EXIT_USAGE, safe_line
from bx24presence.logconfig import LEVELS
from bx24presence.runoptions import DEFAULT_DEMO_USERS, RunOptions
from bx24presence.secrets import ENV_WEBHOOK

#: The whole ``--once`` run, retries included, within this many seconds (``--timeout``).
DEFAULT_TIMEOUT_S = 120.0
MAX_TIMEOUT_S = 86400.0

EPILOG = f"""\
The webhook URL holds a secret. Given as --portal URL, it is visible to every user of this
computer in the process list while the command runs; use --portal - (the URL is read from
standard input: piped, or typed without echo) or the environment variable {ENV_WEBHOOK}.
Without either, the webhook saved by the window (in the system keyring) is used.

Exit codes: 0 success; 1 an internal error of the command itself; 2 bad usage or address;
3 authentication or permission failure; 4 the portal could not be reached, kept failing
after retries, did not answer within --timeout, or sent an answer that makes no sense
(malformed, empty, or one the command could not use). Errors are one line, without
colleagues' data or the secret; --log-level debug logs the details.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and one clear line for usage errors."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        # A mistyped option can carry the webhook URL into the message.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {safe_line(message)}\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= MAX_TIMEOUT_S:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_TIMEOUT_S:.0f} seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (shared by the console and the GUI entry points)."""
    p = _Parser(
        prog=APP_NAME,
        description="See which of your Bitrix24 colleagues are available right now.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help="use the embedded demo portal")
    src.add_argument(
        "--portal",
        metavar="URL",
        help="the webhook URL https://<portal>/rest/<user>/<secret>/, or - to read it from"
        " standard input (keeps the secret out of the process list)",
    )
    p.add_argument("--once", action="store_true", help="load once and print, without a window")
    p.add_argument(
        "--relay",
        metavar="URL",
        help="with --once: read the office relay (rediss://USER@HOST:PORT/0?portal=HOST)"
        " instead of the portal; `bx24presence relay --help` runs one",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="with --once: print a JSON array")
    fmt.add_argument("--table", action="store_true", help="with --once: print a table")
    p.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="with --once: give up (exit 4) when the whole run, retries included, takes longer"
        f" (default {DEFAULT_TIMEOUT_S:.0f})",
    )
    p.add_argument(
        "--allow-http",
        action="store_true",
        help="accept a plain-http portal address (self-hosted portals without TLS)",
    )
    p.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="trust the certificate authorities in this PEM file for the portal, instead of the"
        f" system's (a self-hosted portal with the company's own certificates; or set {trust.ENV})",
    )
    p.add_argument(
        "--online-window",
        type=int,
        metavar="MINUTES",
        help="how recent the last activity must be to count as online (default 15)",
    )
    p.add_argument(
        "--demo-users",
        type=int,
        default=DEFAULT_DEMO_USERS,
        metavar="N",
        help=f"colleagues on the demo portal (default {DEFAULT_DEMO_USERS})",
    )
    p.add_argument("--log-level", choices=LEVELS, help="logging detail (default warning)")
    p.add_argument("--reset-settings", action="store_true", help="start over with default settings")
    p.add_argument(
        "--self-test", action="store_true", help="check this installation offscreen, then exit"
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def validate(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if (args.json or args.table) and not args.once:
        p.error("--json and --table need --once")
    if args.timeout is not None and not args.once:
        p.error("--timeout needs --once")
    if args.relay and (not args.once or args.demo):
        p.error("--relay needs --once, and reads the relay instead of --demo")
    if args.online_window is not None and not 1 <= args.online_window <= 1440:
        p.error("--online-window must be between 1 and 1440 minutes")
    if not 1 <= args.demo_users <= 20000:
        p.error("--demo-users must be between 1 and 20000")


def trust_bundle(named: str | None) -> None:
    """Check the CA bundle named by ``--ca-bundle`` or the environment, once, at the start;
    the option wins, and every client of this run then trusts it (:mod:`bx24presence.trust`)."""
    if named:
        os.environ[trust.ENV] = trust.check_bundle(named)
    elif os.environ.get(trust.ENV, "").strip():
        trust.check_bundle(os.environ[trust.ENV].strip())


def run_options(args: argparse.Namespace) -> RunOptions:
    """This run's command-line options as one frozen value (never saved)."""
    return RunOptions(
        demo=args.demo,
        portal=args.portal,
        allow_http=args.allow_http,
        online_window_min=args.online_window,
        log_level=args.log_level,
        demo_users=args.demo_users,
        reset_settings=args.reset_settings,
    )


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "EPILOG",
    "MAX_TIMEOUT_S",
    "build_parser",
    "run_options",
    "trust_bundle",
    "validate",
]
