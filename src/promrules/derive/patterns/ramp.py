"""ramp: a gauge that moves at a steady slope, read by deriv(), delta() or predict_linear().

The knob is the slope per second (it may be negative); the value starts at
`base`. deriv() reads the slope back; delta() reads slope x range;
predict_linear() also reads the current value, so its signal drifts with time.
"""

from __future__ import annotations

from collections.abc import Sequence

from promrules.derive.decimals import total
from promrules.derive.patterns.base import At, Context, Knob, Pattern, SeriesValues, pattern
from promrules.derive.patterns.counter import accumulate
from promrules.derive.selectors import Usage
from promrules.files.notation import Value

__all__ = ["RAMP_FUNCTIONS", "Ramp"]

RAMP_FUNCTIONS = ("deriv", "delta", "idelta", "predict_linear", "holt_winters")


@pattern
class Ramp(Pattern):
    name = "ramp"
    priority = 15
    summary = "a gauge at a steady slope: deriv(), delta(), idelta(), predict_linear()"

    def claims(self, usage: Usage) -> bool:
        return usage.function in RAMP_FUNCTIONS

    def knobs(self) -> tuple[Knob, ...]:
        return (Knob("slope", 0.0), Knob("base", 1000.0))

    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        climbed = accumulate(at, "slope", times, restarts=context.restarts)
        values: list[Value] = []
        for t, rise in zip(times, climbed, strict=True):
            assert isinstance(rise, float)
            values.append(total(at("base", t), rise))
        return {(): values}
