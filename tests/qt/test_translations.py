"""The Qt Linguist catalogs: current with the code, compiled, complete in Russian, and used.

``resources/translations/bx24presence_<lang>.ts`` are the sources (``make translations`` runs
lupdate and lrelease, see ``packaging/translations.py``); the ``.qm`` files beside them are what
the app loads. These tests fail when a text of the code is missing from a ``.ts`` or the ``.ts``
holds a text the code no longer asks for, when a ``.qm`` is not what lrelease makes of its
``.ts``, when a Russian text is unfinished, vanished, loses a placeholder or a plural form, and
when a call is written in a form lupdate cannot read (so its text would never be extracted).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bx24presence"
FOLDER = ROOT / "resources" / "translations"
QT_PLACEHOLDER = re.compile(r"%[1-9n]")
FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
PLURAL_FORMS = {"en": 2, "ru": 3}
QT_APPLICATIONS = {"QCoreApplication", "QGuiApplication", "QApplication"}
#: The translation seams: they pass any context and text through and hold no text.
SEAMS = {"bx24presence/i18n.py", "bx24presence/qt/i18n.py"}


def _tool_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "translations", ROOT / "packaging/translations.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _tool_module()


@dataclass(frozen=True)
class Message:
    """One message of a ``.ts`` file."""

    context: str
    source: str
    numerus: bool
    kind: str  # "" (finished), "unfinished", "vanished", "obsolete"
    forms: tuple[str, ...]


def read_ts(path: Path) -> list[Message]:
    """The messages of a Linguist file."""
    root = ET.parse(path).getroot()  # noqa: S314  (our own file)
    found = []
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{path.name}: [{name}] a message without translation"
            numerus = message.get("numerus") == "yes"
            forms = (
                tuple(f.text or "" for f in translation.iter("numerusform"))
                if numerus
                else (translation.text or "",)
            )
            found.append(
                Message(
                    name,
                    message.findtext("source") or "",
                    numerus,
                    translation.get("type", ""),
                    forms,
                )
            )
    return found


def _keys(messages: list[Message]) -> set[tuple[str, str, bool]]:
    return {
        (m.context, m.source, m.numerus) for m in messages if m.kind not in {"vanished", "obsolete"}
    }


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Message]]:
    """What lupdate extracts from the code today, into fresh files, per language."""
    folder = tmp_path_factory.mktemp("lupdate")
    found = {}
    for language in tool.LANGUAGES:
        ts = tool.ts_path(language, folder)
        tool.lupdate(ts, language)
        found[language] = read_ts(ts)
    return found


# -- the files are current ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_ts_holds_exactly_the_texts_of_the_code(
    extracted: dict[str, list[Message]], language: str
) -> None:
    checked_in = _keys(read_ts(tool.ts_path(language)))
    wanted = _keys(extracted[language])
    missing = sorted(wanted - checked_in)
    stale = sorted(checked_in - wanted)
    assert not missing and not stale, (
        f"bx24presence_{language}.ts is not current: run `make translations`.\n"
        + "".join(f"  new in the code: [{c}] {s!r}{' (plural)' * n}\n" for c, s, n in missing)
        + "".join(f"  gone from the code: [{c}] {s!r}\n" for c, s, _ in stale)
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_qm_is_what_lrelease_makes_of_the_ts(tmp_path: Path, language: str) -> None:
    ts = tool.ts_path(language)
    qm = tmp_path / "out.qm"
    tool.lrelease(ts, qm)
    assert ts.with_suffix(".qm").read_bytes() == qm.read_bytes(), (
        f"{ts.with_suffix('.qm').name} is older than, or differs from, {ts.name}:"
        " run `make translations`"
    )


def test_qt_base_russian_is_beside_ours() -> None:
    ours = FOLDER / "qtbase_ru.qm"
    assert ours.is_file(), "run `make translations` to copy Qt's own Russian texts"
    assert ours.read_bytes() == tool.qt_base("ru").read_bytes(), (
        "qtbase_ru.qm differs from PySide6's: run `make translations`"
    )


# -- the Russian file is complete ---------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """``%1``..``%9``, ``%n`` and ``{name}`` fields."""
    return set(QT_PLACEHOLDER.findall(text)) | {f"{{{f}}}" for f in FIELD.findall(text)}


def _formats(form: str, source: str) -> bool:
    """Whether ``form`` takes the source's ``{name}`` fields through ``str.format``."""
    values = dict.fromkeys(FIELD.findall(source), "x")
    try:
        form.format(**values)
    except (ValueError, KeyError, IndexError):
        return False
    return True


def problems(messages: list[Message], language: str) -> list[str]:
    """What is wrong with the translations of a file."""
    found = []
    for m in messages:
        label = f"[{m.context}] {m.source!r}"
        if m.kind in {"vanished", "obsolete"}:
            found.append(f"{label}: {m.kind} (the code no longer asks for it; remove it)")
            continue
        if m.kind == "unfinished":
            found.append(f"{label}: unfinished")
            continue
        if "%n" in m.source and not m.numerus:
            found.append(f"{label}: has %n but is not a plural message (see i18n.Context)")
        if m.numerus and len(m.forms) != PLURAL_FORMS[language]:
            found.append(f"{label}: needs {PLURAL_FORMS[language]} plural forms")
        for form in m.forms:
            if not form.strip():
                found.append(f"{label}: an empty translation")
            elif placeholders(form) != placeholders(m.source):
                found.append(
                    f"{label}: {form!r} has {sorted(placeholders(form))},"
                    f" the source {sorted(placeholders(m.source))}"
                )
            elif FIELD.search(m.source) and not _formats(form, m.source):
                found.append(f"{label}: {form!r} breaks str.format")
    return found


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_text_is_translated(language: str) -> None:
    found = problems(read_ts(tool.ts_path(language)), language)
    assert not found, f"bx24presence_{language}.ts:\n  " + "\n  ".join(found)


def test_russian_catalog_is_not_empty() -> None:
    messages = read_ts(tool.ts_path("ru"))
    assert len(messages) > 150
    assert sum(m.numerus for m in messages) >= 3


def _ts(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bx24presence_ru.ts"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
        f'<TS version="2.1" language="ru" sourcelanguage="en"><context><name>C</name>{body}'
        "</context></TS>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<message><source>A</source><translation type="unfinished"/></message>', "unfinished"),
        (
            '<message><source>A</source><translation type="vanished">Б</translation></message>',
            "vanished",
        ),
        (
            '<message><source>A</source><translation type="obsolete">Б</translation></message>',
            "obsolete",
        ),
        ("<message><source>A %1</source><translation>Б</translation></message>", "has []"),
        ("<message><source>A {host}</source><translation>Б {хост}</translation></message>", "has"),
        (
            "<message><source>A {host}</source><translation>Б {host} }</translation></message>",
            "str.format",
        ),
        (
            '<message numerus="yes"><source>%n A</source><translation>'
            "<numerusform>%n Б</numerusform><numerusform>%n Бы</numerusform>"
            "</translation></message>",
            "needs 3 plural forms",
        ),
        ("<message><source>%n A</source><translation>%n Б</translation></message>", "not a plural"),
        ("<message><source>A</source><translation> </translation></message>", "empty"),
    ],
)
def test_completeness_check_catches(tmp_path: Path, body: str, expected: str) -> None:
    found = problems(read_ts(_ts(tmp_path, body)), "ru")
    assert found and expected in found[0], found


# -- every call is one lupdate reads ----------------------------------------------------------


def _is_noop(node: ast.AST, context: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "QT_TRANSLATE_NOOP"
        and len(node.args) == 2
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == context
    )


def _marked(value: ast.AST, context: str) -> bool:
    """Every text in ``value`` (not a dict key) is inside a ``QT_TRANSLATE_NOOP(context, ...)``."""
    noops = [n for n in ast.walk(value) if _is_noop(n, context)]
    covered = {id(s) for n in noops for s in ast.walk(n)}
    covered |= {
        id(s)
        for n in ast.walk(value)
        if isinstance(n, ast.Dict)
        for k in n.keys
        if k is not None
        for s in ast.walk(k)
    }
    loose = [
        n
        for n in ast.walk(value)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in covered
    ]
    return bool(noops) and not loose


def _translate_calls(tree: ast.Module) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (isinstance(f, ast.Name) and f.id == "translate") or (
            isinstance(f, ast.Attribute)
            and f.attr == "translate"
            and isinstance(f.value, ast.Name)
            and f.value.id in QT_APPLICATIONS
        ):
            yield node


def call_problems(rel: str, source: str) -> list[str]:
    """Translate calls of a module that lupdate would not read whole."""
    tree = ast.parse(source)
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            constants[target.id] = value
    loops = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.For):
            for t in ast.walk(node.target):
                if isinstance(t, ast.Name):
                    loops[t.id] = node.iter
    found = []
    for call in _translate_calls(tree):
        where = f"{rel}:{call.lineno}"
        if call.keywords:
            found.append(f"{where}: keyword arguments hide the call from lupdate")
        if len(call.args) < 2 or not (
            isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
        ):
            found.append(f"{where}: the context must be a string literal")
            continue
        context, text = call.args[0].value, call.args[1]
        if len(call.args) > 3:
            found.append(f"{where}: lupdate loses the plural forms here; use i18n.Context")
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            continue
        names = [n.id for n in ast.walk(text) if isinstance(n, ast.Name)]
        sources = [constants[n] for n in names if n in constants]
        sources += [
            constants[m.id]
            for n in names
            if n in loops
            for m in ast.walk(loops[n])
            if isinstance(m, ast.Name) and m.id in constants
        ]
        if not sources or not all(_marked(v, context) for v in sources):
            found.append(
                f"{where}: the text is neither a literal nor a module constant marked with"
                f' QT_TRANSLATE_NOOP("{context}", ...)'
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "tr"
            and len(node.args) >= 2
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])
        ):
            found.append(
                f"{rel}:{node.lineno}: lupdate reads tr(a, b) as text a with comment b;"
                " import the core seam as `translate`"
            )
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "Context"
        ):
            name = node.targets[0]
            arg = node.value.args[0] if node.value.args else None
            if not (
                isinstance(name, ast.Name)
                and isinstance(arg, ast.Constant)
                and name.id == arg.value
            ):
                found.append(f"{rel}:{node.lineno}: a Context's variable must carry its name")
    return found


def test_every_translate_call_is_one_lupdate_reads() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel not in SEAMS:
            found += call_problems(rel, path.read_text(encoding="utf-8"))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('def tr(text):\n    return QCoreApplication.translate("C", text)\n', "neither a literal"),
        ('QCoreApplication.translate(CTX, "x")\n', "context must be"),
        ('QCoreApplication.translate("C", "%n x", None, n)\n', "plural"),
        ('translate("C", "{a}", a=1)\n', "keyword"),
        ('T = {1: "x"}\nQCoreApplication.translate("C", T[1])\n', "neither a literal"),
        (
            'T = {1: QT_TRANSLATE_NOOP("D", "x")}\nQCoreApplication.translate("C", T[1])\n',
            "neither",
        ),
        ('Status = Context("State")\n', "carry its name"),
        ('tr("Connection", "x {a}", a=1)\n', "import the core seam"),
    ],
)
def test_call_check_catches(source: str, expected: str) -> None:
    found = call_problems("m.py", source)
    assert found and expected in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        'QCoreApplication.translate("C", "x")\n',
        'T = {1: QT_TRANSLATE_NOOP("C", "x")}\nQCoreApplication.translate("C", T.get(k, k))\n',
        'T = {1: QT_TRANSLATE_NOOP("C", "x")}\nfor k, t in T.items():\n'
        '    QApplication.translate("C", t)\n',
        'G = QT_TRANSLATE_NOOP("C", "a" "b")\nQCoreApplication.translate("C", G)\n',
        'Status = Context("Status")\nStatus.tr("%n x", None, n)\n',
    ],
)
def test_call_check_allows(source: str) -> None:
    assert call_problems("m.py", source) == []


# -- the translators at work -----------------------------------------------------------------


@pytest.fixture
def russian(qapp: QApplication) -> Iterator[None]:
    from bx24presence.qt import i18n

    assert i18n.install(qapp, "ru") == "ru"
    yield
    i18n.install(qapp, "en")


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (1, "1 минуту назад"),
        (5, "5 минут назад"),
        (11, "11 минут назад"),
        (21, "21 минуту назад"),
        (22, "22 минуты назад"),
        (180, "3 часа назад"),
        (60 * 24 * 5, "5 дней назад"),
    ],
)
def test_russian_last_seen_uses_plural_forms(minutes: int, expected: str) -> None:
    from bx24presence.qt.texts import last_seen

    now = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
    assert last_seen(now - timedelta(minutes=minutes), now) == expected


@pytest.mark.parametrize(("hours", "expected"), [(1, "1 hour ago"), (3, "3 hours ago")])
def test_english_plural_forms(qapp: QApplication, hours: int, expected: str) -> None:
    from bx24presence.qt import i18n
    from bx24presence.qt.texts import last_seen

    i18n.install(qapp, "en")
    now = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
    assert last_seen(now - timedelta(hours=hours), now) == expected


@pytest.mark.usefixtures("russian")
def test_russian_widgets_core_sentences_and_qt_texts(qtbot) -> None:
    from bx24presence.i18n import tr as core_tr
    from bx24presence.qt.dialogs.settings import SettingsDialog
    from bx24presence.settings import Settings

    dialog = SettingsDialog(Settings(), portal_label="", secret_storage="", secret_fallback=False)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Настройки"
    levels = [dialog.log_level.itemText(i) for i in range(dialog.log_level.count())]
    assert levels == ["Ошибки", "Предупреждения", "Информация", "Отладка"]
    assert (
        core_tr(
            "Connection", "Connected as {name} to {host}.", name="Анна", host="example.bitrix24.ru"
        )
        == "Подключено к example.bitrix24.ru как Анна."
    )
    # Qt's own texts, from the qtbase_ru.qm beside ours.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Отмена"


def test_reinstalling_english_removes_russian(qapp: QApplication) -> None:
    from PySide6.QtCore import QLocale

    from bx24presence.i18n import tr as core_tr
    from bx24presence.qt import i18n
    from bx24presence.qt.texts import last_seen

    now = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
    i18n.install(qapp, "ru")
    try:
        assert last_seen(now - timedelta(minutes=5), now) == "5 минут назад"
    finally:
        i18n.install(qapp, "en")
    assert last_seen(now - timedelta(minutes=5), now) == "5 min ago"
    assert core_tr("Connection", "the webhook's user") == "the webhook's user"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    assert QLocale().language() == QLocale.Language.English


@pytest.mark.parametrize("damage", ["missing", "garbage", "empty"])
def test_a_missing_or_broken_catalog_leaves_english(
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    from bx24presence.qt import i18n

    if damage == "garbage":
        (tmp_path / "bx24presence_ru.qm").write_bytes(b"\x3c\xb8\x64\x18" + b"\xff" * 4096)
    elif damage == "empty":
        (tmp_path / "bx24presence_ru.qm").write_bytes(b"")
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    try:
        assert i18n.install(qapp, "ru") == "ru"
        assert QCoreApplication.translate("Settings", "Settings") == "Settings"
    finally:
        monkeypatch.undo()
        i18n.install(qapp, "en")
    assert "could not be loaded" in caplog.text


def test_the_wheel_carries_the_compiled_catalogs() -> None:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["bx24presence.resources"]
    shipped = {p.name for pattern in patterns for p in (ROOT / "resources").glob(pattern)}
    assert {"bx24presence_en.qm", "bx24presence_ru.qm", "qtbase_ru.qm"} <= shipped
    assert not any(name.endswith(".ts") for name in shipped)


def test_no_python_catalog_is_left() -> None:
    assert not (PACKAGE / "qt" / "translations").exists()
