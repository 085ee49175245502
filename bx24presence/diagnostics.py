"""'Export diagnostics': a zip of logs, versions and settings with every secret removed."""

from __future__ import annotations

import json
import platform
import sys
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bx24presence import __version__
from bx24presence.api.auth import redact
from bx24presence.logconfig import redact_all
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
    and the given ``secrets``). Returns ``target``."""
    secrets = [s for s in secrets if s]
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
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
    return target
