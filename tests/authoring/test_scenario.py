"""Scenarios: expectations judged by promtool, stricter than bare promtool, readable failures."""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import pytest
from hypothesis import given

from promrules.authoring.scenario import (
    LookbackWarning,
    Scenario,
    ScenarioError,
    ScenarioFailure,
    UnknownAlertError,
    scenario,
)
from promrules.authoring.series import gauge
from promrules.authoring.strategies import around, gauges, profile, scenarios
from promrules.promtool.binary import Promtool

GOLDEN = Path(__file__).parent.parent / "golden"
RULES = """\
groups:
  - name: demo
    rules:
      - alert: HighValue
        expr: demo_value > 90
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "value is {{ $value }}"
      - alert: DemoMissing
        expr: absent(demo_value)
        for: 2m
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(RULES)
    return path


@pytest.fixture
def spike(rules: Path, promtool: Promtool) -> Scenario:
    """demo_value: 50 for 5m, 95 for 10m (0m..14m), then 50 for 10m."""
    value = gauge("demo_value", labels={"instance": "a"})
    return scenario(rules, promtool=promtool).add(
        value.hold(50, "5m").hold(95, "10m").hold(50, "10m")
    )


def test_a_true_story_passes(spike: Scenario) -> None:
    spike.expect_quiet("HighValue", "4m")
    spike.expect_pending("HighValue", "7m", labels={"instance": "a"})
    spike.expect_firing("HighValue", "10m", labels={"instance": "a"})
    spike.expect_firing(
        "HighValue", "12m", labels={"instance": "a"}, annotations={"summary": "value is 95"}
    )
    spike.expect_resolved("HighValue", "17m")
    spike.expect_quiet("DemoMissing", "20m")
    result = spike.run()
    assert len(result.expectations) == 6


@pytest.mark.parametrize(
    ("why", "expect", "finding"),
    [
        (
            "firing too early",
            lambda s: s.expect_firing("HighValue", "8m"),
            "promtool found no firing HighValue at 8m",
        ),
        (
            "pending once firing",
            lambda s: s.expect_pending("HighValue", "11m"),
            "promtool found no pending HighValue at 11m",
        ),
        (
            "quiet while pending",
            lambda s: s.expect_quiet("HighValue", "6m"),
            'was not quiet at 6m: promtool found pending{instance="a", severity="critical"}',
        ),
        (
            "firing for another instance",
            lambda s: s.expect_firing("HighValue", "12m", labels={"instance": "b"}),
            'no firing HighValue{instance="b"} at 12m',
        ),
        (
            "resolved before it fired",
            lambda s: s.expect_resolved("HighValue", "3m"),
            "was never firing before 3m",
        ),
        (
            "a wrong annotation",
            lambda s: s.expect_firing(
                "HighValue", "12m", labels={"instance": "a"}, annotations={"summary": "value is 96"}
            ),
            '-  annotation summary="value is 96"',
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_false_expectation_fails_saying_what_promtool_found(
    spike: Scenario, why: str, expect: object, finding: str
) -> None:
    expect(spike)  # type: ignore[operator]
    with pytest.raises(ScenarioFailure) as caught:
        spike.run()
    assert isinstance(caught.value, AssertionError)
    message = str(caught.value)
    assert message.startswith("1 of 1 scenario expectation failed:\n  expect_")
    assert finding in message
    assert "timeline of HighValue around" in message


def test_the_failure_message_is_the_golden_one(spike: Scenario) -> None:
    spike.expect_pending("HighValue", "7m").expect_firing("HighValue", "9m")
    with pytest.raises(ScenarioFailure) as caught:
        spike.run()
    assert caught.value.failed == (spike.expectations[1],)
    assert str(caught.value) + "\n" == (GOLDEN / "scenario_failure.txt").read_text()


def test_an_alert_no_rule_defines_is_an_error_at_once(spike: Scenario) -> None:
    with pytest.raises(
        UnknownAlertError, match=r"alertname='HighValu' .* did you mean 'HighValue'"
    ):
        spike.expect_quiet("HighValu", "5m")
    assert spike.expectations == []


def test_bare_promtool_passes_that_misspelling(
    spike: Scenario, tmp_path: Path, promtool: Promtool
) -> None:
    spike.expect_quiet("HighValue", "4m")
    text = spike.write(tmp_path / "scenario_test.yml").read_text()
    misspelled = tmp_path / "misspelled_test.yml"
    misspelled.write_text(text.replace("alertname: HighValue", "alertname: HighValu"))
    assert promtool.test_rules(misspelled).returncode == 0


@pytest.mark.parametrize(
    ("why", "series", "at", "warned"),
    [
        (
            "after the last sample, inside the lookback",
            gauge("demo_value").hold(95, "10m"),
            "12m",
            True,
        ),
        ("at the last sample", gauge("demo_value").hold(95, "10m"), "9m", False),
        ("past the lookback", gauge("demo_value").hold(95, "10m"), "20m", False),
        ("the series ends stale", gauge("demo_value").hold(95, "10m").stale(), "12m", False),
        ("a series the alert does not read", gauge("other_value").hold(95, "10m"), "12m", False),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_time_the_lookback_keeps_alive_warns(
    rules: Path, promtool: Promtool, why: str, series: object, at: str, warned: bool
) -> None:
    s = scenario(rules, promtool=promtool).add(series)  # type: ignore[arg-type]
    s.expect_firing("HighValue", "6m").expect_quiet("HighValue", at)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.suppress(ScenarioFailure):
            s.run(promtool)
    lookback = [w for w in caught if issubclass(w.category, LookbackWarning)]
    assert bool(lookback) == warned
    if warned:
        assert "last sample at 9m" in str(lookback[0].message)
        assert "end it with .stale()" in str(lookback[0].message)


def test_it_writes_a_plain_promtool_test_file(
    spike: Scenario, tmp_path: Path, promtool: Promtool
) -> None:
    spike.expect_firing("HighValue", "10m").expect_quiet("HighValue", "4m")
    folder = tmp_path / "written"
    folder.mkdir()
    path = spike.write(folder / "spike_test.yml")
    text = path.read_text()
    assert "rule_files:\n- ../rules.yml\nevaluation_interval: 1m\n" in text
    assert "  interval: 1m\n" in text
    assert promtool.test_rules(path).returncode == 0
    spike.expect_firing("HighValue", "8m")
    assert promtool.test_rules(spike.write(path)).returncode == 1


def test_repr_is_the_call_chain(rules: Path) -> None:
    s = scenario(str(rules)).add(gauge("demo_value").hold(1, "5m"))
    s.expect_quiet("HighValue", "4m", labels={"instance": "a"})
    assert repr(s) == (
        f"scenario({str(rules)!r}).add(gauge('demo_value').hold(1, '5m'))"
        ".expect_quiet('HighValue', '4m', labels={'instance': 'a'})"
    )


@pytest.mark.parametrize(
    ("why", "build", "message"),
    [
        ("no rule files", lambda r: scenario(), "at least one rule file"),
        ("a missing rule file", lambda r: scenario(r.parent / "nope.yml"), "no rule file at"),
        ("a bad time", lambda r: scenario(r).expect_quiet("HighValue", "5 min"), "at='5 min'"),
        ("resolved at 0", lambda r: scenario(r).expect_resolved("HighValue", "0s"), "before 0"),
        (
            "bad labels",
            lambda r: scenario(r).expect_quiet("HighValue", "1m", labels={"a-b": "x"}),
            "'a-b'",
        ),
        (
            "steps that differ",
            lambda r: scenario(r).add(
                gauge("a").hold(1, "1m"), gauge("b", step="30s").hold(1, "1m")
            ),
            "step='30s'",
        ),
        (
            "a series added twice",
            lambda r: scenario(r).add(gauge("a").hold(1, "1m"), gauge("a").hold(2, "1m")),
            "already added",
        ),
        ("no expectations", lambda r: scenario(r).run(), "no expectations"),
        (
            "annotations for some alerts at a time only",
            lambda r: (
                scenario(r)
                .expect_firing(
                    "HighValue", "6m", labels={"instance": "a"}, annotations={"summary": "x"}
                )
                .expect_firing("HighValue", "6m", labels={"instance": "b"})
                .to_yaml()
            ),
            "give annotations= for every alert at that time or for none",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_scenarios_fail_at_once(rules: Path, why: str, build: object, message: str) -> None:
    with pytest.raises(ScenarioError, match=None) as caught:
        build(rules)  # type: ignore[operator]
    assert message in str(caught.value)


def test_a_rule_promtool_rejects_is_a_scenario_error(tmp_path: Path, promtool: Promtool) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(RULES.replace("demo_value > 90", "demo_value >"))
    s = scenario(path, promtool=promtool).add(gauge("demo_value").hold(1, "5m"))
    with pytest.raises(ScenarioError, match="promtool could not run the scenario"):
        s.expect_quiet("HighValue", "1m").run()


# ---- the fixture and the scenario strategy -------------------------------------------


def test_the_fixture_runs_scenarios_with_the_session_promtool(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    pytester.makefile(".yml", rules=RULES)
    pytester.makeconftest('pytest_plugins = ["promrules.pytest_plugin.fixtures"]')
    test_file = pytester.makepyfile(
        """
        from promrules.authoring.series import gauge

        def test_fires(promrules_scenario):
            s = promrules_scenario("rules.yml").add(gauge("demo_value").hold(95, "10m"))
            s.expect_firing("HighValue", "6m").run()

        def test_too_early(promrules_scenario):
            s = promrules_scenario("rules.yml").add(gauge("demo_value").hold(95, "10m"))
            s.expect_firing("HighValue", "3m").run()
        """
    )
    result = pytester.runpytest(test_file, "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ScenarioFailure: 1 of 1 scenario expectation failed:",
            "*expect_firing('HighValue', '3m')",
            "*promtool found no firing HighValue at 3m",
            "*>  3m    95*pending*firing",
        ]
    )


@profile()
@given(
    scenarios(
        Path(__file__).parent.parent / "golden" / "threshold_rules.yml",
        series=gauges("demo_value", values=around(90), max_phases=4, max_phase_steps=8),
    ),
)
def test_drawn_scenarios_agree_with_the_for_rule(promtool: Promtool, s: Scenario) -> None:
    """Firing at the last sample exactly when the value was > 90 at each of the last 4 steps."""
    values = s.input_series[0].values
    end = len(values) - 1
    held = [v is not None and v > 90 for v in values]  # type: ignore[operator]
    if end >= 3 and all(held[end - 3 :]):
        s.expect_firing("HighValue", f"{end}m")
    elif held[end]:
        s.expect_pending("HighValue", f"{end}m")
    else:
        s.expect_quiet("HighValue", f"{end}m")
    s.run(promtool)


@pytest.mark.parametrize(
    ("why", "call"),
    [
        ("an unknown alert", 'promrules_scenario("rules.yml").expect_firing("Nope", "5m")'),
        ("a bad time", 'promrules_scenario("rules.yml").expect_quiet("HighValue", "5 min")'),
        ("no expectations", 'promrules_scenario("rules.yml").run()'),
        ("a missing rule file", 'promrules_scenario("nope.yml")'),
        ("a bad step", 'gauge("demo_value", step="soon")'),
        ("a bad duration", 'gauge("demo_value").hold(1, "forever")'),
        ("a bad label", 'gauge("demo_value", labels={"a-b": "x"})'),
        ("a negative counter", 'counter("c", start=-1)'),
        (
            "steps that differ",
            'promrules_scenario("rules.yml").add(gauge("a").hold(1, "1m"), '
            'gauge("b", step="30s").hold(1, "1m"))',
        ),
    ],
)
def test_a_deliberate_error_shows_the_callers_line_not_promrules_frames(
    pytester: pytest.Pytester, promtool_env: Promtool, why: str, call: str
) -> None:
    pytester.makefile(".yml", rules=RULES)
    pytester.makeconftest('pytest_plugins = ["promrules.pytest_plugin.fixtures"]')
    pytester.makepyfile(
        test_mistake=(
            "from promrules.authoring.series import counter, gauge\n\n\n"
            f"def test_mistake(promrules_scenario):\n    {call}\n"
        )
    )
    result = pytester.runpytest("-p", "no:randomly", "--tb=long", "test_mistake.py")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert f">       {call}" in output
    assert "promrules/" not in output.replace("src/promrules/__init__", ""), output
