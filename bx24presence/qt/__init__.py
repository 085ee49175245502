"""The Qt front end: the window, the tray and the per-portal session around the core."""

from bx24presence.qt import sourcescan

sourcescan.install()
