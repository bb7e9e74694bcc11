"""Each lint problem planted in a rule file produces its finding, naming file, alert and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.lint import CHECKS

POLICY = """\
[tool.promrules.lint]
severities = ["critical", "warning", "info"]
required_labels = ["severity", "component"]
required_annotations = ["summary", "description", "runbook_url"]
runbook = "docs/runbook.md"
for_required = ["critical", "warning"]
"""

RUNBOOK = "# Runbook\n\n## HighValue\n\nCheck the value.\n\n## LowValue\n\nRaise it.\n"

GOOD_RULES = """\
groups:
  - name: demo
    rules:
      - alert: HighValue
        expr: demo_value > 90
        for: 2m
        labels:
          severity: critical
          component: demo
        annotations:
          summary: high
          description: "value {{ $value }}"
          runbook_url: https://example.invalid/docs/runbook.md#highvalue
      - alert: LowValue
        expr: demo_value < 10
        for: 2m
        labels:
          severity: info
          component: demo
        annotations:
          summary: low
          description: "value {{ $value }}"
          runbook_url: https://example.invalid/docs/runbook.md#lowvalue
"""


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject=POLICY)
    (pytester.mkdir("docs") / "runbook.md").write_text(RUNBOOK)
    pytester.mkdir("rules")
    return pytester


def run_lint(project: pytest.Pytester, rules: str) -> pytest.RunResult:
    (project.path / "rules" / "demo.yml").write_text(rules)
    return project.runpytest("rules", "-k", "lint", "-rf")


def test_clean_rules_pass_every_check(project: pytest.Pytester) -> None:
    result = run_lint(project, GOOD_RULES)
    result.assert_outcomes(passed=len(CHECKS))


@pytest.mark.parametrize(
    ("code", "plant", "message"),
    [
        ("severity", ("severity: info", "severity: page"), "*severity 'page' is not one of*"),
        (
            "required-labels",
            ("          component: demo\n", ""),
            "*missing required label(s) component*",
        ),
        (
            "required-annotations",
            ("          summary: low\n", ""),
            "*missing required annotation(s) summary*",
        ),
        (
            "runbook",
            ("#lowvalue", "#lowvalu"),
            "*anchor #lowvalu is not a heading of docs/runbook.md*",
        ),
        (
            "for",
            (
                "        for: 2m\n        labels:\n          severity: critical",
                "        labels:\n          severity: critical",
            ),
            "*critical alert has no `for:` duration*",
        ),
        (
            "unique",
            ("alert: LowValue", "alert: HighValue"),
            "*alert name 'HighValue' is also used at rules/demo.yml:4*",
        ),
    ],
)
def test_each_planted_problem_gives_its_finding(
    project: pytest.Pytester, code: str, plant: tuple[str, str], message: str
) -> None:
    planted = GOOD_RULES.replace(*plant)
    assert planted != GOOD_RULES
    result = run_lint(project, planted)
    result.assert_outcomes(passed=len(CHECKS) - 1, failed=1)
    result.stdout.fnmatch_lines([message, "---> rules/demo.yml:* -> *"])
    # The item and its finding carry one name (required-labels once said `(lint/labels)`).
    result.stdout.fnmatch_lines([f"*{message.strip('*')}* (lint/{code})"])
    result.stdout.fnmatch_lines([f"FAILED rules/demo.yml::lint/{code}*"])


def test_an_unknown_policy_key_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject="[tool.promrules.lint]\nseverity = ['x']\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown [[]tool.promrules.lint[]] keys: severity*"])


def test_every_check_has_a_docs_page_and_every_page_a_check() -> None:
    docs = Path(__file__).resolve().parent.parent.parent / "docs" / "lint"
    pages = {p.stem for p in docs.glob("*.md") if p.name != "README.md"}
    assert pages == set(CHECKS)


def test_a_disable_comment_passes_that_item_only(project: pytest.Pytester) -> None:
    planted = GOOD_RULES.replace(
        "        expr: demo_value < 10\n",
        "        # promrules: disable lint/regex-anchors -- kept as written upstream\n"
        '        expr: demo_value{job=~"^demo$"} < 10 and rate(demo_total[30s]) > 0\n',
    )
    result = run_lint(project, planted)
    result.assert_outcomes(passed=len(CHECKS) - 1, failed=1)
    result.stdout.fnmatch_lines(["FAILED rules/demo.yml::lint/rate-window*"])


def test_a_policy_can_switch_a_check_off_everywhere(project: pytest.Pytester) -> None:
    project.makefile(".toml", pyproject=POLICY + 'disable = ["rate-window"]\n')
    result = run_lint(project, GOOD_RULES.replace("demo_value > 90", "rate(x[1m]) > 90"))
    result.assert_outcomes(passed=len(CHECKS) - 1)


def test_a_bad_scrape_interval_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject="[tool.promrules.lint]\nscrape_interval = '1 minute'\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*scrape_interval = '1 minute': not a duration*"])
