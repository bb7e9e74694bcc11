"""Routing cases in YAML, in a repository that has only the installed package (no conftest)."""

from __future__ import annotations

import pytest

CONFIG = """\
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - matchers: ['severity=~"critical|warning"']
      receiver: chat
receivers:
  - name: default
  - name: pager
  - name: chat
"""

CASES = """\
config: alertmanager.yml
rules: ../rules/*.yml
cases:
  - name: critical-pages-and-chats
    description: continue on the pager route lets the chat route match too
    labels: {alertname: Down, severity: critical}
    receivers: [pager, chat]
  - name: warning-chats
    labels: {alertname: Slow, severity: warning}
    receivers: [chat]
"""

RULES = """\
groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        labels: {severity: critical}
"""


@pytest.fixture
def repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """Another team's repository: rules and an Alertmanager folder, nothing from promrules."""
    (pytester.path / "alerting").mkdir()
    (pytester.path / "alerting" / "alertmanager.yml").write_text(CONFIG)
    (pytester.path / "alerting" / "routes.yml").write_text(CASES)
    (pytester.path / "rules").mkdir()
    (pytester.path / "rules" / "app.yml").write_text(RULES)
    return pytester


def test_routing_cases_anywhere_become_items_checked_by_amtool(repo: pytest.Pytester) -> None:
    result = repo.runpytest_subprocess("alerting", "-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(
        [
            "alerting/routes.yml::check-config PASSED*",
            "alerting/routes.yml::critical-pages-and-chats PASSED*",
            "alerting/routes.yml::warning-chats PASSED*",
            "alerting/routes.yml::rule-alerts-reach-severity-receivers PASSED*",
        ]
    )
    result.assert_outcomes(passed=4)
    assert not (repo.path / "conftest.py").exists()


def test_a_wrong_receiver_fails_with_what_amtool_resolved(repo: pytest.Pytester) -> None:
    cases = repo.path / "alerting" / "routes.yml"
    cases.write_text(CASES.replace("receivers: [pager, chat]", "receivers: [pager]"))
    result = repo.runpytest_subprocess("alerting")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "routing case 'critical-pages-and-chats' (alerting/routes.yml:4)",
            "  why:      continue on the pager route lets the chat route match too",
            '  labels:   alertname="Down", severity="critical"',
            "  expected: pager",
            "  got:      pager, chat",
        ]
    )


def test_an_alert_that_reaches_only_the_default_receiver_is_named(repo: pytest.Pytester) -> None:
    (repo.path / "rules" / "app.yml").write_text(RULES.replace("critical", "page"))
    result = repo.runpytest_subprocess("alerting")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["1 of 1 alerts of `rules:` reach the default receiver 'default'*", "*Down severity=page*"]
    )


def test_a_config_amtool_rejects_fails_check_config(repo: pytest.Pytester) -> None:
    config = repo.path / "alerting" / "alertmanager.yml"
    config.write_text(CONFIG.replace("receiver: chat", "receiver: nobody"))
    result = repo.runpytest_subprocess("alerting/routes.yml::check-config")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["amtool check-config rejects alerting/alertmanager.yml:*"])
    assert "nobody" in result.stdout.str()


def test_a_bad_case_is_one_line_with_its_line_number(repo: pytest.Pytester) -> None:
    cases = repo.path / "alerting" / "routes.yml"
    cases.write_text(CASES.replace("receivers: [chat]", "receivers: chat\n    colour: red"))
    result = repo.runpytest_subprocess("alerting")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*alerting/routes.yml:*colour*"])
    assert "Traceback" not in result.stdout.str()


def test_other_yaml_with_cases_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yml", other="config: x\ncases: [{name: a}]\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
