"""The desktop around the app: one instance, waking from sleep, identity in Qt."""
