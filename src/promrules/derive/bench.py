"""Measure an alert's signals for many knob settings in one promtool test group.

promtool spends a few milliseconds setting up storage for every test group,
far more than a query costs. So calibration lays the settings one after
another in time, each in its own segment long enough for every window to
hold only that segment's samples, and queries each segment at its end. A
segment starts on a multiple of both the sample period and the tick, so the
plan's edge-free alignment holds in every segment.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field

from promrules.derive.leaves import BEFORE, Leaf, Schedule, input_series
from promrules.derive.plan import Plan
from promrules.derive.probe import Probe, QueryResult

__all__ = ["MAX_SHIFT_S", "Bench", "Point", "Request", "Setting", "expand", "guarded_age"]

SAMPLE_BUDGET = 4000  # samples per series in one calibration probe
MAX_SHIFT_S = 10 * 86400  # the latest a scenario starts for the sake of positive timestamps

Setting = Mapping[str, float]  # knob id -> value; knobs not named keep their default
Request = Generator[list[Probe], None, None]


@dataclass
class Point:
    """One setting and the expressions to read once it has settled."""

    setting: Setting
    exprs: Sequence[str]
    results: list[QueryResult] = field(default_factory=list)
    at_ms: int | None = None  # when to read, from the scenario's start (default: plan.steady_ms)

    def result(self, expr: str) -> QueryResult:
        return self.results[list(self.exprs).index(expr)]


def guarded_age(leaves: Sequence[Leaf], setting: Setting) -> float:
    """The largest age of a timestamp series also read without time() (`x > 0` guards).

    Such a series must hold positive timestamps, so its scenario starts once
    the age has passed (at most MAX_SHIFT_S in).
    """
    oldest = 0.0
    for leaf in leaves:
        if leaf.pattern.name != "age" or all(u.with_time for u in leaf.usages):
            continue
        age = setting.get(leaf.main, leaf.knob(leaf.main).default)
        oldest = max(oldest, min(age, MAX_SHIFT_S))
    return oldest


def expand(
    leaves: Sequence[Leaf],
    plan: Plan,
    phases: Sequence[tuple[int, Setting, bool]],
) -> Schedule:
    """A schedule from settings that start at given times.

    Each phase is (start, setting, restart). A restart begins a fresh
    scenario: a leaf read at an offset holds its "before" value from there
    until the plan's step, then its own value. A phase without restart only
    switches the knobs it names.
    """
    schedule: dict[str, list[tuple[int, float]]] = {}
    current: dict[str, float] = {}
    for start, setting, restart in phases:
        if restart:
            current = {}
        current.update(setting)
        for leaf in leaves:
            for knob in leaf.knobs:
                knob_id = leaf.knob_id(knob.name)
                if knob.name == BEFORE:
                    continue
                value = current.get(knob_id, knob.default)
                entries = schedule.setdefault(knob_id, [])
                if leaf.stepped and knob_id == leaf.main and restart and plan.step_ms:
                    before = current.get(leaf.knob_id(BEFORE), knob.default)
                    entries.append((start, before))
                    entries.append((start + plan.step_ms, value))
                elif restart or knob_id in setting:
                    entries.append((start, value))
    return {k: tuple(sorted(v, key=lambda e: e[0])) for k, v in schedule.items()}


class Bench:
    """Turns a batch of Points into one probe and hands the results back."""

    def __init__(self, leaves: Sequence[Leaf], plan: Plan, evaluation_interval_ms: int) -> None:
        self.leaves = leaves
        self.plan = plan
        self.evaluation_interval_ms = evaluation_interval_ms

    def _unit(self) -> int:
        return math.lcm(self.plan.period_ms, self.plan.tick_ms)

    def _origin(self, points: Sequence[Point]) -> int:
        """Where the first segment starts: late enough for guarded timestamps to be positive."""
        unit = self._unit()
        oldest = max([0.0, *(guarded_age(self.leaves, p.setting) for p in points)])
        return unit * math.ceil((oldest * 1000 + unit) / unit)

    def _read_at(self, point: Point) -> int:
        return self.plan.steady_ms if point.at_ms is None else point.at_ms

    def _length(self, points: Sequence[Point]) -> int:
        """One segment: long enough for the latest reading of any point."""
        unit = self._unit()
        latest = max(self._read_at(p) for p in points)
        return unit * math.ceil((latest + self.plan.tick_ms) / unit)

    def probe(self, points: Sequence[Point]) -> Probe:
        length = self._length(points)
        origin = self._origin(points)
        phases = [(origin + k * length, p.setting, True) for k, p in enumerate(points)]
        end = origin + len(points) * length
        schedule = expand(self.leaves, self.plan, phases)
        times = self.plan.sample_times(end)
        series = input_series(
            self.leaves,
            schedule,
            times,
            self.plan.period_ms,
            self.plan.interval_ms,
            [start for start, _setting, _restart in phases],
        )
        queries = [
            (expr, origin + k * length + self._read_at(point))
            for k, point in enumerate(points)
            for expr in point.exprs
        ]
        return Probe(series, self.plan.interval_ms, queries, self.evaluation_interval_ms)

    def measure(self, points: Sequence[Point]) -> Request:
        """Yield the probes for `points`; once resumed, each point holds its results.

        Points share a probe up to a budget of samples per series, so a long
        window does not make one huge group.
        """
        if not points:
            return
        length = self._length(points)
        per_probe = max(1, SAMPLE_BUDGET * self.plan.period_ms // length)
        batches = [points[i : i + per_probe] for i in range(0, len(points), per_probe)]
        probes = [self.probe(batch) for batch in batches]
        yield probes
        for batch, probe in zip(batches, probes, strict=True):
            position = 0
            for point in batch:
                point.results = probe.results[position : position + len(point.exprs)]
                position += len(point.exprs)
