"""lint/counter-comparison: counters are compared through rate(), increase() and the like.

A counter (`_total`, `_count`, `_sum`, `_bucket`) only grows, and restarts
reset it: `errors_total > 10` is true forever after the tenth error since the
process started, and false again after a restart. Compare its rate or
increase over a window instead.

Only names tell a counter here, and some gauges are named like counters
(`container_fs_inodes_total` is a capacity), so a `_total` that divides
(`free / inodes_total`) or two such values compared with each other
are left alone; disable the check on a rule for the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser as pp

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import COUNTER_SUFFIXES, Node, call_name, children, operator, tree, walk

# Functions and aggregations that read a counter properly or not its value at all.
_READS_CHANGE = frozenset(
    [
        "rate", "irate", "increase", "resets", "changes", "delta", "idelta", "deriv",
        "absent", "absent_over_time", "present_over_time", "count_over_time", "timestamp",
    ]
)  # fmt: skip
_IGNORES_VALUE = ("count", "group", "count_values")
_COMPARISONS = (">", "<", ">=", "<=", "==", "!=")


def _counter(node: Node) -> bool:
    name = node.name or ""
    return ":" not in name and name.endswith(COUNTER_SUFFIXES)


def _raw_counters(node: Node) -> Iterator[str]:
    """Counter selectors whose raw value reaches `node`'s result."""
    if isinstance(node, pp.VectorSelector):
        if _counter(node):
            yield str(node.name)
        return
    if call_name(node) in _READS_CHANGE:
        return
    if isinstance(node, pp.AggregateExpr) and operator(node) in _IGNORES_VALUE:
        return
    if isinstance(node, pp.BinaryExpr):
        op = operator(node)
        if op in ("and", "unless"):
            yield from _raw_counters(node.lhs)
            return
        lhs, rhs = list(_raw_counters(node.lhs)), list(_raw_counters(node.rhs))
        if op == "-" and lhs and rhs:
            return  # `x_total - x_total offset 1h`: a hand-made increase
        if op == "/":
            rhs = []  # `used / inodes_total`: a `_total` divisor is a capacity
        yield from lhs + rhs
        return
    for child in children(node):
        yield from _raw_counters(child)


@check("counter-comparison")
def counters_are_not_compared_raw(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        root = tree(rule)
        if root is None:
            continue
        reported: set[str] = set()
        for node, _ in walk(root):
            if not (isinstance(node, pp.BinaryExpr) and operator(node) in _COMPARISONS):
                continue
            lhs, rhs = list(_raw_counters(node.lhs)), list(_raw_counters(node.rhs))
            if lhs and rhs:
                continue  # two cumulative values compared with each other
            for name in lhs + rhs:
                if name in reported:
                    continue
                reported.add(name)
                yield Finding.at(
                    rule,
                    f"counter {name} is compared by its raw value",
                    line=rule.expr_line,
                    details="compare rate() or increase() over a window: "
                    "the raw value only grows and drops to 0 on restarts",
                )
