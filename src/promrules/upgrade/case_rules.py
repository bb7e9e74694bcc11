"""The PromQL one case evaluates: its expr or its alert's rule, and the recording rules they read.

The edits and the reasons of the upgrade check need the range selectors a
case's result depends on (is a range a multiple of the series interval?) and
whether the result passes through a recording rule, which promtool evaluates
on the evaluation grid whatever the case's eval_time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, parse_duration

__all__ = ["case_exprs", "range_ms", "recording_rules_read"]

# A range selector's duration (or a subquery's range), up to the `]` or `:`.
RANGE_RE = re.compile(r"\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?=[:\]])")


def _rules(rule_files: Sequence[str]) -> list[yaml.Node]:
    found: list[yaml.Node] = []
    for path in rule_files:
        try:
            root = yn.compose_file(Path(path))
        except yn.YamlError:
            continue
        for group in yn.sequence(yn.get(root, "groups")):
            found += yn.sequence(yn.get(group, "rules"))
    return found


def _reads(expr: str, name: str) -> bool:
    return re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", expr) is not None


def _own_exprs(entry: yaml.Node | None, rules: list[yaml.Node]) -> list[str]:
    expr = yn.scalar(yn.get(entry, "expr"))
    if expr is not None:
        return [expr]
    alertname = yn.scalar(yn.get(entry, "alertname"))
    return [
        yn.scalar(yn.get(rule, "expr")) or ""
        for rule in rules
        if alertname and yn.scalar(yn.get(rule, "alert")) == alertname
    ]


def recording_rules_read(entry: yaml.Node | None, rule_files: Sequence[str]) -> list[str]:
    """The recording rules the case's expr (or its alert's expr) reads, by name."""
    rules = _rules(rule_files)
    own = _own_exprs(entry, rules)
    names = [yn.scalar(yn.get(rule, "record")) or "" for rule in rules]
    return [name for name in dict.fromkeys(names) if name and any(_reads(e, name) for e in own)]


def case_exprs(entry: yaml.Node | None, rule_files: Sequence[str]) -> list[str]:
    """The case's own PromQL and that of the recording rules it reads (one level)."""
    rules = _rules(rule_files)
    own = _own_exprs(entry, rules)
    records = set(recording_rules_read(entry, rule_files))
    return own + [
        yn.scalar(yn.get(rule, "expr")) or ""
        for rule in rules
        if yn.scalar(yn.get(rule, "record")) in records
    ]


def range_ms(exprs: Sequence[str]) -> list[int]:
    """Every range selector's (and subquery's) range in these expressions, in ms."""
    found = []
    for expr in exprs:
        for text in RANGE_RE.findall(expr):
            try:
                found.append(parse_duration(text))
            except DurationError:
                continue
    return found
