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


def big_file(groups: int, failing: int) -> str:
    """Groups long enough (7,200 one-second steps each) to be worth cutting into shards."""
    body = ["rule_files: [rules.yml]", "evaluation_interval: 1s", "tests:"]
    for n in range(groups):
        expected = 96 if n == failing else 95
        body += [
            f"  - name: g{n}",
            "    interval: 1m",
            "    input_series: [{series: demo_value, values: '95x130'}]",
            "    promql_expr_test:",
            "      - expr: demo_value",
            "        eval_time: 2h",
            f"        exp_samples: [{{labels: demo_value, value: {expected}}}]",
        ]
    return "\n".join(body) + "\n"


@pytest.mark.slow
def test_a_large_file_is_cut_into_group_shards_that_run_side_by_side(
    project: pytest.Pytester, promtool_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    project.makefile(".yml", big_test=big_file(groups=8, failing=2))
    log = project.path / "calls.log"
    wrapper = project.path / "counting-promtool"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {os.environ["PROMTOOL"]} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PROMTOOL", str(wrapper))

    result = project.runpytest("--promrules-workers=2", "big_test.yml", "-rf")

    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["FAILED big_test.yml::g2::expr:demo_value@2h*"])
    runs = [line for line in log.read_text().splitlines() if line.startswith("test rules")]
    assert len(runs) == 2, runs
    assert all(".group" in line for line in runs), "shards run as per-group files"
