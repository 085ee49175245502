"""What installs the app: resources found, ids that agree, generated icons, valid desktop
entry and metainfo, the per-user desktop install, and the bundle's ICU trimming rules."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

import bx24presence
from bx24presence import assets, autostart

ROOT = Path(__file__).resolve().parents[2]
IN_CI = bool(os.environ.get("CI"))


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is missing in CI (make sysdeps SYS_PKGS=... installs it)")
        pytest.skip(f"{name} is not installed (Debian: desktop-file-utils / appstream)")
    return path


def test_resources_are_found_beside_the_package() -> None:
    folder = assets.resources_dir()
    assert folder == ROOT / "resources"
    assert assets.icon_svg().is_file()
    assert assets.desktop_file().is_file()
    assert assets.metainfo_file().is_file()
    for size in assets.ICON_SIZES:
        assert assets.icon_png(size).is_file()


def test_missing_resources_say_so(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(assets, "_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(assets.ResourcesMissing, match="reinstall bx24presence"):
        assets.resources_dir()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_generated_icons_have_their_sizes() -> None:
    for size in assets.ICON_SIZES:
        assert _png_size(assets.icon_png(size)) == (size, size)
    icons = assets.resources_dir() / "icons"
    ico = (icons / f"{assets.APP_ID}.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 6
    dims = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= dims
    icns = (icons / f"{assets.APP_ID}.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic09" in icns  # the 512 px image


def test_ids_versions_and_screenshots_agree() -> None:
    desktop = assets.desktop_file().read_text(encoding="utf-8")
    assert f"Icon={assets.APP_ID}\n" in desktop
    assert assets.desktop_file().name == f"{assets.APP_ID}.desktop"
    root = ET.parse(assets.metainfo_file()).getroot()  # noqa: S314  (our own file)
    assert root.findtext("id") == assets.APP_ID
    assert root.findtext("launchable") == f"{assets.APP_ID}.desktop"
    versions = [r.get("version") for r in root.iter("release")]
    assert bx24presence.__version__ in versions
    images = [i.text or "" for i in root.iter("image")]
    assert images
    for url in images:
        name = re.sub(r"^.*/docs/", "", url)
        assert (ROOT / "docs" / name).is_file(), f"screenshot {name} is not in docs/"


def test_desktop_entry_validates(tmp_path) -> None:
    tool = _tool("desktop-file-validate")
    entries = [assets.desktop_file()]
    # The start-at-login entry, for a bundle in a folder with awkward characters.
    exe = tmp_path / 'My "Apps" $HOME\\x' / "bx24presence"
    autostart_text = autostart._desktop_entry([str(exe), "--demo"])
    login = tmp_path / "bx24presence.desktop"
    login.write_text(autostart_text, encoding="utf-8")
    entries.append(login)
    for entry in entries:
        result = subprocess.run([tool, str(entry)], check=False, capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_metainfo_validates() -> None:
    tool = _tool("appstreamcli")
    result = subprocess.run(
        [tool, "validate", "--no-net", "--pedantic", str(assets.metainfo_file())],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_and_uninstall_desktop_for_the_user(tmp_path) -> None:
    home = tmp_path / "share"
    exe = tmp_path / "opt dir" / "bx24presence" / "bx24presence"
    run = [sys.executable, str(ROOT / "packaging" / "desktop.py")]
    done = subprocess.run(
        [*run, "install", "--exec", str(exe)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_DATA_HOME": str(home)},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    entry = home / "applications" / f"{assets.APP_ID}.desktop"
    assert f'Exec="{exe}"\n' in entry.read_text(encoding="utf-8")
    assert (home / "metainfo" / f"{assets.APP_ID}.metainfo.xml").is_file()
    for size in assets.ICON_SIZES:
        icon = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{assets.APP_ID}.png"
        assert _png_size(icon) == (size, size)
    assert (home / "icons" / "hicolor" / "scalable" / "apps" / f"{assets.APP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(
            ["desktop-file-validate", str(entry)], check=False, capture_output=True
        )
        assert checked.returncode == 0, checked.stdout
    gone = subprocess.run(
        [*run, "uninstall", "--data-home", str(home)], check=False, capture_output=True
    )
    assert gone.returncode == 0
    left = [p for p in home.rglob("*") if p.is_file() and assets.APP_ID in p.name]
    assert left == []
    again = subprocess.run(
        [*run, "uninstall", "--data-home", str(home)], check=False, capture_output=True
    )
    assert again.returncode == 0, "removing twice is fine"


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("uprops.icu", True),
        ("ucase.icu", True),
        ("uts46.nrm", True),
        ("coll/ucadata.icu", True),
        ("coll/root.res", True),
        ("coll/ru.res", True),
        ("coll/uk.res", True),
        ("root.res", True),
        ("ru_RU.res", True),
        ("res_index.res", True),
        ("pool.res", True),
        ("zoneinfo64.res", True),
        ("likelySubtags.res", True),
        ("ibm-943_P15A-2003.cnv", False),
        ("brkitr/cjdict.dict", False),
        ("translit/root.res", False),
        ("curr/ru.res", False),
        ("lang/ru.res", False),
        ("coll/sw.res", False),
        ("sw_KE.res", False),
    ],
)
def test_bundle_keeps_the_icu_data_qt_uses(item: str, kept: bool) -> None:
    assert _load("trim_icu").keep(item) is kept


def test_workflows_lint() -> None:
    bindir = Path(sys.executable).parent
    checker = bindir / "check-jsonschema"
    if not checker.exists():
        if IN_CI:
            pytest.fail("check-jsonschema is missing in CI (make lint-workflows installs it)")
        pytest.skip("check-jsonschema is not installed (make lint-workflows installs it)")
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *workflows],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
