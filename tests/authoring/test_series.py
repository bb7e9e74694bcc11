"""Series builders: the values they promise are the values promtool loads and computes with."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings

from promrules.authoring.series import Builder, absent, counter, gauge, histogram
from promrules.authoring.strategies import around, counters, gauges
from promrules.files.notation import STALE, expand
from promrules.promtool import query as probe
from promrules.promtool.binary import Promtool

MINUTE = 60_000
BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 25, 60]


def ask(promtool: Promtool, builders: list[Builder], queries: list[tuple[str, int]]) -> dict:
    group = {
        "interval": builders[0].step,
        "input_series": [s.to_dict() for b in builders for s in b.input_series()],
    }
    return probe.query(promtool, queries, group=group)


def one_value(answers: dict, query: str, ms: int) -> float | None:
    samples = answers[(query, ms)]
    assert len(samples) <= 1, samples
    return samples[0].value if samples else None


# ---- values and notation -------------------------------------------------------------


def test_phases_are_half_open_and_follow_each_other() -> None:
    cpu = gauge("cpu", labels={"instance": "a"}).hold(50, "3m").hold(95, "2m")
    assert cpu.values == (50, 50, 50, 95, 95)
    assert cpu.notation == "50x2 95 95"
    assert cpu.selector == 'cpu{instance="a"}'
    assert cpu.step_ms == MINUTE and cpu.duration_ms == 5 * MINUTE


def test_ramp_steps_samples_gap_and_stale() -> None:
    g = (
        gauge("g", step="30s")
        .ramp(0, 100, "2m")
        .steps([1, 2], each="1m")
        .samples(7, None, 8)
        .gap("1m")
        .stale("1m")
    )
    assert g.values == (0, 25, 50, 75, 1, 1, 2, 2, 7, None, 8, None, None, STALE, None)
    assert expand(g.notation) == g.values


def test_counter_rates_and_resets() -> None:
    c = counter("requests_total", start=10).rate(2, "3m").reset().rate(1, "2m")
    assert c.values == (10, 130, 250, 0, 60)


def test_absent_series_has_no_samples() -> None:
    series = absent("up", "5m", labels={"job": "api"}).input_series()[0]
    assert series.notation == "_x5"
    assert series.last_sample_ms is None


def test_histogram_series_are_buckets_sum_and_count() -> None:
    h = histogram("latency_seconds", buckets=[1, 5], labels={"job": "api"})
    names = [s.selector for s in h.quantile(0.9, 3, "2m").input_series()]
    assert names == [
        'latency_seconds_bucket{job="api", le="1"}',
        'latency_seconds_bucket{job="api", le="5"}',
        'latency_seconds_bucket{job="api", le="+Inf"}',
        'latency_seconds_sum{job="api"}',
        'latency_seconds_count{job="api"}',
    ]


REBUILT = [
    gauge("cpu", step="30s", labels={"instance": "a"}).hold(50, "10m").ramp(50, 95, "5m"),
    gauge("g").steps([1, 2.5], each="2m").samples(1, None).gap("1m").stale(),
    counter("requests_total", start=3).rate(1.5, "5m").reset().rate(0, "1m").stale("2m"),
    histogram("lat", buckets=[0.5, 1], step="1m").quantile(0.95, 0.8, "10m", per_second=2),
    absent("up", "10m", labels={"job": "x"}),
]


@pytest.mark.parametrize("builder", REBUILT, ids=repr)
def test_repr_is_the_call_that_rebuilds_it(builder: Builder) -> None:
    rebuilt = eval(
        repr(builder),
        {"gauge": gauge, "counter": counter, "histogram": histogram, "absent": absent},
    )
    assert rebuilt == builder
    assert [s.to_dict() for s in rebuilt.input_series()] == [
        s.to_dict() for s in builder.input_series()
    ]


BAD_CALLS = [
    (
        "duration not a whole number of steps",
        lambda: gauge("g").hold(1, "90s"),
        "duration='90s'",
        "'1m' or '2m'",
    ),
    ("not a duration", lambda: gauge("g").hold(1, "ten"), "duration='ten'", "'5m'"),
    ("zero duration", lambda: gauge("g").hold(1, "0s"), "duration='0s'", "longer than 0"),
    ("a duration given as a number", lambda: gauge("g").hold(1, 600), "duration=600", "'5m'"),
    ("bad metric name", lambda: gauge("cpu usage"), "name='cpu usage'", "metric name"),
    ("bad step", lambda: gauge("g", step="1 minute"), "step='1 minute'", "'1m'"),
    ("bad label name", lambda: gauge("g", labels={"1x": "a"}), "'1x'", "label name"),
    ("label value not a string", lambda: gauge("g", labels={"a": 1}), "labels=", "string"),  # type: ignore[dict-item]
    ("value not a number", lambda: gauge("g").hold("95", "1m"), "value='95'", "number"),  # type: ignore[arg-type]
    ("negative counter rate", lambda: counter("c").rate(-1, "1m"), "per_second=-1", ".reset()"),
    (
        "quantile out of range",
        lambda: histogram("h", buckets=[1]).quantile(95, 1, "1m"),
        "quantile=95",
        "0.95",
    ),
    (
        "value above the buckets",
        lambda: histogram("h", buckets=[1, 5]).quantile(0.9, 7, "1m"),
        "value=7",
        "larger bucket",
    ),
    (
        "value too low for the first bucket",
        lambda: histogram("h", buckets=[10]).quantile(0.9, 1, "1m"),
        "value=1",
        "smaller bucket",
    ),
    (
        "buckets not increasing",
        lambda: histogram("h", buckets=[5, 1]),
        "buckets=[5, 1]",
        "increasing",
    ),
    (
        "le among the labels",
        lambda: histogram("h", buckets=[1], labels={"le": "1"}),
        "labels=",
        "leave it out",
    ),
    ("absent for a bad duration", lambda: absent("up", "90s"), "duration='90s'", "'1m' or '2m'"),
]


@pytest.mark.parametrize(
    ("why", "call", "quoted", "fix"), BAD_CALLS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bad_arguments_fail_at_once_naming_the_value_and_the_fix(
    why: str, call: object, quoted: str, fix: str
) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        call()  # type: ignore[operator]
    assert quoted in str(caught.value)
    assert fix in str(caught.value)


# ---- what promtool makes of them -----------------------------------------------------


def test_promtool_sees_the_gauge_values_step_by_step(promtool: Promtool) -> None:
    g = gauge("g", labels={"i": "a"}).hold(50, "2m").ramp(60, 90, "3m").hold(95, "1m")
    times = [t * MINUTE for t in range(len(g.values))]
    answers = ask(promtool, [g], [(g.selector, t) for t in times])
    assert [one_value(answers, g.selector, t) for t in times] == list(g.values)


def test_a_gap_keeps_the_last_value_for_the_lookback_and_stale_ends_it(promtool: Promtool) -> None:
    kept = gauge("kept").hold(7, "1m").gap("10m")
    ended = gauge("ended").hold(7, "1m").stale("10m")
    times = [3 * MINUTE, 4 * MINUTE, 6 * MINUTE]
    answers = ask(promtool, [kept, ended], [(q, t) for t in times for q in ("kept", "ended")])
    assert [one_value(answers, "kept", t) for t in times] == [7, 7, None]
    assert [one_value(answers, "ended", t) for t in times] == [None, None, None]


def test_counter_rate_is_the_chosen_rate_and_resets_count(promtool: Promtool) -> None:
    c = counter("requests_total").rate(5, "20m").reset().rate(2, "20m")
    answers = ask(
        promtool,
        [c],
        [
            ("rate(requests_total[5m])", 10 * MINUTE),
            ("rate(requests_total[5m])", 32 * MINUTE),
            ("resets(requests_total[10m])", 25 * MINUTE),
        ],
    )
    assert one_value(answers, "rate(requests_total[5m])", 10 * MINUTE) == pytest.approx(5)
    assert one_value(answers, "rate(requests_total[5m])", 32 * MINUTE) == pytest.approx(2)
    assert one_value(answers, "resets(requests_total[10m])", 25 * MINUTE) == 1


@pytest.mark.parametrize(
    ("quantile", "value"),
    [(0.95, 12.0), (0.5, 0.3), (0.5, 0.08), (0.9, 60.0), (0.95, 2.5)],
    ids=lambda v: str(v),
)
def test_histogram_quantile_comes_out_at_the_chosen_value(
    promtool: Promtool, quantile: float, value: float
) -> None:
    h = histogram("http_request_duration_seconds", buckets=BUCKETS, labels={"job": "api"})
    h = h.quantile(quantile, value, "30m", per_second=3)
    expr = f"histogram_quantile({quantile}, rate(http_request_duration_seconds_bucket[5m]))"
    times = [10 * MINUTE, 20 * MINUTE, 29 * MINUTE]
    answers = ask(promtool, [h], [(expr, t) for t in times])
    for t in times:
        assert one_value(answers, expr, t) == pytest.approx(value, rel=1e-9)


def test_a_p95_of_12_seconds_reads_as_12_in_an_alert_expression(promtool: Promtool) -> None:
    h = histogram("http_request_duration_seconds", buckets=BUCKETS).quantile(0.95, 12, "30m")
    expr = "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 11.9"
    answers = ask(promtool, [h], [(expr, 15 * MINUTE)])
    assert one_value(answers, expr, 15 * MINUTE) == pytest.approx(12, abs=1e-6)


# ---- strategies ----------------------------------------------------------------------


@given(gauges("g", values=around(90), max_phases=4))
def test_drawn_gauges_expand_to_their_values(g: Builder) -> None:
    series = g.input_series()[0]
    assert expand(series.notation) == series.values
    assert len(series.values) >= 1


@given(counters("c", max_phases=4))
def test_drawn_counters_only_drop_at_resets(c: Builder) -> None:
    values = [v for v in c.input_series()[0].values if isinstance(v, float)]
    drops = sum(1 for a, b in itertools.pairwise(values) if b < a)
    assert drops <= repr(c).count(".reset()")
    assert all(math.isfinite(v) and v >= 0 for v in values)


@settings(max_examples=8, deadline=None)
@given(gauges("g", values=around(90), max_phases=3, max_phase_steps=4))
def test_promtool_loads_drawn_gauges_exactly(promtool: Promtool, g: Builder) -> None:
    series = g.input_series()[0]
    times = [t * MINUTE for t in range(len(series.values))]
    answers = ask(promtool, [g], [("g", t) for t in times])
    assert [one_value(answers, "g", t) for t in times] == list(series.values)
