"""Which labels an expression's result can carry, worked out from its tree.

What `$labels` holds in an alert's templates is the result series' labels,
and only those (the rule's own static labels are not among them: promtool
renders `{{ $labels.severity }}` empty for `sum(x) > 0` with `severity:`
set on the rule). Aggregations, `on(...)` matching, `absent()` and friends
decide them; the rules below follow Prometheus's evaluation (engine.go's
resultMetric and the aggregation code).
"""

from __future__ import annotations

from dataclasses import dataclass

import promql_parser as pp

from promrules.lint.expr import Node, call_name, is_scalar, operator, unwrap

__all__ = ["Labels", "result_labels"]

_KEEP_LABELS = ("topk", "bottomk", "limitk", "limit_ratio")
_NO_LABELS = ("vector", "time", "scalar", "pi")


@dataclass(frozen=True)
class Labels:
    """At most `only` (None: any label), and never any of `dropped`."""

    only: frozenset[str] | None = None
    dropped: frozenset[str] = frozenset()

    def can_have(self, name: str) -> bool:
        if name in self.dropped:
            return False
        return self.only is None or name in self.only

    def plus(self, names: frozenset[str]) -> Labels:
        only = None if self.only is None else self.only | names
        return Labels(only, self.dropped - names)

    def keep(self, names: frozenset[str]) -> Labels:
        only = names if self.only is None else self.only & names
        return Labels(only - self.dropped)

    def without(self, names: frozenset[str]) -> Labels:
        if self.only is not None:
            return Labels(self.only - names)
        return Labels(None, self.dropped | names)

    def union(self, other: Labels) -> Labels:
        if self.only is None or other.only is None:
            return Labels(None, self.dropped & other.dropped)
        return Labels(self.only | other.only)


NONE = Labels(frozenset())


def _equality_labels(node: Node) -> frozenset[str]:
    node = unwrap(node)
    if isinstance(node, pp.MatrixSelector):
        node = node.vector_selector
    if not isinstance(node, pp.VectorSelector):
        return frozenset()
    return frozenset(
        str(m.name)
        for m in node.matchers.matchers
        if m.op == pp.MatchOp.Equal and str(m.name) != "__name__"
    )


def _string(node: Node) -> str | None:
    node = unwrap(node)
    return str(node.val) if isinstance(node, pp.StringLiteral) else None


def _call(node: Node) -> Labels:
    name = call_name(node) or ""
    args = list(node.args)
    if name in ("absent", "absent_over_time"):
        return Labels(_equality_labels(args[0]) if args else frozenset())
    if name in _NO_LABELS or not args:
        return NONE
    vectors = [a for a in args if isinstance(a, pp.Expr) and not is_scalar(a)]
    vectors = [a for a in vectors if _string(a) is None]
    if not vectors:
        return NONE
    labels = result_labels(vectors[0])
    if name in ("label_replace", "label_join") and len(args) > 1:
        target = _string(args[1])
        return labels.plus(frozenset([target])) if target else Labels()
    if name == "histogram_quantile":
        return labels.without(frozenset(["le"]))
    return labels


def _aggregate(node: Node) -> Labels:
    inner = result_labels(node.expr)
    op = operator(node)
    if op in _KEEP_LABELS:
        return inner
    modifier = node.modifier
    names = frozenset(str(n) for n in modifier.labels) if modifier is not None else frozenset()
    if modifier is not None and modifier.type == pp.AggModifierType.Without:
        labels = inner.without(names)
    elif modifier is not None:
        labels = inner.keep(names)
    else:
        labels = NONE
    if op == "count_values":
        target = _string(node.param)
        return labels.plus(frozenset([target])) if target else Labels()
    return labels


def _binary(node: Node) -> Labels:
    lhs_scalar, rhs_scalar = is_scalar(node.lhs), is_scalar(node.rhs)
    if lhs_scalar and rhs_scalar:
        return NONE
    if rhs_scalar:
        return result_labels(node.lhs)
    if lhs_scalar:
        return result_labels(node.rhs)
    op = operator(node)
    lhs, rhs = result_labels(node.lhs), result_labels(node.rhs)
    if op == "or":
        return lhs.union(rhs)
    if op in ("and", "unless"):
        return lhs
    modifier = node.modifier
    matching = modifier.matching if modifier is not None else None
    names = frozenset(str(n) for n in matching.labels) if matching is not None else frozenset()
    card = str(modifier.card) if modifier is not None else "VectorMatchCardinality.OneToOne"
    include = frozenset(str(n) for n in (modifier.group_labels or ())) if modifier else frozenset()
    if card.endswith("ManyToOne"):
        return lhs.plus(include)
    if card.endswith("OneToMany"):
        return rhs.plus(include)
    if matching is None:
        return lhs
    if matching.type == pp.LabelModifierType.Include:
        return lhs.keep(names)
    return lhs.without(names)


def result_labels(node: Node) -> Labels:
    """The labels the result of `node` can carry."""
    node = unwrap(node)
    if isinstance(node, (pp.NumberLiteral, pp.StringLiteral)):
        return NONE
    if isinstance(node, pp.Call):
        return _call(node)
    if isinstance(node, pp.AggregateExpr):
        return _aggregate(node)
    if isinstance(node, pp.BinaryExpr):
        return _binary(node)
    if isinstance(node, (pp.UnaryExpr, pp.SubqueryExpr)):
        return result_labels(node.expr)
    if isinstance(node, pp.MatrixSelector):
        return result_labels(node.vector_selector)
    return Labels()
