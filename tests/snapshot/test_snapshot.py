"""Live mode and snapshot mode: derived boundary cases as pytest items and as committed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.cli import command as cli
from promrules.promtool.binary import Promtool
from tests.helpers import RULES

GENERATED = Path("rule_tests/generated/demo_test.yml")

SECOND_ALERT = """\
      - alert: LowValue
        expr: demo_value < 10
        for: 1m
        labels:
          severity: warning
"""


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: Promtool) -> pytest.Pytester:
    """A repository with rules/ and no tests at all."""
    (pytester.path / "rules").mkdir()
    (pytester.path / "rules" / "demo.yml").write_text(RULES)
    return pytester


def _generate(promtool: Promtool, *args: str) -> int:
    return cli.main(["--promtool", promtool.path, "generate", *args])


def _edit_rules(project: pytest.Pytester, old: str, new: str) -> None:
    path = project.path / "rules" / "demo.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_live_mode_gives_a_repository_without_tests_its_boundary_cases(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest("-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(
        [
            "rules/demo.yml::HighValue::fires-after-for PASSED*",
            "rules/demo.yml::HighValue::quiet-short-of-threshold PASSED*",
            "rules/demo.yml::HighValue::at-threshold PASSED*",
            "rules/demo.yml::HighValue::resolves-after-clearing PASSED*",
            "rules/demo.yml       1       1      1             0        1   100.0%",
        ]
    )
    result.assert_outcomes(passed=5)  # the `check` item and the four cases
    assert not list(project.path.rglob("*_test.yml")), "live mode must not write files"


def test_an_alert_that_cannot_be_derived_is_skipped_with_its_reason_and_not_covered(
    project: pytest.Pytester,
) -> None:
    _edit_rules(project, "demo_value > 90", "demo_value")
    result = project.runpytest("-rs", "-p", "no:randomly")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*promrules: boundary cases not derived*",
            "HighValue derive: not derived: the expression has no threshold comparison*",
            "rules/demo.yml       1       0      0             0        0     0.0%",
        ]
    )


def test_live_mode_can_be_turned_off(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\npromrules_derive = off\n")
    result = project.runpytest("-v")
    result.assert_outcomes(passed=1)
    assert "fires-after-for" not in result.stdout.str()


def test_a_wrong_derive_setting_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\npromrules_derive = sometimes\n")
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*promrules_derive = 'sometimes': expected auto or off*"])


def test_generate_writes_a_stable_file_that_bare_promtool_passes(
    project: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _generate(promtool_env) == 0
    assert (
        "demo_test.yml: 4 cases for 1 alerts of rules/demo.yml (written)" in capsys.readouterr().out
    )
    first = GENERATED.read_bytes()
    bare = promtool_env.test_rules(GENERATED.resolve())
    assert bare.returncode == 0, bare.output
    assert _generate(promtool_env) == 0
    assert "(unchanged)" in capsys.readouterr().out
    assert GENERATED.read_bytes() == first

    result = project.runpytest("-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(
        ["rule_tests/generated/demo_test.yml::HighValue::fires-after-for PASSED*"]
    )
    result.assert_outcomes(passed=5)
    assert "rules/demo.yml::HighValue" not in result.stdout.str(), "snapshot replaces live mode"


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        ("demo_value > 90", "demo_value > 85", "threshold 90 → 85 in `demo_value > 85`"),
        ("demo_value > 90", "demo_value >= 90", "operator > → >= in `demo_value >= 90`"),
        ("for: 2m", "for: 3m", "for: 2m → 3m"),
        ("severity: critical", "severity: warning", "label severity 'critical' → 'warning'"),
    ],
)
def test_a_changed_rule_fails_its_generated_cases_with_what_changed(
    project: pytest.Pytester, promtool_env: Promtool, old: str, new: str, change: str
) -> None:
    assert _generate(promtool_env) == 0
    _edit_rules(project, old, new)
    result = project.runpytest("rule_tests", "-rs", "-p", "no:randomly")
    result.assert_outcomes(failed=1, skipped=3)  # one failure per changed alert
    result.stdout.fnmatch_lines(
        [
            f"HighValue (rules/demo.yml:5) changed since this file was generated: {change}",
            "If the change is intended, accept it with `promrules generate` "
            "(or `pytest --promrules-update`)*",
            "Its 4 generated cases against the rule as it is now: * fail*",
        ]
    )
    out = result.stdout.str()
    assert out.count("changed since this file was generated") == 1, out
    assert "(passed)" not in out
    result.stdout.fnmatch_lines(
        [
            "SKIPPED * HighValue changed since rule_tests/generated/demo_test.yml was generated: "
            "see rule_tests/generated/demo_test.yml::HighValue::fires-after-for"
        ]
    )

    accepted = project.runpytest("--promrules-update")
    accepted.assert_outcomes(passed=5)
    accepted.stdout.fnmatch_lines(
        ["*demo_test.yml: 4 cases for 1 alerts of rules/demo.yml (written)"]
    )
    assert project.runpytest("rule_tests").ret == pytest.ExitCode.OK


def test_a_changed_alert_fails_once_whichever_of_its_cases_are_selected(
    project: pytest.Pytester, promtool_env: Promtool
) -> None:
    """The failure goes to the first selected case, so `-k` and `--lf` still see it."""
    assert _generate(promtool_env) == 0
    _edit_rules(project, "demo_value > 90", "demo_value > 85")
    result = project.runpytest("rule_tests", "-p", "no:randomly", "-k", "at-threshold or resolves")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["*Its 2 generated cases against the rule as it is now:*", "FAILED *::at-threshold*"]
    )


def test_removed_and_added_alerts_are_named_until_regenerated(
    project: pytest.Pytester, promtool_env: Promtool
) -> None:
    assert _generate(promtool_env) == 0
    rules = project.path / "rules" / "demo.yml"
    rules.write_text(RULES.replace("alert: HighValue", "alert: VeryHighValue"))
    result = project.runpytest("rule_tests", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*alert VeryHighValue (rules/demo.yml:5) has no generated cases in "
            "rule_tests/generated/demo_test.yml; generate them with `promrules generate`*",
            "*alert HighValue is no longer in the rule file; its cases in "
            "rule_tests/generated/demo_test.yml are stale*",
        ]
    )
    assert project.runpytest("--promrules-update").ret == pytest.ExitCode.OK
    assert "HighValue:" not in GENERATED.read_text().replace("VeryHighValue:", "")


def test_a_generated_file_whose_rule_file_is_gone_is_stale_and_generate_removes_it(
    project: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.path / "rules" / "other.yml").write_text(RULES.replace("HighValue", "OtherValue"))
    assert _generate(promtool_env) == 0
    (project.path / "rules" / "demo.yml").unlink()
    result = project.runpytest("rule_tests")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["*demo_test.yml was generated from ../../rules/demo.yml, which no longer exists*"]
    )
    capsys.readouterr()
    assert _generate(promtool_env) == 0
    assert "rule_tests/generated/demo_test.yml: removed" in capsys.readouterr().out
    assert not GENERATED.exists()
    assert (project.path / "rule_tests" / "generated" / "other_test.yml").is_file()


def test_a_damaged_header_record_is_reported_not_ignored(
    project: pytest.Pytester, promtool_env: Promtool
) -> None:
    assert _generate(promtool_env) == 0
    text = GENERATED.read_text()
    GENERATED.write_text(text.replace('# promrules-alert: {"alert"', '# promrules-alert: {"alrt"'))
    result = project.runpytest("rule_tests")
    result.stdout.fnmatch_lines(["*demo_test.yml: line * damaged alert record*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_generate_refuses_a_missing_rule_folder(
    project: pytest.Pytester, capsys: pytest.CaptureFixture[str], promtool_env: Promtool
) -> None:
    assert _generate(promtool_env, "nowhere") == 2
    assert "no such rule file or folder: nowhere" in capsys.readouterr().err


def test_a_signal_printed_by_another_printer_is_the_same_signal() -> None:
    """Snapshots written with promql-parser's printing stay current under promrules' own."""
    from promrules.snapshot.signature import AlertSignature, Comparison, describe_changes

    def signature(signal: str, threshold: float) -> AlertSignature:
        return AlertSignature(
            "A", "sum by (job)(rate(x[5m])) > 1", 0, 0, (), (Comparison(signal, ">", threshold),)
        )

    old = signature("sum by (job) (rate(x{}[5m]))", 1.0)
    assert describe_changes(old, signature("sum by (job)(rate(x[5m]))", 1.0)) == []
    assert describe_changes(old, signature("sum by (job)(rate(x[5m]))", 2.0)) == [
        "threshold 1 → 2 in `sum by (job)(rate(x[5m])) > 2`"
    ]
