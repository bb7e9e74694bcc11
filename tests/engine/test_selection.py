"""Under -k, --lf or any deselection, promtool runs only the selected test groups.

A logging wrapper around the real promtool (`tests.helpers.logging_promtool`)
records every `test rules` call and the test groups of every file it was given,
so the tests can see exactly which groups promtool evaluated.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from promrules.engine.batching import run_filter
from promrules.files.model import load_test_file
from promrules.promtool.binary import Promtool
from tests.helpers import RULES, logging_promtool

# Three named groups: `slow_fail` fails, `keep` and `other` pass.
THREE_GROUPS = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - name: keep
    interval: 1m
    input_series: [{series: demo_value, values: "95x10"}]
    alert_rule_test:
      - eval_time: 5m
        alertname: HighValue
        exp_alerts:
          - {exp_labels: {severity: critical}, exp_annotations: {summary: "value is 95"}}
  - name: slow_fail
    interval: 1m
    input_series: [{series: demo_value, values: "95x10"}]
    alert_rule_test:
      - {eval_time: 5m, alertname: HighValue, exp_alerts: []}
  - name: other
    interval: 1m
    input_series: [{series: demo_value, values: "5x10"}]
    alert_rule_test:
      - {eval_time: 5m, alertname: HighValue, exp_alerts: []}
"""


@pytest.fixture
def logged(
    pytester: pytest.Pytester, promtool_env: Promtool, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A project with THREE_GROUPS and a promtool that logs what it is given."""
    pytester.makefile(".yml", rules=RULES, three_test=THREE_GROUPS)
    return logging_promtool(pytester, promtool_env.path, monkeypatch)


def rule_test_calls(log: Path) -> list[str]:
    lines = log.read_text().splitlines()
    return [x for x in lines if x.startswith("CALL test rules") and not x.endswith("probe.yml")]


def groups_run(log: Path, promtool: Promtool) -> list[str]:
    """Names of the groups promtool evaluated, from the files and any --run filter.

    Timeline probes (`probe.yml`, shown under a failed alert) are not test runs.
    """
    names = []
    run_filter_text = None
    probe = False
    for line in log.read_text().splitlines():
        if line.startswith("CALL "):
            found = re.search(r"--run=(\S+)", line)
            run_filter_text = found.group(1) if found else None
            probe = line.endswith("probe.yml")
        elif line.startswith("GROUP ") and not probe:
            name = line.split("name:", 1)[1].strip()
            if run_filter_text is None or re.fullmatch(run_filter_text, name):
                names.append(name)
    return names


def test_minus_k_runs_only_the_selected_group(
    pytester: pytest.Pytester, logged: Path, promtool_env: Promtool
) -> None:
    result = pytester.runpytest("-k", "keep", "--promrules-workers=1")
    result.assert_outcomes(passed=1, deselected=3)
    assert groups_run(logged, promtool_env) == ["keep"]
    calls = rule_test_calls(logged)
    assert len(calls) == 1, calls
    if promtool_env.major >= 3:
        assert "--run=^(?:keep)$" in calls[0], "3.x picks the group by name in the user's file"
    else:
        assert ".group0.yml" in calls[0], "2.x runs a trimmed copy"
        assert "three_test.yml" not in calls[0].replace(".group0.yml", "")


def test_a_selected_failing_group_still_fails(
    pytester: pytest.Pytester, logged: Path, promtool_env: Promtool
) -> None:
    result = pytester.runpytest("-k", "slow_fail or other", "-rf")
    result.assert_outcomes(passed=1, failed=1, deselected=2)
    result.stdout.fnmatch_lines(["FAILED three_test.yml::slow_fail::HighValue@5m*"])
    assert sorted(groups_run(logged, promtool_env)) == ["other", "slow_fail"]


def test_last_failed_reruns_only_the_failed_group(
    pytester: pytest.Pytester, logged: Path, promtool_env: Promtool
) -> None:
    first = pytester.runpytest("-p", "cacheprovider")
    first.assert_outcomes(passed=3, failed=1)
    logged.write_text("")
    again = pytester.runpytest("-p", "cacheprovider", "--lf")
    again.assert_outcomes(failed=1, deselected=3)
    assert groups_run(logged, promtool_env) == ["slow_fail"]


def test_unnamed_groups_are_selected_through_trimmed_copies(
    pytester: pytest.Pytester, logged: Path, promtool_env: Promtool
) -> None:
    pytester.makefile(".yml", three_test=THREE_GROUPS.replace("  - name: other\n", "  - \n"))
    result = pytester.runpytest("-k", "keep")
    result.assert_outcomes(passed=1, deselected=3)
    calls = rule_test_calls(logged)
    assert len(calls) == 1 and "--run" not in calls[0] and ".group0.yml" in calls[0], calls


def test_the_whole_file_runs_as_written_when_every_group_is_selected(
    pytester: pytest.Pytester, logged: Path, promtool_env: Promtool
) -> None:
    """With rule trimming off: with it on, groups run as trimmed copies (engine/test_trim.py)."""
    args = ("--promrules-workers=1", "--promrules-trim-rules=off")
    pytester.runpytest(*args).assert_outcomes(passed=3, failed=1)
    calls = rule_test_calls(logged)
    assert calls[0].endswith("three_test.yml"), calls
    assert "--run" not in calls[0] and ".group" not in calls[0]
    # 2.x has no JUnit report: a failing file's groups run again to attribute failures.
    assert len(calls) == (1 if promtool_env.major >= 3 else 2), calls


@pytest.mark.parametrize(
    ("names", "chosen", "expected"),
    [
        (["a.b", "axb", "a"], [0], "a.b"),
        (["x (1)", "x 1", "x+1"], [0, 2], "x (1),x+1"),
        (["^$", "[set]", "back\\slash"], [1, 2], "[set],back\\slash"),
    ],
)
def test_run_filter_matches_exactly_the_chosen_names_in_promtool(
    tmp_path: Path, promtool: Promtool, names: list[str], chosen: list[int], expected: str
) -> None:
    if promtool.major < 3:
        pytest.skip(f"promtool {promtool.version_text} has no --run")
    (tmp_path / "rules.yml").write_text(RULES)
    groups = "".join(
        f"  - name: '{name}'\n    interval: 1m\n"
        "    input_series: [{series: demo_value, values: '5x3'}]\n"
        "    promql_expr_test: [{expr: demo_value, eval_time: 1m, exp_samples: []}]\n"
        for name in names
    )
    path = tmp_path / "t.yml"
    path.write_text(f"rule_files: [rules.yml]\ntests:\n{groups}")
    regex = run_filter(load_test_file(path), chosen)
    assert regex is not None
    junit = tmp_path / "junit.xml"
    promtool.run("test", "rules", f"--junit={junit}", f"--run={regex}", str(path))
    ran = re.findall(r'<testcase name="([^"]*)"', junit.read_text())
    assert ",".join(ran).replace("&#34;", '"') == expected


def test_run_filter_refuses_names_it_cannot_pick_out(tmp_path: Path) -> None:
    body = "    interval: 1m\n    input_series: []\n"
    for names in (["dup", "dup"], ["ok", None], ["ok", "tab\there"]):
        entries = "".join(
            (f"  - name: {name!r}\n" if name is not None else "  -\n") + body for name in names
        )
        path = tmp_path / "t.yml"
        path.write_text(f"rule_files: []\ntests:\n{entries}".replace("'", '"'))
        assert run_filter(load_test_file(path), [0]) is None, names


def test_no_promrules_temporary_files_are_left_behind(
    pytester: pytest.Pytester, logged: Path
) -> None:
    before = set(os.listdir(pytester.path))
    pytester.runpytest("-k", "keep")
    assert {p for p in set(os.listdir(pytester.path)) - before if "group" in p} == set()
