"""Builders for synthetic input series: gauges, counters, classic histograms.

A builder is an immutable value: every phase method returns a new builder,
and its repr is the call chain that rebuilds it, so a hypothesis failure or a
test log shows a series one can paste back. Phases are half-open: at step 1m,
`hold(95, "10m")` is ten samples, at 0m..9m, and the next phase starts at 10m;
a query after the last phase still sees the last sample for 5 minutes
(promtool's lookback), unless the series ends with `.stale()`.

Values come from the same step-by-step float additions promtool does for
`a+bxn`, so the values a builder reports are the ones promtool loads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from promrules.authoring.series_base import (
    Builder,
    Call,
    InputSeries,
    check_base,
    check_duration,
    check_labels,
    check_number,
)
from promrules.authoring.series_histogram import ClassicHistogram, histogram
from promrules.files import notation
from promrules.files.durations import parse_duration
from promrules.files.notation import Value

__all__ = [
    "Absent",
    "Builder",
    "ClassicHistogram",
    "Counter",
    "Gauge",
    "InputSeries",
    "absent",
    "counter",
    "gauge",
    "histogram",
]


@dataclass(frozen=True, repr=False)
class Gauge(Builder):
    """A value that goes up and down: held, ramped, stepped, with gaps."""

    _factory = "gauge"

    def hold(self, value: float, duration: str) -> Gauge:
        """`value` at every step for `duration`."""
        __tracebackhide__ = True
        check_number("value", value)
        self._steps("duration", duration)
        return self._then("hold", value, duration)

    def ramp(self, start: float, stop: float, duration: str) -> Gauge:
        """From `start`, rising (or falling) evenly so it would reach `stop` when the phase ends."""
        __tracebackhide__ = True
        check_number("start", start, finite=True)
        check_number("stop", stop, finite=True)
        self._steps("duration", duration)
        return self._then("ramp", start, stop, duration)

    def steps(self, values: Sequence[float], *, each: str) -> Gauge:
        """Each of `values` held for `each` in turn."""
        __tracebackhide__ = True
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise TypeError(f"values={values!r}: expected a non-empty list of numbers")
        for value in values:
            check_number("values", value)
        self._steps("each", each)
        return self._then("steps", list(values), each=each)

    def samples(self, *values: float | None) -> Gauge:
        """One value per step, as given; None is a missing sample."""
        __tracebackhide__ = True
        if not values:
            raise TypeError("samples(): give at least one value, e.g. samples(1, 2, 3)")
        for value in values:
            if value is not None:
                check_number("values", value)
        return self._then("samples", *values)

    @property
    def values(self) -> tuple[Value, ...]:
        __tracebackhide__ = True
        out: list[Value] = []
        for call in self.calls:
            out += self._phase(call)
        return tuple(out)

    def _phase(self, call: Call) -> list[Value]:
        kwargs = dict(call.kwargs)
        if call.method == "hold":
            return [float(call.args[0])] * (parse_duration(call.args[1]) // self.step_ms)
        if call.method == "ramp":
            start, stop, duration = call.args
            count = parse_duration(duration) // self.step_ms
            step = (float(stop) - float(start)) / count
            values: list[Value] = []
            current = float(start)
            for _ in range(count):
                values.append(current)
                current += step
            return values
        if call.method == "steps":
            count = parse_duration(kwargs["each"]) // self.step_ms
            return [float(v) for v in call.args[0] for _ in range(count)]
        if call.method == "samples":
            return [None if v is None else float(v) for v in call.args]
        return self._gap_values(call)

    @property
    def notation(self) -> str:
        __tracebackhide__ = True
        return notation.format(self.values)

    @property
    def selector(self) -> str:
        __tracebackhide__ = True
        return self.input_series()[0].selector

    def input_series(self) -> tuple[InputSeries, ...]:
        return (InputSeries(self.name, self.labels_, self.values, self.step_ms),)


def gauge(name: str, *, step: str = "1m", labels: Mapping[str, str] | None = None) -> Gauge:
    """A gauge with no samples yet; add phases with `.hold()`, `.ramp()`, `.steps()`, ..."""
    __tracebackhide__ = True
    check_base("gauge", name, step, labels)
    return Gauge(name, step, check_labels(labels))


@dataclass(frozen=True, repr=False)
class Counter(Builder):
    """A counter that rises at given per-second rates, with resets."""

    start: float = 0.0
    _factory = "counter"

    def _factory_args(self) -> list[str]:
        args = super()._factory_args()
        return args + ([f"start={self.start!r}"] if self.start else [])

    def rate(self, per_second: float, duration: str) -> Counter:
        """Rise by `per_second` each second for `duration` (0 holds the counter flat)."""
        __tracebackhide__ = True
        value = check_number("per_second", per_second, finite=True)
        if value < 0:
            raise ValueError(
                f"per_second={per_second!r}: a counter only goes up; use .reset() for a drop"
            )
        self._steps("duration", duration)
        return self._then("rate", per_second, duration)

    def reset(self) -> Counter:
        """The counter restarts from 0 at the next sample (a process restart)."""
        __tracebackhide__ = True
        return self._then("reset")

    @property
    def values(self) -> tuple[Value, ...]:
        __tracebackhide__ = True
        out: list[Value] = []
        current = float(self.start)
        for call in self.calls:
            if call.method == "rate":
                increment = float(call.args[0]) * self.step_ms / 1000
                for _ in range(parse_duration(call.args[1]) // self.step_ms):
                    out.append(current)
                    current += increment
            elif call.method == "reset":
                current = 0.0
            else:
                out += self._gap_values(call)
        return tuple(out)

    @property
    def notation(self) -> str:
        __tracebackhide__ = True
        return notation.format(self.values)

    @property
    def selector(self) -> str:
        __tracebackhide__ = True
        return self.input_series()[0].selector

    def input_series(self) -> tuple[InputSeries, ...]:
        return (InputSeries(self.name, self.labels_, self.values, self.step_ms),)


def counter(
    name: str, *, step: str = "1m", labels: Mapping[str, str] | None = None, start: float = 0.0
) -> Counter:
    """A counter starting at `start`; add phases with `.rate()`, `.reset()`, `.gap()`."""
    __tracebackhide__ = True
    check_base("counter", name, step, labels)
    if check_number("start", start, finite=True) < 0:
        raise ValueError(f"start={start!r}: a counter starts at 0 or more")
    return Counter(name, step, check_labels(labels), start=start)


@dataclass(frozen=True, repr=False)
class Absent(Builder):
    """A series listed in the test with no samples at all, e.g. for `absent()` alerts."""

    length: str = "0s"
    _factory = "absent"

    def __repr__(self) -> str:
        args = [repr(self.name), repr(self.length), *self._factory_args()[1:]]
        return f"absent({', '.join(args)})"

    def input_series(self) -> tuple[InputSeries, ...]:
        count = parse_duration(self.length) // self.step_ms
        return (InputSeries(self.name, self.labels_, (None,) * count, self.step_ms),)


def absent(
    name: str, duration: str, *, step: str = "1m", labels: Mapping[str, str] | None = None
) -> Absent:
    """A series without samples for `duration`: written as `_xN`, it loads nothing."""
    __tracebackhide__ = True
    check_base("absent", name, step, labels)
    check_duration("duration", duration, parse_duration(step))
    return Absent(name, step, check_labels(labels), length=duration)
