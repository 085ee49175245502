"""Translations: install the Qt Linguist catalogs (``.qm``) of the chosen language.

The sources are ``resources/translations/bx24presence_<lang>.ts``, extracted from the code with
``pyside6-lupdate`` and compiled with ``pyside6-lrelease`` (``make translations``). English is
the source language; its catalog holds only the plural forms ("1 hour ago", "2 hours ago").
Qt's own texts (OK, Cancel, a text field's menu) come from ``qtbase_<lang>.qm``, kept beside ours.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from bx24presence import assets
from bx24presence import i18n as core_i18n

log = logging.getLogger(__name__)

LANGUAGES = ("en", "ru")
CATALOG = "bx24presence"
"""Our catalogs are ``bx24presence_<lang>.qm``."""


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for extraction in ``context`` and return it as it is.

    For a text kept in a constant: translate it where it is shown, with
    ``QCoreApplication.translate(context, CONSTANT)``. (PySide6's own function of this name is
    typed as returning ``object``.)
    """
    return text


class Context:
    """A named translation context for texts with a count.

    ``Status = Context("Status")`` then ``Status.tr("%n min ago", None, n)``: lupdate takes the
    name before ``.tr`` for the context and reads the call as a plural message. (It misreads the
    ``n`` of ``QCoreApplication.translate(context, text, None, n)`` as an encoding and loses the
    plural forms.) The variable's name must be the context's name; the tests check it.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def tr(self, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        """``text`` translated in this context; ``%n`` becomes ``n`` in its plural form."""
        return QCoreApplication.translate(self.name, text, disambiguation, n)


def translations_dir() -> Path:
    """The folder holding the compiled catalogs (``resources/translations``)."""
    return assets.resources_dir() / "translations"


def catalog_path(language: str) -> Path:
    """Our compiled catalog of ``language``."""
    return translations_dir() / f"{CATALOG}_{language}.qm"


def resolve_language(setting: str) -> str:
    """``system`` becomes the system's language when we have it, else English."""
    if setting in LANGUAGES:
        return setting
    name = QLocale.system().name().split("_")[0]
    return name if name in LANGUAGES else "en"


def load(language: str, parent: QCoreApplication | None = None) -> QTranslator | None:
    """Our catalog of ``language``, or None (logged) when it is missing or unreadable."""
    translator = QTranslator(parent)
    path = catalog_path(language)
    if translator.load(str(path)):
        return translator
    log.warning("The %s translation could not be loaded from %s", language, path)
    return None


def load_qt_base(language: str, parent: QCoreApplication | None = None) -> QTranslator | None:
    """Qt's own texts in ``language``: the copy beside ours, else Qt's translations folder."""
    translator = QTranslator(parent)
    for folder in (
        str(translations_dir()),
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        if translator.load(f"qtbase_{language}", folder):
            return translator
    log.info("Qt's own %s texts are not installed", language)
    return None


_installed: list[QTranslator] = []


def _translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def install(app: QCoreApplication, setting: str = "system") -> str:
    """Install the translators of the chosen language; returns the language code."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    language = resolve_language(setting)
    if language != "en":
        qt_base = load_qt_base(language, app)
        if qt_base is not None:
            app.installTranslator(qt_base)
            _installed.append(qt_base)
    translator = load(language, app)
    if translator is not None:
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
