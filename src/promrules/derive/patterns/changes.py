"""changes: a value that changes (or resets) a set number of times per window.

The knob is the number of changes (for resets(): drops) inside every range
window. The pattern repeats with a period of exactly one window's worth of
sample pairs, so every window, wherever it starts, holds the same count. For
changes() the value steps down and back up; for resets() it drops n times and
then climbs back in one rise, which is a change but not a reset.
"""

from __future__ import annotations

from collections.abc import Sequence

from promrules.derive.patterns.base import At, Context, Knob, Pattern, SeriesValues, pattern
from promrules.derive.selectors import Usage
from promrules.files.notation import Value

__all__ = ["Changes"]

_FUNCTIONS = ("changes", "resets")


@pattern
class Changes(Pattern):
    name = "changes"
    priority = 40
    summary = "a value changing n times per window: changes(), resets()"

    def claims(self, usage: Usage) -> bool:
        return usage.function in _FUNCTIONS

    def knobs(self) -> tuple[Knob, ...]:
        return (Knob("changes", 0.0, low=0.0, integer=True),)

    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        usage = next(u for u in context.usages if u.function in _FUNCTIONS)
        resets = usage.function == "resets"
        pairs = max(1, usage.range_ms // context.period_ms - 1)
        values: list[Value] = []
        value = 10.0
        for j, t in enumerate(times):
            if j:
                n = int(at("changes", t))
                position = (j - 1) % pairs
                if not resets and position < n:
                    value = 11.0 if value == 10.0 else 10.0
                elif resets and position < n:
                    value -= 1
                elif resets and position == n and n:
                    value += n
            values.append(value)
        return {(): values}

    def max_period_ms(self, usage: Usage, threshold: float | None) -> int | None:
        if not usage.range_ms:
            return None
        wanted = max(0, int(threshold or 0)) + 2  # room for threshold + 1 changes, and a rise
        return usage.range_ms // (wanted + 1)
