"""``bx24presence-demo-portal``: run the demo portal from a terminal until Ctrl+C."""

from __future__ import annotations

import argparse
import ssl
import sys
import threading
from collections.abc import Callable, Sequence

from bx24presence.demo.limits import RateLimit
from bx24presence.demo.population import MAX_USERS
from bx24presence.demo.portal import DemoPortal
from bx24presence.demo.server import RequestRecord
from bx24presence.demo.state import ERAS


def _user_count(text: str) -> int:
    """``--users``: an integer from 1 to 20,000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= MAX_USERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_USERS}")
    return value


def _port(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: a number of ``kind`` greater than zero."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be greater than 0")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``bx24presence-demo-portal``."""
    parser = argparse.ArgumentParser(
        prog="bx24presence-demo-portal",
        description="Serve a simulated Bitrix24 portal on this computer (demo and tests).",
    )
    parser.add_argument("--port", type=_port, default=8080, help="port (0: any free port)")
    parser.add_argument("--users", type=_user_count, default=500, help="active employees")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated population")
    parser.add_argument("--era", choices=ERAS, default="current", help="shape of im.* answers")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--no-rate-limit", action="store_true", help="never answer 503")
    parser.add_argument("--burst", type=_positive(int), default=50, help="rate limit: burst")
    parser.add_argument("--rate", type=_positive(float), default=2.0, help="requests per second")
    parser.add_argument("--log", action="store_true", help="print every request")
    parser.add_argument("--cert", metavar="PEM", help="serve HTTPS with this certificate")
    parser.add_argument("--key", metavar="PEM", help="the certificate's private key")
    return parser


def _print_record(record: RequestRecord) -> None:
    method = record.rest_method or "-"
    print(
        f"{record.at:%H:%M:%S} {record.client} {record.http_method} {record.path} "
        f"{method} {record.status} {record.duration_s * 1000:.1f} ms",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the portal until interrupted; 0 on Ctrl+C, 2 on bad arguments."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    rate_limit = None if args.no_rate_limit else RateLimit(int(args.burst), float(args.rate))
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            tls.load_cert_chain(args.cert, args.key)
        except (OSError, ssl.SSLError) as error:
            print(f"bx24presence-demo-portal: cannot load {args.cert}: {error}", file=sys.stderr)
            return 2
    portal = DemoPortal(
        users=args.users,
        seed=args.seed,
        era=args.era,
        host=args.host,
        port=args.port,
        rate_limit=rate_limit,
        on_request=_print_record if args.log else None,
        tls=tls,
    )
    try:
        portal.start()
    except OSError as error:
        print(
            f"bx24presence-demo-portal: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"Webhook URL: {portal.webhook_url}", flush=True)
    print(
        f"{args.users} colleagues, era {args.era}, seed {args.seed}. Press Ctrl+C to stop.",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
