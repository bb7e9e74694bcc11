"""Rule files as lint reads them: every rule with its lines, and its disable comments.

YAML drops comments, so the disable comments are read from the file's lines:
`# promrules: disable lint/<name> [lint/<name> ...] [-- reason]` anywhere in
a rule (on its own line or at the end of one) or in the comment lines
directly above it switches those checks off for that rule;
`# promrules: disable-file lint/<name> ...` does so for every rule of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from promrules.files import yamlnodes as yn

__all__ = ["DISABLE_RE", "AlertRule", "read_alert_rules", "read_rules"]

DISABLE_RE = re.compile(r"#\s*promrules:\s*(disable|disable-file)\s+([^#]*?)\s*(?:--.*)?$")


@dataclass(frozen=True)
class AlertRule:
    """A rule as lint sees it: strings as written, and where each part is.

    `kind` is "alert" or "record"; `name` is the alert or the recorded series.
    """

    path: str
    line: int
    name: str
    labels: dict[str, str]
    annotations: dict[str, str]
    for_: str | None
    label_lines: dict[str, int] = field(default_factory=dict)
    kind: str = "alert"
    expr: str | None = None
    expr_line: int = 0
    annotation_lines: dict[str, int] = field(default_factory=dict)
    keep_firing_for: str | None = None
    group: str = ""
    group_interval: str | None = None
    last_line: int = 0
    disabled: frozenset[str] = frozenset()
    stray_disables: tuple[int, ...] = ()  # disable comments near this rule that touch none


def _mapping(node: object) -> tuple[dict[str, str], dict[str, int]]:
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            values[str(key.value)] = yn.scalar(value) or ""
            lines[str(key.value)] = yn.line_of(key)
    return values, lines


def _names(text: str) -> frozenset[str]:
    """Check names of a comment, written `lint/<name>` (or bare), apart by spaces or commas."""
    return frozenset(t.removeprefix("lint/") for t in re.split(r"[\s,]+", text) if t)


def disable_comments(lines: list[str]) -> tuple[dict[int, frozenset[str]], frozenset[str]]:
    """{line: checks disabled by a comment there}, and the checks disabled for the file."""
    by_line: dict[int, frozenset[str]] = {}
    whole: frozenset[str] = frozenset()
    for number, text in enumerate(lines, start=1):
        if "promrules:" not in text:
            continue
        match = DISABLE_RE.search(text)
        if match is None:
            continue
        if match.group(1) == "disable-file":
            whole |= _names(match.group(2))
        else:
            by_line[number] = _names(match.group(2))
    return by_line, whole


def _leading_comments(lines: list[str], line: int) -> int:
    """The first line of the comment block directly above `line` (or `line` itself)."""
    first = line
    while first > 1 and lines[first - 2].strip().startswith("#"):
        first -= 1
    return first


def _end_line(node: yaml.Node) -> int:
    """The last line of a node's text: that of its last scalar, whatever nests it."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    mark = node.end_mark
    return max(int(mark.line) + (1 if mark.column > 0 else 0), yn.line_of(node))


def read_rules(path: Path, shown_as: str) -> list[AlertRule]:
    """Every alerting and recording rule of a rule file (raises yamlnodes.YamlError)."""
    root = yn.compose_file(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    comments, whole = disable_comments(lines)
    nodes: list[tuple[yaml.Node, yaml.Node]] = [
        (group, rule)
        for group in yn.sequence(yn.get(root, "groups"))
        for rule in yn.sequence(yn.get(group, "rules"))
    ]
    starts = [_leading_comments(lines, yn.line_of(rule)) for _, rule in nodes]
    rules = []
    spans = []
    for n, (group, rule) in enumerate(nodes):
        alert = yn.scalar(yn.get(rule, "alert"))
        name = alert or yn.scalar(yn.get(rule, "record"))
        if name is None:
            continue
        last = _end_line(rule)
        if n + 1 < len(nodes):
            last = min(last, starts[n + 1] - 1)
        last = max(last, yn.line_of(rule))
        spans.append((starts[n], last))
        disabled = whole.union(
            *(names for line, names in comments.items() if starts[n] <= line <= last)
        )
        labels, label_lines = _mapping(yn.get(rule, "labels"))
        annotations, annotation_lines = _mapping(yn.get(rule, "annotations"))
        expr = yn.get(rule, "expr")
        rules.append(
            AlertRule(
                shown_as,
                yn.line_of(rule),
                name,
                labels,
                annotations,
                yn.scalar(yn.get(rule, "for")),
                label_lines,
                kind="alert" if alert else "record",
                expr=yn.scalar(expr),
                expr_line=yn.line_of(expr) if expr is not None else yn.line_of(rule),
                annotation_lines=annotation_lines,
                keep_firing_for=yn.scalar(yn.get(rule, "keep_firing_for")),
                group=yn.scalar(yn.get(group, "name")) or "",
                group_interval=yn.scalar(yn.get(group, "interval")),
                last_line=last,
                disabled=disabled,
            )
        )
    return _with_strays(rules, spans, comments)


def _with_strays(
    rules: list[AlertRule], spans: list[tuple[int, int]], comments: dict[int, frozenset[str]]
) -> list[AlertRule]:
    """Hand each disable comment that touches no rule to the next rule (else the last one)."""
    stray = [n for n in sorted(comments) if not any(a <= n <= b for a, b in spans)]
    if not rules or not stray:
        return rules
    owners: dict[int, list[int]] = {}
    for line in stray:
        owner = next((n for n, r in enumerate(rules) if r.line > line), len(rules) - 1)
        owners.setdefault(owner, []).append(line)
    return [replace(r, stray_disables=tuple(owners.get(n, ()))) for n, r in enumerate(rules)]


def read_alert_rules(path: Path, shown_as: str) -> list[AlertRule]:
    """The rules of a rule file, alerting and recording (the name predates recording rules)."""
    return read_rules(path, shown_as)
