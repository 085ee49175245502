"""Trim the ICU data library the Linux PySide6 wheel ships (31 MB) to what Qt uses here.

Qt Core links ``libicudata.so.NN``, one symbol (``icudtNN_dat``) holding ICU's whole data
package. This app uses ICU through Qt for collation (sorting names), case mapping and IDNA;
Qt formats numbers, dates and language names from its own CLDR tables and reads time zones
from the system. So the package keeps Unicode properties, normalisation, IDNA, and locale and
collation data for the languages listed below (others sort by the root collation, which is
Unicode order with sensible accents); it drops character-set converters, break-iterator
dictionaries, transliteration, unit, currency, language, region and zone display names.

Needs ``icupkg`` (Debian: icu-devtools), ``objcopy`` and a C compiler; without them the
bundle keeps the full library (and is about 25 MB larger). Linux only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

#: Locale and collation data kept: the app's languages and those of its likely users' regions.
LANGUAGES = (
    "root", "en", "ru", "uk", "be", "kk", "uz", "ky", "tg", "az", "hy", "ka", "ro", "lv", "lt",
    "et", "pl", "cs", "sk", "bg", "sr", "hr", "sl", "de", "fr", "es", "it", "pt", "nl", "tr",
    "fi", "sv", "da", "nb", "no", "hu", "el", "he", "ar", "fa", "zh", "ja", "ko", "vi",
)  # fmt: skip
DROP_TREES = ("brkitr/", "translit/", "unit/", "curr/", "lang/", "region/", "zone/", "rbnf/")
KEEP_TOP = re.compile(r"^[^/]+\.(icu|nrm|spp|cfu)$")


def keep(item: str) -> bool:
    """Whether one item of the package (``icudt73l/coll/ru.res`` without the prefix) stays."""
    if item.startswith(DROP_TREES) or item.endswith(".cnv"):
        return False
    if KEEP_TOP.match(item) or (item.startswith("coll/") and item.endswith(".icu")):
        return True
    name = item.rsplit("/", 1)[-1]
    if not name.endswith(".res"):
        return True
    stem = name[: -len(".res")]
    language = stem.split("_", 1)[0]
    if "/" not in item and not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z0-9]+)*|root", stem):
        return True  # supplemental tables: zoneinfo64, metaZones, plurals, likelySubtags, ...
    return language in LANGUAGES or stem in ("res_index", "pool")


def trim(library: Path, workdir: Path) -> Path | None:
    """A trimmed copy of ``library`` in ``workdir``, or None (with the reason printed)."""
    tools = {name: shutil.which(name) for name in ("icupkg", "objcopy", "cc")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        print(f"trim_icu: keeping the full ICU data ({', '.join(missing)} not found)")
        return None
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", str(library)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\b(icudt(\d+)_dat)\b", symbols)
    if not match:
        print("trim_icu: no ICU data symbol; keeping the library")
        return None
    symbol, version = match.group(1), match.group(2)
    workdir.mkdir(parents=True, exist_ok=True)
    full = workdir / f"icudt{version}l.dat"
    subprocess.run(
        [tools["objcopy"], "-O", "binary", "--only-section=.rodata", str(library), str(full)],
        check=True,
    )
    listing = subprocess.run(
        [tools["icupkg"], "-l", str(full)], capture_output=True, text=True, check=True
    ).stdout.split()
    drop = [item for item in listing if not keep(item)]
    drop_list = workdir / "drop.txt"
    drop_list.write_text("\n".join(drop) + "\n", encoding="ascii")
    # icupkg names the items after the output file: it must be called icudtNNl.dat too.
    small = workdir / "small" / f"icudt{version}l.dat"
    small.parent.mkdir(exist_ok=True)
    subprocess.run(
        [tools["icupkg"], "-tl", "--ignore-deps", "-r", str(drop_list), str(full), str(small)],
        check=True,
        capture_output=True,
    )
    asm = workdir / "icudata.s"
    asm.write_text(
        f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n"
        f'{symbol}:\n\t.incbin "{small}"\n\t.size {symbol}, . - {symbol}\n'
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii",
    )
    out = workdir / library.name
    subprocess.run(
        [tools["cc"], "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(out),
         str(asm)],
        check=True,
    )  # fmt: skip
    print(
        f"trim_icu: {library.name} {library.stat().st_size / 1e6:.1f} MB ->"
        f" {out.stat().st_size / 1e6:.1f} MB ({len(drop)} of {len(listing)} items dropped)"
    )
    return out


if __name__ == "__main__":
    result = trim(Path(sys.argv[1]), Path(sys.argv[2]))
    sys.exit(0 if result else 1)
