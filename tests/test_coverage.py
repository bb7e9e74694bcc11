"""The alert coverage table, its JSON report and the --promrules-cov-fail-under gate."""

from __future__ import annotations

import json

import pytest

from tests.helpers import PASSING_TEST, RULES

TWO_ALERTS = (
    RULES
    + """\
      - alert: LowValue
        expr: demo_value < 10
        for: 1m
        labels:
          severity: warning
"""
)


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", rules=TWO_ALERTS, demo_test=PASSING_TEST)
    return pytester


def test_the_table_counts_firing_and_quiet_cases_and_names_uncovered_alerts(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*promrules alert coverage*",
            "rule file  alerts  firing  quiet  covered",
            "rules.yml       2       1      1    50.0%",
            "TOTAL           2                   50.0%",
            "not covered: rules.yml:*LowValue (no passing firing and quiet case)",
        ]
    )


def test_a_failing_case_does_not_count(project: pytest.Pytester) -> None:
    project.makefile(".yml", demo_test=PASSING_TEST.replace("value is 95", "value is 96"))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["rules.yml       2       0      1     0.0%"])


def test_fail_under_fails_a_green_run_below_the_threshold(project: pytest.Pytester) -> None:
    result = project.runpytest("demo_test.yml", "--promrules-cov-fail-under=60")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["FAIL: alert coverage 50.0% is below --promrules-cov-fail-under=60"]
    )


def test_fail_under_passes_at_or_above_the_threshold(project: pytest.Pytester) -> None:
    result = project.runpytest("demo_test.yml", "--promrules-cov-fail-under=50")
    assert result.ret == pytest.ExitCode.OK


def test_the_json_report_lists_every_alert(project: pytest.Pytester) -> None:
    project.runpytest("demo_test.yml", "--promrules-cov-json=cov.json")
    report = json.loads((project.path / "cov.json").read_text())
    assert report["percent"] == 50.0
    assert [(a["alert"], a["firing"], a["quiet"]) for a in report["alerts"]] == [
        ("HighValue", True, True),
        ("LowValue", False, False),
    ]


def test_a_bad_threshold_is_refused(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--promrules-cov-fail-under=120")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--promrules-cov-fail-under='120': expected a percentage*"])
