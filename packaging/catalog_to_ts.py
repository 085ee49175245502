"""Move the texts of the old Python catalogs (``bx24presence/qt/translations/<lang>.py``) into
the Linguist files. Run once, after ``packaging/translations.py`` has extracted the messages:

    python packaging/catalog_to_ts.py [CATALOG_DIR]

Each message of ``resources/translations/bx24presence_<lang>.ts`` that the old catalog
translates gets that translation (all plural forms for a ``%n`` text) and is marked finished.
Prints the catalog entries no message asks for and the messages left untranslated; exits 1 when
an entry could not be placed.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import translations  # noqa: E402

Catalog = dict[str, dict[str, str | list[str]]]


def read_catalog(path: Path) -> Catalog:
    """``CATALOG`` of a catalog module, read as a literal (the module is never imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign):
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "CATALOG" and node.value is not None:
            catalog: Catalog = ast.literal_eval(node.value)
            return catalog
    raise SystemExit(f"{path}: no CATALOG")


def merge(ts: Path, catalog: Catalog) -> tuple[list[str], list[str]]:
    """Fill ``ts`` from ``catalog``; returns (entries not placed, messages left unfinished)."""
    tree = ET.parse(ts)  # noqa: S314  (our own file)
    placed: set[tuple[str, str]] = set()
    unfinished = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            entry = catalog.get(name, {}).get(source)
            if entry is None:
                if translation.get("type") == "unfinished":
                    unfinished.append(f"[{name}] {source!r}")
                continue
            placed.add((name, source))
            if message.get("numerus") == "yes":
                forms = entry if isinstance(entry, list) else [entry]
                for child in list(translation):
                    translation.remove(child)
                translation.text = None
                for form in forms:
                    ET.SubElement(translation, "numerusform").text = form
            else:
                translation.text = entry if isinstance(entry, str) else entry[0]
            translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    lost = [
        f"[{context}] {source!r}"
        for context, entries in sorted(catalog.items())
        for source in entries
        if (context, source) not in placed
    ]
    return lost, unfinished


def main() -> int:
    """Merge every language that has an old catalog."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bx24presence/qt/translations"
    failed = False
    for language in translations.LANGUAGES:
        module = folder / f"{language}.py"
        if not module.exists():
            continue
        lost, unfinished = merge(translations.ts_path(language), read_catalog(module))
        print(f"{language}: {len(lost)} entries not placed, {len(unfinished)} unfinished")
        for line in lost:
            print(f"  not placed: {line}")
        for line in unfinished:
            print(f"  unfinished: {line}")
        failed = failed or bool(lost)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
