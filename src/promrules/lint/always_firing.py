"""lint/always-firing: an alert's expression has a condition.

Without a comparison, `absent()` or a set operator, `expr: up` or
`expr: rate(errors_total[5m])` returns a sample for every series that
exists: the alert fires for all of them, all the time. Expressions with no
series at all (`vector(1)`, the deliberate always-on "watchdog") and
`ALERTS` (alerting on other alerts) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser as pp

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import Node, call_name, operator, tree, walk

_FILTERS = ("absent", "absent_over_time")
_COMPARISONS = (">", "<", ">=", "<=", "==", "!=")


def _condition(node: Node) -> bool:
    if call_name(node) in _FILTERS:
        return True
    if not isinstance(node, pp.BinaryExpr):
        return False
    op = operator(node)
    if op in ("and", "unless"):
        return True
    return op in _COMPARISONS and not (node.modifier is not None and node.modifier.return_bool)


@check("always-firing")
def alerts_have_a_condition(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        root = tree(rule)
        if root is None:
            continue
        nodes = [node for node, _ in walk(root)]
        selectors = [n for n in nodes if isinstance(n, pp.VectorSelector)]
        if not selectors or any(n.name == "ALERTS" for n in selectors):
            continue
        if not any(_condition(n) for n in nodes):
            yield Finding.at(
                rule,
                "the expression has no condition: the alert fires for every series it returns",
                line=rule.expr_line,
                details="add a comparison such as `== 0` or `> 0.9`",
            )
