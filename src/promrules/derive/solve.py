"""Turn one knob until a condition's signal sits just beyond, just short of, or on its threshold.

The signal is whatever promtool computes for the synthetic series, so the
solver only assumes it moves with the knob: it measures a wide grid, keeps
the two settings that bracket each target, and narrows them by secant and
bisection, many settings per promtool run. "On the threshold" must be
exact in floating point, so near the root it also tries neighbouring floats
and short decimal roundings of the knob. A target the signal jumps over
(a count, a discrete number of changes) ends at the first setting past it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field

from promrules.derive.bench import Bench, Point, Setting
from promrules.derive.decimals import shown
from promrules.derive.patterns import Knob
from promrules.derive.probe import Probe, QueryResult

__all__ = ["Goal", "Measured", "Outcome", "Reader", "solve", "step_for"]

MAX_ROUNDS = 10
GRID_SCALES = (1.0, 0.5, 2.0, 0.9, 1.1, 0.99, 1.01, 10.0, 0.1, 100.0, 0.01)
PLAIN = (0.0, 1.0, 0.5, 10.0, 0.1, 100.0, 0.01, 1e3, 1e-3, 1e5, 1e7, 1e9, 1e-5)
NEGATIVE = (1.0, 100.0, 1e4, 1e7)


def step_for(threshold: float, op: str) -> float:
    """The smallest step that matters for the threshold's magnitude (three significant digits).

    Equality checks against whole numbers (`up == 0`, `state == 9`) step by 1.
    """
    if op in ("==", "!=") and math.isfinite(threshold) and threshold == int(threshold):
        return 1.0
    if threshold == 0 or not math.isfinite(threshold):
        return 0.01
    return float(10 ** (math.floor(math.log10(abs(threshold))) - 2))


@dataclass(frozen=True)
class Measured:
    """What a condition's signal read at one setting: its value and what it is compared with."""

    value: float | None
    against: float | None
    problem: str | None = None
    empty: bool = False  # the signal returned no series at all (and no error)

    @property
    def margin(self) -> float | None:
        if self.value is None or self.against is None:
            return None
        margin = self.value - self.against
        return margin if math.isfinite(margin) else None

    @property
    def exact(self) -> bool:
        return self.value is not None and self.value == self.against


Reader = Callable[[Point], Measured]


@dataclass(frozen=True)
class Goal:
    """A target: `exact` (signal equals the threshold) or a side.

    A side goal wants side * margin in (low, high]; when the signal jumps
    over that span, the first setting past `low` is taken.
    """

    name: str
    exact: bool = False
    side: float = 0.0
    low: float = 0.0
    high: float = math.inf

    def accepts(self, m: Measured) -> bool:
        if self.exact:
            return m.exact
        margin = m.margin
        return margin is not None and self.low < self.side * margin <= self.high

    def score(self, m: Measured) -> float:
        """Distance from the ideal (for choosing among accepted settings)."""
        margin = m.margin
        if margin is None:
            return math.inf
        if self.exact:
            return abs(margin)
        ideal = self.low + (self.high - self.low) / 2 if math.isfinite(self.high) else self.low
        return abs(self.side * margin - ideal)

    def position(self, m: Measured) -> int | None:
        """-1 below the goal, 0 in it, +1 above (in side * margin), None unreadable.

        A signal that returns no series (a filter or count that drops
        everything) sits on the quiet side of a side goal.
        """
        if self.accepts(m):
            return 0
        if m.empty and not self.exact and self.low >= 0:
            return -1
        margin = m.margin
        if margin is None:
            return None
        if self.exact:
            return -1 if margin < 0 else 1
        h = self.side * margin
        return -1 if h <= self.low else 1


@dataclass
class Outcome:
    """Knob values that reach each goal, or why a goal could not be reached."""

    found: dict[str, float] = field(default_factory=dict)
    readings: dict[str, Measured] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[float, Measured]] = field(default_factory=list)


def tidy(value: float, low: float, high: float) -> float:
    """The shortest decimal strictly between low and high nearest to `value` (90.1, not
    90.10000000000001), so the values a case prints are the ones a person would write."""
    if not math.isfinite(value):
        return value
    for digits in range(1, 18):
        short = float(f"{value:.{digits}g}")
        if low < short < high:
            return short
    return value


def _near(value: float) -> float:
    """`value` in its shortest decimal form, when one lies within a relative 1e-12 of it."""
    slack = abs(value) * 1e-12
    return tidy(value, value - slack, value + slack) if slack else value


def _grid(knob: Knob, scale: float | None) -> list[float]:
    raw = {knob.default, *PLAIN, *(-s for s in NEGATIVE)}
    if scale:
        raw |= {_near(scale * s) for s in GRID_SCALES}
        raw.add(-scale)
    if math.isfinite(knob.low):
        raw.add(knob.low)
    if knob.integer:
        raw |= {float(n) for n in range(0, 8)}
    return sorted({knob.clamp(v) for v in raw if math.isfinite(v)})


def _neighbours(x: float, count: int = 4) -> list[float]:
    """Floats next to x, and x rounded to 1..17 significant digits."""
    found = {x}
    up = down = x
    for _ in range(count):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        found |= {up, down}
    if x != 0 and math.isfinite(x):
        for digits in range(1, 18):
            found.add(float(f"{x:.{digits}g}"))
    return sorted(found)


def _bracket(
    goal: Goal, seen: Sequence[tuple[float, Measured]]
) -> tuple[tuple[float, Measured], tuple[float, Measured]] | None:
    """Two settings adjacent in knob order, on either side of the goal.

    Of several such pairs the one whose readings are closest to the goal wins:
    a signal like 1 - 1/x also changes sign across its pole, far from the goal.
    """
    best = None
    best_key = (math.inf, math.inf)
    ordered = sorted((x, m) for x, m in seen if goal.position(m) is not None)
    target = 0.0 if goal.exact else goal.side * goal.low
    for (x1, m1), (x2, m2) in itertools.pairwise(ordered):
        p1, p2 = goal.position(m1), goal.position(m2)
        if p1 is not None and p2 is not None and p1 * p2 < 0:
            distance = sum(
                abs(m.margin - target) if m.margin is not None else 0.0 for m in (m1, m2)
            )
            key = (distance, x2 - x1)
            if key < best_key:
                best, best_key = ((x1, m1), (x2, m2)), key
    return best


def _candidates(goal: Goal, knob: Knob, seen: Sequence[tuple[float, Measured]]) -> list[float]:
    """New settings to try for a goal not reached yet ([] when nothing is left to try)."""
    pair = _bracket(goal, seen)
    if pair is None:
        return _fill_gaps(knob, seen) or _extend(goal, knob, seen)
    (x1, m1), (x2, m2) = pair
    if knob.integer and x2 - x1 <= 1:
        return []
    if not knob.integer and (x2 - x1) <= 1e-15 * max(1.0, abs(x1), abs(x2)):
        return []
    a1, a2 = m1.margin, m2.margin
    target = 0.0 if goal.exact else goal.side * (goal.low + goal.high) / 2
    if not math.isfinite(target):
        target = goal.side * goal.low * 2 if goal.low else goal.side
    gap = (x2 - x1) / 8  # plain splits may move this much to print short
    middle = x1 + (x2 - x1) / 2
    picks = {tidy(middle, max(x1, middle - gap), min(x2, middle + gap))}
    if x1 > 0 and x2 / x1 > 4:
        log_middle = math.sqrt(x1 * x2)  # a gap spanning decades: bisect on a log scale
        picks.add(tidy(log_middle, max(x1, log_middle - gap), min(x2, log_middle + gap)))
    if a1 is not None and a2 is not None and a2 != a1:
        secant = x1 + (target - a1) * (x2 - x1) / (a2 - a1)
        if x1 < secant < x2 and not goal.exact:
            slack = min(gap, abs(secant) * 1e-3)  # a side goal: any short value near it
            secant = tidy(secant, max(x1, secant - slack), min(x2, secant + slack))
        if x1 < secant < x2:
            picks.add(secant)
            if goal.exact:
                picks |= {v for v in _neighbours(secant) if x1 < v < x2}
        for fraction in (0.25, 0.75):
            split = x1 + (x2 - x1) * fraction
            picks.add(tidy(split, max(x1, split - gap), min(x2, split + gap)))
    if knob.integer:
        picks = {float(round(v)) for v in picks} | {float(v) for v in range(int(x1), int(x2) + 1)}
    tried = {x for x, _ in seen}
    return sorted(v for v in picks if v not in tried and knob.low <= v <= knob.high)


def _fill_gaps(knob: Knob, seen: Sequence[tuple[float, Measured]]) -> list[float]:
    """Settings between a readable and an unreadable one: the signal may appear in between."""
    ordered = sorted(seen, key=lambda e: e[0])
    tried = {x for x, _ in seen}
    picks = set()
    for (x1, m1), (x2, m2) in itertools.pairwise(ordered):
        if (m1.margin is None) == (m2.margin is None):
            continue
        if x1 > 0 and x2 > 0 and x2 / x1 > 1.5:
            middle = math.sqrt(x1 * x2)
        elif x1 < 0 and x2 < 0 and x1 / x2 > 1.5:
            middle = -math.sqrt(x1 * x2)
        else:
            middle = x1 + (x2 - x1) / 2
        if (x2 - x1) > 1e-9 * max(1.0, abs(x1), abs(x2)):
            picks.add(knob.clamp(middle))
    return sorted(v for v in picks if v not in tried)


def _extend(goal: Goal, knob: Knob, seen: Sequence[tuple[float, Measured]]) -> list[float]:
    """No bracket yet: reach further out, in the direction the signal moves towards the goal."""
    readable = sorted((x, m) for x, m in seen if m.margin is not None)
    if len(readable) < 2:
        return []
    (x_lo, m_lo), (x_hi, m_hi) = readable[0], readable[-1]
    p_lo, p_hi = goal.position(m_lo), goal.position(m_hi)
    if p_lo is None or p_hi is None or p_lo != p_hi:
        return []
    assert m_lo.margin is not None and m_hi.margin is not None
    side = 1.0 if goal.exact else goal.side
    h_lo, h_hi = side * m_lo.margin, side * m_hi.margin
    if h_lo == h_hi:
        return []
    # p == -1: the signal must move up (in side * margin); go the way that does that.
    want_up = (p_lo < 0) == (h_hi > h_lo)
    picks = []
    if want_up and x_hi < knob.high:
        picks = [x_hi * 100 if x_hi > 0 else (abs(x_hi) + 1) * 100, x_hi + 1e9]
    elif not want_up and x_lo > knob.low:
        picks = [x_lo * 100 if x_lo < 0 else -(abs(x_lo) + 1) * 100, x_lo - 1e9]
    tried = {x for x, _ in seen}
    clamped = {knob.clamp(v) for v in picks if math.isfinite(v)}
    return sorted(v for v in clamped if v not in tried)


def solve(
    bench: Bench,
    apply: Callable[[float], Setting],
    knob: Knob,
    exprs: Sequence[str],
    read: Reader,
    goals: Sequence[Goal],
    scale: float | None,
    at_ms: int | None = None,
) -> Generator[list[Probe], None, Outcome]:
    """Find a value of one knob for each goal; `apply` turns a value into a full setting.

    `at_ms` reads the signal at that time of the scenario instead of once settled.
    """
    outcome = Outcome()
    pending = {goal.name: goal for goal in goals}
    candidates = _grid(knob, scale)
    for _round in range(MAX_ROUNDS):
        if not candidates or not pending:
            break
        points = [Point(apply(value), exprs, at_ms=at_ms) for value in candidates]
        yield from bench.measure(points)
        for value, point in zip(candidates, points, strict=True):
            outcome.seen.append((value, read(point)))
        for name, goal in list(pending.items()):
            accepted = [(x, m) for x, m in outcome.seen if goal.accepts(m)]
            if accepted:
                x, m = min(accepted, key=lambda e: goal.score(e[1]))
                outcome.found[name], outcome.readings[name] = x, m
                del pending[name]
        next_round: set[float] = set()
        for name, goal in list(pending.items()):
            more = _candidates(goal, knob, outcome.seen)
            if not more:
                _give_up(goal, knob, outcome, name)
                del pending[name]
            next_round |= set(more)
        candidates = sorted(next_round)
    for name, goal in pending.items():
        _give_up(goal, knob, outcome, name)
    return outcome


def _give_up(goal: Goal, knob: Knob, outcome: Outcome, name: str) -> None:
    """Take the first setting past a goal the signal jumps over, or say why there is none."""
    pair = _bracket(goal, outcome.seen)
    if pair is not None and not goal.exact:
        (x1, m1), (x2, m2) = pair
        past = [(x, m) for x, m in ((x1, m1), (x2, m2)) if goal.position(m) == 1]
        margin = past[0][1].margin if past else None
        if past and margin is not None and goal.side * margin > goal.low:
            outcome.found[name], outcome.readings[name] = past[0]
            return
    values = sorted(m.value for _x, m in outcome.seen if m.value is not None)
    problems = sorted({m.problem for _x, m in outcome.seen if m.problem})
    if not values:
        why = problems[0] if problems else "the signal returned nothing"
        outcome.failed[name] = f"no setting of the {knob.name} knob gives a reading: {why}"
        return
    against = next((m.against for _x, m in outcome.seen if m.against is not None), None)
    span = f"between {_fmt(values[0], against)} and {_fmt(values[-1], against)}"
    if pair is not None:
        (_x1, m1), (_x2, m2) = pair
        span = f"from {_fmt(m1.value, against)} to {_fmt(m2.value, against)}"
        outcome.failed[name] = (
            f"the signal jumps {span} with the smallest change of the {knob.name} knob; "
            f"it is never exactly {_fmt(against)}"
        )
        return
    outcome.failed[name] = (
        f"the signal only reaches values {span} as the {knob.name} knob moves "
        f"(threshold {_fmt(against)})"
    )


def _fmt(value: float | None, against: float | None = None) -> str:
    return shown(value, against)


def read_single(result: QueryResult) -> tuple[float | None, str | None]:
    """The value of a query that should return one sample, or why it did not."""
    if result.error:
        return None, result.error.splitlines()[0][:300]
    if not result.samples:
        return None, "no series"
    if len(result.samples) > 1:
        return None, f"{len(result.samples)} series where one was expected"
    value = result.samples[0].value
    if math.isnan(value):
        return None, "NaN"
    return value, None
