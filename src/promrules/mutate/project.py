"""The rule files, the test files that load each of them, and the mutants of the rules.

Only the test files that load a rule file can kill its mutants, so each
mutant runs just those. The map is read from the source tree: the copies
keep the layout, so relative `rule_files` patterns resolve the same there.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, parse_duration
from promrules.files.model import TestFile, is_rule_file, is_test_file, load_test_file
from promrules.mutate.base import OPERATORS, AlertSite, Mutant, MutateError

__all__ = ["Suite", "discover", "mutants"]

DEFAULT_INTERVAL_MS = 60_000
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache"}


@dataclass(frozen=True)
class Suite:
    """A rules folder and its tests folder, with `root` the folder holding both."""

    root: Path
    rules_dir: Path
    tests_dir: Path
    rule_files: tuple[Path, ...]
    test_files: tuple[TestFile, ...]
    python_tests: tuple[Path, ...]
    loaders: dict[Path, tuple[Path, ...]]  # rule file -> test files that load it
    digests: dict[Path, str]  # every file read, by path from the root, as discovered

    def shown(self, path: Path) -> Path:
        """A path relative to the root, as reports show it."""
        return path.relative_to(self.root)

    def changed(self, root: Path) -> list[Path]:
        """Files under `root` (a copy, or the source) that differ from what was discovered.

        Rules and tests may be edited while a run starts; mutants made from one
        version and run against another would give meaningless verdicts.
        """
        return [path for path, digest in self.digests.items() if _digest(root / path) != digest]


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p in _SKIPPED_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        if path.is_file() and path.name.endswith(suffixes):
            found.append(path.resolve())
    return found


def _compose(path: Path) -> yaml.Node | None:
    try:
        return yn.compose_file(path)
    except yn.YamlError as exc:
        raise MutateError(str(exc)) from exc


def _loaders(
    test_files: Iterable[TestFile], rule_files: tuple[Path, ...], root: Path
) -> dict[Path, tuple[Path, ...]]:
    loaders: dict[Path, list[Path]] = {path: [] for path in rule_files}
    for test_file in test_files:
        for pattern, line in test_file.rule_patterns:
            for match in test_file.resolve_rule_files().get(pattern, []):
                loaded = Path(match).resolve()
                if os.path.isabs(pattern) and loaded in loaders:
                    raise MutateError(
                        f"{test_file.path}:{line}: rule_files entry {pattern!r} is an absolute "
                        "path, so a mutant copy would still load the original: make it relative"
                    )
                if not loaded.is_relative_to(root):
                    raise MutateError(
                        f"{test_file.path}:{line}: rule_files entry {pattern!r} loads {loaded}, "
                        f"outside {root}, which mutation runs do not copy"
                    )
                if loaded in loaders and test_file.path not in loaders[loaded]:
                    loaders[loaded].append(test_file.path)
    return {path: tuple(tests) for path, tests in loaders.items()}


def discover(rules_dir: Path, tests_dir: Path) -> Suite:
    """Read the rule files of `rules_dir` and the test files of `tests_dir`."""
    for folder in (rules_dir, tests_dir):
        if not folder.is_dir():
            raise MutateError(f"{folder}: no such folder")
    rules_dir, tests_dir = rules_dir.resolve(), tests_dir.resolve()
    root = Path(os.path.commonpath([rules_dir, tests_dir]))
    rule_files = []
    for path in _files(rules_dir, (".yml", ".yaml")):
        if not is_rule_file(_compose(path)):
            raise MutateError(f"{path}: not a rule file (no `groups:` with `rules:`)")
        rule_files.append(path)
    test_files = []
    for path in _files(tests_dir, (".yml", ".yaml")):
        node = _compose(path)
        if path not in rule_files and is_test_file(node):
            test_files.append(load_test_file(path, node))
    python_tests = [
        p
        for p in _files(tests_dir, (".py",))
        if p.name.startswith("test_") or p.stem.endswith("_test")
    ]
    loaders = _loaders(test_files, tuple(rule_files), root)
    read = [*rule_files, *(t.path for t in test_files), *python_tests]
    digests = {path.relative_to(root): _digest(path) for path in read}
    return Suite(
        root,
        rules_dir,
        tests_dir,
        tuple(rule_files),
        tuple(test_files),
        tuple(python_tests),
        loaders,
        digests,
    )


def _interval_ms(path: Path, group: yaml.Node) -> int:
    text = yn.scalar(yn.get(group, "interval"))
    if text is None:
        return DEFAULT_INTERVAL_MS
    try:
        return parse_duration(text) or DEFAULT_INTERVAL_MS
    except DurationError as exc:
        raise MutateError(f"{path}:{yn.line_of(group)}: group interval: {exc}") from exc


def sites(path: Path, shown: Path, digest: str | None = None) -> Iterator[AlertSite]:
    """Every alerting rule of one rule file (whose bytes must have `digest`, if given)."""
    raw = path.read_bytes()
    if digest is not None and hashlib.sha256(raw).hexdigest() != digest:
        raise MutateError(f"{shown} changed while the mutation run started: run it again")
    text = raw.decode("utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise MutateError(f"{shown}: invalid YAML: {exc}") from exc
    for g, group in enumerate(yn.sequence(yn.get(root, "groups"))):
        interval = _interval_ms(shown, group)
        for r, rule in enumerate(yn.sequence(yn.get(group, "rules"))):
            name = yn.scalar(yn.get(rule, "alert"))
            if name is not None and isinstance(rule, yaml.MappingNode):
                yield AlertSite(shown, text, g, r, rule, name, yn.line_of(rule), interval)


def mutants(suite: Suite, operators: Iterable[str] | None = None) -> list[Mutant]:
    """Every mutant of every alert, file by file, alert by alert, operator by operator."""
    chosen = list(OPERATORS) if operators is None else list(operators)
    unknown = [name for name in chosen if name not in OPERATORS]
    if unknown:
        known = ", ".join(OPERATORS)
        raise MutateError(f"unknown mutation operator {unknown[0]!r} (known: {known})")
    found: list[Mutant] = []
    for path in suite.rule_files:
        for site in sites(path, suite.shown(path), suite.digests[suite.shown(path)]):
            for name in chosen:
                found.extend(OPERATORS[name](site))
    return found
