"""Paints one colleague row from the model's roles: avatar, badge, name, position, status."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from bx24presence.domain import Colleague, Presence
from bx24presence.qt.avatars.store import AvatarStore, paint_initials
from bx24presence.qt.icons import STAR, icon
from bx24presence.qt.list.badges import COLORS, draw_badge, draw_bell
from bx24presence.qt.list.model import ColleagueRole, StatusTextRole
from bx24presence.qt.theme import readable, secondary_text
from bx24presence.qt.watchlist import WatchList

AVATAR = 40
STAR_SIZE = 14
PAD = 8
GAP = 12


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
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget: Any = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)

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
            paint_initials(painter, av, c.initials, c.color)
        ring = palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        r = AVATAR * 0.16
        draw_badge(
            painter, c.presence, QPointF(av.right() - r * 0.8, av.bottom() - r * 0.8), r, ring
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
        base_font: QFont = QFont(opt.font)
        bold = QFont(base_font)
        bold.setBold(True)
        fm_bold, fm = QFontMetrics(bold), QFontMetrics(base_font)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        main = palette.color(text_role)
        base = palette.color(QPalette.ColorRole.Base)
        # Quieter than the name, still WCAG AA (4.5:1) on the row's background.
        dim = QColor(main) if selected else secondary_text(palette, QPalette.ColorRole.Base)
        has_position = bool(c.work_position)
        total_h = fm_bold.height() + (2 * fm.height() + 2 if has_position else fm.height() + 2)
        y = rect.top() + (rect.height() - total_h) // 2

        painter.setFont(bold)
        painter.setPen(main)
        name = fm_bold.elidedText(c.name, Qt.TextElideMode.ElideRight, width)
        painter.drawText(
            QRect(x, y, width, fm_bold.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            name,
        )
        y += fm_bold.height()

        painter.setFont(base_font)
        painter.setPen(dim)
        if has_position:
            position = fm.elidedText(c.work_position or "", Qt.TextElideMode.ElideRight, width)
            painter.drawText(
                QRect(x, y, width, fm.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                position,
            )
            y += fm.height()
        y += 2

        status = str(index.data(StatusTextRole) or "")
        if c.presence is not Presence.OFFLINE and not selected:
            painter.setPen(readable(COLORS[c.presence], base))
        status = fm.elidedText(status, Qt.TextElideMode.ElideRight, width)
        painter.drawText(
            QRect(x, y, width, fm.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            status,
        )

        if star_w:
            accent = readable(QColor(STAR), base, 3.0) if not selected else main
            star = icon("star", accent.name()).pixmap(STAR_SIZE, STAR_SIZE)
            painter.drawPixmap(
                right - STAR_SIZE, rect.top() + (rect.height() - STAR_SIZE) // 2, star
            )
            if notify:
                draw_bell(painter, QPointF(right - star_w + 6, rect.center().y()), 6, accent)
        painter.restore()
