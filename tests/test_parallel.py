"""Test files run side by side in up to --promrules-workers promtool processes."""

from __future__ import annotations

import pytest

from tests.helpers import PASSING_TEST, RULES


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", rules=RULES)
    for n in range(4):
        pytester.makefile(".yml", **{f"t{n}_test": PASSING_TEST})
    pytester.makefile(".yml", bad_test=PASSING_TEST.replace("value: 95", "value: 1"))
    return pytester


@pytest.mark.parametrize("workers", ["1", "2", "4"])
def test_results_do_not_depend_on_the_number_of_workers(
    project: pytest.Pytester, workers: str
) -> None:
    result = project.runpytest(f"--promrules-workers={workers}", "-rf")
    result.assert_outcomes(passed=20, failed=1)
    result.stdout.fnmatch_lines(["FAILED bad_test.yml::high::expr:demo_value@1m*"])


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_bad_worker_count_is_refused_quoting_the_value(
    pytester: pytest.Pytester, value: str
) -> None:
    result = pytester.runpytest(f"--promrules-workers={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--promrules-workers='{value}': expected a whole number >= 1*"])


def test_a_bad_timeout_is_refused_quoting_the_value(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--promrules-timeout=soon")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--promrules-timeout='soon': expected seconds > 0*"])
