"""Logging set-up: one configuration for the whole app, with secrets redacted everywhere."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import stat
import sys
import threading
from pathlib import Path

from bx24presence.api.auth import redact

LEVELS = ("debug", "info", "warning", "error")
#: Logs hold colleagues' names and the portal's address: private to the user.
FILE_MODE = 0o600
DIR_MODE = 0o700
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


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created ``0600`` whatever the umask (rotated files
    too), and made so if an older version left them readable by others."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            _chmod_fd(fd, FILE_MODE)
            return open(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def _chmod_fd(fd: int, mode: int) -> None:
    if hasattr(os, "fchmod"):
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)


def make_private(folder: Path, *, files: str = "*") -> None:
    """Create ``folder`` as ``0700`` (whatever the umask), or make an existing one so, and
    its files matching ``files`` ``0600``.

    An existing folder that is not the app's own (not ours, sticky like ``/tmp``, or holding
    other files than ``files``) keeps its mode: a folder a user chose is not ours to lock.
    """
    existed = folder.is_dir()
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if os.name != "posix":
        return
    try:
        info = folder.stat()
        entries = list(folder.iterdir())
    except OSError:
        return
    ours = info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX
    only_ours = all(p.match(files) for p in entries)
    if ours and (not existed or only_ours):
        with contextlib.suppress(OSError):
            folder.chmod(DIR_MODE)
    for p in entries:
        if p.match(files) and p.is_file() and not p.is_symlink():
            with contextlib.suppress(OSError):
                if p.stat().st_uid == os.getuid():
                    p.chmod(FILE_MODE)


def setup_logging(
    level: str = "warning", *, log_file: Path | None = None, console: bool = True
) -> None:
    """Configure the root logger once: console on stderr and, optionally, a rotating file.

    The file always records INFO and above (so a problem can be diagnosed afterwards), or
    DEBUG when ``level`` is debug. It and its rotated copies are ``0600`` in a ``0700``
    folder, whatever the umask; files left more open by an older version are fixed.
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
        make_private(log_file.parent, files=f"{log_file.name}*")
        fh = PrivateRotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8", errors="backslashreplace"
        )
        fh.setLevel(file_level)
        fh.setFormatter(formatter)
        fh._bx24presence = True  # type: ignore[attr-defined]
        root.addHandler(fh)
    root.setLevel(min(numeric, file_level) if log_file is not None else numeric)
    # urllib3 logs full URLs (with the webhook secret) at DEBUG: the formatter redacts them,
    # but its connection chatter is noise next to our own request log.
    logging.getLogger("urllib3").setLevel(logging.INFO)
