"""Colleague avatars: downloads from allowed hosts, the cache, round drawing."""
