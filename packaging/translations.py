"""Update the Qt Linguist catalogs from the code and compile them (``make translations``).

    python packaging/translations.py

1. ``pyside6-lupdate`` extracts every translatable text of ``bx24presence/`` into
   ``resources/translations/bx24presence_<lang>.ts``: new texts arrive unfinished, texts gone
   from the code are dropped. English is the source language, so its file holds only the texts
   with plural forms (``%n``).
2. ``pyside6-lrelease`` compiles each ``.ts`` to the ``.qm`` the app loads (checked in, so a
   build needs no Qt tools).
3. Qt's own catalog of each language (``qtbase_<lang>.qm``: OK, Cancel, a text field's menu) is
   copied beside ours from PySide6, so the wheel and the bundle carry it.

lupdate reads these call forms (anything else is not extracted):
``QCoreApplication.translate("Context", "text")``, ``QT_TRANSLATE_NOOP("Context", "text")`` for
a text kept in a constant, ``translate("Context", "text")`` in the Qt-free core (the seam
``bx24presence.i18n.tr`` imported under that name) and, for a text with a count,
``Status.tr("%n min ago", None, n)`` on a ``Status = Context("Status")``
(``bx24presence.qt.i18n.Context``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "bx24presence"
FOLDER = ROOT / "resources" / "translations"
CATALOG = "bx24presence"
LANGUAGES = ("en", "ru")
SOURCE_LANGUAGE = "en"
#: No line numbers: a text's place changes with every edit, and would churn the .ts files.
LUPDATE_FLAGS = ("-no-obsolete", "-locations", "none", "-silent")


def tool(name: str) -> str:
    """A PySide6 tool beside this Python (the venv's bin folder), else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (make venv)")
    return found


def ts_path(language: str, folder: Path = FOLDER) -> Path:
    """The Linguist source of ``language``."""
    return folder / f"{CATALOG}_{language}.ts"


def source_files(sources: Path = SOURCES) -> list[str]:
    """The package's Python files (lupdate skips .py files when it walks a folder)."""
    return sorted(str(p) for p in sources.rglob("*.py") if "__pycache__" not in p.parts)


def lupdate(ts: Path, language: str, sources: Path = SOURCES) -> None:
    """Extract the texts of ``sources`` into ``ts`` (created or merged)."""
    args = [tool("pyside6-lupdate"), *source_files(sources), *LUPDATE_FLAGS]
    args += ["-source-language", SOURCE_LANGUAGE, "-target-language", language]
    if language == SOURCE_LANGUAGE:
        args.append("-pluralonly")
    subprocess.run([*args, "-ts", str(ts)], check=True)


def lrelease(ts: Path, qm: Path) -> None:
    """Compile ``ts`` to ``qm``."""
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def qt_base(language: str) -> Path:
    """Qt's own catalog of ``language`` as PySide6 installs it."""
    from PySide6.QtCore import QLibraryInfo  # noqa: PLC0415  (only this step needs Qt)

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    return folder / f"qtbase_{language}.qm"


def main() -> int:
    """Update, compile and copy every language."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        ts = ts_path(language)
        lupdate(ts, language)
        lrelease(ts, ts.with_suffix(".qm"))
        print(f"{ts.relative_to(ROOT)} -> {ts.with_suffix('.qm').name}")
        if language != SOURCE_LANGUAGE:
            shutil.copyfile(qt_base(language), FOLDER / qt_base(language).name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
