"""Where secrets live: the system keyring, called with a timeout, else a private file."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bx24presence import APP_NAME, paths
from bx24presence.logconfig import register_secret

log = logging.getLogger(__name__)

SERVICE_NAME = APP_NAME
"""The keyring service under which every secret is stored."""

WEBHOOK_URL = "webhook_url"
"""Secret name of the Bitrix24 inbound webhook URL (it contains the access token)."""

OAUTH_TOKENS = "oauth_tokens"
"""Secret name of the OAuth tokens, stored as one JSON text."""

REDIS_PASSWORD = "redis_password"  # noqa: S105  (a secret's name, not a secret)
"""Secret name of the office relay's Redis password (the desktop's user on a desktop, the
relay's user on the relay's server); ``BX24PRESENCE_REDIS_PASSWORD`` wins over it."""

ENV_WEBHOOK = "BX24PRESENCE_WEBHOOK"
"""When set, supplies ``webhook_url`` for scripts and tests; it is never written anywhere."""

FALLBACK_FILE_NAME = "secrets.json"
DEFAULT_TIMEOUT_S = 3.0

_FALLBACK_DESCRIPTION = "a private file, because no system keyring is available"

_BACKEND_LABELS = {
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "Secret Service",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.chainer": "several keyrings",
}


class SecretStoreError(OSError):
    """A secret could not be stored or removed, neither in the keyring nor in the file.

    ``str(error)`` is a plain sentence for the user; it never contains the secret.
    """

    def __init__(self, cause: OSError, action: str) -> None:
        reason = cause.strerror or str(cause) or type(cause).__name__
        self.user_message = f"Could not {action} the secret: {reason}"
        super().__init__(cause.errno, self.user_message)

    def __str__(self) -> str:
        return self.user_message


class _KeyringTimeoutError(Exception):
    """A keyring call did not return in time (a locked keyring may wait for a password)."""


class SecretStore:
    """Keeps secrets by name in the system keyring, or in a private file without one.

    Every keyring call runs in a daemon thread and is abandoned after ``timeout_s``:
    with a locked keyring, a call can wait forever for a password prompt. On a
    timeout or any keyring error (including having no keyring at all), the store
    switches to the file ``config_dir()/secrets.json`` (mode 0600, replaced
    atomically) for the rest of its life and logs one warning. The ``keyrings.alt``
    backends are never used: the private file is at least as safe and says so.

    A value left in the file by an earlier run without a keyring is newer than the
    keyring's: when the keyring works again, reading it moves it into the keyring.

    ``BX24PRESENCE_WEBHOOK``, when set, is the value of ``webhook_url`` and wins over
    anything stored; it is never written. Secret values are never logged, only names.

    The methods are thread-safe.
    """

    def __init__(
        self,
        keyring_module: Any = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        fallback_path: Path | None = None,
    ) -> None:
        """Create a store; nothing is read or written yet.

        Args:
            keyring_module: Provides ``get_keyring()``; default the ``keyring`` package.
            timeout_s: Longest wait for one keyring call, in seconds.
            fallback_path: The private file; default ``config_dir()/secrets.json``.
        """
        if keyring_module is None:
            # Imported here: keyring takes a noticeable part of start-up to import.
            import keyring as keyring_module  # noqa: PLC0415
        self._keyring: Any = keyring_module
        self._timeout_s = timeout_s
        self._fallback_path = (
            paths.config_dir() / FALLBACK_FILE_NAME if fallback_path is None else fallback_path
        )
        self._lock = threading.RLock()
        self._backend: Any = None
        self._fallback_reason: str | None = None

    # --- public API -------------------------------------------------------------------------

    @property
    def fallback_path(self) -> Path:
        """The private file used when no system keyring is usable."""
        return self._fallback_path

    @property
    def is_fallback(self) -> bool:
        """Whether secrets go to the private file instead of the system keyring.

        The first access looks for a keyring (bounded by the timeout). It can become
        true later, when a keyring that looked usable fails or does not answer.
        """
        with self._lock:
            return self._usable_backend() is None

    @property
    def fallback_reason(self) -> str | None:
        """Why the keyring is not used, for logs and an "About" page; ``None`` if it is."""
        return self._fallback_reason

    def backend_description(self) -> str:
        """Say where secrets are kept, as words for the user.

        Returns:
            "the system keyring (Secret Service)" or similar, or "a private file, because
            no system keyring is available".
        """
        with self._lock:
            backend = self._usable_backend()
        if backend is None:
            return _FALLBACK_DESCRIPTION
        return f"the system keyring ({_backend_label(backend)})"

    def from_environment(self, name: str) -> bool:
        """Whether ``get(name)`` answers from ``BX24PRESENCE_WEBHOOK`` instead of storage."""
        return name == WEBHOOK_URL and bool(os.environ.get(ENV_WEBHOOK, "").strip())

    def get(self, name: str) -> str | None:
        """Return a secret, or ``None`` if it is not stored.

        Args:
            name: The secret's name, such as :data:`WEBHOOK_URL`.

        Returns:
            The value; for ``webhook_url``, ``BX24PRESENCE_WEBHOOK`` when it is set.
        """
        _check_name(name)
        if self.from_environment(name):
            value: str | None = os.environ[ENV_WEBHOOK].strip()
        else:
            with self._lock:
                value = self._get_stored(name)
        register_secret(value)
        return value

    def set(self, name: str, value: str) -> None:
        """Store a secret, replacing any earlier value.

        Args:
            name: The secret's name, such as :data:`WEBHOOK_URL`.
            value: The secret.

        Raises:
            SecretStoreError: If the keyring is unusable and the file cannot be written.
        """
        _check_name(name)
        if not isinstance(value, str):
            raise TypeError(f"A secret must be text, not {type(value).__name__}")
        register_secret(value)
        with self._lock:
            backend = self._usable_backend()
            if backend is not None:
                try:
                    self._call(backend.set_password, SERVICE_NAME, name, value)
                except Exception as exc:
                    self._use_fallback(exc, value)
                else:
                    log.info("Stored secret %r in the system keyring", name)
                    self._forget_in_file(name, quiet=True)
                    return
            entries = self._read_file()
            entries[name] = value
            self._write_file(entries, action="store")
            log.info("Stored secret %r in %s", name, self._fallback_path)

    def delete(self, name: str) -> None:
        """Remove a secret everywhere it is stored; removing a missing one is not an error.

        ``BX24PRESENCE_WEBHOOK`` is not affected.

        Args:
            name: The secret's name.

        Raises:
            SecretStoreError: If the secret is in the file and the file cannot be rewritten.
        """
        _check_name(name)
        with self._lock:
            backend = self._usable_backend()
            if backend is not None:
                try:
                    self._call(backend.delete_password, SERVICE_NAME, name)
                except Exception as exc:
                    if not _is_not_found(exc):
                        self._use_fallback(exc)
                else:
                    log.info("Deleted secret %r from the system keyring", name)
            self._forget_in_file(name, quiet=False)

    # --- the keyring --------------------------------------------------------------------------

    def _get_stored(self, name: str) -> str | None:
        # A value in the file was stored while the keyring was unusable, so it is newer
        # than anything the keyring holds: it wins, and moves into the keyring if it can.
        in_file = self._read_file().get(name)
        backend = self._usable_backend()
        if backend is None:
            return in_file
        if in_file is not None:
            try:
                self._call(backend.set_password, SERVICE_NAME, name, in_file)
            except Exception as exc:
                self._use_fallback(exc, in_file)
            else:
                log.info(
                    "Moved secret %r from %s into the system keyring", name, self._fallback_path
                )
                self._forget_in_file(name, quiet=True)
            return in_file
        try:
            value = self._call(backend.get_password, SERVICE_NAME, name)
        except Exception as exc:
            self._use_fallback(exc)
            return None
        return None if value is None else str(value)

    def _usable_backend(self) -> Any:
        if self._fallback_reason is not None:
            return None
        if self._backend is None:
            try:
                backend = self._call(self._keyring.get_keyring)
            except Exception as exc:
                self._use_fallback(exc)
                return None
            why_not = _why_unusable(backend)
            if why_not is not None:
                self._use_fallback(why_not)
                return None
            self._backend = backend
            log.debug("Using keyring backend %s", type(backend).__qualname__)
        return self._backend

    def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run one keyring call in a daemon thread and wait at most the timeout.

        A call that does not return is abandoned; being a daemon, its thread cannot
        keep the process alive.
        """
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = function(*args)
            except Exception as exc:
                outcome["error"] = exc
            finally:
                done.set()

        thread = threading.Thread(target=run, name="bx24presence-keyring", daemon=True)
        thread.start()
        if not done.wait(self._timeout_s):
            raise _KeyringTimeoutError(f"no answer within {self._timeout_s:g} s")
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def _use_fallback(self, cause: Exception | str, secret: str | None = None) -> None:
        if self._fallback_reason is not None:
            return
        reason = cause if isinstance(cause, str) else _describe_error(cause, secret)
        self._fallback_reason = reason
        log.warning(
            "The system keyring cannot be used (%s); secrets are kept in %s, readable only by you",
            reason,
            self._fallback_path,
        )

    # --- the private file ---------------------------------------------------------------------

    def _read_file(self) -> dict[str, str]:
        path = self._fallback_path
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("Cannot read the secrets file %s: %s", path, exc.strerror or exc)
            return {}
        if os.name == "posix" and mode & 0o077:
            try:
                os.chmod(path, paths.PRIVATE_FILE_MODE)
            except OSError as exc:
                log.warning("Secrets file %s is readable by others: %s", path, exc.strerror)
            else:
                log.warning("Secrets file %s was readable by others; fixed to 0600", path)
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
        except OSError as exc:
            log.warning("Cannot read the secrets file %s: %s", path, exc.strerror or exc)
            return {}
        except (ValueError, RecursionError):
            log.warning("The secrets file %s is damaged; its secrets are lost", path)
            return {}
        if not isinstance(document, dict):
            log.warning("The secrets file %s is damaged; its secrets are lost", path)
            return {}
        return {k: v for k, v in document.items() if isinstance(k, str) and isinstance(v, str)}

    def _write_file(self, entries: dict[str, str], action: str) -> None:
        path = self._fallback_path
        try:
            if not entries:
                path.unlink(missing_ok=True)
                return
            data = (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode("utf-8")
            paths.ensure_dir(path.parent)
            paths.write_atomic(path, data, paths.PRIVATE_FILE_MODE)
        except OSError as exc:
            log.warning("Could not write the secrets file %s: %s", path, exc.strerror or exc)
            raise SecretStoreError(exc, action) from exc

    def _forget_in_file(self, name: str, *, quiet: bool) -> None:
        entries = self._read_file()
        if name not in entries:
            return
        del entries[name]
        try:
            self._write_file(entries, action="remove")
        except SecretStoreError:
            if not quiet:
                raise
            return
        log.info("Removed secret %r from %s", name, self._fallback_path)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError("A secret needs a non-empty name")


def _is_not_found(exc: Exception) -> bool:
    # keyring raises PasswordDeleteError when deleting a secret that is not there.
    from keyring.errors import PasswordDeleteError  # noqa: PLC0415

    return isinstance(exc, PasswordDeleteError)


def _why_unusable(backend: Any) -> str | None:
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "no system keyring is installed or running"
    if module == "keyring.backends.null":
        return "the keyring is disabled"
    if module == "keyrings.alt" or module.startswith("keyrings.alt."):
        return "only keyrings.alt is available, which protects secrets no better than a file"
    return None


def _backend_label(backend: Any) -> str:
    cls = type(backend)
    label = _BACKEND_LABELS.get(cls.__module__)
    if label is not None:
        return label
    with contextlib.suppress(Exception):
        return str(cls.name)
    return cls.__name__


def _describe_error(exc: Exception, secret: str | None) -> str:
    if isinstance(exc, _KeyringTimeoutError):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    return text[:300]
