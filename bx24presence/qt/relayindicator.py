"""The status bar's word on the office relay: followed, or unavailable and why."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from bx24presence.qt.relayfeed import RelayFeed, RelayMode, RelayState, reason_text, relay_text


class RelayIndicator(QLabel):
    """A permanent status-bar label: "Via the office relay", or, in the warning colours,
    "Office relay unavailable, polling the portal directly" with the reason as its tooltip.
    Hidden when no relay is configured."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.state = RelayState(RelayMode.OFF)
        self.hide()

    @classmethod
    def attach(cls, status_bar: QStatusBar, feed: RelayFeed) -> RelayIndicator:
        """A new indicator in ``status_bar``, following ``feed``'s state (queued across
        threads: the feed lives in the poller's thread)."""
        indicator = cls()
        status_bar.addPermanentWidget(indicator)
        feed.state_changed.connect(indicator.on_state)
        indicator.on_state(RelayState(feed.mode))
        return indicator

    def on_state(self, state: RelayState) -> None:
        """Show the relay's state."""
        self.state = state
        text = relay_text(state)
        self.setText(text)
        self.setVisible(bool(text))
        if state.mode is RelayMode.FALLBACK:
            self.setStyleSheet("QLabel { color: #5c4400; background: #fff4ce; padding: 0 6px; }")
            why = reason_text(state.reason) if state.reason is not None else ""
            self.setToolTip(why)
            self.setAccessibleName(f"{text}. {why}" if why else text)
        else:
            self.setStyleSheet("")
            self.setToolTip(
                QCoreApplication.translate(
                    "Relay",
                    "The office relay polls the portal once for everyone; this computer reads"
                    " it and asks the portal only for what is personal.",
                )
                if state.mode is RelayMode.FOLLOWING
                else ""
            )
            self.setAccessibleName(text)
