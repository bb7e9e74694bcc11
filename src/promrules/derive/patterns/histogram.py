"""histogram: classic buckets read by histogram_quantile().

The knob is the upper bound of the one finite bucket that holds every
observation: quantile q then reads q x bound, a straight line the solver
can walk. `le="+Inf"` holds the same count. The second knob is the number
of observations: per second under rate() (the buckets are then counters),
the count itself otherwise. It moves a guard that reads the same buckets
(`sum(rate(x_bucket[5m])) > 0`), which the bound cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

from promrules.derive.patterns.base import At, Context, Knob, Pattern, SeriesValues, pattern
from promrules.derive.patterns.counter import accumulate
from promrules.derive.selectors import Usage
from promrules.files.notation import STALE, Value, format_number

__all__ = ["Histogram"]


@pattern
class Histogram(Pattern):
    name = "histogram"
    priority = 50
    summary = "classic histogram buckets: histogram_quantile()"

    def claims(self, usage: Usage) -> bool:
        return usage.reads_through("histogram_quantile")

    def knobs(self) -> tuple[Knob, ...]:
        return (Knob("bound", 1.0, low=1e-300), Knob("observations", 1.0, low=0.0))

    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        rated = context.reads_through("rate", "irate", "increase")
        counts = (
            accumulate(at, "observations", times, lambda _t: 1.0, context.restarts)
            if rated
            else [at("observations", t) for t in times]
        )
        series: SeriesValues = {(("le", "+Inf"),): list(counts)}
        bounds = [at("bound", t) for t in times]
        for bound in dict.fromkeys(bounds):
            key = (("le", format_number(bound)),)
            values: list[Value] = []
            for count, current in zip(counts, bounds, strict=True):
                if current == bound:
                    values.append(count)
                elif values and values[-1] not in (None, STALE):
                    values.append(STALE)
                else:
                    values.append(None)
            series[key] = values
        return series
