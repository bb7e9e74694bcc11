"""Which rules a test group keeps: the reasoning of `rule_slices`, without promtool.

Each test builds a small rule list and asks which rules a group with given
alert cases, expression cases and input series needs. Keeping too much only
costs time; leaving out a rule the verdict depends on would be a wrong
verdict, so most tests here pin down a reason to keep.
"""

from __future__ import annotations

from pathlib import Path

import promql_parser as pp
import pytest

from promrules.engine.rule_slices import (
    RuleInfo,
    expr_selectors,
    input_series,
    kept_rules,
    produces_from_nothing,
    read_rules,
    selectors_of,
)


def rule(n: int, expr: str, alert: str | None = None, record: str | None = None) -> RuleInfo:
    root = pp.parse(expr)
    return RuleInfo(
        position=(0, 0, n),
        alert=alert,
        record=record,
        selectors=selectors_of(root),
        from_nothing=produces_from_nothing(root),
    )


def kept(rules: list[RuleInfo], alerts=(), exprs=(), series=()) -> set[str] | None:
    """Names of the kept rules, or None when the group keeps everything."""
    observed: list = []
    for text in exprs:
        found = expr_selectors(text)
        if found is None:
            observed = None
            break
        observed += list(found)
    inputs = [input_series(s) for s in series]
    positions = kept_rules(
        rules, alerts, observed, None if any(i is None for i in inputs) else inputs
    )
    if positions is None:
        return None
    return {r.alert or r.record or "" for r in rules if r.position in positions}


CPU = rule(0, "cpu_usage > 90", alert="HighCPU")
MEMORY = rule(1, "memory_usage > 90", alert="HighMemory")
DISK = rule(2, 'disk_usage{mount="/"} > 90', alert="RootDiskFull")
DATA_DISK = rule(3, 'disk_usage{mount="/data"} > 90', alert="DataDiskFull")


def test_an_alert_on_other_metrics_is_left_out() -> None:
    assert kept([CPU, MEMORY], alerts=["HighCPU"], series=["cpu_usage"]) == {"HighCPU"}


def test_a_rule_that_sees_the_input_is_kept_even_unobserved() -> None:
    # It could fail the group with an evaluation error, as it would for bare promtool.
    assert kept([CPU, MEMORY], alerts=["HighCPU"], series=["cpu_usage", "memory_usage"]) == {
        "HighCPU",
        "HighMemory",
    }


def test_label_equality_rules_out_series_of_the_same_metric() -> None:
    rules = [DISK, DATA_DISK]
    assert kept(rules, alerts=["RootDiskFull"], series=['disk_usage{mount="/"}']) == {
        "RootDiskFull"
    }
    assert kept(rules, alerts=["RootDiskFull"], series=['disk_usage{mount="/data"}']) == {
        "RootDiskFull",
        "DataDiskFull",
    }


def test_a_missing_label_reads_as_empty_for_input_series() -> None:
    not_root = rule(4, 'disk_usage{mount!=""} > 90', alert="AnyDiskFull")
    assert kept([DISK, not_root], alerts=["RootDiskFull"], series=["disk_usage"]) == {
        "RootDiskFull"
    }
    assert kept([DISK, not_root], alerts=["RootDiskFull"], series=['disk_usage{mount="/x"}']) == {
        "RootDiskFull",
        "AnyDiskFull",
    }


def test_regex_matchers_are_taken_to_match() -> None:
    regex = rule(4, 'disk_usage{mount=~"/data.*"} > 90', alert="DataDisks")
    assert kept([DISK, regex], alerts=["RootDiskFull"], series=['disk_usage{mount="/"}']) == {
        "RootDiskFull",
        "DataDisks",
    }


def test_recording_rules_an_observed_alert_reads_are_kept_transitively() -> None:
    rules = [
        rule(0, "sum by (job) (rate(requests_total[5m]))", record="job:requests:rate5m"),
        rule(1, "job:requests:rate5m * 2", record="job:requests:double"),
        rule(2, "job:requests:double > 10", alert="TooManyRequests"),
        rule(3, "sum(errors_total)", record="errors:sum"),
    ]
    assert kept(rules, alerts=["TooManyRequests"], series=["other_metric"]) == {
        "job:requests:rate5m",
        "job:requests:double",
        "TooManyRequests",
    }


def test_an_expression_case_keeps_what_writes_the_series_it_reads() -> None:
    rules = [
        rule(0, "sum(requests_total)", record="requests:sum"),
        rule(1, "sum(errors_total)", record="errors:sum"),
    ]
    assert kept(rules, exprs=["requests:sum"]) == {"requests:sum"}


def test_alerts_series_read_by_alertname_keep_only_that_alert() -> None:
    assert kept([CPU, MEMORY], exprs=['ALERTS{alertname="HighCPU"}']) == {"HighCPU"}
    assert kept([CPU, MEMORY], exprs=['ALERTS{alertstate="pending"}']) == {
        "HighCPU",
        "HighMemory",
    }


def test_a_rule_reading_alerts_keeps_every_alert_it_may_read() -> None:
    inhibit = rule(2, 'count(ALERTS{alertname!="HighCPU"}) > 0', alert="AnyOtherAlert")
    assert kept([CPU, MEMORY, inhibit], alerts=["AnyOtherAlert"]) == {
        "AnyOtherAlert",
        "HighMemory",
    }


def test_rules_that_give_a_result_from_nothing_are_always_kept() -> None:
    watchdog = rule(2, "vector(1)", alert="Watchdog")
    absent = rule(3, "absent(up)", alert="NothingScraped")
    fallback = rule(4, "sum(rate(x[5m])) or vector(0)", record="x:rate")
    assert kept([CPU, watchdog, absent, fallback], alerts=["HighCPU"], series=["cpu_usage"]) == {
        "HighCPU",
        "Watchdog",
        "NothingScraped",
        "x:rate",
    }


@pytest.mark.parametrize(
    ("expr", "from_nothing"),
    [
        ("x > 5", False),
        ("x * 2", False),
        ("time() - x", False),
        ("clamp_max(x, 5)", False),
        ("sum(rate(x[5m])) by (job)", False),
        ("hour(x)", False),
        ("x and vector(1)", False),
        ("x unless vector(1)", False),
        ("max_over_time(x[5m:1m])", False),
        ("vector(1)", True),
        ("absent(x)", True),
        ("absent_over_time(x[5m])", True),
        ("hour()", True),
        ("scalar(x)", True),
        ("1 + 1", True),
        ("x or vector(0)", True),
        ("label_replace(vector(1), 'a', 'b', '', '')", True),
        ("max_over_time(vector(1)[5m:1m])", True),
        ("-vector(1)", True),
    ],
)
def test_produces_from_nothing(expr: str, from_nothing: bool) -> None:
    assert produces_from_nothing(pp.parse(expr)) is from_nothing


def test_a_selector_without_a_fixed_name_keeps_everything() -> None:
    any_metric = rule(2, '{job="api"} > 0', alert="Anything")
    assert any_metric.selectors is None
    assert kept([CPU, MEMORY, any_metric], alerts=["HighCPU"], series=["cpu_usage"]) is None
    by_regex = rule(3, '{__name__=~"cpu.*"} > 0', alert="ByRegex")
    assert kept([CPU, by_regex], alerts=["HighCPU"]) is None


def test_an_expression_case_with_an_open_selector_keeps_everything() -> None:
    assert kept([CPU, MEMORY], exprs=['{job="api"}']) is None
    assert kept([CPU, MEMORY], exprs=["this is not promql"]) is None


def test_input_series_are_read_with_their_labels() -> None:
    assert input_series('up{job="api", instance="a:1"}') == (
        "up",
        {"job": "api", "instance": "a:1"},
    )
    assert input_series('{__name__="up", job="api"}') == ("up", {"job": "api"})
    assert input_series("not a series {") is None
    assert kept([CPU], alerts=["HighCPU"], series=["not a series {"]) is None


def test_matrix_selectors_and_subqueries_are_read() -> None:
    found = expr_selectors("rate(a[5m]) + max_over_time(b[10m:1m]) + c offset 5m")
    assert found is not None
    assert {s.name for s in found} == {"a", "b", "c"}


def test_a_template_that_queries_the_storage_keeps_everything(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "groups:\n  - name: g\n    rules:\n"
        "      - alert: A\n        expr: a > 1\n"
        "      - alert: B\n        expr: b > 1\n"
        "        annotations: {summary: '{{ with query \"c:sum\" }}{{ . }}{{ end }}'}\n"
        "      - record: c:sum\n        expr: sum(c)\n"
    )
    index = read_rules((rules,))
    assert index is not None
    assert [i.selectors is None for i in index.rules] == [False, True, False]
    assert kept(list(index.rules), alerts=["A"], series=["a"]) is None
