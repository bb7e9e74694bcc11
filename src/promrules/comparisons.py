"""The comparisons of a PromQL expression, and a shape to tell expressions apart.

promql-parser gives no source positions and no node constructors, so nodes
are named by their index in a pre-order walk, and an expression is compared
through its shape: one signature per node that says everything about the
node except its children. `mutate` uses shapes to prove that a textual edit
changed exactly the node it meant to; `diff` uses them to tell a changed
threshold from a changed expression.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import promql_parser as pp

__all__ = [
    "COMPARISONS",
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

Node = Any  # promql_parser.Expr subclasses; the binding's stubs are loose.
Signature = tuple[object, ...]

COMPARISONS = (">", "<", ">=", "<=", "==", "!=")
_ARITHMETIC = ("+", "-", "*", "/", "%", "^")
# `x > 5` read from the other side: `5 < x`.
MIRRORED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


class ExprError(ValueError):
    """An expression promql-parser rejects."""


def parse(text: str) -> Node:
    try:
        return pp.parse(text)
    except (ValueError, RuntimeError) as exc:
        raise ExprError(str(exc)) from exc


def op(node: Node) -> str:
    """The operator token of a binary or aggregate node (the binding pads it)."""
    return str(node.op).strip().lower()


def children(node: Node) -> list[Node]:
    """Sub-expressions in source order."""
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        param = [node.param] if isinstance(node.param, pp.Expr) else []
        return [*param, node.expr]
    if isinstance(node, pp.Call):
        return [arg for arg in node.args if isinstance(arg, pp.Expr)]
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    return []


def preorder(root: Node) -> list[Node]:
    """Every node, parents before children, in source order."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(children(node)))
    return found


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


def _arith(operator: str, a: float, b: float) -> float | None:
    try:
        if operator == "+":
            return a + b
        if operator == "-":
            return a - b
        if operator == "*":
            return a * b
        if operator == "/":
            return a / b if b else math.copysign(math.inf, a) if a else math.nan
        if operator == "%":
            return math.fmod(a, b) if b else math.nan
        return float(a**b)
    except (OverflowError, ValueError, ZeroDivisionError):
        return None


def fold(node: Node) -> float | None:
    """The value of a constant such as `500 * 1024 * 1024`; None if not constant."""
    if isinstance(node, pp.NumberLiteral):
        return float(node.val)
    if isinstance(node, pp.ParenExpr):
        return fold(node.expr)
    if isinstance(node, pp.UnaryExpr):
        inner = fold(node.expr)
        return None if inner is None else -inner
    if isinstance(node, pp.BinaryExpr) and op(node) in _ARITHMETIC:
        lhs, rhs = fold(node.lhs), fold(node.rhs)
        return None if lhs is None or rhs is None else _arith(op(node), lhs, rhs)
    return None


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
