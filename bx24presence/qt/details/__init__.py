"""The details pane: one colleague at a time."""
