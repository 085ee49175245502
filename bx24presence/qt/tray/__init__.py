"""The tray watcher: icon, menu and notifications."""
