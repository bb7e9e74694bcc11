"""Hypothesis strategies for gauge and counter traces and for whole scenarios.

Threshold alerts hide their bugs at the threshold and at the end of `for:`,
so traces are a few `hold` phases of whole steps whose values sit on, just
around, or far from chosen thresholds. Traces are builders, so a failing
example prints as the `gauge(...).hold(...)` call that rebuilds it.

Every example runs promtool, so example counts stay small by default;
`register_profiles()` adds a "deep" profile (HYPOTHESIS_PROFILE=deep).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from promrules.authoring.scenario import Scenario, scenario
from promrules.authoring.series import Counter, Gauge, counter, gauge
from promrules.authoring.series_base import Builder
from promrules.files.durations import format_duration, parse_duration
from promrules.promtool.binary import Promtool

__all__ = [
    "DEEP_EXAMPLES",
    "QUICK_EXAMPLES",
    "around",
    "counters",
    "gauges",
    "profile",
    "register_profiles",
    "scenarios",
]

QUICK_EXAMPLES = 15
DEEP_EXAMPLES = 300
_PROFILE_ENV = "HYPOTHESIS_PROFILE"
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


def register_profiles() -> None:
    """Register "promrules" (quick) and "deep", and load $HYPOTHESIS_PROFILE if set.

    Call once from a conftest.py; `pytest --hypothesis-profile=deep` also works then.
    """
    settings.register_profile(
        "promrules",
        max_examples=QUICK_EXAMPLES,
        deadline=None,
        suppress_health_check=_SLOW_IS_FINE,
    )
    settings.register_profile(
        "deep", max_examples=DEEP_EXAMPLES, deadline=None, suppress_health_check=_SLOW_IS_FINE
    )
    chosen = os.environ.get(_PROFILE_ENV)
    if chosen:
        settings.load_profile(chosen)


def profile() -> settings:
    """Settings for property tests that run promtool: quick, or "deep" when chosen.

    Use as a decorator (`@profile()`) above `@given`. An explicit settings
    decorator outranks a loaded profile, so this one reads HYPOTHESIS_PROFILE.
    """
    register_profiles()
    return settings.get_profile(os.environ.get(_PROFILE_ENV) or "promrules")


def around(
    *thresholds: float, low: float = 0.0, high: float = 100.0, spread: float = 1.0
) -> st.SearchStrategy[float]:
    """Values on a threshold, `spread` either side of it, or anywhere in [low, high]."""
    if not thresholds:
        raise ValueError("around(): give at least one threshold, e.g. around(90)")
    if not low < high:
        raise ValueError(f"around(low={low!r}, high={high!r}): low must be below high")
    near = [t + d for t in thresholds for d in (-spread, 0.0, spread)]
    return st.one_of(
        st.sampled_from(sorted(set(near))),
        st.integers(int(low), int(high)).map(float),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def _step_counts(min_steps: int, max_steps: int) -> st.SearchStrategy[int]:
    if not 1 <= min_steps <= max_steps:
        raise ValueError(
            f"min_phase_steps={min_steps!r}, max_phase_steps={max_steps!r}: "
            "need 1 <= min_phase_steps <= max_phase_steps"
        )
    return st.integers(min_steps, max_steps)


def gauges(
    name: str,
    *,
    step: str = "1m",
    labels: Mapping[str, str] | None = None,
    values: st.SearchStrategy[float] | None = None,
    min_phases: int = 1,
    max_phases: int = 6,
    min_phase_steps: int = 1,
    max_phase_steps: int = 10,
) -> st.SearchStrategy[Gauge]:
    """Gauges made of `hold` phases of whole steps, values drawn from `values`."""
    base = gauge(name, step=step, labels=labels)
    step_ms = parse_duration(step)
    drawn = values if values is not None else around(50.0)
    phase = st.tuples(drawn, _step_counts(min_phase_steps, max_phase_steps))

    def build(phases: list[tuple[float, int]]) -> Gauge:
        built = base
        for value, count in phases:
            built = built.hold(value, format_duration(count * step_ms))
        return built

    return st.lists(phase, min_size=min_phases, max_size=max_phases).map(build)


def counters(
    name: str,
    *,
    step: str = "1m",
    labels: Mapping[str, str] | None = None,
    max_rate: float = 100.0,
    resets: bool = True,
    min_phases: int = 1,
    max_phases: int = 5,
    max_phase_steps: int = 10,
) -> st.SearchStrategy[Counter]:
    """Counters made of `rate` phases (per-second rates up to max_rate), with resets."""
    base = counter(name, step=step, labels=labels)
    step_ms = parse_duration(step)
    rates = st.one_of(
        st.sampled_from([0.0, 0.5, 1.0, 10.0]),
        st.floats(0.0, max_rate, allow_nan=False, allow_infinity=False),
    )
    phase = st.tuples(
        rates, _step_counts(1, max_phase_steps), st.booleans() if resets else st.just(False)
    )

    def build(phases: list[tuple[float, int, bool]]) -> Counter:
        built = base
        for rate, count, reset in phases:
            built = built.reset() if reset and built.calls else built
            built = built.rate(rate, format_duration(count * step_ms))
        return built

    return st.lists(phase, min_size=min_phases, max_size=max_phases).map(build)


def scenarios(
    *rule_files: str | Path,
    series: st.SearchStrategy[Builder] | Sequence[st.SearchStrategy[Builder]],
    evaluation_interval: str = "1m",
    promtool: Promtool | None = None,
    base_dir: str | Path | None = None,
) -> st.SearchStrategy[Scenario]:
    """Scenarios over these rule files with drawn series and no expectations yet.

    The test adds expectations (from what it knows about the drawn series)
    and runs it. Rule files are read now, so a bad path fails at once.
    """
    scenario(*rule_files, evaluation_interval=evaluation_interval, base_dir=base_dir)
    parts = [series] if isinstance(series, st.SearchStrategy) else list(series)

    def build(builders: tuple[Builder, ...]) -> Scenario:
        made = scenario(
            *rule_files,
            evaluation_interval=evaluation_interval,
            promtool=promtool,
            base_dir=base_dir,
        )
        return made.add(*builders)

    return st.tuples(*parts).map(build)
