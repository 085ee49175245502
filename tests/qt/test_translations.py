"""The Russian catalog covers every translatable text of the package, keeps its placeholders,
has the three Russian plural forms, and holds nothing stale.

Texts are found by reading the source with :mod:`ast` (so implicitly concatenated strings
over several lines come out whole). A text is translatable when it reaches one of:

* ``QCoreApplication.translate(context, text, ...)`` (or ``QGuiApplication``/``QApplication``);
* the core seam ``bx24presence.i18n.tr(context, text, **values)``;
* a module's helper with a fixed context, listed in :data:`HELPERS`.

The text argument may be a literal, a module-level string constant (``tr(GUIDE)``), an item
of a module-level dict (``tr(FILTER_TITLES[kind])``) or a ``dict.get`` on one
(``_tr(PHONE_LABELS.get(kind, kind))``): the dict's string values are all taken.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

import bx24presence

PACKAGE = Path(bx24presence.__file__).parent
ROOT = PACKAGE.parent

#: Helpers that translate in a fixed context: module -> {function name: context}. A module
#: that imports a helper from another module (``main_window.py`` uses ``widgets.tr``) is
#: listed with it too. :func:`test_helper_table_matches_the_source` keeps this table true.
HELPERS: dict[str, dict[str, str]] = {
    "bx24presence/connection.py": {"_t": "Connection"},
    "bx24presence/qt/controller.py": {"tr": "App"},
    "bx24presence/qt/support.py": {"tr": "App"},
    "bx24presence/qt/alerts.py": {"tr": "App"},
    "bx24presence/qt/connect.py": {"tr": "App"},
    "bx24presence/qt/details/pane.py": {"_tr": "Details"},
    "bx24presence/qt/details/link_failure.py": {"_tr": "Details"},
    "bx24presence/qt/freshness.py": {"tr": "MainWindow"},
    "bx24presence/qt/list/panel.py": {"tr": "MainWindow"},
    "bx24presence/qt/window_menu.py": {"tr": "MainWindow"},
    "bx24presence/qt/window_frame.py": {"tr": "MainWindow"},
    "bx24presence/qt/main_window.py": {"tr": "MainWindow"},
    "bx24presence/qt/dialogs/settings.py": {"tr": "Settings"},
    "bx24presence/qt/texts.py": {"tr": "Status"},
    "bx24presence/qt/tray/tray.py": {"tr": "Tray"},
    "bx24presence/qt/watchlist.py": {"tr": "Watch"},
    "bx24presence/qt/dialogs/welcome.py": {"tr": "Welcome"},
    "bx24presence/qt/widgets.py": {"tr": "MainWindow"},
    "bx24presence/qt/views/own_status.py": {"tr": "OwnStatus"},
    "bx24presence/qt/views/departments.py": {"tr": "Team"},
    "bx24presence/qt/views/team_lists.py": {"tr": "Team"},
    "bx24presence/qt/views/panel.py": {"tr": "Team"},
    "bx24presence/qt/views/install.py": {"tr": "Team"},
    "bx24presence/qt/dialogs/about.py": {"tr": "About"},
    "bx24presence/qt/tray/history.py": {"tr": "History"},
}

#: The translation seams themselves: they pass any context through and hold no text.
PASS_THROUGH: dict[str, set[str]] = {
    "bx24presence/qt/i18n.py": {"_translate"},
}

QT_APPLICATIONS = {"QCoreApplication", "QGuiApplication", "QApplication"}
CORE_I18N = "bx24presence.i18n"
QT_PLACEHOLDER = re.compile(r"%[1-9n]")
FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
RUSSIAN_PLURAL_FORMS = 3


@dataclass(frozen=True)
class Text:
    """One translatable text and where it is requested."""

    context: str
    source: str
    where: str


@dataclass
class Scan:
    """What a walk over the package found."""

    texts: list[Text] = field(default_factory=list)
    #: Calls whose text or context cannot be known without running the code.
    unresolved: list[str] = field(default_factory=list)
    #: Helpers as the source defines and imports them: module -> {name: context}.
    helpers: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Functions that pass their context argument through: module -> names.
    pass_through: dict[str, set[str]] = field(default_factory=dict)
    #: Contexts requested through the core seam, filled with ``str.format`` afterwards.
    formatted: set[str] = field(default_factory=set)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "translations" not in p.parts)


class _ModuleScanner(ast.NodeVisitor):
    """Collects the translatable texts of one module."""

    def __init__(self, rel: str, tree: ast.Module, helpers: dict[str, str], scan: Scan) -> None:
        self.rel = rel
        self.helpers = helpers
        self.scan = scan
        self.constants: dict[str, str] = {}
        self.dicts: dict[str, list[str]] = {}
        self.core_tr: set[str] = set()  # names that call bx24presence.i18n.tr
        self.core_modules: set[str] = set()  # names bound to the bx24presence.i18n module
        self.params: list[set[str]] = []  # parameters of the enclosing functions
        self.functions: list[str] = []
        for node in tree.body:
            self._module_level(node)

    # -- module level ----------------------------------------------------------------------

    def _module_level(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                if not isinstance(target, ast.Name) or value is None:
                    continue
                text = _literal(value)
                if text is not None:
                    self.constants[target.id] = text
                elif isinstance(value, ast.Dict):
                    values = [_literal(v) for v in value.values if v is not None]
                    self.dicts[target.id] = [v for v in values if v is not None]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module == CORE_I18N and alias.name == "tr":
                    self.core_tr.add(bound)
                elif f"{node.module}.{alias.name}" == CORE_I18N:
                    self.core_modules.add(bound)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == CORE_I18N and alias.asname:
                    self.core_modules.add(alias.asname)

    # -- functions -------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        a = node.args
        names = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
        self.params.append(names)
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()
        self.params.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_Lambda(self, node: ast.Lambda) -> None:
        a = node.args
        self.params.append({p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)})
        self.functions.append("<lambda>")
        self.generic_visit(node)
        self.functions.pop()
        self.params.pop()

    # -- calls -----------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "translate"
            and isinstance(func.value, ast.Name)
            and func.value.id in QT_APPLICATIONS
        ):
            self._direct(node, core=False)
        elif self._is_core_tr(func):
            self._direct(node, core=True)
        elif isinstance(func, ast.Name) and func.id in self.helpers:
            self._helper(node, self.helpers[func.id])

    def _is_core_tr(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.core_tr
        return (
            isinstance(func, ast.Attribute)
            and func.attr == "tr"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.core_modules
        )

    def _where(self, node: ast.AST) -> str:
        return f"{self.rel}:{getattr(node, 'lineno', '?')}"

    def _is_param(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and bool(self.params) and node.id in self.params[-1]

    def _direct(self, node: ast.Call, *, core: bool) -> None:
        if len(node.args) < 2:
            self.scan.unresolved.append(f"{self._where(node)}: too few arguments")
            return
        context_arg, text_arg = node.args[0], node.args[1]
        function = self.functions[-1] if self.functions else "<module>"
        if self._is_param(context_arg) and self._is_param(text_arg):
            self.scan.pass_through.setdefault(self.rel, set()).add(function)
            return
        context = _literal(context_arg)
        if context is None and isinstance(context_arg, ast.Name):
            context = self.constants.get(context_arg.id)
        if context is None:
            self.scan.unresolved.append(f"{self._where(node)}: the context is not a literal")
            return
        if core:
            self.scan.formatted.add(context)
        if self._is_param(text_arg):
            self.scan.helpers.setdefault(self.rel, {})[function] = context
            return
        self._texts(context, text_arg, node)

    def _helper(self, node: ast.Call, context: str) -> None:
        if not node.args:
            self.scan.unresolved.append(f"{self._where(node)}: no text")
            return
        self._texts(context, node.args[0], node)

    def _texts(self, context: str, arg: ast.expr, call: ast.Call) -> None:
        texts = self._resolve(arg)
        if texts is None:
            self.scan.unresolved.append(
                f"{self._where(call)}: [{context}] {ast.unparse(arg)} is not a literal, a"
                " module-level string or a module-level dict of strings"
            )
            return
        self.scan.texts.extend(Text(context, t, self._where(call)) for t in texts)

    def _resolve(self, arg: ast.expr) -> list[str] | None:
        text = _literal(arg)
        if text is not None:
            return [text]
        if isinstance(arg, ast.Name) and arg.id in self.constants:
            return [self.constants[arg.id]]
        if (
            isinstance(arg, ast.Subscript)
            and isinstance(arg.value, ast.Name)
            and arg.value.id in self.dicts
        ):
            return self.dicts[arg.value.id]
        if (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "get"
            and isinstance(arg.func.value, ast.Name)
            and arg.func.value.id in self.dicts
        ):
            # The default is the dict's key for kinds the dict does not know: shown as is.
            return self.dicts[arg.func.value.id]
        return None


def _literal(node: ast.expr) -> str | None:
    """A string literal (implicit concatenation is one constant already), ``a + b``, or the
    text of a ``QT_TRANSLATE_NOOP(context, text)`` marker."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "QT_TRANSLATE_NOOP"
        and len(node.args) == 2
    ):
        return _literal(node.args[1])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _imported_helpers(tree: ast.Module, defined: dict[str, dict[str, str]]) -> dict[str, str]:
    """Helpers a module imports from another module that defines them."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            source = node.module.replace(".", "/") + ".py"
            for alias in node.names:
                if alias.name in defined.get(source, {}):
                    found[alias.asname or alias.name] = defined[source][alias.name]
    return found


def scan_package() -> Scan:
    """Every translatable text of the package, with the helpers found on the way."""
    scan = Scan()
    trees = {_rel(p): ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in _modules()}
    for rel, tree in trees.items():
        _ModuleScanner(rel, tree, HELPERS.get(rel, {}), scan).visit(tree)
    defined = {rel: dict(h) for rel, h in scan.helpers.items()}
    for rel, tree in trees.items():
        imported = _imported_helpers(tree, defined)
        if imported:
            scan.helpers.setdefault(rel, {}).update(imported)
    return scan


@pytest.fixture(scope="module")
def scan() -> Scan:
    return scan_package()


def catalog(language: str) -> dict[str, dict[str, str | list[str]]]:
    module = importlib.import_module(f"bx24presence.qt.translations.{language}")
    return module.CATALOG


def placeholders(text: str) -> set[str]:
    """``%1``..``%9``, ``%n`` and ``{name}`` fields."""
    return set(QT_PLACEHOLDER.findall(text)) | {f"{{{f}}}" for f in FIELD.findall(text)}


def _sources(scan: Scan) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for t in scan.texts:
        found.setdefault((t.context, t.source), []).append(t.where)
    return found


# -- the scanner's rules -----------------------------------------------------------------------


def test_helper_table_matches_the_source(scan: Scan) -> None:
    """A new helper (or a changed context) must be added to HELPERS, or its texts are lost."""

    def rows(table: dict[str, dict[str, str]]) -> set[str]:
        return {f"{m}: {name}() -> {c!r}" for m, h in table.items() for name, c in h.items()}

    found, listed = rows(scan.helpers), rows(HELPERS)
    assert found == listed, (
        "HELPERS does not match the helpers the source defines or imports.\n"
        "Add to HELPERS:\n"
        + "\n".join(f"  {r}" for r in sorted(found - listed))
        + "\nRemove from HELPERS:\n"
        + "\n".join(f"  {r}" for r in sorted(listed - found))
    )
    assert scan.pass_through == PASS_THROUGH


def test_every_translatable_text_is_static(scan: Scan) -> None:
    assert not scan.unresolved, "Texts that cannot be read from the source:\n" + "\n".join(
        scan.unresolved
    )


def test_scanner_finds_the_known_texts(scan: Scan) -> None:
    found = set(_sources(scan))
    for key in [
        ("Status", "%n min ago"),
        ("MainWindow", "Available now"),  # via FILTER_TITLES
        ("Details", "Extension"),  # via PHONE_LABELS.get
        ("Welcome", "1. In Bitrix24 open Developer resources → Other → Incoming webhook.\n"),
        ("Connection", "Connected as {name} to {host}."),
        ("Errors", "Something went wrong inside bx24presence."),
        ("App", "demo portal"),
    ]:
        context, text = key
        assert any(c == context and s.startswith(text) for c, s in found), key


# -- the Russian catalog -----------------------------------------------------------------------


def test_russian_catalog_has_every_text(scan: Scan) -> None:
    ru = catalog("ru")
    missing = [
        f"  [{context}] {source!r}  ({', '.join(where)})"
        for (context, source), where in sorted(_sources(scan).items())
        if source not in ru.get(context, {})
    ]
    assert not missing, f"{len(missing)} texts have no Russian translation:\n" + "\n".join(missing)


def _formats(form: str, source: str) -> bool:
    """Whether ``form`` takes the source's ``{name}`` fields through ``str.format``."""
    values = dict.fromkeys(FIELD.findall(source), "x")
    try:
        form.format(**values)
    except (ValueError, KeyError, IndexError):
        return False
    return True


def test_russian_entries_keep_placeholders_and_plural_forms(scan: Scan) -> None:
    problems = []
    for context, entries in catalog("ru").items():
        for source, entry in entries.items():
            label = f"[{context}] {source!r}"
            expected = placeholders(source)
            if "%n" in source:
                if not (
                    isinstance(entry, list)
                    and len(entry) == RUSSIAN_PLURAL_FORMS
                    and all("%n" in form for form in entry)
                ):
                    problems.append(
                        f"  {label}: needs 3 plural forms [one, few, many], each with %n"
                    )
                    continue
                forms = entry
            elif not isinstance(entry, str):
                problems.append(f"  {label}: a text without %n takes one string")
                continue
            else:
                forms = [entry]
            for form in forms:
                if not form.strip():
                    problems.append(f"  {label}: empty translation")
                elif placeholders(form) != expected:
                    problems.append(
                        f"  {label}: {form!r} has {sorted(placeholders(form))},"
                        f" the source {sorted(expected)}"
                    )
                elif context in scan.formatted and not _formats(form, source):
                    problems.append(f"  {label}: {form!r} breaks str.format")
    assert not problems, "Bad Russian entries:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_catalog_has_no_stale_entries(scan: Scan, language: str) -> None:
    found = set(_sources(scan))
    stale = [
        f"  [{context}] {source!r}"
        for context, entries in sorted(catalog(language).items())
        for source in entries
        if (context, source) not in found
    ]
    assert not stale, f"{language}.py has entries no source text asks for:\n" + "\n".join(stale)


# -- the Russian translator at work ------------------------------------------------------------


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
    ],
)
def test_russian_last_seen_uses_plural_forms(minutes: int, expected: str) -> None:
    from bx24presence.qt.texts import last_seen

    now = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
    assert last_seen(now - timedelta(minutes=minutes), now) == expected


@pytest.mark.usefixtures("russian")
def test_russian_widgets_and_core_sentences(qtbot) -> None:
    from bx24presence.i18n import tr as core_tr
    from bx24presence.qt.dialogs.settings import SettingsDialog
    from bx24presence.qt.list.proxy import QuickFilter
    from bx24presence.qt.widgets import FilterBar
    from bx24presence.settings import Settings

    dialog = SettingsDialog(Settings(), portal_label="", secret_storage="", secret_fallback=False)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Настройки"
    bar = FilterBar()
    qtbot.addWidget(bar)
    assert bar.button(QuickFilter.EVERYONE).text().startswith("Все")
    assert (
        core_tr(
            "Connection", "Connected as {name} to {host}.", name="Анна", host="example.bitrix24.ru"
        )
        == "Подключено к example.bitrix24.ru как Анна."
    )


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
    assert QLocale().language() == QLocale.Language.English
