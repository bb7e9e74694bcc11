"""Read a case's probe into a timeline: when the condition holds, and each alert's state.

At every tick promtool returned the condition's signal, what it is compared
with, the expression without the comparison, and (when an `or` could fire
without the condition) the rest of the expression. The comparison itself is
made here, in Python. One rule can fire several alerts, one per label set,
each with its own pending/firing clock; the timeline keeps them apart, and
names the one the tested condition drives.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from promrules.derive.conditions import Condition
from promrules.derive.probe import Probe, QueryResult, Sample
from promrules.derive.solve import read_single
from promrules.derive.states import State, alert_states

__all__ = ["Labels", "Timeline", "compare", "read_timeline"]

Labels = tuple[tuple[str, str], ...]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


def compare(value: float, op: str, against: float) -> bool:
    """PromQL's float comparison (IEEE, as in Go: NaN compares unequal to everything)."""
    return _COMPARE[op](value, against)


def _labels(sample: Sample) -> Labels:
    return tuple(sorted((k, v) for k, v in sample.labels if k != "__name__"))


@dataclass(frozen=True)
class Timeline:
    ticks: list[int]
    holds: list[bool]  # the tested condition, for the series it drives
    labels: Labels | None  # that series (None when the condition never produced one)
    states: dict[Labels, list[State]]  # every alert the rule raised, by label set
    problem: str | None = None
    silent: bool = False  # the expression without the comparison never returned anything

    def first(self, wanted: Callable[[int], bool], start: int = 0) -> int | None:
        for i in range(start, len(self.ticks)):
            if wanted(i):
                return i
        return None

    def state(self, i: int) -> State:
        """The state of the alert the tested condition drives."""
        if self.labels is None or self.labels not in self.states:
            return "inactive"
        return self.states[self.labels][i]

    def alerts(self, i: int, *wanted: State) -> list[Labels]:
        """Label sets of the alerts in one of the wanted states at tick i, sorted."""
        return sorted(k for k, states in self.states.items() if states[i] in wanted)


def _holds(
    condition: Condition,
    threshold: float | None,
    signal: QueryResult,
    reference: QueryResult | None,
    output: QueryResult,
) -> tuple[bool, str | None]:
    if output.error:
        return False, f"promtool cannot evaluate the expression: {output.error}"
    if not output.samples:
        return False, None
    if condition.kind == "absent":
        return True, None
    if len(output.samples) > 1:
        return False, f"the expression returns {len(output.samples)} series; one is needed"
    value, _problem = read_single(signal)
    against = threshold
    if reference is not None:
        against, _ = read_single(reference)
    if value is None or against is None or math.isnan(against):
        return False, None
    return compare(value, condition.op, against), None


def read_timeline(
    condition: Condition,
    threshold: float | None,
    probe: Probe,
    width: int,
    for_ms: int,
    keep_firing_for_ms: int,
) -> Timeline:
    """The timeline of a probe whose queries come in groups of `width` per tick."""
    has_reference = condition.reference is not None
    has_rest = width == (3 if has_reference else 2) + 1
    ticks: list[int] = []
    holds: list[bool] = []
    driven: list[Labels | None] = []
    others: list[list[Labels]] = []
    problem = None
    silent = True
    for k in range(0, len(probe.queries), width):
        results = probe.results[k : k + width]
        reference = results[1] if has_reference else None
        output = results[2 if has_reference else 1]
        true, why = _holds(condition, threshold, results[0], reference, output)
        problem = problem or why
        silent = silent and not output.samples
        rest: Sequence[Sample] = ()
        if has_rest:
            if results[-1].error:
                problem = problem or f"promtool cannot evaluate: {results[-1].error}"
            rest = results[-1].samples
        ticks.append(probe.queries[k][1])
        holds.append(true)
        driven.append(_labels(output.samples[0]) if true and output.samples else None)
        others.append([_labels(s) for s in rest])
    main = next((labels for labels in driven if labels is not None), None)
    every = {labels for labels in driven if labels is not None}
    every |= {labels for found in others for labels in found}
    states = {
        labels: alert_states(
            ticks,
            [driven[i] == labels or labels in others[i] for i in range(len(ticks))],
            for_ms,
            keep_firing_for_ms,
        )
        for labels in every
    }
    return Timeline(ticks, holds, main, states, problem, silent)
