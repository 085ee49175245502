"""A seam for translating the few user-facing sentences the Qt-free core makes.

The core stays free of Qt: by default texts pass through unchanged; the window installs
Qt's translator (:func:`set_translator`) so the same sentences appear in the UI language.
"""

from __future__ import annotations

from collections.abc import Callable

_translate: Callable[[str, str], str] = lambda context, text: text  # noqa: E731


def set_translator(fn: Callable[[str, str], str]) -> None:
    """Route :func:`tr` through ``fn(context, text)``."""
    global _translate  # noqa: PLW0603  (one translator per process)
    _translate = fn


def tr(context: str, text: str, **values: object) -> str:
    """Translate ``text`` and fill its ``{name}`` fields with ``values``."""
    out = _translate(context, text)
    return out.format(**values) if values else out
