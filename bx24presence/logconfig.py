"""Logging set-up: one configuration for the whole app, with secrets redacted everywhere."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path

from bx24presence.api.auth import redact

LEVELS = ("debug", "info", "warning", "error")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Add a string (a webhook secret, a token) that must never reach a log record."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def redact_all(text: str) -> str:
    """Redact every registered secret and every secret-looking pattern from ``text``."""
    with _secrets_lock:
        known = tuple(_secrets)
    return redact(text, *known)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes secrets from the whole line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_all(super().format(record))


def setup_logging(
    level: str = "warning", *, log_file: Path | None = None, console: bool = True
) -> None:
    """Configure the root logger once: console on stderr and, optionally, a rotating file.

    The file always records INFO and above (so a problem can be diagnosed afterwards), or
    DEBUG when ``level`` is debug.
    """
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_bx24presence", False):
            root.removeHandler(h)
            h.close()
    numeric = getattr(logging, level.upper(), logging.WARNING)
    formatter = RedactingFormatter(_FORMAT)
    if console:
        ch = logging.StreamHandler(sys.stderr)
        ch.setLevel(numeric)
        ch.setFormatter(formatter)
        ch._bx24presence = True  # type: ignore[attr-defined]
        root.addHandler(ch)
    file_level = min(numeric, logging.INFO)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        fh.setLevel(file_level)
        fh.setFormatter(formatter)
        fh._bx24presence = True  # type: ignore[attr-defined]
        root.addHandler(fh)
    root.setLevel(min(numeric, file_level) if log_file is not None else numeric)
    # urllib3 logs full URLs (with the webhook secret) at DEBUG: the formatter redacts them,
    # but its connection chatter is noise next to our own request log.
    logging.getLogger("urllib3").setLevel(logging.INFO)
