"""Rule expressions as the checks read them: parsed once by promql-parser, walked with ancestors.

An expression promql-parser rejects gives no tree and no findings here:
`promtool check rules` (the rule file's `check` item) reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import promql_parser as pp

from promrules.derive.promql import ExprError, Node, children, fold, operator, parse, unwrap
from promrules.lint.reading import AlertRule

__all__ = [
    "COUNTER_FUNCTIONS",
    "COUNTER_SUFFIXES",
    "Node",
    "call_name",
    "children",
    "fold",
    "is_scalar",
    "operator",
    "range_calls",
    "tree",
    "unwrap",
    "walk",
]

COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
COUNTER_FUNCTIONS = ("rate", "irate", "increase")


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Node | None:
    try:
        return parse(text)
    except ExprError:
        return None


def tree(rule: AlertRule) -> Node | None:
    """The rule's expression as a promql-parser tree, or None when it has none or it is invalid."""
    return _parsed(rule.expr) if rule.expr else None


def walk(root: Node, path: tuple[Node, ...] = ()) -> Iterator[tuple[Node, tuple[Node, ...]]]:
    """Every node with its ancestors (outermost first), in pre-order."""
    yield root, path
    for child in children(root):
        yield from walk(child, (*path, root))


def call_name(node: Node) -> str | None:
    return str(node.func.name) if isinstance(node, pp.Call) else None


def range_calls(
    rules: Iterator[AlertRule] | list[AlertRule], functions: tuple[str, ...]
) -> Iterator[tuple[AlertRule, str, pp.MatrixSelector]]:
    """Each call of one of `functions` on a range selector, with its rule and name."""
    for rule in rules:
        root = tree(rule)
        if root is None:
            continue
        for node, _ in walk(root):
            name = call_name(node)
            if name not in functions or not node.args:
                continue
            window = unwrap(node.args[0])
            if isinstance(window, pp.MatrixSelector):
                yield rule, name, window


def is_scalar(node: Node) -> bool:
    """Whether a node evaluates to a scalar (numbers, scalar(), time(), arithmetic of those)."""
    node = unwrap(node)
    if fold(node) is not None or isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.Call):
        return str(node.func.return_type) == "ValueType.Scalar"
    if isinstance(node, pp.UnaryExpr):
        return is_scalar(node.expr)
    if isinstance(node, pp.BinaryExpr):
        return is_scalar(node.lhs) and is_scalar(node.rhs)
    return False
