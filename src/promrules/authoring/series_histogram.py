"""Classic histograms (`_bucket` with `le`, `_sum`, `_count`) with a chosen quantile.

Latency alerts are written as `histogram_quantile(q, rate(x_bucket[5m])) > T`;
testing them needs bucket counters whose quantile comes out at a chosen value.
histogram_quantile interpolates linearly inside the bucket holding rank q*N,
so we put observations in three places: the bucket below the target's bucket,
the target's bucket, and above the largest bound, with counts solved so the
interpolation lands on the value. Every bucket rises linearly with the same
timestamps, so rate() scales them all alike and the quantile of the rates is
the chosen value (up to float rounding).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from promrules.authoring.series_base import (
    Builder,
    Call,
    InputSeries,
    Labels,
    check_base,
    check_labels,
    check_number,
)
from promrules.files.durations import parse_duration
from promrules.files.notation import Value, format_number

__all__ = ["ClassicHistogram", "histogram"]


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else format_number(bound)


def split_observations(
    bounds: Sequence[float], quantile: float, value: float, total: float
) -> list[float]:
    """`total` observations per bucket (the last entry is above every bound).

    The bucket holding rank quantile*total gets `inside` of them, the bucket
    below it `below`, so interpolation gives lower + width * (rank - below) /
    inside = value; `inside` is half its largest feasible size, leaving room
    on both sides.
    """
    __tracebackhide__ = True
    j = next(i for i, bound in enumerate(bounds) if value <= bound)
    lower = bounds[j - 1] if j > 0 else 0.0
    fraction = (value - lower) / (bounds[j] - lower)
    counts = [0.0] * (len(bounds) + 1)
    if j == 0:
        inside = quantile * total / fraction
        counts[0] = inside
        counts[-1] = total - inside
        return counts
    limits = [quantile * total / fraction]
    if fraction < 1:
        limits.append((1 - quantile) * total / (1 - fraction))
    inside = min(limits) / 2
    below = quantile * total - fraction * inside
    counts[j - 1] = below
    counts[j] = inside
    counts[-1] = total - below - inside
    return counts


@dataclass(frozen=True, repr=False)
class ClassicHistogram(Builder):
    """Bucket, sum and count counters of one classic histogram."""

    bounds: tuple[float, ...] = ()
    _factory = "histogram"

    def _factory_args(self) -> list[str]:
        args = super()._factory_args()
        return [args[0], f"buckets={list(self.bounds)!r}", *args[1:]]

    def quantile(
        self, quantile: float, value: float, duration: str, *, per_second: float = 1.0
    ) -> ClassicHistogram:
        """Observations at `per_second` for `duration`, whose `quantile` is `value`."""
        __tracebackhide__ = True
        q = check_number("quantile", quantile, finite=True)
        if not 0 < q < 1:
            raise ValueError(f"quantile={quantile!r}: must be between 0 and 1, e.g. 0.95")
        target = check_number("value", value, finite=True)
        if not 0 < target <= self.bounds[-1]:
            raise ValueError(
                f"value={value!r}: must be above 0 and at most the largest bucket bound "
                f"{self.bounds[-1]!r} (histogram_quantile never returns more); "
                "add a larger bucket"
            )
        if check_number("per_second", per_second, finite=True) <= 0:
            raise ValueError(f"per_second={per_second!r}: must be above 0, e.g. 1.0")
        if target <= self.bounds[0] and target < q * self.bounds[0]:
            raise ValueError(
                f"value={value!r}: too low for quantile={quantile!r} in the first bucket "
                f"le={_le(self.bounds[0])!r}, where histogram_quantile cannot go below "
                f"{q * self.bounds[0]!r}; add a smaller bucket bound"
            )
        self._steps("duration", duration)
        return self._then("quantile", quantile, value, duration, per_second=per_second)

    def idle(self, duration: str) -> ClassicHistogram:
        """No observations for `duration`: every counter stays flat."""
        __tracebackhide__ = True
        self._steps("duration", duration)
        return self._then("idle", duration)

    def _increments(self, call: Call) -> tuple[list[float], float]:
        """Per-step increments of each cumulative bucket, and of the sum."""
        if call.method == "idle":
            return [0.0] * (len(self.bounds) + 1), 0.0
        quantile, value, _duration = call.args
        total = float(dict(call.kwargs)["per_second"]) * self.step_ms / 1000
        counts = split_observations(self.bounds, float(quantile), float(value), total)
        cumulative, running = [], 0.0
        for count in counts:
            running += count
            cumulative.append(running)
        cumulative[-1] = total
        places = [*self.bounds, 2 * self.bounds[-1]]
        sums = [c * b for c, b in zip(counts, places, strict=True)]
        j = next(i for i, bound in enumerate(self.bounds) if float(value) <= bound)
        sums[j] = counts[j] * float(value)
        return cumulative, sum(sums)

    def _series_values(self) -> list[list[Value]]:
        """Values of each bucket (+Inf last), then of _sum, then of _count."""
        width = len(self.bounds) + 1
        columns: list[list[Value]] = [[] for _ in range(width + 2)]
        current = [0.0] * (width + 1)  # buckets, then sum; count equals the +Inf bucket
        for call in self.calls:
            if call.method in ("gap", "stale"):
                for column in columns:
                    column += self._gap_values(call)
                continue
            increments, sum_increment = self._increments(call)
            steps = parse_duration(call.args[-1]) // self.step_ms
            for _ in range(steps):
                for index in range(width):
                    columns[index].append(current[index])
                    current[index] += increments[index]
                columns[width].append(current[width])
                current[width] += sum_increment
                columns[width + 1].append(columns[width - 1][-1])
        return columns

    def input_series(self) -> tuple[InputSeries, ...]:
        columns = self._series_values()
        les = [*(_le(b) for b in self.bounds), "+Inf"]
        out = []
        for le, values in zip(les, columns, strict=False):
            labels: Labels = tuple(sorted((*self.labels_, ("le", le))))
            out.append(InputSeries(f"{self.name}_bucket", labels, tuple(values), self.step_ms))
        for suffix, values in (("_sum", columns[-2]), ("_count", columns[-1])):
            out.append(InputSeries(self.name + suffix, self.labels_, tuple(values), self.step_ms))
        return tuple(out)


def histogram(
    name: str,
    *,
    buckets: Sequence[float],
    step: str = "1m",
    labels: Mapping[str, str] | None = None,
) -> ClassicHistogram:
    """A classic histogram named `name` (series `name_bucket`, `name_sum`, `name_count`)."""
    __tracebackhide__ = True
    check_base("histogram", name, step, labels)
    if isinstance(buckets, str | bytes) or not isinstance(buckets, Sequence) or not buckets:
        raise TypeError(f"buckets={buckets!r}: expected upper bounds, e.g. [0.1, 0.5, 1, 5]")
    bounds = tuple(check_number("buckets", b, finite=True) for b in buckets)
    if any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(
            f"buckets={list(buckets)!r}: give positive, increasing upper bounds without "
            "+Inf (it is added), e.g. [0.1, 0.5, 1, 5]"
        )
    if labels and "le" in labels:
        raise ValueError(f"labels={dict(labels)!r}: 'le' is set per bucket; leave it out")
    return ClassicHistogram(name, step, check_labels(labels), bounds=bounds)
