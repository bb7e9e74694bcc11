"""The lint machinery: policy, findings, rule data and the check registry."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from promrules import yamlnodes as yn

__all__ = ["CHECKS", "AlertRule", "Finding", "LintContext", "Policy", "check", "load_policy"]


@dataclass(frozen=True)
class Policy:
    """What [tool.promrules.lint] asks for; an empty policy checks nothing."""

    severities: tuple[str, ...] = ()
    required_labels: tuple[str, ...] = ()
    required_annotations: tuple[str, ...] = ()
    runbook: str | None = None  # path of the runbook, from the rootdir
    for_required: tuple[str, ...] = ()  # severities whose alerts must have `for:`
    unique_names: bool = True


@dataclass(frozen=True)
class Finding:
    """One problem, printed as `Warning: summary (lint/code)` then where it is."""

    code: str
    summary: str
    path: str
    line: int
    alert: str
    details: str = ""

    def render(self) -> str:
        where = f"{self.path}:{self.line} -> {self.alert}"
        text = f"Problem: {self.summary} (lint/{self.code})\n---> {where}"
        return f"{text}\n     {self.details}" if self.details else text


@dataclass(frozen=True)
class AlertRule:
    """An alerting rule as lint sees it: strings as written, and where it is."""

    path: str
    line: int
    name: str
    labels: dict[str, str]
    annotations: dict[str, str]
    for_: str | None
    label_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LintContext:
    rootdir: Path
    policy: Policy
    rules: tuple[AlertRule, ...]  # every alert of every linted file, for cross-file checks


CheckFunction = Callable[[LintContext, str], Iterator[Finding]]
CHECKS: dict[str, CheckFunction] = {}


def check(code: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its code, which is also its docs page name."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[code] = function
        return function

    return register


def _mapping(node: object) -> tuple[dict[str, str], dict[str, int]]:
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            values[str(key.value)] = yn.scalar(value) or ""
            lines[str(key.value)] = yn.line_of(key)
    return values, lines


def read_alert_rules(path: Path, shown_as: str) -> list[AlertRule]:
    """The alerting rules of a rule file (raises yamlnodes.YamlError)."""
    root = yn.compose_file(path)
    rules = []
    for group in yn.sequence(yn.get(root, "groups")):
        for rule in yn.sequence(yn.get(group, "rules")):
            name = yn.scalar(yn.get(rule, "alert"))
            if name is None:
                continue
            labels, label_lines = _mapping(yn.get(rule, "labels"))
            annotations, _ = _mapping(yn.get(rule, "annotations"))
            rules.append(
                AlertRule(
                    shown_as,
                    yn.line_of(rule),
                    name,
                    labels,
                    annotations,
                    yn.scalar(yn.get(rule, "for")),
                    label_lines,
                )
            )
    return rules


def load_policy(rootdir: Path) -> Policy | None:
    """[tool.promrules.lint] of the rootdir's pyproject.toml, or None when absent."""
    pyproject = rootdir / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("promrules", {}).get("lint")
    if not isinstance(table, dict):
        return None
    known = set(Policy.__dataclass_fields__)
    unknown = set(table) - known
    if unknown:
        raise ValueError(
            f"{pyproject}: unknown [tool.promrules.lint] keys: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
    return Policy(**values)


def run_checks(context: LintContext, path: str) -> dict[str, list[Finding]]:
    """Findings of every registered check for one rule file, by check code."""
    return {code: list(function(context, path)) for code, function in sorted(CHECKS.items())}
