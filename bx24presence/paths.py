"""Where bx24presence keeps its files (directories over platformdirs) and how it replaces one."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import platformdirs

from bx24presence import APP_NAME

log = logging.getLogger(__name__)

ENV_HOME = "BX24PRESENCE_HOME"
"""When set, all four directories live under it (``config/``, ``cache/``, ``log/``, ``data/``)."""

ENV_CONFIG_DIR = "BX24PRESENCE_CONFIG_DIR"
ENV_CACHE_DIR = "BX24PRESENCE_CACHE_DIR"
ENV_LOG_DIR = "BX24PRESENCE_LOG_DIR"
ENV_DATA_DIR = "BX24PRESENCE_DATA_DIR"

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _platform_dirs() -> platformdirs.PlatformDirs:
    # appauthor=False: on Windows the directory is "<base>\bx24presence", not
    # "<base>\bx24presence\bx24presence".
    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    return Path(value).expanduser().absolute()


def _resolve(specific_env: str, home_subdir: str, platform_default: Path) -> Path:
    specific = _from_env(specific_env)
    if specific is not None:
        return specific
    home = _from_env(ENV_HOME)
    if home is not None:
        return home / home_subdir
    return platform_default


def config_dir() -> Path:
    """Return the directory for settings and the fallback secrets file.

    The directory is not created; use :func:`ensure_dir` before writing into it.

    Returns:
        ``$BX24PRESENCE_CONFIG_DIR``, else ``$BX24PRESENCE_HOME/config``, else the
        platform's user configuration directory (``~/.config/bx24presence`` on Linux).
    """
    return _resolve(ENV_CONFIG_DIR, "config", _platform_dirs().user_config_path)


def cache_dir() -> Path:
    """Return the directory for data that can be rebuilt, such as avatars.

    Returns:
        ``$BX24PRESENCE_CACHE_DIR``, else ``$BX24PRESENCE_HOME/cache``, else the
        platform's user cache directory (``~/.cache/bx24presence`` on Linux).
    """
    return _resolve(ENV_CACHE_DIR, "cache", _platform_dirs().user_cache_path)


def log_dir() -> Path:
    """Return the directory for log files.

    Returns:
        ``$BX24PRESENCE_LOG_DIR``, else ``$BX24PRESENCE_HOME/log``, else the platform's
        user log directory (``~/.local/state/bx24presence/log`` on Linux).
    """
    return _resolve(ENV_LOG_DIR, "log", _platform_dirs().user_log_path)


def data_dir() -> Path:
    """Return the directory for data the user would miss if it were deleted.

    Returns:
        ``$BX24PRESENCE_DATA_DIR``, else ``$BX24PRESENCE_HOME/data``, else the
        platform's user data directory (``~/.local/share/bx24presence`` on Linux).
    """
    return _resolve(ENV_DATA_DIR, "data", _platform_dirs().user_data_path)


def all_dirs() -> dict[str, Path]:
    """Return every directory by name, for diagnostics such as ``--version`` output.

    Returns:
        A mapping of ``"config"``, ``"cache"``, ``"log"`` and ``"data"`` to their paths.
    """
    return {"config": config_dir(), "cache": cache_dir(), "log": log_dir(), "data": data_dir()}


def ensure_dir(path: Path, mode: int = PRIVATE_DIR_MODE) -> Path:
    """Create a directory and its parents if they do not exist yet.

    New directories are private to the user (``0700`` by default) because the
    configuration directory may hold the fallback secrets file. Existing
    directories keep their permissions.

    Args:
        path: The directory to create.
        mode: Permission bits for directories created here.

    Returns:
        The same path, for chaining: ``ensure_dir(config_dir()) / "settings.json"``.

    Raises:
        OSError: If the directory cannot be created, or the path exists and is not a
            directory.
    """
    path.mkdir(mode=mode, parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace a file's content so that readers see either the old or the new file whole.

    The data goes to a new temporary file in the same directory (created with
    ``os.open(..., O_CREAT | O_EXCL, mode)``, so it never exists with wider
    permissions), is flushed with ``os.fsync``, then moved over the target with
    ``os.replace``. If the target is a symbolic link, the file it points to is
    replaced and the link is kept.

    Args:
        path: The file to replace. Its directory must exist.
        data: The complete new content.
        mode: Permission bits of the new file.

    Raises:
        OSError: If any step fails (disk full, read-only file system, ...). The
            temporary file is removed and the old file is left untouched.
    """
    target = path.resolve() if path.is_symlink() else path
    tmp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        log.debug("Could not fsync directory %s", directory)
    finally:
        os.close(fd)
