"""Route options and inhibition in YAML, in a second repository that has only the package.

The repository is built in tmp_path from the strings below (no file of this
repository is copied, no conftest.py) and pytest runs in a subprocess, with the
real amtool and a real Alertmanager the plugin starts itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.alertmanager.amtool import AmtoolError, locate_amtool
from promrules.alertmanager.server import ServerError, find_alertmanager

REPO = Path(__file__).resolve().parent.parent.parent

CONFIG = """\
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 15s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
      group_wait: 5s
      repeat_interval: 1h
    - matchers: ['severity=~"critical|warning"']
      receiver: chat
      group_by: ['...']
      mute_time_intervals: [offhours]
      routes:
        - matchers: ['team="db"']
          active_time_intervals: [workhours]
receivers: [{name: default}, {name: pager}, {name: chat}]
time_intervals:
  - name: offhours
    time_intervals:
      - times: [{start_time: 18:00, end_time: 24:00}]
  - name: workhours
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: 09:00, end_time: 17:00}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, instance]
"""

CASES = """\
config: alertmanager.yml
cases:
  - name: critical-pages-then-chats
    labels: {alertname: Down, severity: critical, instance: a}
    receivers: [pager, chat]
    routes:
      - {continue: true, group_by: [cluster, alertname], group_wait: 5s, repeat_interval: 1h}
      - {continue: false, group_by: ['...'], group_wait: 15s, mute_time_intervals: [offhours]}
  - name: db-warning-in-working-hours
    labels: {alertname: Slow, severity: warning, team: db}
    receivers: [chat]
    group_by: ['...']
    active_time_intervals: [workhours]
    mute_time_intervals: []
    repeat_interval: 4h
  - name: info-takes-the-root-defaults
    labels: {alertname: Info, severity: info, cluster: ""}
    receivers: [default]
    group_by: [alertname, cluster]
    group_wait: 15s
    group_interval: 5m
    continue: false
inhibitions:
  - name: critical-mutes-warning-on-its-instance
    firing: [{alertname: Down, severity: critical, instance: a}]
    muted: [{alertname: Down, severity: warning, instance: a}]
    not_muted: [{alertname: Down, severity: warning, instance: b}]
  - name: a-resolved-critical-mutes-nothing
    resolved: [{alertname: Down, severity: critical, instance: c}]
    not_muted: [{alertname: Down, severity: warning, instance: c}]
"""

PYTHON_CASE = """\
def test_critical_mutes_warning(alertmanager_server):
    inhibitor = alertmanager_server("alerting/alertmanager.yml")
    critical = {"alertname": "Disk", "severity": "critical", "instance": "x"}
    warning = {**critical, "severity": "warning"}
    seen = inhibitor.observe([critical, warning])
    assert [m.muted for m in seen] == [False, True]
    assert seen[1].inhibited_by == (tuple(sorted(critical.items())),)
    assert inhibitor.server.url.startswith("http://127.0.0.1:")
"""

PASSING = [
    "alerting/cases.yml::check-config PASSED*",
    "alerting/cases.yml::critical-pages-then-chats PASSED*",
    "alerting/cases.yml::db-warning-in-working-hours PASSED*",
    "alerting/cases.yml::info-takes-the-root-defaults PASSED*",
    "alerting/cases.yml::inhibition:critical-mutes-warning-on-its-instance PASSED*",
    "alerting/cases.yml::inhibition:a-resolved-critical-mutes-nothing PASSED*",
]


@pytest.fixture
def repo(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Another team's repository: an Alertmanager config and its cases, nothing else."""
    try:
        monkeypatch.setenv("AMTOOL", locate_amtool(rootdir=REPO).path)
        monkeypatch.setenv("ALERTMANAGER", find_alertmanager(REPO))
    except (AmtoolError, ServerError) as exc:
        pytest.fail(f"these tests need the real amtool and Alertmanager: {exc}", pytrace=False)
    (pytester.path / "alerting").mkdir()
    (pytester.path / "alerting" / "alertmanager.yml").write_text(CONFIG)
    (pytester.path / "alerting" / "cases.yml").write_text(CASES)
    return pytester


def _cases(repo: pytest.Pytester, old: str, new: str) -> None:
    path = repo.path / "alerting" / "cases.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_route_options_and_inhibition_cases_pass_against_the_real_tools(
    repo: pytest.Pytester,
) -> None:
    result = repo.runpytest_subprocess("alerting", "-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(PASSING, consecutive=False)
    result.assert_outcomes(passed=len(PASSING))
    assert not (repo.path / "conftest.py").exists()


def test_a_wrong_timer_names_the_route_and_the_line_that_set_it(repo: pytest.Pytester) -> None:
    _cases(repo, "group_wait: 5s, repeat_interval: 1h", "group_wait: 10s, repeat_interval: 1h")
    result = repo.runpytest_subprocess("alerting")
    result.assert_outcomes(passed=len(PASSING) - 1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "routing case 'critical-pages-then-chats' (alerting/cases.yml:3)",
            '  labels:   alertname="Down", severity="critical", instance="a"',
            "  route 1 of 2 (alerting/alertmanager.yml:6, receiver pager): "
            "group_wait: expected 10s, got 5s (from alerting/alertmanager.yml:9)",
        ]
    )


def test_inherited_and_own_options_fail_when_expected_otherwise(repo: pytest.Pytester) -> None:
    _cases(repo, "group_by: ['...']\n    active", "group_by: [alertname]\n    active")
    _cases(repo, "active_time_intervals: [workhours]", "active_time_intervals: []")
    _cases(repo, "group_interval: 5m", "group_interval: 1m")
    result = repo.runpytest_subprocess("alerting")
    result.assert_outcomes(passed=len(PASSING) - 2, failed=2)
    shown = result.stdout.str()  # plain substrings: fnmatch would read [...] as a class
    for line in [
        "(alerting/alertmanager.yml:16, receiver chat): group_by: expected [alertname], "
        "got [...] (from alerting/alertmanager.yml:13)",
        "(alerting/alertmanager.yml:16, receiver chat): active_time_intervals: expected [], "
        "got [workhours] (from alerting/alertmanager.yml:17)",
        "(alerting/alertmanager.yml:2, receiver default): group_interval: expected 1m, "
        "got 5m (Alertmanager's default)",
    ]:
        assert line in shown


def test_a_wrong_inhibition_expectation_shows_alertmanagers_verdicts(
    repo: pytest.Pytester,
) -> None:
    _cases(
        repo,
        "    muted: [{alertname: Down, severity: warning, instance: a}]\n"
        "    not_muted: [{alertname: Down, severity: warning, instance: b}]\n",
        "    muted:\n"
        "      - {alertname: Down, severity: warning, instance: a}\n"
        "      - {alertname: Down, severity: warning, instance: b}\n",
    )
    result = repo.runpytest_subprocess("alerting")
    result.assert_outcomes(passed=len(PASSING) - 1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "inhibition case 'critical-mutes-warning-on-its-instance' (alerting/cases.yml:24)",
            '  expected muted: {alertname="Down", instance="b", severity="warning"}',
            "  Alertmanager's verdict for every firing alert of the case:",
            '    {alertname="Down", instance="a", severity="critical"}: not muted',
            '    {alertname="Down", instance="a", severity="warning"}: muted by '
            '{alertname="Down", instance="a", severity="critical"}',
            '    {alertname="Down", instance="b", severity="warning"}: not muted',
            "  config:   alerting/alertmanager.yml",
        ]
    )


def test_muted_is_checked_too_not_only_not_muted(repo: pytest.Pytester) -> None:
    _cases(
        repo,
        "not_muted: [{alertname: Down, severity: warning, instance: c}]",
        "muted: [{alertname: Down, severity: warning, instance: c}]",
    )
    result = repo.runpytest_subprocess("alerting", "-k", "resolved")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ['  expected muted: {alertname="Down", instance="c", severity="warning"}']
    )


def test_the_fixture_gives_python_tests_the_same_alertmanager(repo: pytest.Pytester) -> None:
    repo.makepyfile(test_inhibit=PYTHON_CASE)
    result = repo.runpytest_subprocess("test_inhibit.py", "alerting", "-p", "no:randomly")
    result.assert_outcomes(passed=len(PASSING) + 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "group_wait: 5s, repeat",
            "group_wait: soon, repeat",
            "*alerting/cases.yml:7: `group_wait`: not a duration: 'soon'*",
        ),
        ("{continue: true,", "{continu: true,", "*alerting/cases.yml:7: unknown key 'continu'*"),
        (
            "    receivers: [pager, chat]\n",
            "    receivers: [pager]\n",
            "*alerting/cases.yml:6: case 'critical-pages-then-chats': `routes:` must list*",
        ),
        (
            "firing: [{alertname: Down, severity: critical, instance: a}]",
            "firing: {alertname: Down, severity: critical, instance: a}",
            "*alerting/cases.yml:25: `firing:` must be a list of label mappings*",
        ),
        (
            "    not_muted: [{alertname: Down, severity: warning, instance: b}]\n",
            "    not_mutted: [{alertname: Down, severity: warning, instance: b}]\n",
            "*alerting/cases.yml:27: unknown key 'not_mutted'*",
        ),
    ],
    ids=[
        "duration",
        "unknown-route-key",
        "routes-per-receiver",
        "firing-not-a-list",
        "unknown-inhibition-key",
    ],
)
def test_bad_case_files_are_one_error_with_file_and_line(
    repo: pytest.Pytester, old: str, new: str, message: str
) -> None:
    _cases(repo, old, new)
    result = repo.runpytest_subprocess("alerting")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([message])
    assert "Traceback" not in result.stdout.str()


def test_a_missing_alertmanager_fails_inhibition_items_with_one_line(
    repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERTMANAGER", str(repo.path / "no-such-alertmanager"))
    result = repo.runpytest_subprocess("alerting")
    # the inhibition cases, and the routing cases whose `group_by` Alertmanager confirms
    result.assert_outcomes(passed=1, failed=len(PASSING) - 1)
    result.stdout.fnmatch_lines(
        ["alerting/cases.yml:*: cannot start alertmanager (*no-such-alertmanager): No such file*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_an_inhibit_rule_that_needs_no_equal_labels_is_named_not_misread(
    repo: pytest.Pytester,
) -> None:
    """A rule whose source matches the plugin's probe alert must not pass as the case's verdict."""
    config = repo.path / "alerting" / "alertmanager.yml"
    config.write_text(
        CONFIG
        + "  - source_matchers: ['severity!=\"none\"']\n"
        + "    target_matchers: ['severity=\"page\"']\n"
        + "    equal: [instance]\n"
    )
    (repo.path / "alerting" / "cases.yml").write_text(
        "config: alertmanager.yml\n"
        "inhibitions:\n"
        "  - name: nothing-else-fires\n"
        "    not_muted: [{alertname: Lone, severity: page}]\n"
    )
    result = repo.runpytest_subprocess("alerting")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ['*{alertname="Lone", severity="page"} is muted by promrules\' probe alert*']
    )


def test_inhibitions_that_are_not_a_list_are_an_error_not_ignored(repo: pytest.Pytester) -> None:
    (repo.path / "alerting" / "cases.yml").write_text(
        "config: alertmanager.yml\ninhibitions: {name: x, muted: []}\n"
    )
    result = repo.runpytest_subprocess("alerting")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["alerting/cases.yml:2: `inhibitions:` must be a non-empty list"])
