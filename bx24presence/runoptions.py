"""Options of one run, from the command line: a frozen value, never written to disk."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bx24presence.settings.model import LogLevel, Settings

DEFAULT_DEMO_USERS = 400


@dataclass(frozen=True)
class RunOptions:
    """What the command line asked for this run; ``None`` means "not given".

    Settings stay the user's choice: an option here wins for this run only and is never
    saved (the settings store never sees it).

    Attributes:
        demo: Use the embedded demo portal (``--demo``).
        portal: The webhook URL given for this run (``--portal``; ``-`` already read).
        allow_http: Accept a plain-http portal (``--allow-http``).
        online_window_min: ``--online-window`` in minutes.
        log_level: ``--log-level``.
        demo_users: Colleagues on the demo portal (``--demo-users``).
        reset_settings: Start over with default settings (``--reset-settings``).
    """

    demo: bool = False
    portal: str | None = field(default=None, repr=False)  # a webhook URL holds a secret
    allow_http: bool = False
    online_window_min: int | None = None
    log_level: LogLevel | None = None
    demo_users: int = DEFAULT_DEMO_USERS
    reset_settings: bool = False

    def online_window_s(self, settings: Settings) -> int:
        """The online window in use: ``--online-window`` if given, else the setting."""
        minutes = self.online_window_min or settings.online_window_min
        return minutes * 60

    def effective_log_level(self, settings: Settings) -> LogLevel:
        """The log level in use: ``--log-level`` if given, else the setting."""
        return self.log_level or settings.log_level

    def without_online_window(self) -> RunOptions:
        """These options once the user chose an online window in the settings."""
        return replace(self, online_window_min=None)
