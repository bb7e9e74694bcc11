"""Test files are collected as one item per case, with ids naming group and case."""

from __future__ import annotations

import pytest

from tests.helpers import PASSING_TEST, RULES


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", rules=RULES, demo_test=PASSING_TEST)
    return pytester


def test_it_collects_one_item_per_case_with_readable_ids(project: pytest.Pytester) -> None:
    result = project.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "demo_test.yml::high::HighValue@1m",
            "demo_test.yml::high::HighValue@2m",
            "demo_test.yml::high::expr:demo_value@1m",
            "demo_test.yml::low::HighValue@5m",
            "rules.yml::check",
            "5 tests collected*",
        ]
    )


def test_a_passing_file_passes_every_case(project: pytest.Pytester) -> None:
    result = project.runpytest("-v")
    result.assert_outcomes(passed=5)


def test_unnamed_groups_and_repeated_names_get_unique_ids(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yml", rules=RULES)
    pytester.makefile(
        ".yml",
        dup_test="""\
        rule_files: [rules.yml]
        tests:
          - interval: 1m
            input_series: [{series: demo_value, values: "1x3"}]
            alert_rule_test:
              - {eval_time: 1m, alertname: HighValue, exp_alerts: []}
              - {eval_time: 1m, alertname: HighValue, exp_alerts: []}
          - interval: 1m
            input_series: [{series: demo_value, values: "1x3"}]
        """,
    )
    result = pytester.runpytest("--collect-only", "-q", "dup_test.yml")
    result.stdout.fnmatch_lines(
        [
            "dup_test.yml::group0::HighValue@1m",
            "dup_test.yml::group0::HighValue@1m#2",
            "dup_test.yml::group1::run",
        ]
    )


def test_unrelated_yaml_is_not_collected(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yml", other="name: ci\non: [push]\njobs: {}\n")
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*no tests collected*"])


def test_promtool_runs_once_per_file_not_once_per_case(
    project: pytest.Pytester, promtool_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrapper logs each start of the real promtool, then hands over to it."""
    import os

    log = project.path / "calls.log"
    wrapper = project.path / "counting-promtool"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {os.environ["PROMTOOL"]} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PROMTOOL", str(wrapper))
    project.runpytest("demo_test.yml").assert_outcomes(passed=4)
    calls = [line for line in log.read_text().splitlines() if line.startswith("test rules")]
    assert len(calls) == 1, calls
