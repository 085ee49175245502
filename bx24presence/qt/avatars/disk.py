"""The avatar disk cache: Qt's QNetworkDiskCache, capped and trimmed off the GUI thread."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QDateTime, QObject, QUrl
from PySide6.QtNetwork import QNetworkCacheMetaData, QNetworkDiskCache

log = logging.getLogger(__name__)

#: Where QNetworkDiskCache writes an entry before moving it in place (never trimmed).
_PREPARED = "prepared"
#: A trim goes down to this share of the cap, so that it does not run on every insert.
_TRIM_TO = 0.9
#: What an entry costs beyond its bytes until the next trim counts it (Qt's own estimate).
_ENTRY_OVERHEAD = 1024


class DiskCache(QNetworkDiskCache):
    """Raw downloaded avatars in Qt's disk cache format, capped in size, used in the GUI thread.

    Qt's own ``expire()`` walks the whole folder in the GUI thread on the first insert and on
    every insert over the cap (a stall of tens of milliseconds with thousands of avatars).
    Here ``expire()`` returns the size counted so far and :func:`trim` walks and trims the
    folder in a worker thread: at start, and whenever an insert takes the cache over its cap.
    The least recently written entries go first; a hit on an entry older than
    ``touch_after_s`` writes it again, so what is still shown stays (least recently used).
    """

    def __init__(
        self, folder: Path, cap_bytes: int, *, touch_after_s: float, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.cap = cap_bytes
        #: Bytes in the folder: the last trim's count plus what was written since.
        self.usage = 0
        self._touch_after_ms = round(touch_after_s * 1000)
        self.setCacheDirectory(str(folder))
        self.setMaximumCacheSize(cap_bytes)

    def expire(self) -> int:
        """The size counted so far (the folder is walked by :func:`trim`, off this thread)."""
        return self.usage

    def read(self, url: str) -> bytes | None:
        """The cached bytes of ``url``, or None."""
        qurl = QUrl(url)
        device = self.data(qurl)
        if device is None:
            return None
        try:
            data = bytes(device.readAll().data())
        finally:
            device.close()
        written = self.metaData(qurl).lastModified()
        if written.isValid() and written.msecsTo(QDateTime.currentDateTimeUtc()) >= (
            self._touch_after_ms
        ):
            self.write(url, data)
        return data

    def write(self, url: str, data: bytes) -> bool:
        """Store ``data`` for ``url``; True when the cache is now over its cap (trim it)."""
        meta = QNetworkCacheMetaData()
        meta.setUrl(QUrl(url))
        meta.setSaveToDisk(True)
        meta.setLastModified(QDateTime.currentDateTimeUtc())
        # Qt does not read back an entry without headers; the type keeps it uncompressed.
        meta.setRawHeaders([(QByteArray(b"Content-Type"), QByteArray(b"application/octet-stream"))])
        device = self.prepare(meta)
        if device is None:
            return False
        if device.write(data) != len(data):
            self.remove(QUrl(url))
            return False
        self.insert(device)
        self.usage += len(data) + _ENTRY_OVERHEAD
        return self.usage > self.cap

    def drop(self, url: str) -> None:
        """Forget the entry of ``url`` (a corrupt or refused picture)."""
        self.remove(QUrl(url))


def trim(folder: Path, cap_bytes: int) -> int:
    """Delete the least recently written files under ``folder`` while it holds more than
    ``cap_bytes`` (down to 90 % of it); returns the bytes left. Any thread."""
    found: list[tuple[int, str, int]] = []
    for root, dirs, files in os.walk(folder):
        if root == str(folder):
            dirs[:] = [d for d in dirs if d != _PREPARED]
        for name in files:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                st = os.stat(path, follow_symlinks=False)
                found.append((st.st_mtime_ns, path, st.st_size))
    total = sum(size for _, _, size in found)
    if total <= cap_bytes:
        return total
    goal = cap_bytes * _TRIM_TO
    for _, path, size in sorted(found):
        if total <= goal:
            break
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.debug("Could not trim the avatar cache: %s", exc)
            continue
        total -= size
    return total
