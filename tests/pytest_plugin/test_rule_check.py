"""Each rule file is an item that runs `promtool check rules` with lint."""

from __future__ import annotations

import pytest

from tests.helpers import RULES


def test_a_valid_rule_file_passes(pytester: pytest.Pytester, promtool_env: object) -> None:
    pytester.makefile(".yml", rules=RULES)
    pytester.runpytest("rules.yml").assert_outcomes(passed=1)


def test_duplicate_rules_are_a_lint_failure(
    pytester: pytest.Pytester, promtool_env: object
) -> None:
    rule = RULES.split("    rules:\n")[1]
    pytester.makefile(".yml", rules=RULES + rule)
    result = pytester.runpytest("rules.yml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*`promtool check rules` found problems (exit code 3)*", "*duplicate rule*"]
    )


def test_a_syntax_error_in_a_rule_fails_with_its_line(
    pytester: pytest.Pytester, promtool_env: object
) -> None:
    pytester.makefile(".yml", rules=RULES.replace("demo_value > 90", "demo_value >"))
    result = pytester.runpytest("rules.yml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ['*rules.yml: 6:15: group "demo", rule 1, "HighValue": could not parse expression*']
    )


def test_a_template_that_does_not_render_fails_the_check(
    pytester: pytest.Pytester, promtool_env: object
) -> None:
    pytester.makefile(".yml", rules=RULES.replace("{{ $value }}", "{{ $value | nosuchfunc }}"))
    result = pytester.runpytest("rules.yml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['*annotation "summary"*function "nosuchfunc" not defined*'])
