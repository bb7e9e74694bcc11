"""The alerting rules of rule files, with what scenarios and timelines need of them.

`model.load_rule_file` gives names and lines only; a scenario also needs each
alert's expression (to know which series it reads), its `for:`, its literal
labels, and its group's interval (the evaluation step).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, parse_duration

__all__ = ["AlertDefinition", "load_alerts"]


@dataclass(frozen=True)
class AlertDefinition:
    """One `alert:` rule as written."""

    name: str
    expr: str
    for_ms: int
    keep_firing_for_ms: int
    labels: tuple[tuple[str, str], ...]
    group_interval_ms: int | None
    path: Path
    line: int

    @property
    def static_labels(self) -> dict[str, str]:
        """Labels without templates: every firing alert of this rule carries them."""
        return {k: v for k, v in self.labels if "{{" not in v}


def _ms(node: yaml.Node | None) -> int:
    text = yn.scalar(node)
    try:
        return parse_duration(text) if text else 0
    except DurationError:
        return 0  # promtool reports the bad duration itself


def load_alerts(path: Path) -> list[AlertDefinition]:
    """The alerting rules of one rule file (raises yamlnodes.YamlError)."""
    root = yn.compose_file(path)
    found = []
    for group in yn.sequence(yn.get(root, "groups")):
        interval = yn.scalar(yn.get(group, "interval"))
        try:
            group_ms = parse_duration(interval) if interval else None
        except DurationError:
            group_ms = None
        for rule in yn.sequence(yn.get(group, "rules")):
            name = yn.scalar(yn.get(rule, "alert"))
            if name is None:
                continue
            labels_node = yn.get(rule, "labels")
            labels = tuple(
                (key, yn.scalar(yn.get(labels_node, key)) or "") for key in yn.keys(labels_node)
            )
            found.append(
                AlertDefinition(
                    name=name,
                    expr=yn.scalar(yn.get(rule, "expr")) or "",
                    for_ms=_ms(yn.get(rule, "for")),
                    keep_firing_for_ms=_ms(yn.get(rule, "keep_firing_for")),
                    labels=labels,
                    group_interval_ms=group_ms,
                    path=path,
                    line=yn.line_of(rule),
                )
            )
    return found
