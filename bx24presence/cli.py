"""The command line: the window by default, ``--demo``, and ``--once --json/--table`` for scripts.

Exit codes: 0 success; 1 an internal error of the command itself; 2 bad usage or a malformed
URL; 3 authentication or permission failure; 4 the portal could not be reached, kept failing
after retries, did not answer within ``--timeout``, or sent an answer that makes no sense.

Errors are one line on standard error, never a traceback and never colleagues' data; the
details go to the log (``--log-level debug``). Every text on the terminal that came from the
portal is neutralised (:mod:`bx24presence.cliformat`) and the webhook secret is redacted.
"""

from __future__ import annotations

import argparse
import codecs
import getpass
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from bx24presence import APP_NAME, __version__, trust
from bx24presence.cliformat import colleague_record, format_json, format_table
from bx24presence.logconfig import LEVELS, redact_all, register_secret, setup_logging
from bx24presence.portalchoice import decide_portal, saved_webhook_url
from bx24presence.runoptions import DEFAULT_DEMO_USERS, RunOptions
from bx24presence.secrets import ENV_WEBHOOK
from bx24presence.textsafe import for_terminal

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_UNREACHABLE = 4
EXIT_INTERRUPTED = 130
#: Retries of ``--once``: about 15 s of patience before exit code 4.
ONCE_RETRY_ATTEMPTS = 5
#: The whole ``--once`` run, retries included, within this many seconds (``--timeout``).
DEFAULT_TIMEOUT_S = 120.0
MAX_TIMEOUT_S = 86400.0
#: After the deadline, how long the cancelled fetch may take to unwind before it is abandoned.
CANCEL_GRACE_S = 2.0
#: The watchdog fires this long after ``--timeout``, when the refresh's own deadline failed.
WATCHDOG_SLACK_S = 1.0
#: ``--portal -`` reads at most this much of the first line of standard input.
MAX_WEBHOOK_LINE = 4096
STDIN = "-"

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

T = TypeVar("T")


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and one clear line for usage errors."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        # A mistyped option can carry the webhook URL into the message.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {_safe_line(message)}\n")


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


def _validate(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
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


def _trust_bundle(named: str | None) -> None:
    """Check the CA bundle named by ``--ca-bundle`` or the environment, once, at the start;
    the option wins, and every client of this run then trusts it (:mod:`bx24presence.trust`)."""
    if named:
        os.environ[trust.ENV] = trust.check_bundle(named)
    elif os.environ.get(trust.ENV, "").strip():
        trust.check_bundle(os.environ[trust.ENV].strip())


def main(argv: Sequence[str] | None = None) -> int:
    """The ``bx24presence`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["relay"]:
        from bx24presence.relay.command import main as relay_main  # noqa: PLC0415  (headless)

        return relay_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    _validate(parser, args)
    if args.self_test:
        from bx24presence.selftest import run as self_test  # noqa: PLC0415

        return self_test()
    try:
        _trust_bundle(args.ca_bundle)
    except trust.BadCaBundle as exc:
        return _fail(EXIT_USAGE, str(exc))
    if args.portal == STDIN:
        try:
            args.portal = read_webhook_from_stdin()
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except (OSError, EOFError, ValueError) as exc:
            return _fail(EXIT_USAGE, f"--portal -: could not read standard input ({exc})")
        if not args.portal:
            return _fail(
                EXIT_USAGE,
                "--portal -: standard input held no webhook URL (pipe it in, or type it"
                " and press Enter)",
            )
    elif args.portal and secret_in(args.portal):
        warn_secret_in_argv()
    if args.once:
        setup_logging(args.log_level or "warning")
        _neutralise_console_logging()
        return run_once(args)
    from bx24presence.qt.launch import run_gui  # noqa: PLC0415  (Qt is loaded only for the window)

    return run_gui(run_options(args))


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


def main_gui(argv: Sequence[str] | None = None) -> int:
    """The windowed entry point (``bx24presence-gui``; no console window on Windows).

    Started from a terminal with ``--once``, output still reaches that terminal.
    """
    if sys.platform == "win32":
        _attach_parent_console()
    return main(argv)


def _attach_parent_console() -> None:
    """On Windows, a GUI-subsystem process has no stdout: borrow the parent's console."""
    try:
        import ctypes  # noqa: PLC0415

        if ctypes.windll.kernel32.AttachConsole(-1):  # type: ignore[attr-defined]
            sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115
            sys.stderr = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115
    except (OSError, AttributeError):
        pass


# -- the secret ----------------------------------------------------------------------------


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


# -- terminal output -------------------------------------------------------------------------


def _safe_line(text: str) -> str:
    """One line for the terminal: secrets redacted, controls and escape sequences defused."""
    return for_terminal(redact_all(text))


def _fail(code: int, message: str) -> int:
    print(f"{APP_NAME}: error: {_safe_line(message)}", file=sys.stderr)
    return code


class _TerminalFormatter(logging.Formatter):
    """Wraps the console formatter: each line of a record is neutralised for the terminal
    (log messages quote the portal's texts: error descriptions, redirect targets)."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self._inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        text = redact_all(self._inner.format(record))
        return "\n".join(for_terminal(line) for line in text.split("\n"))


def _neutralise_console_logging() -> None:
    for handler in logging.getLogger().handlers:
        if (
            getattr(handler, "_bx24presence", False)
            and isinstance(handler, logging.StreamHandler)
            and not isinstance(handler, logging.FileHandler)
            and not isinstance(handler.formatter, _TerminalFormatter)
        ):
            handler.setFormatter(_TerminalFormatter(handler.formatter))


def _stdout_is_unicode() -> bool:
    try:
        return codecs.lookup(sys.stdout.encoding or "ascii").name.startswith("utf")
    except LookupError:
        return False


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# -- --once ----------------------------------------------------------------------------------


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
            return _fail(
                EXIT_USAGE,
                "no portal: pass --portal URL (a webhook URL), --portal - (read it from"
                f" standard input), --demo, or set {ENV_WEBHOOK}",
            )
        return _fetch_and_print(args, url)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.debug("Unexpected error", exc_info=True)
        return _fail(
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
        return _fail(exit_code(exc), str(exc))
    ascii_only = not _stdout_is_unicode()
    _write(format_table(snapshot) if args.table else format_json(snapshot, ascii_only=ascii_only))
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
        return _fail(EXIT_USAGE, english(exc))
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
                return _fail(
                    EXIT_UNREACHABLE,
                    f"{host} listed no colleagues at all, not even the webhook's own user;"
                    " its answer makes no sense",
                )
            if args.table:
                text = format_table(snapshot)
            else:
                text = format_json(snapshot, ascii_only=not _stdout_is_unicode())
        except DeadlineExceeded:
            return _fail(
                EXIT_UNREACHABLE,
                f"{host} did not give a complete answer within {timeout:g} s (--timeout)",
            )
        except AuthError as exc:
            return _fail(EXIT_AUTH, english(exc))
        except ApiError as exc:
            return _fail(EXIT_UNREACHABLE, english(exc))
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:
            # The portal's answer is what varies between runs: an exception nobody foresaw
            # here means an answer the command could not use. The message names only the
            # exception's type: its text may quote colleagues' data.
            log.debug("Unusable answer from %s", host, exc_info=True)
            return _fail(
                EXIT_UNREACHABLE,
                f"{host} sent an answer that could not be used ({type(exc).__name__});"
                " run with --log-level debug for details",
            )
    log.info("%d HTTP requests for %d colleagues", snapshot.requests, len(snapshot.colleagues))
    _write(text)
    return EXIT_OK


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "EXIT_AUTH",
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "build_parser",
    "colleague_record",
    "format_json",
    "format_table",
    "main",
    "main_gui",
    "read_webhook_from_stdin",
    "run_once",
]
