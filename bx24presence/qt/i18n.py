"""Translations: a QTranslator over Python catalogs, with plural forms for English and Russian.

Catalogs live in :mod:`bx24presence.qt.translations` as ``{context: {source: text}}``; a
text with ``%n`` may map to a list of plural forms. Keeping them as Python data avoids a
build step (lrelease) and keeps them reviewable in diffs.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from bx24presence import i18n as core_i18n

log = logging.getLogger(__name__)

Catalog = dict[str, dict[str, str | list[str]]]
LANGUAGES = ("en", "ru")


def plural_en(n: int) -> int:
    """English: one, other."""
    return 0 if n == 1 else 1


def plural_ru(n: int) -> int:
    """Russian: one (1, 21, 31...), few (2-4, 22-24...), many (everything else)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


_PLURALS: dict[str, Callable[[int], int]] = {"en": plural_en, "ru": plural_ru}


def load_catalog(language: str) -> Catalog:
    """The catalog of ``language`` (empty when there is none)."""
    try:
        module = importlib.import_module(f"bx24presence.qt.translations.{language}")
    except ImportError:
        return {}
    catalog: Catalog = module.CATALOG
    return catalog


class CatalogTranslator(QTranslator):
    """Looks texts up in a catalog; ``%n`` texts choose their plural form by ``n``."""

    def __init__(self, language: str, parent: QCoreApplication | None = None) -> None:
        super().__init__(parent)
        self.code = language
        self._catalog = load_catalog(language)
        self._plural = _PLURALS.get(language, plural_en)

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        entry = self._catalog.get(context, {}).get(source)
        if entry is None:
            return None  # a null QString: Qt then asks other translators, or uses the source
        if isinstance(entry, list):
            form = entry[min(self._plural(n if n >= 0 else 1), len(entry) - 1)]
            return form.replace("%n", str(n)) if n >= 0 else form
        return entry

    def isEmpty(self) -> bool:
        return not self._catalog


def resolve_language(setting: str) -> str:
    """``system`` becomes the system's language when we have it, else English."""
    if setting in LANGUAGES:
        return setting
    name = QLocale.system().name().split("_")[0]
    return name if name in LANGUAGES else "en"


_installed: list[QTranslator] = []


def _translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def install(app: QCoreApplication, setting: str = "system") -> str:
    """Install the translator for the chosen language; returns the language code."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    language = resolve_language(setting)
    if language != "en":
        # Qt's own texts (OK, Cancel, Yes, No, context menus of text fields).
        qt_base = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_base.load(QLocale(language), "qtbase", "_", folder):
            app.installTranslator(qt_base)
            _installed.append(qt_base)
    translator = CatalogTranslator(language, app)
    app.installTranslator(translator)
    _installed.append(translator)
    core_i18n.set_translator(_translate)
    QLocale.setDefault(
        QLocale(
            QLocale.Language.Russian if language == "ru" else QLocale.Language.English,
            QLocale.Country.AnyCountry if language == "ru" else QLocale.Country.UnitedKingdom,
        )
    )
    log.debug("Language: %s", language)
    return language
