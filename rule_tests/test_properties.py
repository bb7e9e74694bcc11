"""Property tests of the gauge-threshold alerts: firing exactly when `for:` has been met.

For any drawn gauge trace, at the trace's last sample the alert must be
firing exactly when its condition held at every evaluation over the last
`for:`, pending when it holds now but not that long, and quiet otherwise.
"The condition held" is computed here from the drawn values (a plain
`metric OP number` comparison); the alert's state always comes from promtool.
Expressions are read from the rule files, so a changed threshold is tested
as written. HYPOTHESIS_PROFILE=deep runs many more examples.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import promql_parser
import pytest
from hypothesis import given

from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.durations import format_duration
from promrules.fixtures import ScenarioFactory, session_promtool
from promrules.series import Gauge, gauge
from promrules.strategies import around, gauges, profile

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
ALERTS = [
    ("system.yml", "HighCPUUsage"),
    ("system.yml", "HighMemoryUsage"),
    ("system.yml", "HighDiskUsage"),
    ("audit_agent.yml", "TestCoverageLow"),
]
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}
_FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">="}
_SAME_FOR_ONE_SERIES = {"avg", "min", "max", "sum"}


@dataclass(frozen=True)
class Threshold:
    """An alert of the form `metric OP number` (maybe aggregated over the one series)."""

    rule: AlertDefinition
    metric: str
    labels: dict[str, str]
    op: str
    threshold: float

    @property
    def step(self) -> str:
        return format_duration(self.rule.group_interval_ms or 60_000)

    def holds(self, value: float | None) -> bool:
        return value is not None and _OPS[self.op](value, self.threshold)


def _selector(node: object) -> promql_parser.VectorSelector | None:
    if (
        isinstance(node, promql_parser.AggregateExpr)
        and node.param is None
        and str(node.op) in _SAME_FOR_ONE_SERIES
    ):
        node = node.expr
    if isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node if isinstance(node, promql_parser.VectorSelector) else None


def threshold_of(file: str, alertname: str) -> Threshold:
    path = RULES_DIR / file
    if not path.is_file():
        pytest.fail(f"{path} is missing: the rule pack must define {alertname}", pytrace=False)
    rules = [r for r in load_alerts(path) if r.name == alertname]
    if len(rules) != 1:
        pytest.fail(f"{file}: expected one alert {alertname}, found {len(rules)}", pytrace=False)
    rule = rules[0]
    expr = promql_parser.parse(rule.expr)
    op = str(getattr(expr, "op", ""))
    selector = _selector(getattr(expr, "lhs", None))
    number = getattr(expr, "rhs", None)
    if selector is None:  # `90 < metric`
        selector, number, op = _selector(getattr(expr, "rhs", None)), expr.lhs, _FLIPPED.get(op, op)
    if (
        op not in _OPS
        or selector is None
        or not isinstance(number, promql_parser.NumberLiteral)
        or getattr(expr, "modifier", None) is not None
        or rule.keep_firing_for_ms
    ):
        pytest.fail(
            f"{file}:{rule.line}: {alertname} is `{rule.expr}`; this property test needs "
            "`metric OP number` (OP one of > < >= <=, no keep_firing_for)",
            pytrace=False,
        )
    labels = {
        m.name: m.value
        for m in selector.matchers.matchers
        if str(m.op) == "MatchOp.Equal" and m.name != "__name__"
    }
    return Threshold(rule, selector.name, labels, op, float(number.val))


@pytest.fixture(scope="module")
def make_scenario(request: pytest.FixtureRequest) -> ScenarioFactory:
    return ScenarioFactory(session_promtool(request.config), RULES_DIR)


def expect_end_state(make_scenario: ScenarioFactory, t: Threshold, trace: Gauge) -> None:
    """Expect at the last sample what the drawn values say, and let promtool judge it."""
    values = trace.values
    end = len(values) - 1
    step_ms = trace.step_ms
    at = format_duration(end * step_ms) if end else "0s"
    for_steps = t.rule.for_ms // step_ms
    window = values[end - for_steps : end + 1] if end >= for_steps else ()
    s = make_scenario(t.rule.path.name, evaluation_interval=t.step).add(trace)
    if window and all(t.holds(v) for v in window):  # type: ignore[arg-type]
        s.expect_firing(t.rule.name, at)
    elif t.holds(values[end]):  # type: ignore[arg-type]
        s.expect_pending(t.rule.name, at)
    else:
        s.expect_quiet(t.rule.name, at)
    s.run()


@pytest.mark.parametrize(("file", "alertname"), ALERTS, ids=[a for _f, a in ALERTS])
def test_alert_fires_exactly_when_its_condition_held_for_its_whole_for(
    make_scenario: ScenarioFactory, file: str, alertname: str
) -> None:
    t = threshold_of(file, alertname)
    for_steps = t.rule.for_ms // (t.rule.group_interval_ms or 60_000)
    traces = gauges(
        t.metric,
        step=t.step,
        labels={**t.labels, "instance": "host-1"},
        values=around(t.threshold, low=0, high=100),
        max_phases=4,
        max_phase_steps=for_steps + 2,
    )

    @profile()
    @given(traces)
    def check(trace: Gauge) -> None:
        expect_end_state(make_scenario, t, trace)

    check()


@pytest.mark.parametrize(("file", "alertname"), ALERTS, ids=[a for _f, a in ALERTS])
@pytest.mark.parametrize("short", [0, 1], ids=["whole-for", "one-step-short"])
def test_the_for_boundary(
    make_scenario: ScenarioFactory, file: str, alertname: str, short: int
) -> None:
    """The boundary the property is most about: over for the whole `for:`, or one step less."""
    t = threshold_of(file, alertname)
    step_ms = t.rule.group_interval_ms or 60_000
    over = t.threshold + (1 if t.op in (">", ">=") else -1)
    under = t.threshold - (1 if t.op in (">", ">=") else -1)
    samples = t.rule.for_ms // step_ms + 1 - short
    trace = gauge(t.metric, step=t.step, labels={**t.labels, "instance": "host-1"})
    trace = trace.hold(under, t.step).hold(over, format_duration(samples * step_ms))
    expect_end_state(make_scenario, t, trace)
