"""PromQL expressions as derive reads them: parse, walk, fold constants, print.

promql-parser gives the AST. This module hides its quirks (operator tokens
print with padding, parentheses are nodes, Python wrappers are new objects on
every access, so nodes are named by their pre-order index) behind a few
helpers, so the rest of derive reads like the rule it analyses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import promql_parser as pp

from promrules.derive.printer import to_text

__all__ = [
    "COMPARISONS",
    "SET_OPERATORS",
    "ExprError",
    "children",
    "fold",
    "is_comparison",
    "ms",
    "operator",
    "parse",
    "preorder",
    "replace",
    "text",
    "unwrap",
]

Node = Any  # promql_parser.Expr subclasses; the binding's stubs are loose.

COMPARISONS = (">", "<", ">=", "<=", "==", "!=")
SET_OPERATORS = ("and", "or", "unless")
FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


class ExprError(ValueError):
    """An expression promql-parser rejects."""


def parse(text: str) -> Node:
    try:
        return pp.parse(text)
    except (ValueError, RuntimeError) as exc:
        raise ExprError(f"cannot parse the expression: {exc}") from exc


def text(node: Node) -> str:
    """The node as PromQL that parses back to the same tree (never promql-parser's printer)."""
    return to_text(node)


def operator(node: Node) -> str:
    """The operator token of a binary or aggregate expression, as written in PromQL."""
    return str(node.op).strip().lower()


def unwrap(node: Node) -> Node:
    """The expression inside any number of parentheses."""
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def ms(delta: timedelta | None) -> int:
    """A duration of the AST in milliseconds (None reads as 0)."""
    if delta is None:
        return 0
    return round(delta.total_seconds() * 1000)


def children(node: Node) -> list[Node]:
    """Sub-expressions in the order promql-parser's walk visits them."""
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
    """Every node, in pre-order; a node's index here is its name for `replace`."""
    found: list[Node] = []
    pp.walk(root, lambda node: found.append(node))
    return found


def replace(root: Node, index: int, build: Callable[[Node], Node]) -> str:
    """The text of `root` with its node number `index` replaced by `build(node)`."""
    counter = [-1]

    def visit(node: Node) -> Node | None:
        counter[0] += 1
        return build(node) if counter[0] == index else None

    return text(pp.transform(root, visit))


def is_comparison(node: Node) -> bool:
    """A filtering comparison (`bool` comparisons compute 0/1 and do not filter)."""
    node = unwrap(node)
    if not isinstance(node, pp.BinaryExpr) or operator(node) not in COMPARISONS:
        return False
    return not (node.modifier is not None and node.modifier.return_bool)


def _arith(op: str, a: float, b: float) -> float | None:
    """One arithmetic step with Go's float semantics (x/0 is ±Inf or NaN, not an error)."""
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
            return a / b
        if op == "%":
            return math.fmod(a, b) if b != 0 else math.nan
        if op == "^":
            return math.pow(a, b)
    except (OverflowError, ValueError):
        return None
    return None


def fold(node: Node) -> float | None:
    """The value of a constant expression such as `20 * 1024 * 1024`, else None.

    Only number literals combined by arithmetic fold: the operations are the
    IEEE ones Go performs too, so the result is the threshold promtool compares with.
    """
    node = unwrap(node)
    if isinstance(node, pp.NumberLiteral):
        return float(node.val)
    if isinstance(node, pp.UnaryExpr):
        inner = fold(node.expr)
        return None if inner is None else -inner
    if isinstance(node, pp.BinaryExpr) and operator(node) in ("+", "-", "*", "/", "%", "^"):
        lhs, rhs = fold(node.lhs), fold(node.rhs)
        if lhs is None or rhs is None:
            return None
        return _arith(operator(node), lhs, rhs)
    return None
