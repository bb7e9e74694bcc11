"""Plain data for promtool unit-test files and rule files, read with line numbers.

The loader only reads what promrules needs to name and map cases; promtool
stays the judge of everything else in the file.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, parse_duration

__all__ = [
    "Case",
    "RuleFile",
    "TestFile",
    "TestGroup",
    "is_rule_file",
    "is_test_file",
    "load_rule_file",
    "load_test_file",
]


@dataclass(frozen=True)
class Case:
    """One alert_rule_test or promql_expr_test entry of a test group."""

    kind: Literal["alert", "expr", "group"]
    subject: str  # the alertname, the PromQL expression, or "" for a case-less group
    eval_time: str  # as written in the file
    eval_ms: int | None  # None when eval_time is not a valid duration
    line: int
    index: int  # position among the group's cases of the same kind
    expected_alerts: int = 0  # entries of exp_alerts (alert cases only)

    @property
    def label(self) -> str:
        """A short readable name for ids: `HighCPUUsage@5m` or `expr:up == 0@1m`."""
        if self.kind == "alert":
            return f"{self.subject}@{self.eval_time}"
        if self.kind == "group":
            return "run"
        expr = " ".join(self.subject.split())
        if len(expr) > 60:
            expr = expr[:57] + "..."
        return f"expr:{expr}@{self.eval_time}"


@dataclass(frozen=True)
class TestGroup:
    """One entry of `tests:`, with the node it was read from (for splitting)."""

    index: int
    name: str | None
    line: int
    cases: tuple[Case, ...]
    node: yaml.Node = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        return self.name if self.name else f"group{self.index}"


@dataclass(frozen=True)
class TestFile:
    """A promtool unit-test file."""

    path: Path
    rule_patterns: tuple[tuple[str, int], ...]  # (pattern as written, line)
    groups: tuple[TestGroup, ...]
    root: yaml.Node = field(repr=False, compare=False)
    # Why promrules' reading of the file may differ from promtool's (goyaml): when
    # there are any, the file runs as written, untrimmed and in a process of its own.
    doubts: tuple[str, ...] = ()

    def resolve_rule_files(self) -> dict[str, list[str]]:
        """Each rule_files pattern with the files it matches, as promtool resolves them."""
        base = self.path.parent
        resolved: dict[str, list[str]] = {}
        for pattern, _line in self.rule_patterns:
            full = pattern if os.path.isabs(pattern) else str(base / pattern)
            resolved[pattern] = sorted(glob.glob(full))
        return resolved


@dataclass(frozen=True)
class RuleFile:
    """A Prometheus rule file: the alert names it defines, with their lines."""

    path: Path
    alerts: tuple[tuple[str, int], ...]


_GROUP_KEYS = {"input_series", "alert_rule_test", "promql_expr_test", "interval"}


def is_test_file(root: yaml.Node | None) -> bool:
    """promtool test files have `tests` at the top level, and `rule_files` or test groups.

    `rule_files` is optional for promtool (a file may test PromQL alone), so a
    `tests` list whose entries look like test groups is enough.
    """
    names = set(yn.keys(root))
    if "tests" not in names:
        return False
    groups = yn.sequence(yn.get(root, "tests"))
    return "rule_files" in names or any(_GROUP_KEYS & set(yn.keys(g)) for g in groups)


def is_rule_file(root: yaml.Node | None) -> bool:
    """Rule files have `groups:` whose entries have `rules:`."""
    groups = yn.sequence(yn.get(root, "groups"))
    return bool(groups) and all(yn.get(g, "rules") is not None for g in groups)


def _eval_ms(text: str) -> int | None:
    try:
        return parse_duration(text)
    except DurationError:
        return None


def _read_cases(group: yaml.Node, key: str, kind: Literal["alert", "expr"]) -> list[Case]:
    subject_key = "alertname" if kind == "alert" else "expr"
    cases = []
    for index, entry in enumerate(yn.sequence(yn.get(group, key))):
        subject = yn.scalar(yn.get(entry, subject_key)) or ""
        eval_time = yn.scalar(yn.get(entry, "eval_time")) or "0"
        expected = len(yn.sequence(yn.get(entry, "exp_alerts")))
        line = yn.line_of(entry)
        cases.append(Case(kind, subject, eval_time, _eval_ms(eval_time), line, index, expected))
    return cases


def load_test_file(
    path: Path, root: yaml.Node | None = None, doubts: tuple[str, ...] = ()
) -> TestFile:
    """Read a promtool test file's groups and cases (raises yamlnodes.YamlError).

    `root` is the file as promtool reads it (`yamlnodes.read_file`), `doubts` why that
    reading may be wrong.
    """
    if root is None:
        reading = yn.read_file(path)
        root, doubts = reading.root, reading.doubts
    patterns = tuple(
        (yn.scalar(node) or "", yn.line_of(node))
        for node in yn.sequence(yn.get(root, "rule_files"))
    )
    groups = []
    for index, group in enumerate(yn.sequence(yn.get(root, "tests"))):
        cases = _read_cases(group, "alert_rule_test", "alert")
        cases += _read_cases(group, "promql_expr_test", "expr")
        if not cases:
            # A group without cases still loads rules and series; promtool can fail it.
            cases = [Case("group", "", "", None, yn.line_of(group), 0)]
        name = yn.scalar(yn.get(group, "name"))
        groups.append(TestGroup(index, name, yn.line_of(group), tuple(cases), group))
    assert root is not None
    return TestFile(path, patterns, tuple(groups), root, doubts)


def load_rule_file(path: Path) -> RuleFile:
    """Read the alert names of a rule file (raises yamlnodes.YamlError)."""
    root = yn.compose_file(path)
    alerts = []
    for group in yn.sequence(yn.get(root, "groups")):
        for rule in yn.sequence(yn.get(group, "rules")):
            name = yn.scalar(yn.get(rule, "alert"))
            if name is not None:
                alerts.append((name, yn.line_of(rule)))
    return RuleFile(path, tuple(alerts))
