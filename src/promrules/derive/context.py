"""Everything derivation knows about one alert before it asks promtool anything.

The expression is parsed once; its conditions, selectors, synthetic leaves
and sampling plan are worked out here, and any reason the alert cannot be
derived at all (an unparsable expression, a selector no series satisfies, a
window no sampling fits) is raised as one DeriveError that names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from promrules.derive.bench import Bench
from promrules.derive.conditions import Condition, find_conditions
from promrules.derive.leaves import Leaf, LeafError, build_leaves, selects
from promrules.derive.plan import Plan, PlanError, choose_plan
from promrules.derive.printer import duration_text
from promrules.derive.promql import ExprError, Node, parse
from promrules.derive.selectors import find_usages
from promrules.files.alerts import AlertDefinition

__all__ = ["HORIZON_STEPS", "AlertContext", "DeriveError", "build_context"]

# The longest timeline derivation simulates, in evaluations: a case's series
# have a sample per step, so a `for: 200y` would be a hundred million of them.
HORIZON_STEPS = 50_000


class DeriveError(ValueError):
    """The alert as a whole cannot be derived; the message says why."""


@dataclass
class AlertContext:
    rule: AlertDefinition
    root: Node
    conditions: list[Condition]
    leaves: list[Leaf]
    plan: Plan
    bench: Bench
    evaluation_interval_ms: int
    # Static labels of the other alerting rules of the file with this rule's name.
    siblings: tuple[dict[str, str], ...] = ()

    def leaves_in(self, start: int, end: int) -> list[Leaf]:
        """Leaves read by selectors in the node range [start, end), in reading order.

        A leaf counts when a selector there selects its series, not only when
        it was made for that selector: `sum(rate(x[5m]))` also reads `x{code="5xx"}`.
        """
        usages = [u for leaf in self.leaves for u in leaf.usages if start <= u.index < end]
        found: list[tuple[int, int, Leaf]] = []
        for leaf in self.leaves:
            inside = [u.index for u in usages if u in leaf.usages or selects(u, leaf)]
            if inside:
                own = 0 if any(u in leaf.usages for u in usages) else 1
                found.append((min(inside), own, leaf))
        return [leaf for _i, _own, leaf in sorted(found, key=lambda e: (e[0], e[1]))]

    def signal_leaves(self, condition: Condition) -> list[Leaf]:
        return self.leaves_in(condition.signal_index, condition.signal_end)

    def condition_leaves(self, condition: Condition) -> list[Leaf]:
        return self.leaves_in(condition.index, condition.end)


def _thresholds(conditions: Sequence[Condition], indexes: Sequence[int]) -> dict[int, float | None]:
    """For each selector, the threshold of the innermost condition whose signal reads it."""
    found: dict[int, float | None] = {}
    for index in indexes:
        around = [c for c in conditions if c.signal_index <= index < c.signal_end]
        if around:
            found[index] = max(around, key=lambda c: c.signal_index).threshold
    return found


def _check_horizon(rule: AlertDefinition, tick_ms: int) -> None:
    """Refuse durations whose timeline would not fit the horizon (it would never finish)."""
    for key, value in (("for", rule.for_ms), ("keep_firing_for", rule.keep_firing_for_ms)):
        if value // max(tick_ms, 1) > HORIZON_STEPS:
            raise DeriveError(
                f"{key}: {duration_text(timedelta(milliseconds=value))} is longer than the "
                f"{HORIZON_STEPS}-step horizon ({HORIZON_STEPS} evaluations of "
                f"{duration_text(timedelta(milliseconds=tick_ms))})"
            )
    if (rule.for_ms + rule.keep_firing_for_ms) // max(tick_ms, 1) > HORIZON_STEPS:
        raise DeriveError(
            f"for: plus keep_firing_for: is longer than the {HORIZON_STEPS}-step horizon"
        )


def _check_siblings(rule: AlertDefinition, siblings: Sequence[AlertDefinition]) -> None:
    """Rules sharing a name are told apart by a static label of differing value, or refused."""
    own = rule.static_labels
    for other in siblings:
        theirs = other.static_labels
        if not any(k in theirs and theirs[k] != v for k, v in own.items()):
            raise DeriveError(
                f"another alerting rule named {rule.name} ({other.path}:{other.line}) has no "
                "static label of another value, so promtool cannot check this rule's alerts alone"
            )


def build_context(
    rule: AlertDefinition,
    evaluation_interval_ms: int,
    siblings: Sequence[AlertDefinition] = (),
) -> AlertContext:
    """Parse and plan one alert (raises DeriveError).

    `siblings` are the file's other alerting rules with the same name (legal in Prometheus).
    """
    _check_horizon(rule, rule.group_interval_ms or evaluation_interval_ms)
    _check_siblings(rule, siblings)
    try:
        root = parse(rule.expr)
    except ExprError as exc:
        raise DeriveError(str(exc)) from exc
    conditions = find_conditions(root)
    usages = find_usages(root)
    if not usages:
        raise DeriveError("the expression reads no series")
    try:
        leaves = build_leaves(usages)
    except LeafError as exc:
        raise DeriveError(str(exc)) from exc
    tick = rule.group_interval_ms or evaluation_interval_ms
    try:
        plan = choose_plan(leaves, tick, _thresholds(conditions, [u.index for u in usages]))
    except PlanError as exc:
        raise DeriveError(str(exc)) from exc
    bench = Bench(leaves, plan, evaluation_interval_ms)
    return AlertContext(
        rule,
        root,
        conditions,
        leaves,
        plan,
        bench,
        evaluation_interval_ms,
        tuple(other.static_labels for other in siblings),
    )
