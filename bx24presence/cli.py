"""The command line: the window by default, ``--demo``, and ``--once --json/--table`` for scripts.

Exit codes: 0 success; 1 an internal error of the command itself; 2 bad usage or a malformed
URL; 3 authentication or permission failure; 4 the portal could not be reached, kept failing
after retries, did not answer within ``--timeout``, or sent an answer that makes no sense.

Errors are one line on standard error, never a traceback and never colleagues' data; the
details go to the log (``--log-level debug``). Every text on the terminal that came from the
portal is neutralised (:mod:`bx24presence.cliformat`) and the webhook secret is redacted.

The parts: the options (:mod:`bx24presence.cliargs`), the secret (:mod:`bx24presence.clisecret`),
``--once`` (:mod:`bx24presence.clionce`), the terminal and exit codes (:mod:`bx24presence.cliterm`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bx24presence import trust
from bx24presence.cliargs import (
    DEFAULT_TIMEOUT_S,
    build_parser,
    run_options,
    trust_bundle,
    validate,
)
from bx24presence.cliformat import colleague_record, format_json, format_table
from bx24presence.clionce import (
    CANCEL_GRACE_S,
    ONCE_RETRY_ATTEMPTS,
    WATCHDOG_SLACK_S,
    DeadlineExceeded,
    demo_portal,
    run_once,
    with_deadline,
)
from bx24presence.clisecret import STDIN, read_webhook_from_stdin, secret_in, warn_secret_in_argv
from bx24presence.cliterm import (
    EXIT_AUTH,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    fail,
    neutralise_console_logging,
)
from bx24presence.logconfig import setup_logging


def main(argv: Sequence[str] | None = None) -> int:
    """The ``bx24presence`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["relay"]:
        from bx24presence.relay.command import main as relay_main  # noqa: PLC0415  (headless)

        return relay_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    validate(parser, args)
    if args.self_test:
        from bx24presence.selftest import run as self_test  # noqa: PLC0415

        return self_test()
    try:
        trust_bundle(args.ca_bundle)
    except trust.BadCaBundle as exc:
        return fail(EXIT_USAGE, str(exc))
    if args.portal == STDIN:
        try:
            args.portal = read_webhook_from_stdin()
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except (OSError, EOFError, ValueError) as exc:
            return fail(EXIT_USAGE, f"--portal -: could not read standard input ({exc})")
        if not args.portal:
            return fail(
                EXIT_USAGE,
                "--portal -: standard input held no webhook URL (pipe it in, or type it"
                " and press Enter)",
            )
    elif args.portal and secret_in(args.portal):
        warn_secret_in_argv()
    if args.once:
        setup_logging(args.log_level or "warning")
        neutralise_console_logging()
        return run_once(args)
    from bx24presence.qt.launch import run_gui  # noqa: PLC0415  (Qt is loaded only for the window)

    return run_gui(run_options(args))


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


__all__ = [
    "CANCEL_GRACE_S",
    "DEFAULT_TIMEOUT_S",
    "EXIT_AUTH",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "ONCE_RETRY_ATTEMPTS",
    "WATCHDOG_SLACK_S",
    "DeadlineExceeded",
    "build_parser",
    "colleague_record",
    "demo_portal",
    "format_json",
    "format_table",
    "main",
    "main_gui",
    "read_webhook_from_stdin",
    "run_once",
    "run_options",
    "with_deadline",
]
