"""The pieces derivation is built from: steps, alert states, sampling plans, labels, docs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from promrules.derive import PATTERNS
from promrules.derive.conditions import find_conditions, required_state
from promrules.derive.context import DeriveError, build_context
from promrules.derive.labelvalues import example, satisfies
from promrules.derive.plan import LOOKBACK_MS
from promrules.derive.promql import fold, parse
from promrules.derive.solve import step_for
from promrules.derive.states import alert_states
from promrules.files.alerts import AlertDefinition

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "derive"


def rule(expr: str, for_ms: int = 0) -> AlertDefinition:
    return AlertDefinition("X", expr, for_ms, 0, (), None, Path("rules.yml"), 1)


@pytest.mark.parametrize(
    ("threshold", "op", "step", "description"),
    [
        (90, ">", 0.1, "three significant digits of 90: 90.1"),
        (0.05, ">", 0.0001, "three significant digits of 0.05"),
        (20 * 1024**3, ">", 1e8, "three significant digits of 20 GiB"),
        (0, ">", 0.01, "nothing to scale: a small step"),
        (0, "==", 1.0, "equality with a whole number steps by one"),
        (9, "!=", 1.0, "a state code"),
    ],
)
def test_the_step_matters_for_the_thresholds_magnitude(
    threshold: float, op: str, step: float, description: str
) -> None:
    assert math.isclose(step_for(threshold, op), step), description


def test_an_alert_fires_exactly_for_after_it_becomes_active() -> None:
    ticks = list(range(0, 600_000, 60_000))
    holds = [False, True, True, True, True, False, True, True, True, True]
    states = alert_states(ticks, holds, 120_000, 0)
    assert states == [
        "inactive",
        "pending",
        "pending",
        "firing",
        "firing",
        "inactive",
        "pending",
        "pending",
        "firing",
        "firing",
    ]


def test_keep_firing_for_keeps_a_firing_alert_after_it_clears() -> None:
    ticks = list(range(0, 480_000, 60_000))
    holds = [True, True, False, False, False, False, False, False]
    assert alert_states(ticks, holds, 0, 180_000) == [
        "firing",
        "firing",
        "firing",
        "firing",
        "firing",
        "inactive",
        "inactive",
        "inactive",
    ]


@pytest.mark.parametrize(
    "expr",
    [
        "rate(x[5m]) > 1",
        "increase(x[1h]) > 2 and increase(x[5m]) > 0",
        "avg_over_time(x[10m]) > 3 and y > 1",
        "time() - x > 3600",
        "changes(x[15m]) > 2",
        "rate(x[1m]) > 0",
        "x - x offset 1h > 5",
    ],
)
@pytest.mark.parametrize("tick_ms", [60_000, 30_000])
def test_no_sample_ever_lands_on_a_window_edge(expr: str, tick_ms: int) -> None:
    """promtool 2.x and 3.x disagree only about samples on a window's left edge."""
    ctx = build_context(rule(expr), tick_ms)
    plan = ctx.plan
    samples = set(plan.sample_times(3 * 3600_000))
    windows = {
        u.range_ms + u.offset_ms for leaf in ctx.leaves for u in leaf.usages if u.range_ms
    } | {LOOKBACK_MS}
    for tick in plan.ticks(3 * 3600_000):
        for window in windows:
            assert tick - window not in samples, (tick, window)


def test_a_window_shorter_than_its_offset_comparison_is_reported() -> None:
    with pytest.raises(DeriveError, match="offset"):
        build_context(rule("rate(x[10m]) - rate(x[10m] offset 1m) > 1"), 60_000)


@pytest.mark.parametrize(
    ("matchers", "description"),
    [
        ([("=~", "5..")], "a status class"),
        ([("=~", ".*thanos-query.*")], "a substring regex"),
        ([("!~", "template.*|postgres")], "a negative regex"),
        ([("!=", "")], "a required label"),
        ([("=~", "Unknown|Internal")], "an alternation"),
        ([("=~", "2[0-9][0-9]")], "a character class"),
    ],
)
def test_label_values_satisfy_the_matchers(
    matchers: list[tuple[str, str]], description: str
) -> None:
    value = example(matchers)
    assert value is not None, description
    assert all(satisfies(op, expected, value) for op, expected in matchers), description


def test_constant_thresholds_fold_like_go_does() -> None:
    assert fold(parse("20 * 1024 * 1024 * 1024")) == 20 * 1024**3
    assert fold(parse("1e+9 * 0.80")) == 1e9 * 0.80
    assert fold(parse("-(2 * 3600)")) == -7200
    assert fold(parse("x * 2")) is None


def test_each_condition_knows_what_the_others_must_do() -> None:
    conditions = find_conditions(parse("(a > 1 and b < 2) or c == 3 unless d > 4"))
    a, b, c, d = conditions
    assert required_state(a, b) is True, "beside `and`: holds"
    assert required_state(a, c) is False, "across `or`: does not hold"
    assert required_state(c, d) is False, "right of `unless`: does not hold"
    assert not d.testable, "a condition on the right of `unless` is not put under test"


def test_every_pattern_has_its_docs_page_and_every_page_a_pattern() -> None:
    pages = {path.stem for path in DOCS.glob("*.md")}
    assert pages == set(PATTERNS)
    for name, pattern in PATTERNS.items():
        assert f"# derive pattern: {name}" in (DOCS / f"{name}.md").read_text()
        assert pattern.summary


def test_a_branch_of_an_or_inside_the_signal_may_be_in_either_state() -> None:
    """etcd's `increase((max(x) or 0 * absent(x))[15m:1m]) >= 4`: absent(x) must not be
    made to hold (it would remove the series the signal needs); the signal is read whole."""
    outer, branch, inner = find_conditions(parse("(max(x) or 0 * absent(x)) >= 4"))
    assert (branch.kind, inner.kind) == ("opaque", "absent")
    assert required_state(outer, inner) is None
    assert required_state(outer, branch) is None
    chained, filtered = find_conditions(parse("sum(x > 2) >= 4"))
    assert required_state(chained, filtered) is True, "a filter inside the signal still holds"
