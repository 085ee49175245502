"""Dialogs: the first-run welcome and the settings."""
