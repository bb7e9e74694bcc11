"""gauge: a value read as it is, or through *_over_time, aggregations and arithmetic.

The knob is the value itself, held at every sample; a held value reads the
same through avg/min/max/last/quantile_over_time, so the signal follows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from promrules.derive.patterns.base import At, Context, Knob, Pattern, SeriesValues, pattern
from promrules.derive.selectors import Usage

__all__ = ["Gauge"]


@pattern
class Gauge(Pattern):
    name = "gauge"
    priority = 0
    summary = "a held value: bare selectors, *_over_time, aggregations, offsets"

    def claims(self, usage: Usage) -> bool:
        return True

    def knobs(self) -> tuple[Knob, ...]:
        return (Knob("value", 1.0),)

    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        return {(): [at("value", t) for t in times]}
