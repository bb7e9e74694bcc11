"""Only the cases promtool failed fail, each with a readable expected-vs-got diff."""

from __future__ import annotations

import pytest

from tests.helpers import PASSING_TEST, RULES


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", demo_test=PASSING_TEST)
    return pytester


def test_a_changed_threshold_fails_exactly_the_affected_cases(project: pytest.Pytester) -> None:
    project.makefile(".yml", rules=RULES.replace("> 90", "> 96"))
    result = project.runpytest("demo_test.yml", "-rf")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "demo_test.yml:13: alert HighValue at 2m (failed)",
            "the firing alerts differ: expected 1 alert, got 0 alerts",
            '-  label      severity="critical"',
            '-  annotation summary="value is 95"',
            "FAILED demo_test.yml::high::HighValue@2m*",
        ]
    )


def test_a_wrong_label_shows_only_that_label_as_changed(project: pytest.Pytester) -> None:
    project.makefile(".yml", rules=RULES.replace("severity: critical", "severity: warning"))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            '*-  label      severity="critical"',
            '*+  label      severity="warning"',
        ]
    )
    assert '-  label      alertname="HighValue"' not in result.stdout.str()


def test_a_wrong_sample_value_fails_the_expression_case(project: pytest.Pytester) -> None:
    project.makefile(".yml", rules=RULES)
    project.makefile(".yml", demo_test=PASSING_TEST.replace("value: 95", "value: 94"))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expression `demo_value` at 1m (failed)",
            "*the result samples differ: expected 1 sample, got 1 sample",
            '*-{__name__="demo_value"} 9.4E+01',
            '*+{__name__="demo_value"} 9.5E+01',
        ]
    )


def test_same_case_in_two_unnamed_groups_is_attributed_to_the_right_group(
    pytester: pytest.Pytester, promtool_env: object
) -> None:
    """2.x does not name the group of an expression failure; the plugin still knows it."""
    pytester.makefile(".yml", rules=RULES)
    group = """\
  - interval: 1m
    input_series: [{{series: demo_value, values: "{v}x3"}}]
    promql_expr_test:
      - expr: demo_value
        eval_time: 1m
        exp_samples: [{{labels: demo_value, value: 1}}]
"""
    pytester.makefile(
        ".yml",
        two_test="rule_files: [rules.yml]\ntests:\n" + group.format(v=1) + group.format(v=2),
    )
    result = pytester.runpytest("two_test.yml", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["PASSED two_test.yml::group0::expr:demo_value@1m", "FAILED two_test.yml::group1::*"]
    )


def test_an_unknown_alertname_is_an_error_not_a_silent_pass(
    pytester: pytest.Pytester, promtool_env: object
) -> None:
    pytester.makefile(".yml", rules=RULES)
    typo = PASSING_TEST.replace(
        "eval_time: 5m\n        alertname: HighValue", "eval_time: 5m\n        alertname: HighValu"
    )
    assert typo != PASSING_TEST
    pytester.makefile(".yml", typo_test=typo)
    result = pytester.runpytest("typo_test.yml")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        ["*alertname 'HighValu' is not defined by any of the 1 alerts*did you mean 'HighValue'?"]
    )


def test_nan_against_nan_explains_why_it_differs(
    pytester: pytest.Pytester, promtool_env: object
) -> None:
    """promtool fails an expected NaN against a got NaN; the two print alike, so the
    diff alone would be empty."""
    pytester.makefile(".yml", rules=RULES)
    pytester.makefile(
        ".yml",
        nan_test=(
            "rule_files: [rules.yml]\ntests:\n  - interval: 1m\n"
            "    input_series: [{series: x, values: 'NaN'}]\n"
            "    promql_expr_test:\n"
            "      - {expr: x, eval_time: 0, exp_samples: [{labels: 'x', value: .nan}]}\n"
        ),
    )
    result = pytester.runpytest("nan_test.yml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "the result samples differ: expected 1 sample, got 1 sample",
            '  expected and got: {__name__="x"} NaN',
            "promtool never finds NaN equal to NaN*`x != bool x`*",
        ]
    )
