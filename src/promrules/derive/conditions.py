"""The conditions of an alert expression, and how they combine.

An alert fires for every series its expression returns, so what makes it fire
are the filters in it: comparisons against a threshold (`x > 5`), against
another vector (`a != b`), `absent()`, and plain vectors joined by and/or/unless
(`... and on(instance) info`). This module finds them and says, for a chosen
condition under test, which state every other one must hold in so that the
chosen one alone decides: true beside `and`, false beside `or` and on the
right of `unless`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import promql_parser as pp

from promrules.derive import promql
from promrules.derive.promql import Node

__all__ = ["Condition", "find_conditions", "required_state"]

Kind = Literal["threshold", "reference", "absent", "opaque"]

_ABSENT = ("absent", "absent_over_time")
_EMPTY_BRACES = re.compile(r"([A-Za-z0-9_:])\{\}")


@dataclass(frozen=True)
class Condition:
    """One filter of the expression.

    `op` is written with the signal on the left (`5 < x` reads as `x > 5`).
    `ancestors` are the pre-order indexes of the nodes above it that combine
    conditions (set operators, comparisons, absent()), with the side it is on.
    """

    index: int
    kind: Kind
    text: str
    op: str
    signal: str
    signal_index: int
    end: int = 0  # pre-order index just after this condition's subtree
    signal_end: int = 0  # pre-order index just after the signal's subtree
    threshold: float | None = None
    reference: str | None = None
    negated: bool = False  # inside absent() or on the right of `unless`
    ancestors: tuple[tuple[int, str, str], ...] = ()

    @property
    def testable(self) -> bool:
        """Conditions the derivation can put under test (not inside absent() or unless)."""
        return self.kind != "opaque" and not self.negated

    @property
    def label(self) -> str:
        """The condition as PromQL, without the `{}` promql-parser prints after bare names."""
        return _EMPTY_BRACES.sub(r"\1", " ".join(self.text.split()))


def _side_path(
    node: Node, index: int, nodes: list[Node], ancestors: tuple[tuple[int, str, str], ...]
) -> list[Condition]:
    """Walk `node` (number `index`), collecting conditions below it."""
    found: list[Condition] = []
    node_u = promql.unwrap(node)
    # The unwrapped node's own index: parentheses are nodes of their own.
    u_index = index
    probe = node
    while isinstance(probe, pp.ParenExpr):
        probe = probe.expr
        u_index += 1
    kids = promql.children(node_u)
    kid_indexes = _child_indexes(u_index, node_u, nodes)

    if isinstance(node_u, pp.BinaryExpr) and promql.is_comparison(node_u):
        condition = _comparison(node_u, u_index, kid_indexes, ancestors)
        if condition is not None:
            found.append(condition)
            inner = (*ancestors, (u_index, promql.operator(node_u), "signal"))
            for kid, kid_index in zip(kids, kid_indexes, strict=True):
                found += _side_path(kid, kid_index, nodes, inner)
            return found
    if isinstance(node_u, pp.BinaryExpr) and promql.operator(node_u) in promql.SET_OPERATORS:
        op = promql.operator(node_u)
        for side, kid, kid_index in zip(("lhs", "rhs"), kids, kid_indexes, strict=True):
            below = _side_path(kid, kid_index, nodes, (*ancestors, (u_index, op, side)))
            if not below:
                below = [_opaque(kid, kid_index, (*ancestors, (u_index, op, side)))]
            found += below
        return found
    if isinstance(node_u, pp.Call) and node_u.func.name in _ABSENT:
        arg = node_u.args[0]
        arg_index = kid_indexes[0]
        signal = promql.unwrap(arg)
        found.append(
            Condition(
                index=u_index,
                kind="absent",
                text=promql.text(node_u),
                op="absent",
                signal=promql.text(signal),
                signal_index=arg_index,
                negated=_negated(ancestors),
                ancestors=ancestors,
            )
        )
        inner = (*ancestors, (u_index, "absent", "signal"))
        found += _side_path(arg, arg_index, nodes, inner)
        return found
    for kid, kid_index in zip(kids, kid_indexes, strict=True):
        found += _side_path(kid, kid_index, nodes, ancestors)
    return found


def _child_indexes(index: int, node: Node, nodes: list[Node]) -> list[int]:
    """Pre-order indexes of the children of node number `index`."""
    result = []
    position = index + 1
    for kid in promql.children(node):
        result.append(position)
        position += len(promql.preorder(kid))
    return result


def _negated(ancestors: tuple[tuple[int, str, str], ...]) -> bool:
    return any((op == "unless" and side == "rhs") or op == "absent" for _i, op, side in ancestors)


def _comparison(
    node: Node, index: int, kid_indexes: list[int], ancestors: tuple[tuple[int, str, str], ...]
) -> Condition | None:
    op = promql.operator(node)
    lhs, rhs = node.lhs, node.rhs
    lhs_value, rhs_value = promql.fold(lhs), promql.fold(rhs)
    negated = _negated(ancestors)
    if lhs_value is not None and rhs_value is not None:
        return None  # a constant comparison filters nothing
    if rhs_value is not None:
        return Condition(
            index,
            "threshold",
            promql.text(node),
            op,
            promql.text(promql.unwrap(lhs)),
            kid_indexes[0],
            threshold=rhs_value,
            negated=negated,
            ancestors=ancestors,
        )
    if lhs_value is not None:
        return Condition(
            index,
            "threshold",
            promql.text(node),
            promql.FLIPPED[op],
            promql.text(promql.unwrap(rhs)),
            kid_indexes[1],
            threshold=lhs_value,
            negated=negated,
            ancestors=ancestors,
        )
    return Condition(
        index,
        "reference",
        promql.text(node),
        op,
        promql.text(promql.unwrap(lhs)),
        kid_indexes[0],
        reference=promql.text(promql.unwrap(rhs)),
        negated=negated,
        ancestors=ancestors,
    )


def _opaque(node: Node, index: int, ancestors: tuple[tuple[int, str, str], ...]) -> Condition:
    text = promql.text(promql.unwrap(node))
    return Condition(
        index,
        "opaque",
        text,
        "present",
        text,
        index,
        negated=_negated(ancestors),
        ancestors=ancestors,
    )


def _size(nodes: list[Node], index: int) -> int:
    return len(promql.preorder(nodes[index]))


def find_conditions(root: Node) -> list[Condition]:
    """Every condition of the expression, in the order they are written."""
    nodes = promql.preorder(root)
    found = []
    for condition in _side_path(root, 0, nodes, ()):
        end = condition.index + _size(nodes, condition.index)
        signal_end = condition.signal_index + _size(nodes, condition.signal_index)
        found.append(replace(condition, end=end, signal_end=signal_end))
    return found


def required_state(primary: Condition, other: Condition) -> bool | None:
    """Whether `other` must hold (True) or must not (False) while `primary` is under test.

    Decided by the closest node that joins them: beside `and`, inside the same
    comparison chain, or inside the primary's own signal, `other` must hold;
    beside `or` or on the right of `unless` it must not, so the primary alone
    decides. The state is what `other` itself returns: an absent() "holds"
    when its series is missing. None: either will do, for a branch of an `or`
    inside the primary's signal (`max(x) or 0 * absent(x)`), since the signal
    is read as a whole, whichever branch gives it.
    """
    mine = {index: (op, side) for index, op, side in primary.ancestors}
    inside = [n for n, (index, _op, _side) in enumerate(other.ancestors) if index == primary.index]
    if inside:
        below = other.ancestors[inside[0] + 1 :]
        if any(op == "or" for _index, op, _side in below):
            return None
        return True  # `other` filters the primary's own signal
    for index, op, side in reversed(other.ancestors):
        if index in mine:
            my_side = mine[index][1]
            if op == "and":
                return True
            if op == "or" and my_side != side:
                return False
            if op == "unless":
                return side == "lhs"
            return True
    return True
