"""The comparisons of a PromQL expression, and a shape to tell expressions apart.

Parsing, walking and constant folding are derive's (promrules.derive.promql),
so both read an expression the same way. promql-parser gives no source
positions and no node constructors, so nodes are named by their index in a
pre-order walk, and an expression is compared through its shape: one
signature per node that says everything about the node except its children.
`mutate` uses shapes to prove that a textual edit changed exactly the node it
meant to; `diff` uses them to tell a changed threshold from a changed expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import promql_parser as pp

from promrules.derive.promql import (
    COMPARISONS,
    ExprError,
    Node,
    children,
    fold,
    parse,
    preorder,
)
from promrules.derive.promql import FLIPPED as MIRRORED  # `x > 5` read from the other side
from promrules.derive.promql import operator as op

__all__ = [
    "COMPARISONS",
    "MIRRORED",
    "Comparison",
    "ExprError",
    "Node",
    "Signature",
    "comparisons",
    "fold",
    "parse",
    "preorder",
    "shape",
    "show",
    "signature",
]

Signature = tuple[object, ...]


def matchers(selector: Node) -> list[tuple[str, str, str]]:
    """(label, operator, value) of a vector selector's matchers, as written."""
    found = []
    for matcher in selector.matchers.matchers:
        operator = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}.get(
            str(matcher.op).rsplit(".", 1)[-1], str(matcher.op)
        )
        found.append((str(matcher.name), operator, str(matcher.value)))
    return found


def signature(node: Node) -> Signature:
    """Everything about one node but its children (their count included)."""
    arity = len(children(node))
    if isinstance(node, pp.BinaryExpr):
        return ("binary", op(node), str(node.modifier or ""), arity)
    if isinstance(node, pp.AggregateExpr):
        modifier = node.modifier
        grouping = (str(modifier.type), tuple(modifier.labels)) if modifier else ()
        return ("aggregate", op(node), grouping, arity)
    if isinstance(node, pp.Call):
        return ("call", str(node.func.name), arity)
    if isinstance(node, pp.NumberLiteral):
        return ("number", repr(float(node.val)))
    if isinstance(node, pp.VectorSelector):
        alternatives = tuple(str(m) for m in node.matchers.or_matchers or ())
        return (
            "selector",
            node.name,
            tuple(matchers(node)),
            alternatives,
            str(node.offset),
            str(node.at),
        )
    if isinstance(node, pp.MatrixSelector):
        return ("matrix", str(node.range), arity)
    if isinstance(node, pp.SubqueryExpr):
        timing = (str(node.range), str(node.step), str(node.offset), str(node.at))
        return ("subquery", timing, arity)
    return (type(node).__name__, str(node) if arity == 0 else "", arity)


def shape(root: Node) -> list[Signature]:
    """The signatures of every node in pre-order: equal shapes mean equal trees."""
    return [signature(node) for node in preorder(root)]


def show(node: Node) -> str:
    """Canonical text without the `{}` the printer adds to bare metric names."""
    return re.sub(r"(?<=[\w:])\{\}", "", str(node))


@dataclass(frozen=True)
class Comparison:
    """One comparison node; `constant` says which side is a number, if one is."""

    index: int  # pre-order index of the comparison node
    op: str
    subject: str  # the other side; the whole comparison when no side is constant
    threshold: float | None
    threshold_text: str | None
    constant: Literal["lhs", "rhs"] | None
    literal: int | None  # pre-order index of the constant side's first number

    @property
    def condition(self) -> str:
        """`subject op threshold`, with the constant always on the right."""
        if self.threshold_text is None:
            return self.subject
        return f"{self.subject} {self.normal_op} {self.threshold_text}"

    @property
    def brief(self) -> str:
        """The condition, or only `op threshold` when the other side is long."""
        if self.threshold_text is None:
            return self.op
        if len(self.subject) > 40:
            return f"{self.normal_op} {self.threshold_text}"
        return self.condition

    @property
    def normal_op(self) -> str:
        """The operator as read with the constant on the right."""
        return MIRRORED[self.op] if self.constant == "lhs" else self.op


def comparisons(root: Node) -> list[Comparison]:
    """Every comparison of an expression, in source order."""
    nodes = preorder(root)
    found = []
    for n, node in enumerate(nodes):
        if not (isinstance(node, pp.BinaryExpr) and op(node) in COMPARISONS):
            continue
        constant: Literal["lhs", "rhs"] | None = None
        if fold(node.rhs) is not None and fold(node.lhs) is None:
            constant = "rhs"
        elif fold(node.lhs) is not None and fold(node.rhs) is None:
            constant = "lhs"
        if constant is None:
            found.append(Comparison(n, op(node), show(node), None, None, None, None))
            continue
        side, other = (node.rhs, node.lhs) if constant == "rhs" else (node.lhs, node.rhs)
        start = n + 1 if constant == "lhs" else n + 1 + len(preorder(node.lhs))
        literal = start + next(
            k for k, sub in enumerate(preorder(side)) if isinstance(sub, pp.NumberLiteral)
        )
        found.append(
            Comparison(n, op(node), show(other), fold(side), show(side), constant, literal)
        )
    return found
