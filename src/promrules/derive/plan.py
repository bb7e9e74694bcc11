"""When synthetic samples are taken, so that no window edge ever lands on one.

promtool 2.x reads range windows and the lookback as closed `[t-r, t]`; 3.x
as left-open `(t-r, t]`. A sample exactly on a window's left edge is counted
by one and not the other. The plan puts samples at a phase `p` off a period
`P` chosen so that for every evaluation tick t and every window length w,
t - w never equals p + k*P: both versions then read the same samples, and
the same numbers come out. The period also divides every range, so each
window holds the same number of samples and steady inputs give steady
signals; it divides the tick when a timestamp is compared with time().
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from promrules.derive.leaves import Leaf

__all__ = ["LOOKBACK_MS", "Plan", "PlanError", "choose_plan"]

LOOKBACK_MS = 300_000
_INSTANT_PERIOD_MS = 150_000  # half the lookback: an instant selector always finds a sample
_MAX_PERIOD_MS = 3_600_000


class PlanError(ValueError):
    """No sampling fits the expression's windows."""


@dataclass(frozen=True)
class Plan:
    """Sample times and the ticks at which the alert is evaluated."""

    tick_ms: int
    period_ms: int
    phase_ms: int
    steady_ms: int  # first tick at which every window holds only steady samples
    step_ms: int | None  # when a series read at an offset switches to its current value
    step_lasts_ms: int | None  # how long after the step the offset side still reads "before"

    @property
    def interval_ms(self) -> int:
        """The notation's step: the samples and the missing slots between them."""
        return math.gcd(self.period_ms, self.phase_ms)

    def sample_times(self, end_ms: int) -> list[int]:
        return list(range(self.phase_ms, end_ms + 1, self.period_ms))

    def ticks(self, end_ms: int, start_ms: int = 0) -> list[int]:
        first = -(-start_ms // self.tick_ms) * self.tick_ms
        return list(range(first, end_ms + 1, self.tick_ms))

    def tick_at_or_after(self, t_ms: int) -> int:
        return -(-t_ms // self.tick_ms) * self.tick_ms

    def sample_at_or_after(self, t_ms: int) -> int:
        if t_ms <= self.phase_ms:
            return self.phase_ms
        k = -(-(t_ms - self.phase_ms) // self.period_ms)
        return self.phase_ms + k * self.period_ms

    def steady_tick(self, age_s: float = 0.0) -> int:
        """The tick calibration reads at; a timestamp series starts once its age has passed."""
        start = self.steady_ms
        if age_s > 0:
            first = self.sample_at_or_after(math.ceil(age_s * 1000) + 1)
            start = max(start, self.tick_at_or_after(first + self.steady_ms))
        return start


def _windows(leaves: Sequence[Leaf]) -> list[int]:
    """Every window length whose left edge must miss the samples."""
    found = set()
    for leaf in leaves:
        for usage in leaf.usages:
            if usage.range_ms:
                found.add(usage.range_ms + usage.offset_ms)
            found.add(LOOKBACK_MS + usage.offset_ms)
    return sorted(found)


def _period(leaves: Sequence[Leaf], tick_ms: int, thresholds: dict[int, float | None]) -> int:
    limit = _MAX_PERIOD_MS
    ranges = []
    tick_multiple = False
    for leaf in leaves:
        tick_multiple = tick_multiple or leaf.pattern.needs_tick_multiple()
        if any(not u.range_ms for u in leaf.usages):
            limit = min(limit, _INSTANT_PERIOD_MS)
        for usage in leaf.usages:
            own = leaf.pattern.max_period_ms(usage, thresholds.get(usage.index))
            if own is not None:
                limit = min(limit, own)
            if usage.range_ms:
                ranges.append(usage.range_ms)
                limit = min(limit, usage.range_ms // 2)
    common = 0
    for value in ranges:
        common = math.gcd(common, value)
    if tick_multiple:
        common = math.gcd(common, tick_ms)
    if common == 0:
        common = math.gcd(tick_ms, 60_000) if tick_multiple else 2 * _INSTANT_PERIOD_MS
    for unit in (1000, 1):
        divisors = [d for d in _divisors(common) if d <= limit and d % unit == 0]
        exact = [d for d in divisors if all(_power_of_two(r // d - 1) for r in ranges)]
        if exact and max(exact) * 4 >= max(divisors):
            return max(exact)
        if divisors:
            return max(divisors)
    raise PlanError(f"no sample period fits windows of {ranges} ms")


def _power_of_two(n: int) -> bool:
    """rate() stretches a window's samples by r / (r - P); exact when r/P - 1 is 2^k."""
    return n > 0 and n & (n - 1) == 0


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _phase(period_ms: int, tick_ms: int, windows: Sequence[int]) -> int:
    g = math.gcd(period_ms, tick_ms)
    candidates = {d for d in _divisors(period_ms) if d < period_ms}
    candidates |= {k * d for d in _divisors(period_ms) for k in range(1, 8) if k * d < period_ms}
    ordered = sorted(candidates, key=lambda p: (-math.gcd(period_ms, p), -p))
    for p in ordered:
        if all((w + p) % g for w in windows) and p % g:
            return p
    raise PlanError(f"no sample phase avoids the window edges (period {period_ms} ms)")


def choose_plan(
    leaves: Sequence[Leaf], tick_ms: int, thresholds: dict[int, float | None] | None = None
) -> Plan:
    """A sampling that keeps every window edge off the samples (raises PlanError).

    `thresholds` maps a usage's index to the threshold of the condition that
    reads it (changes() needs room for threshold + 1 changes per window).
    """
    period = _period(leaves, tick_ms, thresholds or {})
    windows = _windows(leaves)
    phase = _phase(period, tick_ms, windows)
    usages = [u for leaf in leaves for u in leaf.usages]
    reach = max((u.range_ms + u.offset_ms for u in usages), default=0)
    warmup = reach + phase + period
    stepped = [leaf for leaf in leaves if leaf.stepped]
    if not stepped:
        steady = -(-warmup // tick_ms) * tick_ms
        return Plan(tick_ms, period, phase, steady, None, None)
    offset_usages = [u for leaf in stepped for u in leaf.usages if u.offset_ms]
    now_usages = [u for leaf in stepped for u in leaf.usages if not u.offset_ms]
    step = phase + period * -(-(warmup - phase) // period)
    # The current side's windows hold no sample from before the step once the last
    # such sample (step - period) has left them; the offset side's windows hold none
    # from after it until the offset has passed.
    settle = max((u.range_ms for u in now_usages), default=0) - period
    steady = -(-(step + max(settle, 0) + 1) // tick_ms) * tick_ms
    lasts = min(u.offset_ms for u in offset_usages)
    if steady >= step + lasts:
        raise PlanError(
            f"the offset ({lasts // 1000}s) is shorter than the window it is compared "
            f"with: the current and the earlier value never differ for a whole window"
        )
    return Plan(tick_ms, period, phase, steady, step, lasts)
