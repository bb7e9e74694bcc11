"""Which rules a test group can tell apart from nothing, so each group runs with only those.

promtool evaluates every rule of every rule file at every evaluation step of
every test group. A group's verdict, though, depends only on

- the alerts of the rules its `alert_rule_test` names,
- the series its `promql_expr_test` expressions select,
- the rules those read from, transitively, and
- evaluation errors, which fail the group whichever rule they come from.

A rule none of whose selectors match a series that exists in the group (the
input series, or what the kept rules write) evaluates on nothing. If its
expression cannot make a series out of nothing (`vector(1)`, `absent(x)`,
`time()` can, so such rules are always kept), it writes nothing, and what it
does is the same in every group: its behaviour on an empty storage. That is
checked once per set of rule files by a probe group with no input series (see
`trim`); when the probe fails, nothing is left out for that set.

So each group keeps the rules it observes, their dependencies, and every rule
that could see one of its series; the rest are left out. A selector whose
metric name is not a plain equality (`{job="x"}`, `{__name__=~"a.*"}`), an
expression or series that promql-parser cannot read, a label or annotation
template that calls `query` (it reads the storage), or an unreadable rule
file mean everything is kept: leaving a rule in is always safe.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import promql_parser as pp
import yaml

from promrules.derive import promql
from promrules.derive.comparisons import matchers
from promrules.files import yamlnodes as yn

__all__ = [
    "RuleIndex",
    "RuleInfo",
    "Selector",
    "expr_selectors",
    "input_series",
    "kept_rules",
    "produces_from_nothing",
    "read_rules",
    "rule_file_root",
    "selectors_of",
]

ALERT_SERIES = ("ALERTS", "ALERTS_FOR_STATE")

# Functions that give a result when their arguments select nothing.
_FROM_NOTHING = {"vector", "absent", "absent_over_time", "time", "pi", "scalar"}
# Date functions read `vector(time())` when called without an argument.
_DATE_FUNCTIONS = {
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "hour",
    "minute",
    "month",
    "year",
}

Position = tuple[int, int, int]  # (rule file, rule group, rule) indexes


@dataclass(frozen=True)
class Selector:
    """A metric name and the label matchers that can rule a series out for sure.

    Regular-expression matchers are left out: RE2 is not Python's `re`, and
    treating them as "may match" only keeps more rules.
    """

    name: str
    equal: tuple[tuple[str, str], ...]
    not_equal: tuple[tuple[str, str], ...]

    def may_match(self, series: Series) -> bool:
        """Whether the selector may match the series (unknown labels may take any value)."""
        labels, complete = series

        def value(key: str) -> str | None:  # None: not known
            return labels.get(key, "" if complete else None)

        return all(value(k) in (v, None) for k, v in self.equal) and all(
            value(k) != v for k, v in self.not_equal
        )


# Labels of a series, and whether they are all of them: an input series' labels
# are all known; of what a rule writes, only those the rule file fixes.
Series = tuple[dict[str, str], bool]


@dataclass(frozen=True)
class RuleInfo:
    """What one rule reads and writes, as far as slicing needs to know."""

    position: Position
    alert: str | None
    record: str | None
    selectors: tuple[Selector, ...] | None  # None: it may select any series
    from_nothing: bool  # its expression can give a result on an empty storage

    @property
    def writes(self) -> list[tuple[str, Series]]:
        """The series it writes, by name, with the labels known before evaluation."""
        if self.alert is not None:
            return [(name, ({"alertname": self.alert}, False)) for name in ALERT_SERIES]
        return [(self.record, ({}, False))] if self.record else []


def _selector(node: pp.VectorSelector) -> Selector | None:
    """The selector's name and plain matchers; None when its name is not fixed."""
    if node.matchers.or_matchers:
        return None
    name = str(node.name) if node.name else None
    equal, not_equal = [], []
    for label, op, value in matchers(node):
        if label == "__name__":
            if op != "=":
                return None
            name = value
        elif op == "=":
            equal.append((label, value))
        elif op == "!=":
            not_equal.append((label, value))
    if name is None:
        return None
    return Selector(name, tuple(equal), tuple(not_equal))


def _parse(text: str) -> pp.Expr | None:
    try:
        root: pp.Expr = promql.parse(text)
    except promql.ExprError:
        return None
    return root


def selectors_of(root: pp.Expr) -> tuple[Selector, ...] | None:
    """Every selector of an expression; None when one of them may select any series."""
    found: list[Selector | None] = []

    def visit(node: pp.Expr) -> None:
        if isinstance(node, pp.VectorSelector):
            found.append(_selector(node))

    pp.walk(root, visit)
    if any(s is None for s in found):
        return None
    return tuple(s for s in found if s is not None)


def expr_selectors(text: str) -> tuple[Selector, ...] | None:
    """The selectors of an expression; None when it may select any series."""
    root = _parse(text)
    return selectors_of(root) if root is not None else None


def input_series(text: str) -> tuple[str, dict[str, str]] | None:
    """Name and labels of an `input_series` entry such as `up{job="a"}`."""
    node = _parse(text)
    if not isinstance(node, pp.VectorSelector):
        return None
    selector = _selector(node)
    if (
        selector is None
        or selector.not_equal
        or len(node.matchers.matchers) != len(selector.equal) + (0 if node.name else 1)
    ):
        return None
    return selector.name, dict(selector.equal)


def _is_scalar(node: pp.Expr) -> bool:
    if isinstance(node, (pp.NumberLiteral, pp.StringLiteral)):
        return True
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr)):
        return _is_scalar(node.expr)
    if isinstance(node, pp.Call):
        return str(node.func.return_type) in ("ValueType.Scalar", "ValueType.String")
    if isinstance(node, pp.BinaryExpr):
        return _is_scalar(node.lhs) and _is_scalar(node.rhs)
    return False


def produces_from_nothing(node: pp.Expr) -> bool:
    """Whether the expression can give a result when every selector in it matches nothing.

    Errs on the side of True, which only means the rule is kept.
    """
    if _is_scalar(node):
        return True
    if isinstance(node, (pp.VectorSelector, pp.MatrixSelector)):
        return False
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr, pp.AggregateExpr)):
        return produces_from_nothing(node.expr)
    if isinstance(node, pp.BinaryExpr):
        op = promql.operator(node)
        left, right = produces_from_nothing(node.lhs), produces_from_nothing(node.rhs)
        if op == "or":
            return left or right
        if op == "unless":
            return left
        if _is_scalar(node.lhs):
            return right
        if _is_scalar(node.rhs):
            return left
        return left and right
    if isinstance(node, pp.Call):
        name = str(node.func.name)
        args = [a for a in node.args if isinstance(a, pp.Expr)]
        if name in _FROM_NOTHING or (name in _DATE_FUNCTIONS and not args):
            return True
        series_args = [a for a in args if not _is_scalar(a)]
        return not series_args or any(produces_from_nothing(a) for a in series_args)
    return True


# The `query` template function reads the storage from a label or annotation.
_TEMPLATE_QUERY = re.compile(r"{{[^}]*\bquery\b")


def _queries_in_templates(rule: yaml.Node) -> bool:
    texts = [
        yn.scalar(value) or ""
        for key in ("labels", "annotations")
        if isinstance(mapping := yn.get(rule, key), yaml.MappingNode)
        for _name, value in mapping.value
    ]
    return any(_TEMPLATE_QUERY.search(text) for text in texts)


def _rule_info(position: Position, rule: yaml.Node) -> RuleInfo:
    """What a rule reads; a template that queries the storage may read anything."""
    expr = yn.scalar(yn.get(rule, "expr")) or ""
    root = _parse(expr)
    return RuleInfo(
        position=position,
        alert=yn.scalar(yn.get(rule, "alert")),
        record=yn.scalar(yn.get(rule, "record")),
        selectors=None if root is None or _queries_in_templates(rule) else selectors_of(root),
        from_nothing=produces_from_nothing(root) if root is not None else True,
    )


@functools.lru_cache(maxsize=64)
def _compose(path: Path, mtime_ns: int) -> yaml.MappingNode | None:
    """None too when promrules' reading may not be promtool's: such files are never trimmed."""
    try:
        reading = yn.read_file(path)
    except yn.YamlError:
        return None
    root = reading.root
    return root if isinstance(root, yaml.MappingNode) and not reading.doubts else None


def rule_file_root(path: Path) -> yaml.MappingNode | None:
    """A rule file's composed YAML, read once while the file is unchanged; None if unreadable.

    Shared by the rule reading here, the trimmed copies and the cost estimate.
    """
    try:
        return _compose(path, path.stat().st_mtime_ns)
    except OSError:
        return None


@functools.lru_cache(maxsize=256)
def _read_rule_file(path: Path, index: int, mtime_ns: int) -> tuple[RuleInfo, ...] | None:
    root = rule_file_root(path)
    if root is None:
        return None
    infos = []
    for g, group in enumerate(yn.sequence(yn.get(root, "groups"))):
        for r, rule in enumerate(yn.sequence(yn.get(group, "rules"))):
            infos.append(_rule_info((index, g, r), rule))
    return tuple(infos)


class RuleIndex:
    """The rules of a rule-file set, indexed by the metric names they read and write.

    `kept_rules` then looks only at the rules a new series or a new selector
    can concern, instead of every rule until nothing changes.
    """

    def __init__(self, rules: Sequence[RuleInfo]) -> None:
        self.rules = tuple(rules)
        self.reads_anything = any(r.selectors is None for r in self.rules)
        self.always = [r for r in self.rules if r.from_nothing]
        self.by_alert: dict[str, list[RuleInfo]] = {}
        self.readers: dict[str, list[RuleInfo]] = {}
        self.writers: dict[str, list[RuleInfo]] = {}
        for rule in self.rules:
            if rule.alert is not None:
                self.by_alert.setdefault(rule.alert, []).append(rule)
            for name in {s.name for s in rule.selectors or ()}:
                self.readers.setdefault(name, []).append(rule)
            for name, _series in rule.writes:
                self.writers.setdefault(name, []).append(rule)

    def __len__(self) -> int:
        return len(self.rules)


@functools.lru_cache(maxsize=64)
def _index(paths: tuple[Path, ...], mtimes: tuple[int, ...]) -> RuleIndex | None:
    infos: list[RuleInfo] = []
    for index, (path, mtime) in enumerate(zip(paths, mtimes, strict=True)):
        found = _read_rule_file(path, index, mtime)
        if found is None:
            return None
        infos += found
    return RuleIndex(infos)


def read_rules(paths: Sequence[Path]) -> RuleIndex | None:
    """The rules of a group's rule files, in order; None if one can't be read."""
    try:
        mtimes = tuple(path.stat().st_mtime_ns for path in paths)
    except OSError:
        return None
    return _index(tuple(paths), mtimes)


def kept_rules(
    rules: RuleIndex | Sequence[RuleInfo],
    alertnames: Iterable[str],
    observed: Sequence[Selector] | None,
    inputs: Sequence[tuple[str, dict[str, str]]] | None,
) -> frozenset[Position] | None:
    """Positions of the rules a group needs; None when it needs all of them.

    `alertnames`: names its alert cases check. `observed`: selectors of its
    expression cases (None: they may read anything). `inputs`: name and
    labels of each input series (None: one could not be read).

    A worklist: each series that may exist in the group is offered to the
    rules that read its name, each selector something kept reads to the rules
    that write its name; a rule that takes either is kept, and its own
    selectors and writes join the lists.
    """
    index = rules if isinstance(rules, RuleIndex) else RuleIndex(rules)
    if observed is None or inputs is None or index.reads_anything:
        return None
    kept: set[Position] = set()
    new_series: list[tuple[str, Series]] = [(name, (labels, True)) for name, labels in inputs]
    new_selectors: list[Selector] = list(observed)

    def keep(rule: RuleInfo) -> None:
        if rule.position not in kept:
            kept.add(rule.position)
            new_selectors.extend(rule.selectors or ())
            new_series.extend(rule.writes)

    for rule in index.always:
        keep(rule)
    for alert in set(alertnames):
        for rule in index.by_alert.get(alert, ()):
            keep(rule)
    while new_series or new_selectors:
        if new_series:
            name, series = new_series.pop()
            for rule in index.readers.get(name, ()):
                if rule.position not in kept and any(
                    s.name == name and s.may_match(series) for s in rule.selectors or ()
                ):
                    keep(rule)
        else:
            selector = new_selectors.pop()
            for rule in index.writers.get(selector.name, ()):
                if rule.position not in kept and any(
                    name == selector.name and selector.may_match(series)
                    for name, series in rule.writes
                ):
                    keep(rule)
    return frozenset(kept)
