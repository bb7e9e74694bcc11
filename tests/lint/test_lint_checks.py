"""Each lint check finds its problem in a rule, and stays quiet on the fixed rule.

Checks run through `lint_paths`, the library call both the pytest items and
`promrules lint` make, over rule files written to tmp_path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from promrules.lint import CHECKS, Finding, Policy
from promrules.lint.runner import lint_paths


def alert(expr: str, **fields: Any) -> dict[str, Any]:
    return {"alert": fields.pop("name", "Demo"), "expr": expr, **fields}


def lint(tmp_path: Path, *rules: dict[str, Any], policy: Policy | None = None) -> list[Finding]:
    (tmp_path / "rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "demo", "rules": list(rules)}]}, sort_keys=False)
    )
    findings, errors = lint_paths(tmp_path, policy or Policy(), [tmp_path / "rules.yml"])
    assert errors == []
    return findings


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# (check, bad rule, the same rule fixed, what the finding says)
CASES = [
    pytest.param(
        "template-labels",
        alert("count(up == 0) > 0", annotations={"summary": "down: {{ $labels.instance }}"}),
        alert(
            "count by (instance) (up == 0) > 0", annotations={"summary": "{{ $labels.instance }}"}
        ),
        "annotation summary uses $labels.instance, which is always empty here",
        id="template-labels: count() drops instance",
    ),
    pytest.param(
        "template-labels",
        alert("sum by (job) (rate(x_total[5m])) > 1", annotations={"d": "{{ .Labels.instance }}"}),
        alert("sum by (job) (rate(x_total[5m])) > 1", annotations={"d": "{{ .Labels.job }}"}),
        "annotation d uses $labels.instance",
        id="template-labels: sum by (job) keeps only job",
    ),
    pytest.param(
        "template-labels",
        alert('absent(up{job="api"})', annotations={"d": "{{ $labels.instance }}"}),
        alert('absent(up{job="api"})', annotations={"d": "{{ $labels.job }}"}),
        "annotation d uses $labels.instance",
        id="template-labels: absent() carries only its = matchers",
    ),
    pytest.param(
        "template-labels",
        alert("x > on (job) y", annotations={"d": '{{ index $labels "instance" }}'}),
        alert("x > ignoring (team) y", annotations={"d": '{{ index $labels "instance" }}'}),
        "annotation d uses $labels.instance",
        id="template-labels: on() keeps only the matching labels",
    ),
    pytest.param(
        "template-labels",
        alert(
            "sum(x) > 0", labels={"severity": "page"}, annotations={"d": "{{ $labels.severity }}"}
        ),
        alert("x > 0", labels={"severity": "page"}, annotations={"d": "{{ $labels.severity }}"}),
        "annotation d uses $labels.severity",
        id="template-labels: static labels are not in $labels",
    ),
    pytest.param(
        "annotation-threshold",
        alert("cpu_ratio > 0.8", annotations={"summary": "CPU above 90% on {{ $labels.host }}"}),
        alert("cpu_ratio > 0.8", annotations={"summary": "CPU above 80% on {{ $labels.host }}"}),
        "annotation summary says 'above 90'; the expression's threshold is 0.8",
        id="annotation-threshold: percent of a ratio",
    ),
    pytest.param(
        "annotation-threshold",
        alert("free_bytes < 10 * 1024 * 1024", annotations={"d": "less than 20 MB free"}),
        alert("free_bytes < 10 * 1024 * 1024", annotations={"d": "less than 10 MB free"}),
        "annotation d says 'less than 20 MB'",
        id="annotation-threshold: folded constant in a unit",
    ),
    pytest.param(
        "annotation-threshold",
        alert("up == 0", annotations={"d": "down for more than 5 minutes"}),
        alert("up == 0", annotations={"d": "down for more than 5 minutes"}, **{"for": "5m"}),
        "annotation d says 'more than 5 minutes'; the rule has no `for:`",
        id="annotation-threshold: a promised duration without `for:`",
    ),
    pytest.param(
        "regex-anchors",
        alert('up{job=~"^api$"} == 0'),
        alert('up{job=~"api"} == 0'),
        'redundant ^ and $ in job=~"^api$"',
        id="regex-anchors: both ends",
    ),
    pytest.param(
        "regex-anchors",
        alert('label_replace(up, "a", "$1", "b", "^(.*)") == 0'),
        alert('label_replace(up{x=~"cost\\\\$"}, "a", "$1", "b", "(.*)") == 0'),
        'redundant ^ in label_replace regex "^(.*)"',
        id="regex-anchors: label_replace; an escaped dollar is no anchor",
    ),
    pytest.param(
        "rate-window",
        alert("rate(errors_total[1m]) > 0"),
        alert("rate(errors_total[2m]) > 0"),
        "rate() over [1m] is shorter than twice the scrape interval (1m)",
        id="rate-window: default 1m scrape",
    ),
    pytest.param(
        "rate-window",
        {"record": "job:x:irate", "expr": "irate(x_total[30s])"},
        {"record": "job:x:irate", "expr": "irate(x_total[5m])"},
        "irate() over [30s]",
        id="rate-window: recording rules too",
    ),
    pytest.param(
        "counter-comparison",
        alert("errors_total > 10"),
        alert("increase(errors_total[10m]) > 10"),
        "counter errors_total is compared by its raw value",
        id="counter-comparison: _total",
    ),
    pytest.param(
        "counter-comparison",
        alert("http_duration_seconds_sum / http_duration_seconds_count > 1"),
        alert("rate(http_duration_seconds_sum[5m]) / rate(http_duration_seconds_count[5m]) > 1"),
        "counter http_duration_seconds_sum is compared by its raw value",
        id="counter-comparison: _sum / _count since start",
    ),
    pytest.param(
        "for-interval",
        alert("x > 1", **{"for": "30s"}),
        alert("x > 1", **{"for": "1m"}),
        "`for: 30s` is shorter than the evaluation interval 1m",
        id="for-interval: for",
    ),
    pytest.param(
        "for-interval",
        alert("x > 1", **{"for": "5m", "keep_firing_for": "10s"}),
        alert("x > 1", **{"for": "5m", "keep_firing_for": "10m"}),
        "`keep_firing_for: 10s` is shorter",
        id="for-interval: keep_firing_for",
    ),
    pytest.param(
        "always-firing",
        alert("up"),
        alert("up == 0"),
        "the expression has no condition",
        id="always-firing: bare selector",
    ),
    pytest.param(
        "always-firing",
        alert("rate(errors_total[5m]) > bool 1"),
        alert("rate(errors_total[5m]) > 1 unless on () maintenance"),
        "the expression has no condition",
        id="always-firing: a bool comparison filters nothing",
    ),
    pytest.param(
        "rate-gauge",
        alert("rate(node_cpu_usage_ratio[5m]) > 0.1"),
        alert("deriv(node_cpu_usage_ratio[5m]) > 0.1"),
        "rate() of node_cpu_usage_ratio, which is named like a gauge",
        id="rate-gauge: _ratio",
    ),
    pytest.param(
        "label-replace-regex",
        alert('label_replace(up, "dst", "$1", "src", "(.*") == 0'),
        alert('label_replace(up, "dst", "$1", "src", "(.*)") == 0'),
        "label_replace regex '(.*' does not compile",
        id="label-replace-regex: unbalanced parenthesis",
    ),
    pytest.param(
        "label-replace-regex",
        alert('label_replace(up, "dst", "$1", "src", "(?!foo).*") == 0'),
        alert('label_replace(up, "dst", "$1", "src", "(?i)foo.*") == 0'),
        "RE2 does not support '(?!'",
        id="label-replace-regex: lookahead; RE2 flag groups are not judged",
    ),
    pytest.param(
        "value-label",
        alert("x > 1", labels={"current": "{{ $value }}"}),
        alert("x > 1", annotations={"current": "{{ $value }}"}),
        "label current uses the sample value",
        id="value-label",
    ),
]


@pytest.mark.parametrize(("code", "bad", "good", "message"), CASES)
def test_each_check_finds_its_problem_and_not_the_fixed_rule(
    tmp_path: Path, code: str, bad: dict[str, Any], good: dict[str, Any], message: str
) -> None:
    found = [f for f in lint(tmp_path, bad) if f.code == code]
    assert [message in f.summary for f in found] == [True], [f.render() for f in found]
    assert found[0].path == "rules.yml" and found[0].alert == bad.get("alert", bad.get("record"))
    assert lint(tmp_path, good) == [], [f.render() for f in lint(tmp_path, good)]


def test_every_check_has_a_case_here() -> None:
    tested = {case.values[0] for case in CASES} | {"duplicate-expr", "disable-comment"}
    policy_checks = {
        "for",
        "required-annotations",
        "required-labels",
        "runbook",
        "severity",
        "unique",
    }
    assert tested | policy_checks == set(CHECKS)  # the policy ones: tests/lint/test_lint.py


def test_copies_are_found_across_spelling(tmp_path: Path) -> None:
    first = alert("sum by (job) (rate(x_total[5m])) > 1", name="A", **{"for": "5m"})
    copy = alert("sum(rate(x_total[5m]))  by (job) >  1", name="B", **{"for": "5m"})
    other = alert("sum by (job) (rate(x_total[5m])) > 1", name="C", **{"for": "10m"})
    found = lint(tmp_path, first, copy, other)
    assert [(f.code, f.alert) for f in found] == [("duplicate-expr", "B")]
    assert "same expression, `for:` and labels as A at rules.yml:" in found[0].summary


def test_the_scrape_and_evaluation_intervals_are_settings(tmp_path: Path) -> None:
    rule = alert("rate(x_total[1m]) > 0", **{"for": "30s"})
    assert codes(lint(tmp_path, rule)) == ["for-interval", "rate-window"]
    fast = Policy(scrape_interval="15s", evaluation_interval="15s")
    assert lint(tmp_path, rule, policy=fast) == []


def test_a_group_interval_wins_over_the_setting(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n  - name: fast\n    interval: 10s\n    rules:\n"
        "      - alert: A\n        expr: x > 1\n        for: 30s\n"
    )
    assert lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"]) == ([], [])


def test_a_disable_comment_in_or_above_a_rule_silences_only_that_check(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n"
        "  - name: demo\n"
        "    rules:\n"
        "      # promrules: disable lint/counter-comparison -- x_count is a gauge\n"
        "      # (another comment between it and the rule)\n"
        "      - alert: Above\n"
        "        expr: x_count > 5 and rate(y_total[30s]) > 0\n"
        "      - alert: Inside\n"
        "        expr: x_count > 5  # promrules: disable lint/counter-comparison\n"
        "      - alert: NotDisabled\n"
        "        expr: z_count > 5 and rate(y_total[30s]) > 0\n"
    )
    found, _ = lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"])
    assert sorted((f.alert, f.code) for f in found) == [
        ("Above", "rate-window"),
        ("NotDisabled", "counter-comparison"),
        ("NotDisabled", "rate-window"),
    ]


def test_a_file_disable_comment_covers_every_rule(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "# promrules: disable-file lint/always-firing lint/regex-anchors\n"
        "groups:\n  - name: demo\n    rules:\n"
        '      - alert: A\n        expr: up{job=~"^a$"}\n'
        "      - alert: B\n        expr: up\n"
    )
    assert lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"]) == ([], [])


def test_a_misspelt_disable_comment_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n  - name: demo\n    rules:\n"
        "      - alert: A  # promrules: disable lint/always-firng\n        expr: up\n"
    )
    found, _ = lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"])
    assert sorted(codes(found)) == ["always-firing", "disable-comment"]
    assert any("disable comment names no check: lint/always-firng" in f.summary for f in found)


def test_a_policy_can_switch_checks_off(tmp_path: Path) -> None:
    assert lint(tmp_path, alert("up"), policy=Policy(disable=("always-firing",))) == []


def test_a_bare_check_name_works_and_a_wrong_one_is_reported(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n  - name: demo\n    rules:\n"
        "      # promrules: disable always-firing, lint/regex-anchor -- upstream's choice\n"
        '      - alert: A\n        expr: up{job=~"^a"}\n'
    )
    found, _ = lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"])
    assert sorted(codes(found)) == ["disable-comment", "regex-anchors"]


def test_odd_rule_shapes_give_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n  - name: demo\n    rules:\n"
        "      - alert: A\n        expr: [up]\n        for: 5\n        labels: [x]\n"
        "        annotations: null\n"
        "      - alert: B\n        expr: 'sum(('\n        keep_firing_for: soon\n"
        "      - record: c\n"
        "      - {}\n"
    )
    assert lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"]) == ([], [])


def test_a_comment_between_groups_disables_nothing_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(
        "groups:\n  - name: one\n    rules:\n      - alert: A\n        expr: up\n"
        "  # promrules: disable lint/always-firing\n"
        '  - name: two\n    rules:\n      - alert: B\n        expr: up{job="b"}\n'
    )
    found, _ = lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"])
    assert sorted((f.alert, f.code, f.line) for f in found) == [
        ("A", "always-firing", 5),
        ("B", "always-firing", 10),
        ("B", "disable-comment", 6),
    ]
