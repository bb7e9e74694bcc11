"""`promrules generate` on part of a repository touches only that part's snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.cli import command as cli
from promrules.promtool.binary import Promtool
from tests.helpers import RULES

GENERATED = Path("rule_tests/generated")


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: Promtool) -> pytest.Pytester:
    """rules/demo.yml and rules/other.yml, both generated once."""
    rules = pytester.path / "rules"
    rules.mkdir()
    (rules / "demo.yml").write_text(RULES)
    (rules / "other.yml").write_text(RULES.replace("HighValue", "OtherValue"))
    assert generate(promtool_env) == 0
    assert sorted(p.name for p in GENERATED.iterdir()) == ["demo_test.yml", "other_test.yml"]
    return pytester


def generate(promtool: Promtool, *args: str) -> int:
    return cli.main(["--promtool", promtool.path, "generate", *args])


def test_generating_one_rule_file_leaves_the_other_snapshots_alone(
    project: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (GENERATED / "demo_test.yml").read_bytes()
    capsys.readouterr()
    assert generate(promtool_env, "rules/other.yml") == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "rule_tests/generated/other_test.yml: 4 cases for 1 alerts of rules/other.yml (unchanged)",
        "  OtherValue: derived (4 cases)",
    ]
    assert (GENERATED / "demo_test.yml").read_bytes() == before
    assert sorted(p.name for p in GENERATED.iterdir()) == ["demo_test.yml", "other_test.yml"]


def test_a_file_in_a_configured_rule_folder_keeps_the_name_pytest_looks_for(
    project: pytest.Pytester, promtool_env: Promtool
) -> None:
    (GENERATED / "other_test.yml").unlink()
    assert generate(promtool_env, "rules/other.yml") == 0
    assert (GENERATED / "other_test.yml").is_file()
    assert not (GENERATED / "rules__other_test.yml").exists()
    project.runpytest("rule_tests").assert_outcomes(passed=8)


def test_generating_a_folder_says_which_snapshot_it_removes_and_why(
    project: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.path / "rules" / "other.yml").unlink()
    capsys.readouterr()
    assert generate(promtool_env, "rules") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "rule_tests/generated/other_test.yml: removed (its rule file rules/other.yml is gone)"
    )
    assert sorted(p.name for p in GENERATED.iterdir()) == ["demo_test.yml"]


def test_a_snapshot_of_a_rule_file_outside_the_folder_asked_about_stays(
    project: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = project.path / "extra"
    extra.mkdir()
    (extra / "more.yml").write_text(RULES.replace("HighValue", "MoreValue"))
    assert generate(promtool_env, "extra/more.yml") == 0
    assert (GENERATED / "extra__more_test.yml").is_file()
    capsys.readouterr()
    assert generate(promtool_env, "rules") == 0
    assert "removed" not in capsys.readouterr().out
    assert (GENERATED / "extra__more_test.yml").is_file()
