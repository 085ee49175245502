"""One instance per user: a second launch brings the running window to the front and exits."""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from bx24presence import APP_NAME, paths

log = logging.getLogger(__name__)
_MESSAGE = b"activate\n"  # written for clarity in traces; the connection itself is the message


def server_name() -> str:
    """A local socket name per user and per configuration directory."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(str(paths.config_dir()).encode()).hexdigest()[:12]
    return f"{APP_NAME}-{user}-{digest}"


class SingleInstance(QObject):
    """Claims the per-user local socket, or tells the instance holding it to show itself.

    Signals:
        activation_requested(): another launch asked this instance to come forward.
    """

    activation_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server: QLocalServer | None = None

    def claim(self, timeout_ms: int = 500) -> bool:
        """True when this is the first instance (it now listens); False when another one
        runs (it has been asked to come forward)."""
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(timeout_ms):
            probe.write(_MESSAGE)
            probe.flush()
            probe.waitForBytesWritten(timeout_ms)
            probe.disconnectFromServer()
            log.info("Another instance is running: asked it to come forward")
            return False
        # No one answered: a socket file left by a crash must not block us.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("Cannot listen for other instances: %s", server.errorString())
            return True
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def release(self) -> None:
        """Stop listening (on quit)."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def _on_server_new_connection(self) -> None:
        # Any connection is a request to come forward: the socket needs no reading, and is
        # left to the server (its parent) to delete.
        if self._server is None:
            return
        while (sock := self._server.nextPendingConnection()) is not None:
            sock.disconnectFromServer()
            sock.deleteLater()
            self.activation_requested.emit()
