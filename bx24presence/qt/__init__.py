"""The Qt front end: the window, the tray and the per-portal session around the core."""
