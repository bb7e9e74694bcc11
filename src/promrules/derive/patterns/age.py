"""age: a Unix timestamp compared with time(), as in `time() - last_success > 3600`.

The knob is the age in seconds: each sample holds its own time minus the age,
so `time() - x` reads the age (plus the time since the last sample, which the
plan keeps constant by sampling on the evaluation tick). Early in a test
the timestamps of a large age lie before 1970; when another condition
needs them positive (`and x > 0`), calibration starts late enough.
A negative age is a deadline in the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from promrules.derive.decimals import exact
from promrules.derive.patterns.base import At, Context, Knob, Pattern, SeriesValues, pattern
from promrules.derive.selectors import Usage
from promrules.files.notation import Value

__all__ = ["Age"]


@pattern
class Age(Pattern):
    name = "age"
    priority = 30
    summary = "a timestamp read against time(): time() - x, x - time()"

    def claims(self, usage: Usage) -> bool:
        return usage.with_time

    def knobs(self) -> tuple[Knob, ...]:
        return (Knob("age", 0.0, low=-1e10, high=1e10),)

    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        values: list[Value] = [float(Fraction(t, 1000) - exact(at("age", t))) for t in times]
        return {(): values}

    def max_period_ms(self, usage: Usage, threshold: float | None) -> int | None:
        return 60_000 if not usage.range_ms else usage.range_ms // 2

    def needs_tick_multiple(self) -> bool:
        return True
