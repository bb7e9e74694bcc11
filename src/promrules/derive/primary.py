"""Settings that put one condition just beyond, just short of, and on its threshold.

A condition is moved by a driver: one knob of a series its signal reads, or
all of those series scaled together (which keeps ratios between them, so a
guard like `rate(total) > 0` can move while `errors / total > 0.05` holds).
Drivers are tried in reading order until every case has a setting; each case
may come from a different driver (an exact ratio often needs the
denominator's knob). Every other condition of the expression is first put
into the state the test needs (true beside `and`, false beside `or`), with
a comfortable margin, by a knob of its own; then the condition is solved
again, since the two may share series.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from functools import partial

from promrules.derive.bench import Point, Setting
from promrules.derive.conditions import Condition, required_state
from promrules.derive.context import AlertContext
from promrules.derive.decimals import product, shown
from promrules.derive.leaves import BEFORE, PRESENT, Leaf
from promrules.derive.patterns import Knob
from promrules.derive.patterns.ramp import RAMP_FUNCTIONS
from promrules.derive.probe import Probe
from promrules.derive.solve import Goal, Measured, Outcome, Reader, read_single, solve, step_for

__all__ = ["CASES", "Solution", "describe", "drifting_leaves", "firing_case", "solve_condition"]

CASES = ("beyond", "short", "exact")
ORDERING = (">", ">=", "<", "<=")
MAX_DRIVERS = 5
Work = Generator[list[Probe], None, "Solution"]


@dataclass
class Solution:
    """Where the series must sit for each case, or why they cannot."""

    condition: Condition
    settings: dict[str, dict[str, float]] = field(default_factory=dict)
    drivers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # case -> knobs moved
    readings: dict[str, Measured] = field(default_factory=dict)
    gaps: dict[str, str] = field(default_factory=dict)  # case -> why it was not derived
    inapplicable: dict[str, str] = field(default_factory=dict)  # case -> why it does not apply
    threshold: float | None = None
    step: float | None = None
    # A signal that drifts with time (a sloped gauge read as a level): when the
    # firing cases first hold, and up to when the quiet cases are watched.
    fire_at_ms: int | None = None
    quiet_until_ms: int | None = None

    def fails(self, case: str, reason: str) -> None:
        self.gaps.setdefault(case, reason)
        self.settings.pop(case, None)


@dataclass(frozen=True)
class Driver:
    """A way to move a signal: one knob, or several scaled by one factor."""

    name: str
    knob: Knob
    scaled: tuple[tuple[str, float], ...] = ()  # knob id -> its value at factor 1

    @property
    def knob_ids(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.scaled) if self.scaled else (self.name,)

    def apply(self, base: Setting, value: float) -> dict[str, float]:
        if not self.scaled:
            return {**base, self.name: value}
        return {**base, **{k: product(value, ref) for k, ref in self.scaled}}


def _reader(condition: Condition) -> tuple[list[str], Reader]:
    exprs = [condition.signal]
    if condition.reference is not None:
        exprs.append(condition.reference)

    def read(point: Point) -> Measured:
        result = point.result(condition.signal)
        value, problem = read_single(result)
        empty = not result.error and not result.samples
        against: float | None = condition.threshold
        if condition.reference is not None:
            against, other = read_single(point.result(condition.reference))
            problem = problem or (f"reference: {other}" if other else None)
        return Measured(value, against, problem, empty)

    return exprs, read


def _beyond_side(op: str) -> float:
    return 1.0 if op in (">", ">=") else -1.0


def _equality_side(threshold: float) -> float:
    """Which neighbour of an equality threshold to test: below a positive one, else above."""
    return -1.0 if threshold > 0 else 1.0


def _primary_goals(op: str, threshold: float, step: float) -> list[Goal]:
    exact = Goal("exact", exact=True)
    # At least a tenth of a step past the threshold: a reading a float's width past
    # it (15.000000000000002 for `> 15`) is rounding, not a setting beyond it.
    low = step / 10
    if op in ORDERING:
        side = _beyond_side(op)
        return [
            Goal("beyond", side=side, low=low, high=2 * step),
            Goal("short", side=-side, low=low, high=2 * step),
            exact,
        ]
    side = _equality_side(threshold)
    other = "short" if op == "==" else "beyond"
    return [exact, Goal(other, side=side, low=low, high=2 * step)]


def _case_goal(op: str, case: str) -> str:
    if op == "==" and case == "beyond":
        return "exact"
    if op == "!=" and case == "short":
        return "exact"
    return case


def _hold_goals(op: str, threshold: float, step: float, hold: bool) -> list[Goal]:
    """A comfortable margin on the side a secondary condition must be on.

    When no margin is reachable, the threshold itself will do where it is on
    the right side (`x > 0` is false at 0: a counter's rate cannot go lower).
    """
    margin = max(10 * step, 0.25 * abs(threshold))
    if op in ORDERING:
        side = _beyond_side(op) * (1 if hold else -1)
        goals = [Goal("hold", side=side, low=margin)]
        if (op in (">=", "<=")) == hold:
            goals.append(Goal("hold", exact=True))
        return goals
    wants_equal = (op == "==") == hold
    if wants_equal:
        return [Goal("hold", exact=True)]
    return [Goal("hold", side=_equality_side(threshold), low=step * 0.5, high=2 * step)]


def drifting_leaves(ctx: AlertContext, condition: Condition) -> list[Leaf]:
    """Sloped gauges (ramp leaves) that the condition's signal reads as a level.

    `delta(m[10m]) > x and m > y`: the slope that makes delta() true also
    makes `m` climb, so `m` sits near its threshold at one time only.
    """
    found = []
    for leaf in ctx.signal_leaves(condition):
        if leaf.pattern.name != "ramp":
            continue
        if any(
            condition.signal_index <= u.index < condition.signal_end
            and u.function not in RAMP_FUNCTIONS
            for u in leaf.usages
        ):
            found.append(leaf)
    return found


def _drift_per_tick(ctx: AlertContext, leaves: Sequence[Leaf], base: Setting) -> float:
    """How far the drifting series move between two evaluations (their own slope, not PromQL)."""
    slopes = [abs(base.get(leaf.main, leaf.knob(leaf.main).default)) for leaf in leaves]
    return max(slopes, default=0.0) * ctx.plan.tick_ms / 1000


def _drift_times(ctx: AlertContext) -> tuple[int, int]:
    """When a drifting signal is read: just beyond at the firing cases' first true tick,
    short of (or on) the threshold at the end of the quiet cases' horizon."""
    plan = ctx.plan
    fire_at = plan.tick_at_or_after(plan.steady_ms + 2 * plan.tick_ms)
    quiet_until = plan.tick_at_or_after(
        plan.steady_ms + ctx.rule.for_ms + 3 * plan.tick_ms + plan.period_ms
    )
    return fire_at, quiet_until


def _drivers(
    ctx: AlertContext, leaves: Sequence[Leaf], base: Setting, fixed: Sequence[Leaf] = ()
) -> list[Driver]:
    """Single knobs in reading order, then all main knobs scaled together.

    A leaf in `fixed` keeps its main knob (a drifting gauge keeps its slope
    and is moved by its level).
    """
    found: list[Driver] = []
    for leaf in leaves:
        knobs = [k for k in leaf.knobs if k.name != PRESENT]
        if leaf in fixed:
            knobs = [k for k in knobs if leaf.knob_id(k.name) != leaf.main]
        if any(u.function == "predict_linear" for u in leaf.usages):
            # predict_linear() also reads the current value, so a slope makes its
            # signal drift; a level (with the slope at 0) moves it steadily.
            knobs.sort(key=lambda k: k.name != "base")
        for knob in knobs:
            found.append(Driver(leaf.knob_id(knob.name), knob))
    found = found[:MAX_DRIVERS]
    mains = [
        leaf for leaf in leaves if leaf.pattern.knobs()[0].integer is False and leaf not in fixed
    ]
    if len(mains) > 1:
        ids = [leaf.main for leaf in mains]
        ids += [leaf.knob_id(BEFORE) for leaf in mains if leaf.stepped]
        scaled = tuple(
            (k, base.get(k, ctx.leaves[int(k.split(".")[0])].knob(k).default)) for k in ids
        )
        if any(ref for _k, ref in scaled):
            low = 0.0 if all(leaf.knob(leaf.main).low >= 0 for leaf in mains) else -math.inf
            name = "scale(" + ",".join(ids) + ")"
            found.append(Driver(name, Knob("scale", 1.0, low=low), scaled))
    return found


def _flat(outcome: Outcome) -> bool:
    """Whether the signal never moved: one value throughout (returning nothing is a move)."""
    values = {m.value for _x, m in outcome.seen if m.value is not None}
    if any(m.empty for _x, m in outcome.seen) and values:
        return False
    return len(values) <= 1


def _state(point: Point, condition: Condition) -> bool | None:
    result = point.result(condition.text)
    if result.error:
        return None
    return bool(result.samples)


def _solve_goals(
    ctx: AlertContext, condition: Condition, base: Setting, step: float, solution: Solution
) -> Generator[list[Probe], None, None]:
    """Find a setting for every case, trying drivers until none is missing."""
    exprs, read = _reader(condition)
    threshold = solution.threshold if solution.threshold is not None else 0.0
    goals = {g.name: g for g in _primary_goals(condition.op, threshold, step)}
    drifting = drifting_leaves(ctx, condition) if condition.op in ORDERING else []
    drift = _drift_per_tick(ctx, drifting, base)
    read_at: dict[str, int | None] = dict.fromkeys(goals)
    solution.fire_at_ms = solution.quiet_until_ms = None
    if drift:
        # Just beyond at one tick and not at the one before: within a tick's drift.
        fire_at, quiet_until = _drift_times(ctx)
        solution.fire_at_ms, solution.quiet_until_ms = fire_at, quiet_until
        beyond = goals["beyond"]
        goals["beyond"] = Goal("beyond", side=beyond.side, high=min(beyond.high, drift))
        read_at = {"beyond": fire_at, "short": quiet_until, "exact": quiet_until}
    found: dict[str, tuple[Driver, float, Measured, Setting]] = {}
    failed: dict[str, str] = {}
    empty_at: dict[str, tuple[Driver, float]] = {}
    knob_low: dict[str, bool] = {}
    readings: list[float] = []  # every value the signal read, over all drivers
    moved = False
    leaves = ctx.signal_leaves(condition)
    for others_at in (None, 10.0, 100.0):
        for driver in _drivers(ctx, leaves, base, drifting):
            missing = [g for name, g in goals.items() if name not in found]
            if not missing or (others_at is not None and missing != [goals.get("exact")]):
                break
            if any(k in base for k in driver.knob_ids) or (others_at and driver.scaled):
                continue
            start = dict(base)
            if others_at is not None:
                # Round partners: (10 - 9) / 10 is exactly 0.1 where (x - 1) / x never is.
                start.update(
                    {
                        leaf.main: others_at
                        for leaf in leaves
                        if leaf.main not in base and leaf not in drifting
                    }
                )
            outcome = Outcome()
            for at_ms in dict.fromkeys(read_at[g.name] for g in missing):
                part = yield from solve(
                    ctx.bench,
                    partial(driver.apply, start),
                    driver.knob,
                    exprs,
                    read,
                    [g for g in missing if read_at[g.name] == at_ms],
                    abs(threshold) or None,
                    at_ms,
                )
                outcome.found.update(part.found)
                outcome.readings.update(part.readings)
                outcome.failed.update(part.failed)
                outcome.seen += part.seen
            if _flat(outcome):
                continue
            moved = True
            for name, value in outcome.found.items():
                found[name] = (driver, value, outcome.readings[name], start)
                knob_low[name] = value == driver.knob.low
            for name, why in outcome.failed.items():
                failed.setdefault(name, why)
            for value, m in outcome.seen:
                if m.empty:
                    empty_at.setdefault("quiet", (driver, value))
                elif m.value is not None:
                    readings.append(m.value)
    solution.settings, solution.readings, solution.drivers = {}, {}, {}
    solution.gaps, solution.inapplicable = {}, {}
    if not moved:
        for case in CASES:
            solution.fails(case, "the signal does not move with any series it reads")
        return
    for case in CASES:
        goal = _case_goal(condition.op, case)
        if goal in found:
            driver, value, reading, origin = found[goal]
            solution.settings[case] = driver.apply(origin, value)
            solution.readings[case] = reading
            solution.drivers[case] = driver.knob_ids
        else:
            solution.gaps[case] = failed.get(goal, "no driver reached it")
    bounded = _bounded_by_threshold(condition, solution, readings)
    _fallbacks(condition, solution, base, empty_at, {**knob_low, **bounded})
    _beyond_on_the_threshold(condition, solution, readings)


def _bounded_by_threshold(
    condition: Condition, solution: Solution, readings: Sequence[float]
) -> dict[str, bool]:
    """{"exact": True} when the signal reached the threshold but never went past it on
    the quiet side, whatever the knobs did (`(up == bool 0) > 0` is 0 or 1, never below).

    Then the threshold is the lowest (or highest) value the signal takes, like
    a knob at its lower bound: nothing is "just short" of it.
    """
    threshold = solution.threshold
    if threshold is None or "exact" not in solution.settings or not readings:
        return {}
    if condition.op in (">", ">=") and min(readings) >= threshold:
        return {"exact": True}
    if condition.op in ("<", "<=") and max(readings) <= threshold:
        return {"exact": True}
    return {}


def firing_case(solution: Solution) -> str:
    """The case whose setting makes the condition hold: beyond, or on the threshold
    when nothing lies beyond it."""
    if "beyond" in solution.inapplicable and solution.condition.op in (">=", "<="):
        return "exact"
    return "beyond"


def _beyond_on_the_threshold(
    condition: Condition, solution: Solution, readings: Sequence[float]
) -> None:
    """`rate(x[5m]) <= 0`: a rate never goes below 0, so nothing is beyond the threshold;
    the at-threshold case is the one that fires (and the clearing case starts from it)."""
    gaps, threshold = solution.gaps, solution.threshold
    if "beyond" not in gaps or "exact" not in solution.settings or not readings:
        return
    if threshold is None or condition.op not in (">=", "<="):
        return
    blocked = max(readings) <= threshold if condition.op == ">=" else min(readings) >= threshold
    if blocked:
        solution.inapplicable["beyond"] = (
            "the signal cannot go past the threshold: the threshold is the furthest it goes "
            "that way, so the at-threshold case is the one that fires"
        )
        del gaps["beyond"]


def _fallbacks(
    condition: Condition,
    solution: Solution,
    base: Setting,
    empty_at: dict[str, tuple[Driver, float]],
    knob_low: dict[str, bool],
) -> None:
    """Cases with no setting of their own that still have a meaning, or none at all."""
    gaps = solution.gaps
    if "short" in gaps and knob_low.get("exact") and condition.op in ORDERING:
        solution.inapplicable["short"] = (
            "the signal cannot go past the threshold on the quiet side: "
            "the threshold is the furthest it goes that way"
        )
        del gaps["short"]
    if "quiet" in empty_at and condition.op in ORDERING:
        driver, value = empty_at["quiet"]
        if "short" in gaps:
            solution.settings["short"] = driver.apply(base, value)
            solution.readings["short"] = Measured(None, solution.threshold, empty=True)
            solution.drivers["short"] = driver.knob_ids
            del gaps["short"]
        if "exact" in gaps and "jumps" not in gaps["exact"]:
            solution.inapplicable["exact"] = (
                "the signal never equals the threshold: short of it, it returns no series"
            )
            del gaps["exact"]


def _fix_other(
    ctx: AlertContext,
    primary: Condition,
    other: Condition,
    hold: bool,
    setting: dict[str, float],
    busy: Sequence[str],
) -> Generator[list[Probe], None, str | None]:
    """Put `other` into the state `hold` by turning one of its own knobs; None on success."""
    mine = {leaf.number for leaf in ctx.signal_leaves(primary)}
    leaves = ctx.condition_leaves(other)
    own = [leaf for leaf in leaves if leaf.number not in mine]
    if other.kind in ("absent", "opaque"):
        wants_present = (other.kind == "opaque") == hold
        targets = own if not wants_present else leaves
        if not targets:
            return f"`{other.label}` reads only series the tested condition needs"
        for leaf in targets:
            setting[leaf.knob_id(PRESENT)] = 1.0 if wants_present else 0.0
        return None
    exprs, read = _reader(other)
    first_point = Point(dict(setting), exprs)
    yield from ctx.bench.measure([first_point])
    first = read(first_point)
    threshold = other.threshold if other.threshold is not None else (first.against or 0.0)
    goals = _hold_goals(other.op, threshold, step_for(threshold, other.op), hold)
    drivers = _drivers(ctx, own, setting) + _drivers(ctx, leaves, setting)
    for goal in goals:
        for driver in drivers:
            if any(k in busy for k in driver.knob_ids):
                continue
            outcome = yield from solve(
                ctx.bench,
                partial(driver.apply, setting),
                driver.knob,
                exprs,
                read,
                [goal],
                abs(threshold) or None,
            )
            if "hold" in outcome.found:
                setting.update(driver.apply(setting, outcome.found["hold"]))
                return None
    state = "true" if hold else "false"
    return f"no series of `{other.label}` can make it {state} on its own"


def _settle_others(
    ctx: AlertContext,
    condition: Condition,
    solution: Solution,
    base: dict[str, float],
    from_defaults: bool = False,
) -> Generator[list[Probe], None, str | None]:
    """Bring every other condition into its required state at the 'beyond' setting.

    With `from_defaults`, start from the series' defaults with no knob taken
    by the tested condition instead: when the only knob that can switch
    another condition off also feeds the tested signal (`x > 0 unless
    x{status="success"} > 0`), the tested condition is solved again
    afterwards with the series it may still move.
    """
    others = [c for c in ctx.conditions if c is not condition]
    loud = firing_case(solution)
    if not others or (loud not in solution.settings and not from_defaults):
        return None
    setting = {} if from_defaults else dict(solution.settings[loud])
    point = Point(setting, [c.text for c in others])
    yield from ctx.bench.measure([point])
    busy = [] if from_defaults else list(solution.drivers.get(loud, ()))
    for other in others:
        hold = required_state(condition, other)
        if hold is None:
            continue  # a branch of an `or` in the signal: the signal is read as a whole
        state = _state(point, other)
        if state is None:
            return f"promtool cannot evaluate `{other.label}`: {point.result(other.text).error}"
        if state == hold:
            continue
        problem = yield from _fix_other(ctx, condition, other, hold, setting, busy)
        if problem:
            return problem
    base.update({k: v for k, v in setting.items() if k not in busy})
    return None


def solve_condition(ctx: AlertContext, condition: Condition) -> Work:
    """Settings for each case of one condition, with the others in their required states."""
    solution = Solution(condition, threshold=condition.threshold)
    if condition.kind == "absent":
        return (yield from _solve_absent(ctx, condition, solution))
    exprs, read = _reader(condition)
    defaults = Point({}, exprs)
    yield from ctx.bench.measure([defaults])
    first = read(defaults)
    threshold = condition.threshold
    if threshold is None:
        if first.against is None:
            for case in CASES:
                solution.fails(case, f"the compared-with side returns {first.problem or 'nothing'}")
            return solution
        threshold = first.against
    solution.threshold = threshold
    solution.step = step = step_for(threshold, condition.op)
    base: dict[str, float] = {}
    yield from _solve_goals(ctx, condition, base, step, solution)
    if firing_case(solution) not in solution.settings:
        return solution
    before = dict(base)
    problem = yield from _settle_others(ctx, condition, solution, base)
    if problem:
        problem = yield from _settle_first(ctx, condition, solution, step, problem)
        if problem:
            for case in CASES:
                solution.fails(case, problem)
        return solution
    if base != before:
        yield from _solve_goals(ctx, condition, base, step, solution)
    return solution


def _settle_first(
    ctx: AlertContext, condition: Condition, solution: Solution, step: float, problem: str
) -> Generator[list[Probe], None, str | None]:
    """Put the other conditions in their states first, then solve the tested one again.

    Returns the original problem when that does not work either.
    """
    base: dict[str, float] = {}
    again = yield from _settle_others(ctx, condition, solution, base, from_defaults=True)
    if again or not base:
        return problem
    yield from _solve_goals(ctx, condition, base, step, solution)
    if firing_case(solution) not in solution.settings:
        return problem
    check: dict[str, float] = dict(base)
    again = yield from _settle_others(ctx, condition, solution, check)
    if again:
        return problem
    if check != base:
        yield from _solve_goals(ctx, condition, check, step, solution)
    return None


def _solve_absent(ctx: AlertContext, condition: Condition, solution: Solution) -> Work:
    leaves = ctx.signal_leaves(condition)
    if not leaves:
        solution.fails("beyond", "absent() of an expression that reads no series")
        return solution
    gone = {leaf.knob_id(PRESENT): 0.0 for leaf in leaves}
    solution.settings = {"beyond": dict(gone), "short": {}}
    solution.drivers = {"beyond": tuple(gone), "short": tuple(gone)}
    solution.inapplicable["exact"] = "absent() has no threshold: a series is there or not"
    base: dict[str, float] = {}
    # The others are settled with the series present: a condition inside the
    # absent() (`absent(up{job="x"} == 1)`) reads nothing once they are gone.
    problem = yield from _settle_others(ctx, condition, solution, base, from_defaults=True)
    if problem:
        for case in CASES:
            solution.fails(case, problem)
        return solution
    solution.settings = {"beyond": {**base, **gone}, "short": dict(base)}
    return solution


def describe(value: float | None, against: float | None = None) -> str:
    """A value for a summary: its shortest form, on the same side of `against`."""
    return shown(value, against)
