"""Light and dark palettes: follow the system, or force one (the settings' theme)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

THEMES = ("system", "light", "dark")
_default_style: str | None = None
_default_palette: QPalette | None = None


def dark_palette() -> QPalette:
    """A dark palette with readable contrast (text on base about 13:1)."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#25272a",
        QPalette.ColorRole.ToolTipBase: "#303134",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ffffff",
        # Light on dark: a checked filter or selected row differs from a button by 6:1, and
        # its dark text reads at 8:1.
        QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#202124",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.LinkVisited: "#c58af9",
        QPalette.ColorRole.Light: "#3c4043",
        QPalette.ColorRole.Midlight: "#303134",
        QPalette.ColorRole.Mid: "#2a2b2e",
        QPalette.ColorRole.Dark: "#111213",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, color in roles.items():
        p.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return p


class OutlinedIndicators(QProxyStyle):
    """Fusion, with check boxes and radio buttons outlined in a readable colour: Fusion draws
    their frame a shade darker than the window (1.7:1 on light, nearly nothing on dark)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        round_ = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not round_ and element != QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            return
        palette: QPalette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(secondary_text(palette), 1.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QRectF(option.rect).adjusted(0.6, 0.6, -0.6, -0.6)
        if round_:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 2, 2)
        painter.restore()


def light_palette() -> QPalette:
    """Fusion's own light palette, with a deeper selection blue: white on Fusion's #308cc6
    reads at 3.7:1, on #1f6fb2 at 5.2:1 (WCAG AA), and it stands out from a button at 4.5:1."""
    style = QStyleFactory.create("Fusion")
    p = style.standardPalette() if style is not None else QPalette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Highlight, QColor("#1f6fb2"))
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return p


def system_is_dark() -> bool:
    """Whether the desktop asks for a dark appearance."""
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: str) -> None:
    """Use the system's look (``system``), or Fusion with a light or dark palette."""
    global _default_style, _default_palette  # noqa: PLW0603  (captured once, before any change)
    if _default_style is None:
        _default_style = app.style().name()
        _default_palette = app.palette()
    if theme == "dark" or (theme == "system" and system_is_dark() and _default_style == "fusion"):
        app.setStyle(OutlinedIndicators())
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setStyle(OutlinedIndicators())
        app.setPalette(light_palette())
    else:
        app.setStyle(_default_style)
        if _default_palette is not None:
            app.setPalette(_default_palette)


def _luminance(color: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(color: QColor, background: QColor, ratio: float = 4.5) -> QColor:
    """``color``, darkened or lightened (whichever the background asks for) until it reaches
    ``ratio`` against ``background`` (WCAG AA for text: 4.5)."""
    return QColor.fromRgba(_readable(color.rgb(), background.rgb(), ratio))


@lru_cache(maxsize=256)
def _readable(color: int, background: int, ratio: float) -> int:
    fg, bg = QColor.fromRgb(color), QColor.fromRgb(background)
    toward = QColor("black") if _luminance(bg) > 0.18 else QColor("white")
    for step in range(21):
        t = step / 20
        mixed = QColor.fromRgbF(
            fg.redF() * (1 - t) + toward.redF() * t,
            fg.greenF() * (1 - t) + toward.greenF() * t,
            fg.blueF() * (1 - t) + toward.blueF() * t,
        )
        if contrast(mixed, bg) >= ratio:
            return mixed.rgba()
    return toward.rgba()


def secondary_text(palette: QPalette, background: QPalette.ColorRole | None = None) -> QColor:
    """A quieter text colour (labels, positions) that still meets WCAG AA on ``background``
    (the window by default): the text colour mixed halfway to the background, then made
    readable."""
    bg = palette.color(background or QPalette.ColorRole.Window)
    fg = palette.color(QPalette.ColorRole.WindowText)
    mixed = QColor.fromRgbF(
        (fg.redF() + bg.redF()) / 2, (fg.greenF() + bg.greenF()) / 2, (fg.blueF() + bg.blueF()) / 2
    )
    return readable(mixed, bg)
