#!/usr/bin/env python3
"""Move promrules' flat modules into layered packages, and every reference with them (issue 17).

Run once at the root of a clean checkout: `python scripts/relayout.py`. It `git mv`s the
modules into their packages and the tests into folders of the same names, rewrites every
import and every dotted or slashed module path in the tracked text files, leaves small
re-export modules where users import (`promrules.series`, `.notation`, `.strategies`,
`.fixtures`, `.plugin`), and sorts the changed imports with ruff. It commits nothing.

The work is done by reading files as they are, not from a list of known lines, so other
people's edits inside the moved files move with them. A second run refuses: the layout is
either wholly the old one or wholly the new one. Modules it does not know (added after this
script was written) stay where they are and are named at the end; tests/test_architecture.py
then fails until they get a layer.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

# Old module (below promrules.) -> new module. A name not listed stays where it is.
MOVES: dict[str, str] = {
    # files: reading and writing rule and test files, YAML as promtool reads it, durations.
    "durations": "files.durations",
    "yamlnodes": "files.yamlnodes",
    "goyaml": "files.goyaml",
    "model": "files.model",
    "alerts": "files.alerts",
    "notation": "files.notation",
    "notation_histogram": "files.notation_histogram",
    "folders": "files.folders",
    "outputs": "files.outputs",
    # promtool: finding, installing and running it, and reading what it prints.
    "promtool": "promtool.binary",
    "promtool_install": "promtool.install",
    "output": "promtool.output",
    "junit": "promtool.junit",
    "goquote": "promtool.goquote",
    "probe": "promtool.query",
    # derive: comparisons sit on derive.promql's reading of an expression.
    "comparisons": "derive.comparisons",
    # engine: planning a session's promtool work and giving every case its verdict.
    "results": "engine.results",
    "checks": "engine.checks",
    "execution": "engine.execution",
    "split": "engine.split",
    "trim": "engine.trim",
    "rule_slices": "engine.rule_slices",
    "batching": "engine.batching",
    "slow_notice": "engine.slow_notice",
    "render": "engine.render",
    # authoring: what users write tests with.
    "series": "authoring.series",
    "series_base": "authoring.series_base",
    "series_histogram": "authoring.series_histogram",
    "scenario": "authoring.scenario",
    "scenario_report": "authoring.scenario_report",
    "strategies": "authoring.strategies",
    "timeline": "authoring.timeline",
    # diff: one package for the four diff modules.
    "diff": "diff.changes",
    "diff_firing": "diff.firing",
    "diff_git": "diff.revisions",
    "diff_render": "diff.render",
    # session: one run's state, shared by the plugin, the CLI and the upgrade check.
    "session": "session.state",
    # pytest_plugin: everything that knows pytest's hooks and nodes.
    "plugin": "pytest_plugin.plugin",
    "derived_items": "pytest_plugin.derived_items",
    "live": "pytest_plugin.live",
    "distribution": "pytest_plugin.distribution",
    "fixtures": "pytest_plugin.fixtures",
    "routing_items": "pytest_plugin.routing_items",
    "overlap": "pytest_plugin.overlap",
    "interrupt": "pytest_plugin.interrupt",
    "snapshot.update": "pytest_plugin.snapshot_update",
    "upgrade.session_compare": "pytest_plugin.compare_promtool",
    # alertmanager: amtool, Alertmanager servers and what routing and inhibition cases check.
    "alertmanager": "alertmanager.amtool",
    "am_server": "alertmanager.server",
    "am_api": "alertmanager.api",
    "am_config": "alertmanager.config_copies",
    "route_values": "alertmanager.route_values",
    "route_options": "alertmanager.route_options",
    "grouping": "alertmanager.grouping",
    "inhibition": "alertmanager.inhibition",
    # pytest_plugin, added later: fixtures, coverage's gate, texts of pytest's reports.
    "am_fixtures": "pytest_plugin.alertmanager_fixtures",
    "coverage_gate": "pytest_plugin.coverage_gate",
    "partial_run": "pytest_plugin.partial_run",
    "failure_texts": "pytest_plugin.failure_texts",
    "live_items": "pytest_plugin.live_items",
    "live_cache": "pytest_plugin.live_cache",
    # cli: the `promrules` command.
    "cli": "cli.command",  # not cli.main: a submodule `main` would shadow the function
    "precommit": "cli.precommit",
    "project": "cli.project",
}

PACKAGES: dict[str, str] = {
    "files": "Rule and test files: reading, writing, YAML as promtool reads it, notation.",
    "promtool": "promtool itself: finding, installing and running it, and reading its output.",
    "engine": "A session's promtool work, planned and run, and every case's verdict.",
    "authoring": "What tests are written with: series builders, scenarios, strategies, timelines.",
    "diff": "What changed in the alert rules between two revisions, and when they fire.",
    "session": "One run's state: the promtool in use and every file's verdict, judged once.",
    "pytest_plugin": "The pytest shell: hooks, nodes, live mode, xdist and fixtures.",
    "cli": "The `promrules` command: subcommands over the library's calls.",
    "alertmanager": "Alertmanager: amtool, servers, and what routing and inhibition cases check.",
}

# Compatibility modules: imports users write keep working (re-exports of the moved module).
SHIMS = ("series", "notation", "strategies", "fixtures", "scenario", "timeline")
# The pytest11 entry point of installs made before the move; an alias of the same module, so
# the plugin is registered once whichever name loads it.
ALIASES = ("plugin",)
# Where public imports stay as users write them (docs, the example rule tests).
PUBLIC_PLACES = ("docs/", "README.md", "rule_tests/", "conftest.py")

# Test module -> folder under tests/. Support modules (helpers, conftest, ...) stay put.
TEST_FOLDERS: dict[str, str] = {
    "test_notation": "files",
    "test_goyaml": "files",
    "test_file_errors": "files",
    "test_special_files": "files",
    "test_outputs": "files",
    "test_goquote": "promtool",
    "test_promtool_location": "promtool",
    "test_promtool_scratch": "promtool",
    "test_faulty_promtool": "promtool",
    "test_trim": "engine",
    "test_rule_slices": "engine",
    "test_selection": "engine",
    "test_parallel": "engine",
    "test_failures": "engine",
    "test_differential": "engine",
    "test_corpus_agreement": "engine",
    "test_series": "authoring",
    "test_scenario": "authoring",
    "test_timeline": "authoring",
    "test_diff": "diff",
    "test_snapshot": "snapshot",
    "test_generate_scope": "snapshot",
    "test_mutate": "mutate",
    "test_html_report": "report",
    "test_coverage": "report",
    "test_alertmanager_library": "alertmanager",
    "test_routing_cases": "alertmanager",
    "test_alertmanager_cases": "alertmanager",
    "test_route_options_agree": "alertmanager",
    "test_html_layout": "report",
    "test_derived_names": "snapshot",
    "test_live_derivation": "pytest_plugin",
    "test_collection": "pytest_plugin",
    "test_rule_check": "pytest_plugin",
    "test_live_lines": "pytest_plugin",
    "test_interrupt": "pytest_plugin",
    "test_xdist": "pytest_plugin",
    "test_fuzz": "pytest_plugin",
    "test_cli_pass_through": "cli",
}
# Tests of the whole repository, which stay in tests/.
TESTS_OF_THE_WHOLE = {
    "test_packaging",
    "test_workflows",
    "test_second_repository",
    "test_architecture",
}
TEST_PREFIX_FOLDERS = {"test_derive_": "derive", "test_lint": "lint", "test_upgrade_": "upgrade"}

TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".sh", ".txt", ".yml", ".yaml", ""}
NOT_REWRITTEN = (
    "tests/golden/",
    "tests/upgrade_examples/",
    "rules/",
    "LICENSE",
    "scripts/relayout.py",
)


def main() -> int:
    root = Path.cwd()
    src = root / "src" / "promrules"
    refuse_unless_ready(root, src)
    moves = {old: new for old, new in MOVES.items() if module_path(src, old).is_file()}
    for old in sorted(set(MOVES) - set(moves)):
        print(f"relayout: promrules.{old} is not in this checkout; nothing to move")
    test_moves = plan_test_moves(root)

    make_packages(src)
    for old, new in moves.items():
        git("mv", str(module_path(src, old)), str(module_path(src, new)))
    for folder in sorted(set(test_moves.values())):
        init = root / "tests" / folder / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text("")
            git("add", str(init))
    for name, folder in test_moves.items():
        git("mv", f"tests/{name}.py", f"tests/{folder}/{name}.py")

    rewriter = Rewriter(moves, test_moves)
    changed = []
    for path in tracked_text_files(root):
        if rewriter.rewrite(path, public=path.startswith(PUBLIC_PLACES)):
            changed.append(path)
    for name, folder in test_moves.items():
        deepen_file_parents(root / "tests" / folder / f"{name}.py")
    write_compat_modules(src, moves)
    sort_imports(root, [p for p in changed if p.endswith(".py")])
    report_long_lines(root, rewriter.long_lines)
    report_unplaced(src)
    print(
        f"relayout: {len(moves)} modules and {len(test_moves)} test modules moved, "
        f"{len(changed)} files rewritten; review with `git status`, then commit"
    )
    return 0


def refuse_unless_ready(root: Path, src: Path) -> None:
    if not (root / "pyproject.toml").is_file() or not src.is_dir():
        sys.exit("relayout: run me at the root of a promrules checkout")
    if (src / "pytest_plugin").exists() or (src / "files").exists():
        sys.exit(
            "relayout: the layered layout is already here (src/promrules/pytest_plugin/); "
            "refusing to run twice"
        )
    dirty = git("status", "--porcelain", "--untracked-files=no").strip()
    if dirty:
        sys.exit("relayout: commit or drop the changes in the working tree first:\n" + dirty)


def module_path(src: Path, dotted: str) -> Path:
    return src.joinpath(*dotted.split(".")).with_suffix(".py")


def make_packages(src: Path) -> None:
    for package, why in PACKAGES.items():
        init = src / package / "__init__.py"
        if init.exists():
            continue
        init.parent.mkdir(exist_ok=True)
        init.write_text(f'"""{why}"""\n')
        git("add", str(init))


def plan_test_moves(root: Path) -> dict[str, str]:
    moves = {}
    for path in sorted((root / "tests").glob("test_*.py")):
        folder = TEST_FOLDERS.get(path.stem) or next(
            (f for prefix, f in TEST_PREFIX_FOLDERS.items() if path.stem.startswith(prefix)), None
        )
        if folder:
            moves[path.stem] = folder
        elif path.stem not in TESTS_OF_THE_WHOLE:
            print(f"relayout: tests/{path.name} stays in tests/ (no folder for it in TEST_FOLDERS)")
    return moves


def tracked_text_files(root: Path) -> list[str]:
    paths = []
    for line in git("ls-files").splitlines():
        path = Path(line)
        if line.startswith(NOT_REWRITTEN) or path.suffix not in TEXT_SUFFIXES:
            continue
        if path.suffix == "" and path.name not in ("Makefile",):
            continue
        if (root / path).is_file() and not (root / path).is_symlink():
            paths.append(line)
    return paths


class Rewriter:
    """Rewrites module references in one file: imports by parsing, other text by pattern."""

    def __init__(self, moves: dict[str, str], test_moves: dict[str, str]) -> None:
        self.moves = moves
        self.test_moves = test_moves
        self.long_lines: list[tuple[str, int]] = []  # lines the longer names pushed past 100
        names = sorted(moves, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        self.dotted = re.compile(rf"(?<![\w.])promrules\.({alternatives})(?![\w])")
        slashed = "|".join(re.escape(n.replace(".", "/")) for n in names)
        self.slashed = re.compile(rf"(?<![\w/.])((?:src/)?)promrules/({slashed})\.py\b")
        tests = "|".join(re.escape(n) for n in sorted(test_moves, key=len, reverse=True))
        self.tests = re.compile(rf"(?<![\w/.])tests([./])({tests})(?![\w])") if tests else None

    def rewrite(self, path: str, public: bool) -> bool:
        file = Path(path)
        try:
            text = file.read_text()
        except UnicodeDecodeError:
            return False
        kept = set(SHIMS) if public else set()
        lines = text.splitlines(keepends=True)
        edits = self.import_edits(text, path, kept) if path.endswith(".py") else {}
        out: list[str] = []
        index = 0
        while index < len(lines):
            if index in edits:
                end, replacement = edits[index]
                out.append(replacement)
                index = end
                continue
            out.append(self.rewrite_text(lines[index], kept))
            index += 1
        new = "".join(out)
        if new == text:
            return False
        file.write_text(new)
        before = set(lines)
        self.long_lines += [
            (path, number)
            for number, line in enumerate(new.splitlines(keepends=True), 1)
            if path.endswith(".py") and len(line.rstrip("\n")) > 100 and line not in before
        ]
        return True

    def rewrite_text(self, line: str, kept: set[str]) -> str:
        def dotted(match: re.Match[str]) -> str:
            old = match.group(1)
            return match.group(0) if old in kept else f"promrules.{self.moves[old]}"

        def slashed(match: re.Match[str]) -> str:
            new = self.moves[match.group(2).replace("/", ".")].replace(".", "/")
            return f"{match.group(1)}promrules/{new}.py"

        line = self.dotted.sub(dotted, line)
        line = self.slashed.sub(slashed, line)
        if self.tests:
            line = self.tests.sub(
                lambda m: f"tests{m.group(1)}{self.test_moves[m.group(2)]}{m.group(1)}{m.group(2)}",
                line,
            )
        return line

    def import_edits(self, text: str, path: str, kept: set[str]) -> dict[int, tuple[int, str]]:
        """Line index -> (end index, new lines) for imports that name a moved module."""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            print(f"relayout: {path} does not parse; its imports are rewritten as text only")
            return {}
        lines = text.splitlines(keepends=True)
        here = self.own_module(path)
        edits: dict[int, tuple[int, str]] = {}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = self.absolute(node, here)
            if source is None or not (source == "promrules" or source.startswith("promrules.")):
                continue
            moved_names = [
                a for a in node.names if self.old_name(f"{source}.{a.name}", kept) is not None
            ]
            if not moved_names and not node.level:
                continue  # the text rewrite handles `from promrules.X import ...`
            first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
            indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
            tail = lines[last][node.end_col_offset or 0 :].rstrip("\n")
            statements = []
            rest = [a for a in node.names if a not in moved_names]
            if rest:
                module = self.new_module(source, kept)
                names = ", ".join(alias_text(a.name, a.asname) for a in rest)
                statements.append(f"from {module} import {names}")
            for a in moved_names:
                new = self.moves[self.old_name(f"{source}.{a.name}", kept)]  # type: ignore[index]
                package, _, leaf = f"promrules.{new}".rpartition(".")
                statements.append(f"from {package} import {alias_text(leaf, a.asname or a.name)}")
            block = "".join(f"{indent}{s}\n" for s in statements)
            if tail.strip():
                block = block[:-1] + tail + "\n"
            edits[first] = (last + 1, block)
        return edits

    def old_name(self, dotted: str, kept: set[str]) -> str | None:
        name = dotted.removeprefix("promrules.")
        moved = dotted.startswith("promrules.") and name in self.moves and name not in kept
        return name if moved else None

    def new_module(self, dotted: str, kept: set[str]) -> str:
        name = self.old_name(dotted, kept)
        if name is not None:
            return f"promrules.{self.moves[name]}"
        # a module inside a moved one cannot exist (moved modules are files), so this is it
        return dotted

    @staticmethod
    def own_module(path: str) -> str | None:
        if not path.startswith("src/"):
            return None
        parts = list(Path(path).with_suffix("").parts[1:])
        return ".".join(parts)

    def absolute(self, node: ast.ImportFrom, here: str | None) -> str | None:
        if not node.level:
            return node.module
        if here is None:
            return None
        # Relative imports were written against the old layout: resolve them there.
        old_here = next(
            (f"promrules.{o}" for o, n in self.moves.items() if f"promrules.{n}" == here), here
        )
        base = old_here.split(".")[:-1]  # the package of a module, or of an __init__
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)


def alias_text(name: str, asname: str | None) -> str:
    return name if asname in (None, name) else f"{name} as {asname}"


_FILE_PARENT = re.compile(r"Path\(__file__\)(\.resolve\(\))?\.parent")


def deepen_file_parents(path: Path) -> None:
    """A test one folder deeper reaches the repository (or tests/) through one more `.parent`."""
    text = path.read_text()
    strings = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            strings.append((token.start, token.end))
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans = [(offsets[a[0] - 1] + a[1], offsets[b[0] - 1] + b[1]) for a, b in strings]

    def in_string(position: int) -> bool:
        return any(start <= position < end for start, end in spans)

    out, last = [], 0
    for match in _FILE_PARENT.finditer(text):
        if in_string(match.start()):
            continue
        out.append(text[last : match.end()] + ".parent")
        last = match.end()
    out.append(text[last:])
    new = "".join(out)
    if new != text:
        path.write_text(new)


# Looked up on first use: imported eagerly, `python -m promrules.cli.command` would warn that
# the module was imported before it ran.
CLI_MAIN = """
from typing import Any


def __getattr__(name: str) -> Any:
    \"\"\"`promrules.cli:main`, the entry point of console scripts installed before the move.\"\"\"
    if name == "main":
        from promrules.cli.command import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
"""


def write_compat_modules(src: Path, moves: dict[str, str]) -> None:
    if (
        moves.get("cli") == "cli.command"
    ):  # console scripts installed before name promrules.cli:main
        init = src / "cli" / "__init__.py"
        init.write_text(init.read_text() + CLI_MAIN)
    for old in SHIMS:
        if old not in moves:
            continue
        target = f"promrules.{moves[old]}"
        names = public_names(module_path(src, moves[old]))
        listed = "".join(f"    {n},\n" for n in names)
        quoted = "".join(f'    "{n}",\n' for n in names)
        module_path(src, old).write_text(
            f'"""`{f"promrules.{old}"}` as users import it; the code lives in `{target}`."""\n\n'
            f"from {target} import (\n{listed})\n\n__all__ = [\n{quoted}]\n"
        )
        git("add", str(module_path(src, old)))
    for old in ALIASES:
        if old not in moves:
            continue
        target = f"promrules.{moves[old]}"
        module_path(src, old).write_text(
            f'"""`{f"promrules.{old}"}`, the entry point of installs made before {target}.\n\n'
            "The name is bound to the same module object, so pytest registers the plugin once\n"
            'whichever of the two names loads it.\n"""\n\n'
            "import importlib\nimport sys\n\n"
            f'sys.modules[__name__] = importlib.import_module("{target}")\n'
        )
        git("add", str(module_path(src, old)))


def public_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(e.value) for e in node.value.elts]  # type: ignore[attr-defined]
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return [n for n in names if not n.startswith("_")]


def sort_imports(root: Path, paths: list[str]) -> None:
    ruff = shutil.which("ruff") or str(root / ".venv" / "bin" / "ruff")
    if not paths:
        return
    if not Path(ruff).exists():
        print("relayout: ruff not found; run `ruff check --select I --fix` on the changed files")
        return
    subprocess.run([ruff, "check", "--quiet", "--select", "I", "--fix", *paths], cwd=root)


def report_long_lines(root: Path, places: list[tuple[str, int]], limit: int = 100) -> None:
    """Lines the longer names pushed past ruff's limit that ruff's import sorting did not wrap."""
    for path, number in places:
        lines = (root / path).read_text().splitlines()
        if number <= len(lines) and len(lines[number - 1]) > limit:
            print(f"relayout: {path}:{number} is now over {limit} characters; wrap it by hand")


def report_unplaced(src: Path) -> None:
    known = set(SHIMS) | set(ALIASES) | {"__init__", "alertmanager", "coverage"}
    for path in sorted(src.glob("*.py")):
        if path.stem not in known:
            print(
                f"relayout: promrules.{path.stem} has no package yet; place it by hand "
                "(tests/test_architecture.py names it)"
            )


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"relayout: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
