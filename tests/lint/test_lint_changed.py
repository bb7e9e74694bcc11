"""Lint in `pint ci` style: only findings on rules a change touched, from pytest and the CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from promrules.cli.command import main

POLICY = "[tool.promrules.lint]\n"
RULES = """\
groups:
  - name: demo
    rules:
      - alert: Old
        expr: up
      - alert: Edited
        expr: up == 0
      - alert: Untouched
        expr: errors_total > 5
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    """A git repository whose rules have two old findings, then one rule edited badly."""
    pytester.makefile(".toml", pyproject=POLICY)
    pytester.mkdir("rules")
    (pytester.path / "rules" / "demo.yml").write_text(RULES)
    git(pytester.path, "init", "-q", "-b", "main")
    git(pytester.path, "add", "-A")
    git(pytester.path, "commit", "-q", "-m", "base")
    (pytester.path / "rules" / "demo.yml").write_text(
        RULES.replace("expr: up == 0", 'expr: up{job=~"^api$"} == 0')
    )
    return pytester


def test_pytest_reports_only_the_findings_on_changed_rules(repo: pytest.Pytester) -> None:
    everything = repo.runpytest("rules", "-k", "lint")
    everything.assert_outcomes(failed=3, passed=everything.parseoutcomes()["passed"])
    result = repo.runpytest("rules", "-k", "lint", "--promrules-lint-changed-since=main")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*redundant ^ and $ in job=~*(lint/regex-anchors)", "*-> Edited"])
    result.stdout.no_fnmatch_line("*-> Old")
    result.stdout.no_fnmatch_line("*-> Untouched")


def test_a_new_file_counts_as_changed_in_full(repo: pytest.Pytester) -> None:
    (repo.path / "rules" / "new.yml").write_text(
        "groups:\n  - name: new\n    rules:\n      - alert: New\n        expr: requests_total\n"
    )
    result = repo.runpytest("rules/new.yml", "-k", "lint", "--promrules-lint-changed-since=main")
    assert result.parseoutcomes()["failed"] == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*(lint/always-firing)", "---> rules/new.yml:5 -> New"])


def test_an_unknown_revision_is_a_usage_error(repo: pytest.Pytester) -> None:
    result = repo.runpytest("rules", "--promrules-lint-changed-since=no-such-ref")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--changed-since 'no-such-ref': unknown git revision*"])


def test_the_lint_command_reports_changed_rules_like_pint_ci(
    repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo.path)
    assert main(["lint", "--changed-since", "main"]) == 1
    out = capsys.readouterr().out
    assert "(lint/regex-anchors)\n---> rules/demo.yml:7 -> Edited" in out
    assert out.endswith("1 finding on rules changed since main\n")
    assert main(["lint"]) == 1
    assert capsys.readouterr().out.endswith("3 findings\n")
    git(repo.path, "checkout", "-q", "--", "rules")
    assert main(["lint", "--changed-since", "main"]) == 0
    assert capsys.readouterr().out == "0 findings on rules changed since main\n"


def test_the_lint_command_needs_a_policy(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(pytester.path)
    pytester.mkdir("rules")
    assert main(["lint"]) == 2
    assert "promrules lint: no [tool.promrules.lint] in" in capsys.readouterr().err
