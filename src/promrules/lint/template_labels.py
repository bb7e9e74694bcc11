"""lint/template-labels: templates use only labels the expression's result carries.

`{{ $labels.instance }}` on `count(...)` or `sum by (job) (...)` renders empty:
the aggregation dropped the label. Neither promtool nor Prometheus warns.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import tree
from promrules.lint.labelflow import Labels, result_labels
from promrules.lint.reading import AlertRule
from promrules.lint.templates import label_references


def _why(labels: Labels, name: str, rule: AlertRule) -> str:
    if name in labels.dropped:
        why = f"the expression removes {name} (`without`/`ignoring`)"
    else:
        kept = ", ".join(sorted(labels.only or ())) or "no labels"
        why = f"the expression's result carries only: {kept}"
    if name in rule.labels:
        why += f"; the rule's own label {name} is not part of $labels"
    return why


def _templates(rule: AlertRule) -> Iterator[tuple[str, str, int]]:
    for key, text in rule.annotations.items():
        yield f"annotation {key}", text, rule.annotation_lines.get(key, rule.line)
    for key, text in rule.labels.items():
        yield f"label {key}", text, rule.label_lines.get(key, rule.line)


@check("template-labels")
def templates_use_kept_labels(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        root = tree(rule)
        if root is None:
            continue
        labels = result_labels(root)
        for where, text, line in _templates(rule):
            for name in label_references(text):
                if not labels.can_have(name):
                    yield Finding.at(
                        rule,
                        f"{where} uses $labels.{name}, which is always empty here",
                        line=line,
                        details=_why(labels, name, rule),
                    )
