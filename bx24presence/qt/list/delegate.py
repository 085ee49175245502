"""Paints one colleague row from the model's roles: avatar, badge, name, position, status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from bx24presence.domain import Colleague, Presence
from bx24presence.qt.avatars.store import AvatarStore
from bx24presence.qt.icons import STAR, icon
from bx24presence.qt.list.badges import COLORS, draw_bell
from bx24presence.qt.list.model import ColleagueRole, StatusTextRole
from bx24presence.qt.list.stamps import Stamps
from bx24presence.qt.theme import readable, secondary_text
from bx24presence.qt.watchlist import WatchList

AVATAR = 40
STAR_SIZE = 14
PAD = 8
GAP = 12
# Enum members looked up once: each lookup is a Python call, several per row painted.
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ELIDE = Qt.TextElideMode.ElideRight
_SELECTED = QStyle.StateFlag.State_Selected
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_SMOOTH = QPainter.RenderHint.SmoothPixmapTransform
_OFFLINE = Presence.OFFLINE


@dataclass(frozen=True, slots=True)
class _Look:
    """Fonts, metrics and colours of rows painted with one font, palette and selection
    state: worked out once, not for every row of every repaint."""

    font: QFont
    bold: QFont
    fm: QFontMetrics
    fm_bold: QFontMetrics
    main: QColor
    base: QColor
    dim: QColor
    ring: QColor
    accent: QColor
    presence_pens: dict[Presence, QColor]


class ColleagueDelegate(QStyledItemDelegate):
    """Paints a row; no I/O: avatars come from the :class:`AvatarStore` memory cache (which
    queues a load on a miss), initials on the colleague's colour meanwhile."""

    def __init__(
        self,
        avatars: AvatarStore | None,
        parent: QWidget | None = None,
        watchlist: WatchList | None = None,
    ) -> None:
        super().__init__(parent)
        self._avatars = avatars
        self._size_cache: tuple[QFont, QSize] | None = None
        self._stamps = Stamps()
        self._looks: dict[tuple[str, int, QPalette.ColorGroup, bool], _Look] = {}
        self.watchlist = watchlist

    def avatar_url(self, c: Colleague, dpr: float) -> str | None:
        """The high-resolution avatar on HiDPI screens, the 200 px one elsewhere."""
        if dpr > 1:
            return c.avatar_hr or c.avatar
        return c.avatar or c.avatar_hr

    def row_height(self, font: QFont) -> int:
        """Three lines of text or the avatar with padding, whichever is taller."""
        fm = QFontMetrics(font)
        bold = QFont(font)
        bold.setBold(True)
        text = QFontMetrics(bold).height() + 2 * fm.height() + 2
        return max(AVATAR, text) + 2 * PAD

    def _look(self, font: QFont, palette: QPalette, selected: bool) -> _Look:
        key = (font.key(), palette.cacheKey(), palette.currentColorGroup(), selected)
        look = self._looks.get(key)
        if look is None:
            if len(self._looks) >= 8:  # a theme or font change: the old looks are done
                self._looks.clear()
                self._stamps.clear()
            look = self._looks[key] = _make_look(font, palette, selected)
        return look

    # -- Qt overrides ------------------------------------------------------------------------

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        font = option.font
        if self._size_cache is None or self._size_cache[0] != font:
            self._size_cache = (QFont(font), QSize(200, self.row_height(font)))
        return self._size_cache[1]

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        c: Colleague | None = index.data(ColleagueRole)
        if c is None:
            return
        # The option the view made holds all a row needs (state, rect, palette, font):
        # QStyledItemDelegate.initStyleOption would ask the model for nine more roles this
        # delegate does not use, each a call into Python, for every row painted.
        opt = option
        widget: Any = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(_PANEL, opt, painter, widget)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & _SELECTED)
        look = self._look(opt.font, palette, selected)
        painter.save()
        painter.setRenderHint(_ANTIALIASING)
        painter.setRenderHint(_SMOOTH)

        # Avatar and badge.
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        av = QRectF(rect.left() + GAP, rect.top() + (rect.height() - AVATAR) / 2, AVATAR, AVATAR)
        pix = None
        url = self.avatar_url(c, dpr)
        if self._avatars is not None and url:
            pix = self._avatars.pixmap(url, AVATAR, dpr)
        if pix is not None:
            painter.drawPixmap(av.topLeft(), pix)
        else:
            self._stamps.draw_initials(painter, av, c.initials, c.color, font=look.font, dpr=dpr)
        r = AVATAR * 0.16
        self._stamps.draw_badge(
            painter,
            c.presence,
            QPointF(av.right() - r * 0.8, av.bottom() - r * 0.8),
            r,
            ring=look.ring,
            dpr=dpr,
        )

        # Text column.
        x = int(av.right()) + GAP
        right = rect.right() - GAP
        star_w = 0
        watched = self.watchlist is not None and self.watchlist.is_watched(c.id)
        notify = self.watchlist is not None and self.watchlist.rule(c.id) is not None
        if watched:
            star_w = STAR_SIZE + 6 + (16 if notify else 0)
        width = max(10, right - x - star_w)
        fm_bold, fm = look.fm_bold, look.fm
        main, dim = look.main, look.dim
        has_position = bool(c.work_position)
        total_h = fm_bold.height() + (2 * fm.height() + 2 if has_position else fm.height() + 2)
        y = rect.top() + (rect.height() - total_h) // 2

        painter.setFont(look.bold)
        painter.setPen(main)
        name = fm_bold.elidedText(c.name, _ELIDE, width)
        painter.drawText(
            QRect(x, y, width, fm_bold.height()),
            _LEFT,
            name,
        )
        y += fm_bold.height()

        painter.setFont(look.font)
        painter.setPen(dim)
        if has_position:
            position = fm.elidedText(c.work_position or "", _ELIDE, width)
            painter.drawText(
                QRect(x, y, width, fm.height()),
                _LEFT,
                position,
            )
            y += fm.height()
        y += 2

        status = str(index.data(StatusTextRole) or "")
        if c.presence is not _OFFLINE and not selected:
            painter.setPen(look.presence_pens[c.presence])
        status = fm.elidedText(status, _ELIDE, width)
        painter.drawText(
            QRect(x, y, width, fm.height()),
            _LEFT,
            status,
        )

        if star_w:
            accent = look.accent
            star = icon("star", accent.name()).pixmap(STAR_SIZE, STAR_SIZE)
            painter.drawPixmap(
                right - STAR_SIZE, rect.top() + (rect.height() - STAR_SIZE) // 2, star
            )
            if notify:
                draw_bell(painter, QPointF(right - star_w + 6, rect.center().y()), 6, accent)
        painter.restore()


def _make_look(font: QFont, palette: QPalette, selected: bool) -> _Look:
    base_font = QFont(font)
    bold = QFont(font)
    bold.setBold(True)
    text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
    main = palette.color(text_role)
    base = palette.color(QPalette.ColorRole.Base)
    return _Look(
        font=base_font,
        bold=bold,
        fm=QFontMetrics(base_font),
        fm_bold=QFontMetrics(bold),
        main=main,
        base=base,
        # Quieter than the name, still WCAG AA (4.5:1) on the row's background.
        dim=QColor(main) if selected else secondary_text(palette, QPalette.ColorRole.Base),
        ring=palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base),
        accent=readable(QColor(STAR), base, 3.0) if not selected else main,
        presence_pens={p: readable(COLORS[p], base) for p in Presence},
    )
