"""The command line: the window by default, ``--demo``, and ``--once --json/--table`` for scripts.

Exit codes: 0 success; 2 bad usage or a malformed URL; 3 authentication or permission
failure; 4 the portal could not be reached or kept failing after retries.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bx24presence import APP_NAME, __version__
from bx24presence.logconfig import LEVELS, register_secret, setup_logging
from bx24presence.secrets import ENV_WEBHOOK

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_UNREACHABLE = 4
DEFAULT_DEMO_USERS = 400
#: Retries of ``--once``: about 15 s of patience before exit code 4.
ONCE_RETRY_ATTEMPTS = 5


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and one clear line for usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (shared by the console and the GUI entry points)."""
    p = _Parser(
        prog=APP_NAME,
        description="See which of your Bitrix24 colleagues are available right now.",
        epilog="Exit codes: 0 success, 2 bad usage or address, 3 authentication or permission"
        " failure, 4 portal unreachable.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help="use the embedded demo portal")
    src.add_argument(
        "--portal", metavar="URL", help="the webhook URL https://<portal>/rest/<user>/<secret>/"
    )
    p.add_argument("--once", action="store_true", help="load once and print, without a window")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="with --once: print a JSON array")
    fmt.add_argument("--table", action="store_true", help="with --once: print a table")
    p.add_argument(
        "--allow-http",
        action="store_true",
        help="accept a plain-http portal address (self-hosted portals without TLS)",
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
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _validate(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if (args.json or args.table) and not args.once:
        p.error("--json and --table need --once")
    if args.online_window is not None and not 1 <= args.online_window <= 1440:
        p.error("--online-window must be between 1 and 1440 minutes")
    if not 1 <= args.demo_users <= 20000:
        p.error("--demo-users must be between 1 and 20000")


def main(argv: Sequence[str] | None = None) -> int:
    """The ``bx24presence`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _validate(parser, args)
    if args.once:
        setup_logging(args.log_level or "warning")
        return run_once(args)
    from bx24presence.qt.controller import run_gui  # noqa: PLC0415  (Qt is loaded only for the window)

    return run_gui(args)


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


def _fail(code: int, message: str) -> int:
    print(f"{APP_NAME}: error: {message}", file=sys.stderr)
    return code


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
    from bx24presence.secrets import WEBHOOK_URL, SecretStore  # noqa: PLC0415

    try:
        return SecretStore().get(WEBHOOK_URL)
    except OSError:
        log.debug("No stored webhook", exc_info=True)
        return None


def run_once(args: argparse.Namespace) -> int:
    """Load once and print; never a traceback for the failures the exit codes name."""
    from bx24presence.api.auth import parse_webhook_url  # noqa: PLC0415
    from bx24presence.api.client import Bitrix24Client  # noqa: PLC0415
    from bx24presence.api.errors import (  # noqa: PLC0415
        ApiError,
        AuthError,
        BadPortalUrl,
    )
    from bx24presence.api.throttle import RetryPolicy  # noqa: PLC0415
    from bx24presence.sync import Refresher  # noqa: PLC0415

    window_s = (args.online_window or 15) * 60
    printer = format_table if args.table else format_json

    def fetch(url: str) -> int:
        try:
            auth = parse_webhook_url(url, allow_http=args.allow_http)
        except BadPortalUrl as exc:
            return _fail(EXIT_USAGE, str(exc))
        register_secret(auth.secret)
        retry = RetryPolicy(attempts=ONCE_RETRY_ATTEMPTS)
        with Bitrix24Client(auth, allow_http=args.allow_http, retry=retry) as client:
            try:
                snapshot = Refresher(client, window_s=window_s).refresh()
            except AuthError as exc:
                return _fail(EXIT_AUTH, str(exc))
            except ApiError as exc:
                return _fail(EXIT_UNREACHABLE, str(exc))
        log.info("%d HTTP requests for %d colleagues", snapshot.requests, len(snapshot.colleagues))
        _write(printer(snapshot))
        return EXIT_OK

    try:
        if args.demo:
            with demo_portal(args.demo_users) as demo_url:
                return fetch(demo_url)
        url: str | None = args.portal or _webhook_from_env_or_store()
        if not url:
            return _fail(
                EXIT_USAGE,
                "no portal: pass --portal URL (a webhook URL), --demo, or set " + ENV_WEBHOOK,
            )
        return fetch(url)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.debug("Unexpected error", exc_info=True)
        from bx24presence.logconfig import redact_all  # noqa: PLC0415

        return _fail(EXIT_FAILURE, f"unexpected error: {redact_all(repr(exc))}")


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def colleague_record(c: Any) -> dict[str, Any]:
    """The JSON object for one colleague (the ``--once --json`` contract)."""
    return {
        "id": c.id,
        "name": c.name,
        "presence": c.presence.value,
        "last_activity": c.last_activity_raw,
        "absent_until": c.absent_until.isoformat() if c.absent_until else None,
        "birthday": c.birthday,
        "work_position": c.work_position,
        "email": c.email,
        "phones": c.phones.as_dict(),
        "departments": list(c.departments),
        "avatar": c.avatar or c.avatar_hr,
        "avatar_hr": c.avatar_hr or c.avatar,
        "color": c.color,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "gender": c.gender,
    }


def format_json(snapshot: Any) -> str:
    """A JSON array of colleagues sorted by id."""
    rows = [colleague_record(c) for c in sorted(snapshot.colleagues, key=lambda c: c.id)]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(snapshot: Any, local_now: Callable[[], datetime] | None = None) -> str:
    """An aligned table for people: id, name, presence, status, position, phone, email."""
    from bx24presence.presence import (  # noqa: PLC0415
        is_birthday,
        is_on_vacation,
        server_clock_now,
        status_text_en,
        vacation_text_en,
    )

    now_local = (local_now or (lambda: datetime.now(UTC)))()
    now = server_clock_now(snapshot.server_time, snapshot.fetched_at, now_local)
    today = now_local.astimezone().date()
    header = ("ID", "NAME", "PRESENCE", "STATUS", "POSITION", "PHONE", "EMAIL")
    rows = []
    for c in sorted(snapshot.colleagues, key=lambda c: c.id):
        status = status_text_en(c.presence, c.last_activity, now)
        if is_on_vacation(c.absent_until, today) and c.absent_until:
            status += "; " + vacation_text_en(c.absent_until)
        if is_birthday(c.birthday, today):
            status += "; birthday today"
        phones = c.phones.as_dict()
        rows.append(
            (
                str(c.id),
                _clip(c.name, 40),
                c.presence.value,
                _clip(status, 48),
                _clip(c.work_position or "", 32),
                next(iter(phones.values()), ""),
                c.email or "",
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    available = sum(1 for c in snapshot.colleagues if c.presence.is_available)
    lines.append(f"{len(rows)} colleagues, {available} available")
    return "\n".join(lines) + "\n"
