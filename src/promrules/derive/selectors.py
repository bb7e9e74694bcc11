"""Where each series selector of an expression is read, and through what.

How synthetic data for a selector must look depends on what reads it:
`rate()` needs a counter, `histogram_quantile()` buckets, `time() - x` a
timestamp, `changes()` a value that changes. A Usage records that context for
one selector; the patterns (derive/patterns/) decide from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import promql_parser as pp

from promrules.derive import promql
from promrules.derive.promql import Node

__all__ = ["Usage", "find_usages"]

_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


@dataclass(frozen=True)
class Usage:
    """One selector as written, with what encloses it (innermost first)."""

    index: int
    name: str | None
    matchers: tuple[tuple[str, str, str], ...]  # (label, op, value); op is =, !=, =~ or !~
    range_ms: int  # 0 for an instant selector
    offset_ms: int
    enclosing: tuple[str, ...]  # function and aggregation names, innermost first
    with_time: bool  # added to or subtracted from time()
    in_subquery: bool
    # The aggregations above it, innermost first: (operator, "by"/"without"/"", labels).
    aggregations: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @property
    def function(self) -> str | None:
        """The function that reads the selector directly, if any."""
        return self.enclosing[0] if self.enclosing else None

    def reads_through(self, *names: str) -> bool:
        return any(name in self.enclosing for name in names)


def _contains_time(node: Node) -> bool:
    return any(isinstance(n, pp.Call) and n.func.name == "time" for n in promql.preorder(node))


def _matchers(selector: Node) -> tuple[tuple[str, str, str], ...]:
    found = []
    for matcher in selector.matchers.matchers:
        op = _MATCH_OPS.get(str(matcher.op).split(".")[-1].split("(")[0], "=")
        found.append((matcher.name, op, matcher.value))
    return tuple(found)


def _walk(
    node: Node,
    index: int,
    enclosing: tuple[str, ...],
    with_time: bool,
    in_subquery: bool,
    out: list[Usage],
    range_ms: int = 0,
    aggregations: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
) -> int:
    """Collect usages below `node`; returns the index after its subtree."""
    position = index + 1
    if isinstance(node, pp.VectorSelector):
        out.append(
            Usage(
                index,
                node.name,
                _matchers(node),
                range_ms,
                promql.ms(node.offset),
                enclosing,
                with_time,
                in_subquery,
                aggregations,
            )
        )
        return position
    if isinstance(node, pp.MatrixSelector):
        return _walk(
            node.vector_selector,
            position,
            enclosing,
            with_time,
            in_subquery,
            out,
            promql.ms(node.range),
            aggregations,
        )
    kids = promql.children(node)
    if isinstance(node, pp.Call):
        enclosing = (node.func.name, *enclosing)
    elif isinstance(node, pp.AggregateExpr):
        enclosing = (promql.operator(node), *enclosing)
        aggregations = (_aggregation(node), *aggregations)
    elif isinstance(node, pp.SubqueryExpr):
        in_subquery = True
    timed = [with_time] * len(kids)
    if isinstance(node, pp.BinaryExpr) and promql.operator(node) in ("+", "-"):
        lhs_time, rhs_time = _contains_time(node.lhs), _contains_time(node.rhs)
        timed = [with_time or rhs_time, with_time or lhs_time]
    for kid, kid_time in zip(kids, timed, strict=True):
        position = _walk(
            kid, position, enclosing, kid_time, in_subquery, out, aggregations=aggregations
        )
    return position


def _aggregation(node: Node) -> tuple[str, str, tuple[str, ...]]:
    modifier = node.modifier
    if modifier is None:
        return promql.operator(node), "", ()
    kind = "without" if "without" in str(modifier.type).lower() else "by"
    return promql.operator(node), kind, tuple(modifier.labels)


def find_usages(root: Node) -> list[Usage]:
    """Every vector selector of the expression, in the order written."""
    out: list[Usage] = []
    _walk(root, 0, (), False, False, out)
    return out
