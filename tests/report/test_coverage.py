"""The alert coverage table, its JSON report and its gates (--promrules-cov-fail-under,
hand-written cases required); which cases are hand-written and which derived; and
no gate on a run that selected part of the suite (-k, --lf)."""

from __future__ import annotations

import json

import pytest

from promrules.coverage import DERIVED, CoverageReport, recording_as
from promrules.files.model import load_rule_file
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
            "rule file  alerts  firing  quiet  hand-written  derived  covered",
            "rules.yml       2       1      1             1        0    50.0%",
            "TOTAL           2                                          50.0%",
            "not covered: rules.yml:12 LowValue (no passing firing and quiet case)",
            "1 alert without a passing hand-written case (derived cases only, or none)",
        ]
    )


def test_a_failing_case_does_not_count(project: pytest.Pytester) -> None:
    project.makefile(".yml", demo_test=PASSING_TEST.replace("value is 95", "value is 96"))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["rules.yml       2       0      1             1        0     0.0%"]
    )


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
    assert [
        (a["alert"], a["firing"], a["quiet"], a["hand_written"], a["derived"])
        for a in report["alerts"]
    ] == [
        ("HighValue", True, True, True, False),
        ("LowValue", False, False, False, False),
    ]
    assert "partial" not in report


def test_a_bad_threshold_is_refused(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--promrules-cov-fail-under=120")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--promrules-cov-fail-under='120': expected a percentage*"])


# Cases of LowValue (fires below 10 after 1m): quiet at 30s, firing at 2m.
LOW_QUIET = """\
  - name: low-quiet
    interval: 1m
    input_series: [{series: demo_value, values: "5x10"}]
    alert_rule_test:
      - {eval_time: 30s, alertname: LowValue, exp_alerts: []}
"""
LOW_FIRING = """\
  - name: low-firing
    interval: 1m
    input_series: [{series: demo_value, values: "5x10"}]
    alert_rule_test:
      - eval_time: 2m
        alertname: LowValue
        exp_alerts: [{exp_labels: {severity: warning}}]
"""
HEAD = "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n"


def test_require_hand_written_names_each_alert_without_one(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\npromrules_cov_require_hand_written = true\n")
    result = project.runpytest("demo_test.yml")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "no hand-written case: rules.yml:12 LowValue (no passing case)",
            "FAIL: 1 alert has no passing hand-written case (promrules_cov_require_hand_written)",
        ]
    )
    project.makefile(".yml", low_test=HEAD + LOW_QUIET)  # one passing case is enough
    result = project.runpytest("demo_test.yml", "low_test.yml")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "no hand-written case" not in result.stdout.str()


@pytest.mark.parametrize("mode", ["live", "snapshot"])
def test_derived_cases_count_as_derived_not_hand_written(
    pytester: pytest.Pytester, promtool_env: object, mode: str
) -> None:
    """Live cases (under the rule file) and generated snapshot files are derived; a test
    file someone wrote is hand-written. Derived cases cover, but do not satisfy the
    hand-written requirement."""
    (pytester.path / "rules").mkdir()
    (pytester.path / "rules" / "demo.yml").write_text(TWO_ALERTS)
    (pytester.path / "rule_tests").mkdir()
    (pytester.path / "rule_tests" / "demo_test.yml").write_text(
        PASSING_TEST.replace("rule_files: [rules.yml]", "rule_files: [../rules/demo.yml]")
    )
    args = ["rules", "rule_tests", "--promrules-cov-json=cov.json"]
    if mode == "snapshot":
        args.append("--promrules-update")
    result = pytester.runpytest(*args, "--promrules-cov-require-hand-written")
    ran = [r.nodeid for r in result.reprec.getreports("pytest_runtest_logreport")]  # type: ignore[attr-defined]
    derived_in = "rule_tests/generated/" if mode == "snapshot" else "rules/demo.yml::"
    assert any(n.startswith(derived_in) for n in ran), ran
    document = json.loads((pytester.path / "cov.json").read_text())
    alerts = {a["alert"]: a for a in document["alerts"]}
    assert (alerts["HighValue"]["hand_written"], alerts["HighValue"]["derived"]) == (True, True)
    assert (alerts["LowValue"]["hand_written"], alerts["LowValue"]["derived"]) == (False, True)
    assert alerts["LowValue"]["covered"] is True
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "rules/demo.yml       2       2      2             1        2   100.0%",
            "no hand-written case: rules/demo.yml:12 LowValue (derived cases only)",
            "FAIL: 1 alert has no passing hand-written case*",
        ]
    )


@pytest.fixture
def fully_covered(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    """Both alerts covered by hand-written cases, with a 100% gate in addopts."""
    pytester.makefile(
        ".yml",
        rules=TWO_ALERTS,
        demo_test=PASSING_TEST + LOW_QUIET,
        low_test=HEAD + LOW_FIRING,
    )
    pytester.makeini(
        "[pytest]\naddopts = --promrules-cov-fail-under=100 --promrules-cov-json=cov.json\n"
    )
    assert pytester.runpytest("demo_test.yml", "low_test.yml").ret == pytest.ExitCode.OK
    return pytester


def test_a_k_selection_is_not_gated(fully_covered: pytest.Pytester) -> None:
    result = fully_covered.runpytest("demo_test.yml", "low_test.yml", "-k", "HighValue")
    result.assert_outcomes(passed=3, deselected=3)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "promrules: alert coverage not computed: this run is part of the suite "
            "(3 items deselected); coverage gates apply to full runs"
        ]
    )
    assert "promrules alert coverage" not in result.stdout.str()  # no table
    assert json.loads((fully_covered.path / "cov.json").read_text())["partial"]


def test_a_last_failed_run_is_not_gated(fully_covered: pytest.Pytester) -> None:
    """--lf reruns only the failed case of low_test.yml."""
    fixed = (fully_covered.path / "low_test.yml").read_text()
    fully_covered.makefile(".yml", low_test=fixed.replace("5x10", "50x10"))
    failed = fully_covered.runpytest()
    failed.assert_outcomes(passed=6, failed=1)  # +1: the rules.yml check
    fully_covered.makefile(".yml", low_test=fixed)
    result = fully_covered.runpytest("--lf")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "promrules: alert coverage not computed: this run is part of the suite "
            "(--lf reran the last failures only*); coverage gates apply to full runs"
        ]
    )
    full = fully_covered.runpytest("--lf")  # no failure on record: the whole suite
    assert full.ret == pytest.ExitCode.OK
    full.stdout.fnmatch_lines(["TOTAL           2 *100.0%"])


def test_collect_only_is_not_gated(fully_covered: pytest.Pytester) -> None:
    result = fully_covered.runpytest("demo_test.yml", "low_test.yml", "--co")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(["*coverage not computed*(--collect-only ran nothing)*"])


def test_a_full_run_below_the_gate_still_fails(fully_covered: pytest.Pytester) -> None:
    result = fully_covered.runpytest("demo_test.yml")  # a file argument is not a selection
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAIL: alert coverage 50.0% is below *=100"])


def test_worker_rows_keep_the_kind_of_case(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "rules.yml"
    path.write_text(TWO_ALERTS)
    worker, controller = CoverageReport(), CoverageReport()
    for report in (worker, controller):
        report.add_rule_file(load_rule_file(path), "rules.yml")
    with recording_as(DERIVED):
        worker.record("LowValue", firing=True)
    worker.record("HighValue", firing=False)
    controller.merge_rows(worker.rows())
    kinds = {
        e.alert: (e.hand_written, e.derived, e.firing, e.quiet) for e in controller.alerts.values()
    }
    assert kinds == {
        "HighValue": (True, False, False, True),
        "LowValue": (False, True, True, False),
    }


SCENARIO_TEST = """\
from promrules.series import gauge


def test_low_value(promrules_scenario):
    value = gauge("demo_value").hold(50, "3m").hold(5, "10m")
    s = promrules_scenario("rules.yml").add(value)
    s.expect_quiet("LowValue", "2m")
    s.expect_firing("LowValue", "6m")
    s.run()
"""


def test_a_passing_python_scenario_counts_as_a_hand_written_case(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_scenario=SCENARIO_TEST)
    result = project.runpytest("demo_test.yml", "test_scenario.py")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        ["rules.yml       2       2      2             2        0   100.0%"]
    )


def test_a_failing_python_scenario_does_not_count(project: pytest.Pytester) -> None:
    project.makepyfile(test_scenario=SCENARIO_TEST.replace('"6m"', '"2m"'))
    result = project.runpytest("demo_test.yml", "test_scenario.py")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["rules.yml       2       1      1             1        0    50.0%"]
    )
