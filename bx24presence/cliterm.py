"""How the command speaks to the terminal: exit codes, one-line errors, neutralised log lines.

Every text on the terminal that came from the portal is neutralised and the webhook secret
is redacted; a closed pipe on standard output is not an error.
"""

from __future__ import annotations

import codecs
import logging
import os
import sys

from bx24presence import APP_NAME
from bx24presence.logconfig import redact_all
from bx24presence.textsafe import for_terminal

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_UNREACHABLE = 4
EXIT_INTERRUPTED = 130


def safe_line(text: str) -> str:
    """One line for the terminal: secrets redacted, controls and escape sequences defused."""
    return for_terminal(redact_all(text))


def fail(code: int, message: str) -> int:
    print(f"{APP_NAME}: error: {safe_line(message)}", file=sys.stderr)
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


def neutralise_console_logging() -> None:
    for handler in logging.getLogger().handlers:
        if (
            getattr(handler, "_bx24presence", False)
            and isinstance(handler, logging.StreamHandler)
            and not isinstance(handler, logging.FileHandler)
            and not isinstance(handler.formatter, _TerminalFormatter)
        ):
            handler.setFormatter(_TerminalFormatter(handler.formatter))


def stdout_is_unicode() -> bool:
    try:
        return codecs.lookup(sys.stdout.encoding or "ascii").name.startswith("utf")
    except LookupError:
        return False


def write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "fail",
    "neutralise_console_logging",
    "safe_line",
    "stdout_is_unicode",
    "write",
]
