"""Check that the wheel and the sdist in a folder carry every package and every resource.

    python packaging/check_dist.py DIST_DIR

Exits 1 naming each missing file.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCE_SUFFIXES = (".svg", ".png", ".ico", ".icns", ".desktop", ".xml", ".qm")


def expected_resources() -> list[str]:
    """Every resource file, relative to resources/."""
    base = ROOT / "resources"
    return sorted(
        p.relative_to(base).as_posix()
        for p in base.rglob("*")
        if p.is_file() and p.name.endswith(RESOURCE_SUFFIXES)
    )


def expected_modules() -> list[str]:
    """Every Python file of the package, relative to the repository root."""
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "bx24presence").rglob("*.py")
        if "__pycache__" not in p.parts
    )


def check(dist: Path) -> list[str]:
    """The missing files, as ``archive: path`` lines."""
    wheels = sorted(dist.glob("bx24presence-*.whl"))
    sdists = sorted(dist.glob("bx24presence-*.tar.gz"))
    if not wheels or not sdists:
        return [f"{dist}: no wheel or no sdist"]
    problems = []
    with zipfile.ZipFile(wheels[-1]) as wheel:
        names = set(wheel.namelist())
    for res in expected_resources():
        if f"bx24presence/resources/{res}" not in names:
            problems.append(f"{wheels[-1].name}: bx24presence/resources/{res}")
    for module in expected_modules():
        if module not in names:
            problems.append(f"{wheels[-1].name}: {module}")
    with tarfile.open(sdists[-1]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    for res in expected_resources():
        if f"resources/{res}" not in members:
            problems.append(f"{sdists[-1].name}: resources/{res}")
    for needed in ("setup.py", "pyproject.toml", *expected_modules()):
        if needed not in members:
            problems.append(f"{sdists[-1].name}: {needed}")
    return problems


def main() -> int:
    """The command line."""
    dist = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    problems = check(dist)
    for line in problems:
        print(f"missing: {line}", file=sys.stderr)
    if not problems:
        count = len(expected_resources())
        print(f"wheel and sdist carry all {count} resources and {len(expected_modules())} modules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
