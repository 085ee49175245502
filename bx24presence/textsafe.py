"""Neutralise text that came from outside for each place it goes: files, terminals, markup.

A portal, a proxy or a colleague's profile may send any Unicode, lone surrogates included
(JSON allows ``"\\ud800"``). These helpers make such text safe without losing what a person
would read: letters of every script stay, controls and lone surrogates become U+FFFD.
"""

from __future__ import annotations

import html
import re

#: What stands in for a character that must not pass.
REPLACEMENT = "\ufffd"

# C0 controls (tab, newline, escape...), DEL, and the C1 block (U+0080-U+009F, where U+009B is
# a one-byte CSI that many terminals obey).
_CONTROLS = "\x00-\x1f\x7f-\x9f"
# Bidirectional formatting characters: embeddings, overrides, isolates and marks. They can make
# text display in an order other than the one it is stored in ("Trojan Source").
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Line and paragraph separators break a row as a newline does.
_SEPARATORS = "\u2028\u2029"

_TERMINAL_UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}{_SEPARATORS}\ud800-\udfff]")
_BIDI_RE = re.compile(f"[{_BIDI}]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

#: First strong isolate and pop directional isolate (Unicode UAX #9).
FSI = "\u2068"
PDI = "\u2069"


def repair(text: str) -> str:
    """The text with every lone surrogate replaced, so that it always encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE_RE.sub(REPLACEMENT, text)
    return text


def repair_deep(value: object) -> object:
    """A JSON-like value with every string in it (keys included) repaired."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, dict):
        return {repair_deep(k): repair_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repair_deep(v) for v in value]
    return value


def for_terminal(text: str) -> str:
    """One line of text that cannot move the cursor, set a title, link, or reorder a row.

    Every control character (C0, DEL, C1), bidi control, line separator and lone surrogate
    becomes U+FFFD, so tables stay aligned and escape sequences are shown, not obeyed.
    """
    return _TERMINAL_UNSAFE.sub(REPLACEMENT, text)


def strip_bidi(text: str) -> str:
    """The text without bidirectional formatting characters."""
    return _BIDI_RE.sub("", text)


def isolate(text: str) -> str:
    """The text in its own bidi context: it cannot reorder what stands around it.

    Stray bidi controls inside are removed first (an unmatched PDI would close the isolate
    early); the direction of the text itself still follows its first strong letter.
    """
    return f"{FSI}{strip_bidi(repair(text))}{PDI}"


def for_markup(text: str) -> str:
    """Text for a place that reads markup (notification bodies, rich-text tooltips)."""
    return html.escape(isolate(text), quote=True)
