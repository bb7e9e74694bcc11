"""counter: a counter read through rate(), irate() or increase().

The knob is the counter's rate per second. An "exactly on the threshold"
case needs every window to hold bit for bit the same increase, which a
counter that keeps growing cannot give (its samples round differently as
they grow). So the counter restarts once per window instead: with q sample
intervals per window it runs D/2, D, ..., D (q values) and drops back, and
every window, wherever it starts, holds one restart and reads exactly D,
from samples that are exact floats. With one interval per window it
alternates c, 2c, which reads c in every window. irate() reads the last two
samples, so a counter read by irate() grows steadily instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from promrules.derive.decimals import exact
from promrules.derive.patterns.base import At, Context, Knob, Pattern, SeriesValues, pattern
from promrules.derive.selectors import Usage
from promrules.files.notation import Value

__all__ = ["Counter", "accumulate", "sawtooth"]

_FUNCTIONS = ("rate", "irate", "increase")


def accumulate(
    at: At,
    knob: str,
    times: Sequence[int],
    start: Callable[[int], float] = lambda _t: 0.0,
    restarts: Sequence[int] = (),
) -> list[Value]:
    """start + the integral of the knob (per second) up to each sample, exactly
    (on the knob's printed decimal, so a rate of 0.1 gives 6, 12, ... per minute).

    The total starts over, from start(t), at every restart (each calibration segment).
    """
    total = exact(start(times[0])) if times else Fraction(0)
    values: list[Value] = []
    previous: int | None = None
    pending = sorted(restarts)
    for t in times:
        if pending and t >= pending[0]:
            while pending and t >= pending[0]:
                pending.pop(0)
            total, previous = exact(start(t)), None
        if previous is not None:
            total += exact(at(knob, t)) * Fraction(t - previous, 1000)
        values.append(float(total))
        previous = t
    return values


def sawtooth(
    at: At, knob: str, times: Sequence[int], period_ms: int, intervals: int
) -> list[Value]:
    """A counter that restarts once every `intervals` samples (see the module doc)."""
    values: list[Value] = []
    for j, t in enumerate(times):
        per_interval = exact(at(knob, t)) * Fraction(period_ms, 1000)
        if intervals == 1:
            values.append(float(per_interval * (2 if j % 2 else 1)))
            continue
        total = per_interval * intervals
        values.append(float(total / 2 if j % intervals == 0 else total))
    return values


@pattern
class Counter(Pattern):
    name = "counter"
    priority = 20
    summary = "a counter at a steady rate: rate(), irate(), increase()"

    def claims(self, usage: Usage) -> bool:
        return usage.function in _FUNCTIONS

    def knobs(self) -> tuple[Knob, ...]:
        return (Knob("rate", 1.0, low=0.0),)

    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        ranges = [u.range_ms for u in context.usages if u.function in _FUNCTIONS and u.range_ms]
        if context.reads_through("irate") or not ranges:
            return {(): accumulate(at, "rate", times, restarts=context.restarts)}
        intervals = max(1, min(ranges) // context.period_ms - 1)
        return {(): sawtooth(at, "rate", times, context.period_ms, intervals)}
