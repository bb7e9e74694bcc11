"""The shared parts of series builders: the input series value, argument checks, chaining.

Split from `series` so the histogram builder can live in its own module.
Here, in `series`, `series_histogram` and `scenario`, functions that check their
caller's arguments set `__tracebackhide__`: a deliberate error then shows the
caller's line, not promrules' own frames (`--full-trace` shows them all).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Self

from promrules.files import notation
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.notation import STALE, Value

__all__ = [
    "Builder",
    "Call",
    "InputSeries",
    "Labels",
    "check_base",
    "check_duration",
    "check_number",
]

_METRIC_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
Labels = tuple[tuple[str, str], ...]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass(frozen=True)
class InputSeries:
    """One `input_series` entry: the series' labels and its samples, one per step."""

    name: str
    labels: Labels
    values: tuple[Value, ...]
    step_ms: int

    @property
    def selector(self) -> str:
        """The series as promtool's `series:` field and PromQL write it: `cpu{a="1"}`."""
        __tracebackhide__ = True
        if not self.labels:
            return self.name
        pairs = ", ".join(f"{k}={_quote(v)}" for k, v in self.labels)
        return f"{self.name}{{{pairs}}}"

    @property
    def notation(self) -> str:
        __tracebackhide__ = True
        return notation.format(self.values)

    @property
    def duration_ms(self) -> int:
        __tracebackhide__ = True
        return len(self.values) * self.step_ms

    @property
    def last_sample_ms(self) -> int | None:
        """Time of the last real sample, or None when there is none."""
        __tracebackhide__ = True
        for index in range(len(self.values) - 1, -1, -1):
            if self.values[index] is not None and self.values[index] is not STALE:
                return index * self.step_ms
        return None

    @property
    def ends_stale(self) -> bool:
        """A stale marker follows the last real sample: no lookback past it."""
        __tracebackhide__ = True
        last = self.last_sample_ms
        after = self.values[last // self.step_ms + 1 :] if last is not None else self.values
        return STALE in after

    def value_at(self, ms: int) -> Value:
        """The sample written at this step (None for none); no lookback."""
        __tracebackhide__ = True
        index, rest = divmod(ms, self.step_ms)
        if rest or not 0 <= index < len(self.values):
            return None
        return self.values[index]

    def to_dict(self) -> dict[str, str]:
        __tracebackhide__ = True
        return {"series": self.selector, "values": self.notation}


def check_duration(argument: str, value: object, step_ms: int) -> int:
    """Milliseconds of a duration argument that must be a whole number of steps."""
    __tracebackhide__ = True
    if not isinstance(value, str):
        raise TypeError(f"{argument}={value!r}: expected a duration string such as '5m'")
    try:
        ms = parse_duration(value)
    except DurationError:
        message = f"{argument}={value!r}: not a duration; write e.g. '5m' or '1h30m'"
        raise ValueError(message) from None
    if ms == 0:
        raise ValueError(f"{argument}={value!r}: must be longer than 0; write e.g. '5m'")
    if ms % step_ms:
        lower = format_duration(ms - ms % step_ms) if ms > step_ms else format_duration(step_ms)
        upper = format_duration(ms - ms % step_ms + step_ms)
        raise ValueError(
            f"{argument}={value!r} is not a whole number of steps of "
            f"{format_duration(step_ms)}; use {lower!r} or {upper!r}"
        )
    return ms


def check_number(argument: str, value: object, *, finite: bool = False) -> float:
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{argument}={value!r}: expected a number")
    number = float(value)
    if finite and not math.isfinite(number):
        raise ValueError(f"{argument}={value!r}: expected a finite number")
    return number


def check_labels(labels: Mapping[str, str] | None) -> Labels:
    __tracebackhide__ = True
    if labels is None:
        return ()
    if not isinstance(labels, Mapping):
        raise TypeError(f"labels={labels!r}: expected a dict of label names to values")
    for name, value in labels.items():
        if not isinstance(name, str) or not _LABEL_RE.fullmatch(name) or name == "__name__":
            raise ValueError(
                f"labels={dict(labels)!r}: {name!r} is not a label name "
                "(letters, digits and _, not starting with a digit; the metric name is "
                "the first argument)"
            )
        if not isinstance(value, str):
            raise TypeError(f"labels={dict(labels)!r}: the value of {name!r} must be a string")
    return tuple(sorted(labels.items()))


@dataclass(frozen=True)
class Call:
    """One method call of a builder chain, kept to rebuild it and to show it."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f".{self.method}({', '.join(parts)})"


@dataclass(frozen=True, repr=False)
class Builder:
    """Shared parts of every builder: name, step, labels, the recorded phases."""

    name: str
    step: str = "1m"
    labels_: Labels = ()
    calls: tuple[Call, ...] = ()

    _factory = "builder"

    @property
    def step_ms(self) -> int:
        __tracebackhide__ = True
        return parse_duration(self.step)

    @property
    def labels(self) -> dict[str, str]:
        __tracebackhide__ = True
        return dict(self.labels_)

    def _factory_args(self) -> list[str]:
        args = [repr(self.name)]
        if self.step != "1m":
            args.append(f"step={self.step!r}")
        if self.labels_:
            args.append(f"labels={self.labels!r}")
        return args

    def __repr__(self) -> str:
        return f"{self._factory}({', '.join(self._factory_args())})" + "".join(
            str(c) for c in self.calls
        )

    def _then(self, method: str, *args: Any, **kwargs: Any) -> Self:
        return replace(self, calls=(*self.calls, Call(method, args, tuple(kwargs.items()))))

    def _steps(self, argument: str, duration: str) -> int:
        __tracebackhide__ = True
        return check_duration(argument, duration, self.step_ms) // self.step_ms

    def input_series(self) -> tuple[InputSeries, ...]:
        raise NotImplementedError

    @property
    def duration_ms(self) -> int:
        __tracebackhide__ = True
        return max((s.duration_ms for s in self.input_series()), default=0)

    def gap(self, duration: str) -> Self:
        """No samples for `duration`; queries still see the last one for 5m (lookback)."""
        __tracebackhide__ = True
        self._steps("duration", duration)
        return self._then("gap", duration)

    def stale(self, duration: str | None = None) -> Self:
        """A stale marker, then no samples for the rest of `duration` (default: one step)."""
        __tracebackhide__ = True
        if duration is not None:
            self._steps("duration", duration)
        return self._then("stale", *(() if duration is None else (duration,)))

    def _gap_values(self, call: Call) -> list[Value]:
        count = parse_duration(call.args[0]) // self.step_ms if call.args else 1
        if call.method == "gap":
            return [None] * count
        return [STALE] + [None] * (count - 1)


def check_base(factory: str, name: object, step: object, labels: Mapping[str, str] | None) -> None:
    """Check a factory's shared arguments at once, naming the bad one."""
    __tracebackhide__ = True
    if not isinstance(name, str) or not _METRIC_RE.fullmatch(name):
        raise ValueError(
            f"{factory}(name={name!r}): not a metric name (letters, digits, _ and :, "
            "not starting with a digit)"
        )
    if not isinstance(step, str):
        raise TypeError(f"step={step!r}: expected a duration string such as '1m'")
    try:
        step_ms = parse_duration(step)
    except DurationError:
        raise ValueError(f"step={step!r}: not a duration; write e.g. '1m' or '30s'") from None
    if step_ms <= 0:
        raise ValueError(f"step={step!r}: must be longer than 0; write e.g. '1m'")
    check_labels(labels)
