"""Avatar pictures for the demo portal: small PNG files drawn with zlib and struct only."""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable

SIZE = 200

# The 1x1 transparent GIF Bitrix24 serves as /bitrix/js/im/images/blank.gif (docs/bitrix24-api.md
# §1.3).
BLANK_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)

Span = Callable[[int], tuple[int, int] | None]


def render_avatar(user_id: int, color: str) -> bytes:
    """A 200x200 PNG: the user's colour as background and a light head-and-shoulders figure.

    The head's size and place and the figure's shade vary with the id, and the id is written
    into a ``tEXt`` chunk, so every user's picture is different.
    """
    background = _rgb(color)
    shade = 0.35 + (user_id % 7) * 0.06
    figure = tuple(int(c + (255 - c) * shade) for c in background)
    head_r = 34 + user_id % 11
    head_x = 100 + (user_id // 11) % 13 - 6
    head_y = 78 + (user_id // 143) % 9 - 4
    body_rx = 62 + (user_id // 7) % 17
    shapes = (_circle(head_x, head_y, head_r), _ellipse(100, SIZE + 10, body_rx, 82))
    bg = bytes(background)
    fg = bytes(figure)
    rows = bytearray()
    for y in range(SIZE):
        row = bytearray(bg * SIZE)
        for span in shapes:
            found = span(y)
            if found is not None:
                x0, x1 = max(0, found[0]), min(SIZE, found[1])
                if x1 > x0:
                    row[x0 * 3 : x1 * 3] = fg * (x1 - x0)
        rows += b"\x00" + row
    comment = b"Comment\x00bx24presence demo user " + str(user_id).encode()
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)),
            _chunk(b"tEXt", comment),
            _chunk(b"IDAT", zlib.compress(bytes(rows), 6)),
            _chunk(b"IEND", b""),
        )
    )


class AvatarCache:
    """Rendered avatars, kept so that a client polling images costs the portal nothing.

    Bounded (least recently used first out) so that 20,000 users cannot fill the memory.
    """

    def __init__(self, capacity: int = 4096) -> None:
        """Keep at most ``capacity`` pictures."""
        self._capacity = capacity
        self._items: OrderedDict[tuple[int, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int, color: str) -> bytes:
        """The PNG of one user, rendered on first use."""
        key = (user_id, color)
        with self._lock:
            cached = self._items.get(key)
            if cached is not None:
                self._items.move_to_end(key)
                return cached
        png = render_avatar(user_id, color)
        with self._lock:
            self._items[key] = png
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return png


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC of type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _rgb(color: str) -> tuple[int, int, int]:
    """``#df532d`` as a triple; anything unreadable becomes the neutral palette grey."""
    text = color.lstrip("#")
    if len(text) != 6:
        text = "556574"
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return 0x55, 0x65, 0x74


def _circle(cx: int, cy: int, r: int) -> Span:
    """The horizontal span of a disc on each row."""
    return _ellipse(cx, cy, r, r)


def _ellipse(cx: int, cy: int, rx: int, ry: int) -> Span:
    """The horizontal span of a filled ellipse on each row, or ``None`` outside it."""

    def span(y: int) -> tuple[int, int] | None:
        dy = (y + 0.5 - cy) / ry
        if dy * dy >= 1:
            return None
        half = rx * (1 - dy * dy) ** 0.5
        return int(cx - half + 0.5), int(cx + half + 0.5)

    return span
