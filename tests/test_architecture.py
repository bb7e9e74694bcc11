"""The package layers of docs/architecture.md, read from the imports themselves.

Every module's imports (all of them: top level, in functions, under TYPE_CHECKING) are read
with `ast`. A package may import packages of its own layer or below, never above; packages
never import each other in a circle; only `pytest_plugin` (and the compatibility names users
import) may import `pytest_plugin`; library modules import pytest only where they must.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src" / "promrules"

# Bottom to top. A package may import its own layer and the layers below it.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"files"}),
    frozenset({"promtool"}),
    frozenset({"derive"}),
    frozenset({"engine"}),
    frozenset({"authoring"}),
    frozenset({"alertmanager", "coverage", "diff", "lint", "mutate", "report", "snapshot"}),
    frozenset({"session"}),
    frozenset({"upgrade"}),
    frozenset({"cli", "pytest_plugin"}),
)
# Top-level names kept for imports users already write; they sit above every layer.
COMPATIBILITY = frozenset({"series", "notation", "strategies", "fixtures", "scenario", "timeline"})
PLUGIN_ALIAS = "plugin"  # the pytest11 entry point of installs made before the move
SHELL = "pytest_plugin"

# Modules outside the pytest shell that import pytest, and why they must.
PYTEST_ALLOWED = {
    "promrules.cli.precommit": "`promrules test` and the pre-commit hook are pytest.main runs",
    "promrules.cli.project": "reads a repository's settings through pytest's own ini reading",
    "promrules.upgrade.outcomes": "a plugin loaded with -p into the upgrade check's pytest runs",
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module (or package), dotted
    line: int


def module_name(path: Path, src: Path) -> str:
    parts = path.relative_to(src.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_imports(src: Path) -> list[Import]:
    """Every import of a promrules module by a promrules module, resolved to a module name."""
    modules = {module_name(p, src) for p in src.rglob("*.py")}
    found = []
    for path in sorted(src.rglob("*.py")):
        here = module_name(path, src)
        package = here if path.name == "__init__.py" else here.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                # `from promrules.x import y` names module promrules.x.y when there is one
                targets = [
                    f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module
                    for a in node.names
                ]
            else:
                continue
            found += [Import(here, t, node.lineno) for t in targets]
    return found


def unit(module: str) -> str:
    """The package (or one-module unit) a module belongs to: promrules.engine.trim -> engine."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "promrules"


def rank(name: str) -> int | None:
    if name in COMPATIBILITY or name == PLUGIN_ALIAS:
        return len(LAYERS)
    return next((i for i, layer in enumerate(LAYERS) if name in layer), None)


def layer_problems(src: Path) -> list[str]:
    """Unplaced packages, imports pointing up a layer, and circles between packages."""
    imports = [i for i in read_imports(src) if i.target.startswith("promrules.")]
    problems = []
    units = {unit(module_name(p, src)) for p in src.rglob("*.py")} - {"promrules"}
    problems += [
        f"promrules.{u} is in no layer (add it to LAYERS)" for u in sorted(units) if rank(u) is None
    ]
    edges: dict[str, set[str]] = {}
    for i in imports:
        a, b = unit(i.source), unit(i.target)
        if a == b or "promrules" in (a, b):  # the package root is the public facade
            continue
        edges.setdefault(a, set()).add(b)
        ra, rb = rank(a), rank(b)
        if ra is not None and rb is not None and rb > ra:
            problems.append(f"{i.source} (line {i.line}) imports {i.target}: {b} is above {a}")
    problems += [f"circle between packages: {' -> '.join(c)}" for c in circles(edges)]
    return problems


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One path around each circle of the package graph, starting at its smallest name."""
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        for nxt in sorted(edges.get(path[-1], ())):
            if nxt == path[0]:
                found.add(tuple(path))
            elif nxt not in path and nxt > path[0]:
                walk([*path, nxt])

    for start in sorted(edges):
        walk([start])
    return [[*c, c[0]] for c in sorted(found)]


def shell_problems(src: Path) -> list[str]:
    """Imports of the pytest shell from outside it, and of pytest outside the allow-list."""
    problems = []
    for i in read_imports(src):
        source = unit(i.source)
        if source in (SHELL, PLUGIN_ALIAS) or source in COMPATIBILITY:
            continue
        if unit(i.target) == SHELL and i.target.startswith("promrules."):
            problems.append(f"{i.source} (line {i.line}) imports {i.target}, the pytest shell")
        if i.target.split(".")[0] in ("pytest", "_pytest") and i.source not in PYTEST_ALLOWED:
            problems.append(f"{i.source} (line {i.line}) imports {i.target} (not allow-listed)")
    return problems


def test_packages_import_down_only_and_in_no_circle() -> None:
    assert layer_problems(SRC) == []


def test_only_the_shell_imports_the_shell_and_pytest() -> None:
    assert shell_problems(SRC) == []


def test_every_pytest_allowance_is_still_needed() -> None:
    users = {i.source for i in read_imports(SRC) if i.target.split(".")[0] == "pytest"}
    assert set(PYTEST_ALLOWED) - users == set()


@pytest.fixture
def copied_src(tmp_path: Path) -> Path:
    src = tmp_path / "src" / "promrules"
    shutil.copytree(SRC, src, ignore=shutil.ignore_patterns("__pycache__"))
    return src


def plant(src: Path, module: str, line: str) -> None:
    path = src.joinpath(*module.split(".")[1:]).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_an_upward_import_planted_in_a_copy_is_named(copied_src: Path) -> None:
    plant(copied_src, "promrules.files.model", "from promrules.engine import results")
    problems = layer_problems(copied_src)
    upward = [p for p in problems if not p.startswith("circle")]
    assert len(upward) == 1
    assert upward[0].startswith("promrules.files.model (line ")
    assert upward[0].endswith("imports promrules.engine.results: engine is above files")
    # engine already imports files, so the planted import also closes circles through both
    assert "circle between packages: engine -> files -> engine" in problems


def test_a_circle_planted_in_a_copy_is_named(copied_src: Path) -> None:
    plant(copied_src, "promrules.lint.base", "from promrules.snapshot import document")
    plant(copied_src, "promrules.snapshot.document", "from promrules.lint import base")
    assert "circle between packages: lint -> snapshot -> lint" in layer_problems(copied_src)


def test_a_relative_import_is_read_like_an_absolute_one(copied_src: Path) -> None:
    plant(copied_src, "promrules.derive.cases", "from ..engine import trim")
    upward = [p for p in layer_problems(copied_src) if not p.startswith("circle")]
    assert upward == [
        f"promrules.derive.cases (line {len(_lines(copied_src, 'derive/cases.py'))}) "
        "imports promrules.engine.trim: engine is above derive"
    ]


def test_an_unplaced_package_is_named(copied_src: Path) -> None:
    (copied_src / "newthing.py").write_text('"""x"""\n')
    assert layer_problems(copied_src) == ["promrules.newthing is in no layer (add it to LAYERS)"]


def test_the_shell_and_pytest_imported_from_a_library_are_named(copied_src: Path) -> None:
    plant(copied_src, "promrules.engine.trim", "from promrules.pytest_plugin.plugin import STATE")
    plant(copied_src, "promrules.diff.changes", "import pytest")
    problems = shell_problems(copied_src)
    assert [p.split(" (line")[0] for p in problems] == [
        "promrules.diff.changes",
        "promrules.engine.trim",
    ]
    assert "imports promrules.pytest_plugin.plugin, the pytest shell" in problems[1]
    assert "imports pytest (not allow-listed)" in problems[0]


def _lines(src: Path, relative: str) -> list[str]:
    return (src / relative).read_text(encoding="utf-8").splitlines()


def test_every_hook_of_the_pytest_shell_is_under_15_lines() -> None:
    """Hooks are a few lines over library calls; the work is where it can be tested alone."""
    long = []
    for path in sorted((SRC / SHELL).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("pytest_"):
                first = min([d.lineno for d in node.decorator_list] + [node.lineno])
                if (node.end_lineno or 0) - first + 1 >= 15:
                    long.append(f"{path.name}:{node.name}")
    assert long == []
