"""Help for support: open the log folder, write the diagnostics zip where the user says."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from bx24presence import APP_NAME, paths
from bx24presence.diagnostics import export_diagnostics
from bx24presence.settings import Settings


def open_log_folder() -> None:
    """Show the log folder in the file manager."""
    folder = paths.ensure_dir(paths.log_dir())
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def export_diagnostics_as(
    parent: QWidget | None, settings: Settings, secrets: list[str]
) -> Path | None:
    """Ask where, then write the diagnostics zip with ``secrets`` removed; None if not."""
    name, _ = QFileDialog.getSaveFileName(
        parent,
        QApplication.translate("App", "Export diagnostics"),
        str(Path.home() / "bx24presence-diagnostics.zip"),
        QApplication.translate("App", "Zip archives (*.zip)"),
    )
    if not name:
        return None
    try:
        path = export_diagnostics(
            Path(name),
            settings=settings,
            log_dir=paths.log_dir(),
            secrets=secrets,
            qt_version=qVersion(),
        )
    except OSError as exc:
        QMessageBox.warning(
            parent,
            APP_NAME,
            QApplication.translate("App", "Could not write %1: %2")
            .replace("%1", name)
            .replace("%2", str(exc)),
        )
        return None
    QMessageBox.information(
        parent,
        APP_NAME,
        QApplication.translate("App", "Diagnostics saved to %1").replace("%1", str(path)),
    )
    return path
