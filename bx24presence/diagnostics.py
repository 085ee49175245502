"""'Export diagnostics': a zip of logs, versions and settings with every secret removed."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO

from bx24presence import __version__
from bx24presence.api.auth import redact
from bx24presence.logconfig import DIR_MODE, FILE_MODE, redact_all
from bx24presence.settings import Settings, settings_to_json

PACKAGES = ("PySide6-Essentials", "shiboken6", "requests", "urllib3", "platformdirs", "keyring")


def versions_text(qt_version: str = "") -> str:
    """The app, Python, platform and package versions, one per line."""
    lines = [
        f"bx24presence {__version__}",
        f"Python {sys.version.split()[0]} ({platform.python_implementation()})",
        f"Platform {platform.platform()}",
    ]
    if qt_version:
        lines.append(f"Qt {qt_version}")
    for name in PACKAGES:
        try:
            lines.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name} (not installed)")
    return "\n".join(lines) + "\n"


def _clean(text: str, secrets: Iterable[str]) -> str:
    return redact(redact_all(text), *secrets)


def export_diagnostics(
    target: Path,
    *,
    settings: Settings,
    log_dir: Path,
    secrets: Iterable[str] = (),
    qt_version: str = "",
    notes: str = "",
) -> Path:
    """Write the zip to ``target``; every text in it is redacted (webhook secrets, tokens,
    and the given ``secrets``). Returns ``target``.

    The zip is private (``0600`` whatever the umask) and replaces an older one whole; a
    folder created for it is ``0700`` (an existing folder the user chose keeps its mode).
    """
    known = [s for s in secrets if s]
    if not target.parent.is_dir():
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            target.parent.chmod(DIR_MODE)
    tmp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_zip(
                fh,
                settings=settings,
                log_dir=log_dir,
                secrets=known,
                qt_version=qt_version,
                notes=notes,
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)  # os.open's mode is narrowed by the umask
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _write_zip(
    fh: IO[bytes],
    *,
    settings: Settings,
    log_dir: Path,
    secrets: list[str],
    qt_version: str,
    notes: str,
) -> None:
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("versions.txt", versions_text(qt_version))
        document = settings_to_json(settings)
        zf.writestr(
            "settings.json",
            _clean(json.dumps(document, indent=2, ensure_ascii=False), secrets),
        )
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        zf.writestr("README.txt", f"bx24presence diagnostics, {stamp}\n{_clean(notes, secrets)}\n")
        if log_dir.is_dir():
            for path in sorted(log_dir.glob("*.log*")):
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                zf.writestr(f"logs/{path.name}", _clean(text, secrets))
