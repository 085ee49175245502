"""``bx24presence relay`` and ``bx24presence --once --relay URL``: the command-line side.

Configuration errors are one line on standard error and a non-zero exit (the codes of
:mod:`bx24presence.cli`): 2 bad usage or address, 3 refused credentials (the webhook or
Redis), 4 the relay has nothing usable to read.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from bx24presence import APP_NAME
from bx24presence.logconfig import LEVELS, redact_all, setup_logging
from bx24presence.relay.address import (
    DEFAULT_PREFIX,
    ENV_REDIS_PASSWORD,
    RelayAddress,
    namespace_for,
    parse_relay_url,
    portal_host,
    redis_password,
)
from bx24presence.relay.errors import BadRelayUrl, RelayError, RelayFailure
from bx24presence.relay.publisher import DEFAULT_STREAM_LENGTH
from bx24presence.relay.service import DEFAULT_HEARTBEAT_S, MIN_INTERVAL_S
from bx24presence.secrets import ENV_WEBHOOK
from bx24presence.textsafe import for_terminal

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_UNREACHABLE = 4

_AUTH_REASONS = (RelayFailure.AUTH, RelayFailure.PERMISSION, RelayFailure.TLS)


def _fail(code: int, message: str) -> int:
    print(f"{APP_NAME} relay: error: {for_terminal(redact_all(message))}", file=sys.stderr)
    return code


def warn_password_in_url(address: RelayAddress) -> None:
    """One line: a password in the address is readable by every local user."""
    if address.url_password:
        print(
            f"{APP_NAME}: warning: the Redis password in the address is visible in the process"
            f" list and shell history; set {ENV_REDIS_PASSWORD} or keep it in the keyring",
            file=sys.stderr,
        )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {for_terminal(redact_all(message))}\n")


def build_parser() -> argparse.ArgumentParser:
    """The arguments of ``bx24presence relay``."""
    p = _Parser(
        prog=f"{APP_NAME} relay",
        description="Poll the portal once for the whole office and publish it through Redis.",
        epilog=(
            f"The webhook comes from {ENV_WEBHOOK} or the keyring, never from the command"
            f" line; the Redis password from {ENV_REDIS_PASSWORD} or the keyring."
        ),
    )
    p.add_argument(
        "--redis",
        metavar="URL",
        required=True,
        help="rediss://USER@HOST:PORT/DB[?ca=FILE] (redis:// only on this computer)",
    )
    p.add_argument("--prefix", default=None, help=f"key prefix (default {DEFAULT_PREFIX})")
    p.add_argument(
        "--interval",
        type=int,
        default=60,
        metavar="SECONDS",
        help=f"time between polls (at least {MIN_INTERVAL_S}; default 60)",
    )
    p.add_argument(
        "--heartbeat",
        type=float,
        default=DEFAULT_HEARTBEAT_S,
        metavar="SECONDS",
        help=f"how often the heartbeat is written (default {DEFAULT_HEARTBEAT_S:g})",
    )
    p.add_argument(
        "--stream-length",
        type=int,
        default=DEFAULT_STREAM_LENGTH,
        metavar="N",
        help=f"diff entries kept for desktops that were away (default {DEFAULT_STREAM_LENGTH})",
    )
    p.add_argument(
        "--online-window",
        type=int,
        metavar="MINUTES",
        help="how recent the last activity must be to count as online (default 15)",
    )
    p.add_argument("--allow-http", action="store_true", help="accept a plain-http portal")
    p.add_argument("--log-level", choices=LEVELS, default="info", help="default info")
    p.add_argument("--log-file", metavar="PATH", help="also log to this rotating file")
    return p


def main(argv: Sequence[str]) -> int:
    """``bx24presence relay``: runs until SIGTERM or Ctrl+C."""
    args = build_parser().parse_args(list(argv))
    if args.interval < MIN_INTERVAL_S:
        return _fail(EXIT_USAGE, f"--interval must be at least {MIN_INTERVAL_S} seconds")
    if not 0.5 <= args.heartbeat <= args.interval:
        return _fail(EXIT_USAGE, "--heartbeat must be between 0.5 s and the interval")
    if not 10 <= args.stream_length <= 1_000_000:
        return _fail(EXIT_USAGE, "--stream-length must be between 10 and 1000000")
    if args.online_window is not None and not 1 <= args.online_window <= 1440:
        return _fail(EXIT_USAGE, "--online-window must be between 1 and 1440 minutes")
    from pathlib import Path  # noqa: PLC0415

    setup_logging(args.log_level, log_file=Path(args.log_file) if args.log_file else None)
    return run(args)


def _webhook() -> str | None:
    from bx24presence.secrets import WEBHOOK_URL, SecretStore  # noqa: PLC0415

    try:
        return SecretStore().get(WEBHOOK_URL)
    except OSError:
        log.debug("No stored webhook", exc_info=True)
        return None


def run(args: argparse.Namespace) -> int:
    """Check the configuration, then run the service until a signal."""
    from bx24presence.api.auth import parse_webhook_url  # noqa: PLC0415
    from bx24presence.api.client import Bitrix24Client  # noqa: PLC0415
    from bx24presence.api.errors import BadPortalUrl  # noqa: PLC0415
    from bx24presence.relay.address import connect  # noqa: PLC0415
    from bx24presence.relay.publisher import Publisher  # noqa: PLC0415
    from bx24presence.relay.service import FirstPollRefused, RelayService  # noqa: PLC0415
    from bx24presence.sync import Refresher  # noqa: PLC0415

    try:
        address = parse_relay_url(args.redis)
    except BadRelayUrl as exc:
        return _fail(EXIT_USAGE, str(exc))
    warn_password_in_url(address)
    url = _webhook()
    if not url:
        return _fail(
            EXIT_USAGE,
            f"no webhook: set {ENV_WEBHOOK} (for a service, in an EnvironmentFile readable"
            " only by its user) or store it in the keyring",
        )
    try:
        auth = parse_webhook_url(url, allow_http=args.allow_http)
    except BadPortalUrl as exc:
        return _fail(EXIT_USAGE, str(exc))
    try:
        keys = namespace_for(args.prefix or address.prefix, portal_host(auth.portal))
        redis = connect(address, redis_password(address), client_name="bx24presence-relay")
    except BadRelayUrl as exc:
        return _fail(EXIT_USAGE, str(exc))
    publisher = Publisher(redis, keys, stream_length=args.stream_length)
    try:
        publisher.check()
    except RelayError as exc:
        if exc.reason in _AUTH_REASONS:
            return _fail(EXIT_AUTH, str(exc))
        log.warning("Redis at %s: %s; starting anyway, reconnecting", address.display(), exc)
    window_s = (args.online_window or 15) * 60
    client = Bitrix24Client(auth, allow_http=args.allow_http)
    service = RelayService(
        Refresher(client, window_s=window_s),
        publisher,
        interval_s=args.interval,
        heartbeat_s=args.heartbeat,
    )

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("Signal %d: stopping", signum)
        service.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    log.info(
        "Relay for %s publishing to %s under %s every %d s",
        auth.portal,
        address.display(),
        keys.namespace,
        args.interval,
    )
    try:
        service.run()
    except FirstPollRefused as exc:
        return _fail(EXIT_AUTH, f"the portal refused the webhook: {exc}")
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        client.close()
        redis.close()
    return EXIT_OK


# -- --once --relay URL ------------------------------------------------------------------------


def load_from_relay(relay_url: str, portal_url: Callable[[], str | None]) -> Any:
    """The snapshot a relay holds, for ``--once``: one Redis transaction, no portal request.

    ``portal_url()`` (the user's webhook, only parsed, asked for only when needed) names
    the namespace when the address has no ``portal=``. Raises :class:`RelayError`
    (``BAD_ADDRESS`` for usage errors).
    """
    address = parse_relay_url(relay_url)
    warn_password_in_url(address)
    portal = address.portal
    if portal is None:
        url = portal_url()
        portal = portal_host(url) if url else None
    from bx24presence.relay.reader import RelayReader  # noqa: PLC0415

    with RelayReader.open(address, redis_password(address), portal) as reader:
        published = reader.load_snapshot()
        beat = reader.heartbeat()
    if beat is None:
        print(
            f"{APP_NAME}: warning: the relay's heartbeat has stopped; the data is from"
            f" {published.snapshot.fetched_at:%Y-%m-%d %H:%M:%S} UTC",
            file=sys.stderr,
        )
    elif beat.is_stale:
        print(
            f"{APP_NAME}: warning: the relay's data is stale"
            + (
                f" (the portal fails since {beat.since:%Y-%m-%d %H:%M:%S %Z},"
                if beat.since
                else " ("
            )
            + f" {for_terminal(beat.reason or 'no answer yet')}); it is"
            f" {beat.current_data_age_s or 0:.0f} s old",
            file=sys.stderr,
        )
    return published.snapshot


def exit_code(exc: RelayError) -> int:
    """The command's exit code for a relay failure."""
    if exc.reason is RelayFailure.BAD_ADDRESS:
        return EXIT_USAGE
    if exc.reason in _AUTH_REASONS:
        return EXIT_AUTH
    return EXIT_UNREACHABLE
