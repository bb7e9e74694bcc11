"""lint/duplicate-expr: no two rules compute the same thing.

Two alerts with the same expression (as promql-parser prints it, so spacing
and formatting do not hide a copy), the same `for:` and the same labels page
twice for one problem; two recording rules with the same expression and
labels store the same series under two names. Usually one was copied and
not edited.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import tree
from promrules.lint.reading import AlertRule

Key = tuple[str, str, str, tuple[tuple[str, str], ...]]


def _key(rule: AlertRule) -> Key | None:
    root = tree(rule)
    if root is None:
        return None
    return (rule.kind, str(root), rule.for_ or "0", tuple(sorted(rule.labels.items())))


def _first_copies(context: LintContext) -> dict[int, AlertRule]:
    """{id of a rule: the earlier rule it copies}, over every linted file."""
    first: dict[Key, AlertRule] = {}
    copies: dict[int, AlertRule] = {}
    for rule in context.rules:
        key = _key(rule)
        if key is None:
            continue
        if key in first:
            copies[id(rule)] = first[key]
        first.setdefault(key, rule)
    return copies


@check("duplicate-expr")
def rules_are_not_duplicated(context: LintContext, path: str) -> Iterator[Finding]:
    copies = context.shared("duplicate-expr", lambda: _first_copies(context))
    for rule in context.rules_of(path):
        other = copies.get(id(rule))
        if other is not None:
            yield Finding.at(
                rule,
                f"same expression, `for:` and labels as {other.name} at {other.path}:{other.line}",
                line=rule.expr_line,
            )
