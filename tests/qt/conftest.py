"""Qt test tier: an application with the English catalog installed, and no stray threads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from bx24presence.qt import i18n


@pytest.fixture(autouse=True)
def _english(qapp: QApplication) -> Iterator[None]:
    i18n.install(qapp, "en")
    yield
