"""Trimmed rule files: fewer rules for promtool, the same verdicts as bare promtool.

Each test writes rules and a test file, then compares the plugin (trimming
on, the default) with bare promtool on the same files, or looks at what
`RuleTrimmer` wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from promrules.authoring import timeline
from promrules.engine.trim import RuleTrimmer, trimmed_rule_files
from promrules.files.model import load_test_file
from promrules.promtool.binary import Promtool

# Three alerts on different metrics and one on a metric they share with a label.
RULES = """\
groups:
  - name: pack
    rules:
      - alert: HighCPU
        expr: cpu_usage > 90
      - alert: HighMemory
        expr: memory_usage > 90
      - record: disk:root
        expr: disk_usage{mount="/"}
      - alert: RootDiskFull
        expr: disk:root > 90
      - alert: DataDiskFull
        expr: disk_usage{mount="/data"} > 90
"""

TESTS = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - name: cpu
    input_series: [{series: cpu_usage, values: "95x5"}]
    alert_rule_test:
      - {eval_time: 2m, alertname: HighCPU, exp_alerts: [{exp_labels: {}}]}
  - name: root-disk
    input_series: [{series: 'disk_usage{mount="/"}', values: "95x5"}]
    alert_rule_test:
      - {eval_time: 2m, alertname: RootDiskFull, exp_alerts: [{exp_labels: {mount: "/"}}]}
    promql_expr_test:
      - expr: disk:root
        eval_time: 2m
        exp_samples: [{labels: 'disk:root{mount="/"}', value: 95}]
"""


def _trimmed_rules(test_path: Path, tmp_path: Path) -> list[list[str]]:
    """For each group: the names of the rules in the rule files it was given."""
    trimmer = RuleTrimmer(tmp_path / "out")
    test_file = load_test_file(test_path)
    written = trimmer.group_files(test_file, range(len(test_file.groups)))
    assert written is not None
    names = []
    for path in written[0]:
        rule_files = yaml.safe_load(path.read_text())["rule_files"]
        found = []
        for rule_file in rule_files:
            for group in yaml.safe_load(Path(rule_file).read_text())["groups"]:
                found += [r.get("alert") or r.get("record") for r in group["rules"]]
        names.append(found)
    return names


def test_each_group_gets_only_the_rules_it_can_observe(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / "pack_test.yml").write_text(TESTS)
    assert _trimmed_rules(tmp_path / "pack_test.yml", tmp_path) == [
        ["HighCPU"],
        ["disk:root", "RootDiskFull"],
    ]


def test_a_test_file_without_readable_rules_is_not_trimmed(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text("groups: [unclosed\n")
    (tmp_path / "pack_test.yml").write_text(TESTS)
    trimmer = RuleTrimmer(tmp_path / "out")
    assert trimmer.group_files(load_test_file(tmp_path / "pack_test.yml"), [0, 1]) is None


def _outcomes(pytester: pytest.Pytester, *args: str) -> dict[str, int]:
    result = pytester.runpytest("-p", "no:randomly", "-rfE", *args)
    return result.parseoutcomes()


def _bare(promtool: Promtool, pytester: pytest.Pytester) -> int:
    return promtool.test_rules("pack_test.yml", cwd=pytester.path).returncode


def test_trimmed_and_untrimmed_runs_agree_with_bare_promtool(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    pytester.makefile(".yml", rules=RULES)
    failing = TESTS.replace("exp_labels: {}", "exp_labels: {severity: none}")
    for text, bare_rc, outcome in ((TESTS, 0, {"passed": 3}), (failing, 1, {"failed": 1})):
        (pytester.path / "pack_test.yml").write_text(text)
        assert _bare(promtool_env, pytester) == bare_rc
        for trim in ("on", "off"):
            outcomes = _outcomes(pytester, f"--promrules-trim-rules={trim}", "pack_test.yml")
            assert {k: outcomes.get(k, 0) for k in outcome} == outcome, trim


def test_an_unobserved_rule_failing_on_no_data_fails_the_run_as_in_promtool(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    """The probe on an empty storage catches it, and the groups run with every rule."""
    broken = (
        RULES + '      - record: broken\n        expr: label_replace(other, "a", "$1", "b", "(")\n'
    )
    pytester.makefile(".yml", rules=broken)
    (pytester.path / "pack_test.yml").write_text(TESTS)
    assert _bare(promtool_env, pytester) == 1
    result = pytester.runpytest("-p", "no:randomly", "pack_test.yml")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 3
    result.stdout.fnmatch_lines(["*invalid regular expression in label_replace*"])


def test_an_unobserved_rule_failing_on_the_groups_data_fails_the_group(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    """A rule that reads the input series is kept: its evaluation error fails the group."""
    clash = RULES + "      - record: clash\n        expr: cpu_usage + on() group_left cpu_usage\n"
    pytester.makefile(".yml", rules=clash)
    two_cpus = TESTS.replace(
        '[{series: cpu_usage, values: "95x5"}]',
        "[{series: 'cpu_usage{core=\"0\"}', values: 95x5}, "
        "{series: 'cpu_usage{core=\"1\"}', values: 95x5}]",
    ).replace("exp_labels: {}", 'exp_labels: {core: "0"}}, {exp_labels: {core: "1"}')
    (pytester.path / "pack_test.yml").write_text(two_cpus)
    assert _bare(promtool_env, pytester) == 1
    outcomes = _outcomes(pytester, "pack_test.yml")
    assert outcomes.get("passed") == 2  # the root-disk group does not read cpu_usage
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 1


def test_a_timeline_from_trimmed_rules_is_the_timeline_from_all_of_them(
    tmp_path: Path, promtool: Promtool
) -> None:
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / "pack_test.yml").write_text(TESTS)
    copies = trimmed_rule_files(
        [tmp_path / "rules.yml"], "RootDiskFull", ["disk:root"], ['disk_usage{mount="/"}'], tmp_path
    )
    assert copies != [tmp_path / "rules.yml"]  # something was left out
    shown = [
        timeline.build(promtool, tmp_path / "pack_test.yml", 1, "RootDiskFull", 120_000, trim=trim)
        for trim in (True, False)
    ]
    assert shown[0].render() == shown[1].render()
    assert "disk:root" in shown[0].render()
